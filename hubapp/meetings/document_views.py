"""Meeting documents on the meetings blueprint: upload (editors), download (everyone in the hub), delete.

Downloads are always attachments with the type decided when the file was checked, ``nosniff`` and a
sandboxing CSP, never cached, and recorded in the audit trail (who read which minutes, and when).
"""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectField
from wtforms.validators import DataRequired

from hubapp.audit.services import record
from hubapp.common.current import hub_object_or_404
from hubapp.common.downloads import fallback_name, stored_file
from hubapp.common.headers import DOWNLOAD_CSP, talisman
from hubapp.common.roles import ALL_ROLES, HUB_EDITORS, roles_required
from hubapp.common.vocabulary import AuditAction
from hubapp.core.services import error_page as handle_http_error
from hubapp.core.services import upload_too_large
from hubapp.extensions import db
from hubapp.meetings import documents, services
from hubapp.meetings.models import DocumentKind


class DocumentForm(FlaskForm):
    kind = SelectField(
        _l("種類"),
        default=DocumentKind.MINUTES.value,
        validators=[DataRequired(_l("種類を選んでください。"))],
    )
    file = FileField(
        _l("ファイル"),
        validators=[FileRequired(_l("ファイルを選んでください。"))],
        render_kw={"accept": documents.ACCEPT_ATTRIBUTE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.value, kind.label) for kind in DocumentKind]
        self.file.description = _(
            "%(types)s1ファイル%(mb)s MBまで。",
            types=documents.ACCEPTED_TYPES_TEXT,
            mb=documents.megabytes(documents.max_bytes()),
        )


def _back_to(meeting_id: int):
    return redirect(url_for("meetings.detail", meeting_id=meeting_id) + "#documents")


def _too_large(meeting_id: int):
    """413 with the limit and a link back to the meeting's documents."""
    return upload_too_large(
        documents.max_bytes(), url_for("meetings.detail", meeting_id=meeting_id) + "#documents"
    )


@roles_required(*HUB_EDITORS)
def document_upload(meeting_id: int):
    meeting = hub_object_or_404(services.get_meeting, meeting_id)
    form = DocumentForm()
    if not form.validate_on_submit():
        for field in (form.file, form.kind):
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return _back_to(meeting.id)
    upload = form.file.data
    data = upload.read(documents.max_bytes() + 1)  # one byte over is enough to refuse it
    if len(data) > documents.max_bytes():
        return _too_large(meeting.id)
    try:
        document = documents.store(meeting, DocumentKind(form.kind.data), upload.filename or "", data, current_user.id)
    except documents.DocumentError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _("「%(name)s」を%(kind)sとして登録しました。", name=document.filename, kind=document.kind.label), "success"
        )
    return _back_to(meeting.id)


@roles_required(*ALL_ROLES)
@talisman(content_security_policy=DOWNLOAD_CSP)
def document(document_id: int):
    found = hub_object_or_404(documents.get_document, document_id)
    path = documents.path_of(found)
    if not path.is_file():
        current_app.logger.error("meeting document %s: file %s is missing", found.id, path)
        abort(404)
    record(
        AuditAction.VIEW,
        found.__tablename__,
        found.id,
        hub_id=found.hub_id,
        details={"meeting_id": found.meeting_id, "kind": found.kind, "filename": found.filename},
    )
    db.session.commit()
    return stored_file(path, found.filename, found.content_type, fallback_name(found), etag=found.sha256)


@roles_required(*HUB_EDITORS)
def document_delete(document_id: int):
    found = hub_object_or_404(documents.get_document, document_id)
    meeting_id, name = found.meeting_id, found.filename
    documents.delete(found)
    db.session.commit()
    flash(_("「%(name)s」を削除しました。", name=name), "info")
    return _back_to(meeting_id)


def _body_too_large(error: RequestEntityTooLarge):
    """A body over MAX_CONTENT_LENGTH: 413 with the upload limit and the way back to the meeting."""
    if request.endpoint == "meetings.document_upload" and request.view_args:
        return _too_large(request.view_args["meeting_id"])
    return handle_http_error(error)
