"""Manual summaries of the months before 運用開始日, on a group's page: entered with their evidence, the
evidence downloaded (by the hub and the prefecture, audited), and deleted with its months."""

from flask import current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from hubapp.common.current import hub_object_or_404
from hubapp.common.downloads import fallback_name, stored_file
from hubapp.common.forms import Refused, commit_change
from hubapp.common.headers import DOWNLOAD_CSP, talisman
from hubapp.common.roles import HUB_EDITORS, Role, roles_required
from hubapp.db import utcnow
from hubapp.extensions import db
from hubapp.rota import services, summaries
from hubapp.rota.forms import summary_form, summary_rows
from hubapp.rota.group_views import _group_page

#: The prefecture reads the evidence behind a figure it is shown on /compliance/.
READERS = (*HUB_EDITORS, Role.PREFECTURE)
ANCHOR = "summaries"


def _max_bytes() -> int:
    """Summary documents follow the meeting documents' limit (MEETING_UPLOAD_MAX_BYTES)."""
    return int(current_app.config["MEETING_UPLOAD_MAX_BYTES"])


def _too_large(group_id: int | None):
    from hubapp.core.services import upload_too_large

    back = url_for("rota.group", group_id=group_id) + f"#{ANCHOR}" if group_id else url_for("rota.index")
    return upload_too_large(_max_bytes(), back)


@roles_required(*HUB_EDITORS)
def summary_upload(group_id: int):
    found = hub_object_or_404(services.get_group, group_id)
    year_end = current_app.config["YEAR_END_HOLIDAYS"]
    form = summary_form(summaries.summary_months(found, year_end))
    upload = form.file.data if form.is_submitted() and isinstance(form.file.data, FileStorage) else None
    data = upload.read(_max_bytes() + 1) if upload else b""
    if len(data) > _max_bytes():  # one byte over is enough to refuse it
        return _too_large(found.id)
    applied = form.validate_on_submit() and commit_change(
        lambda: summaries.store(
            found,
            summaries.parse_rows(found, summary_rows(form), year_end),
            upload.filename if upload else "",
            data,
            form.note.data or "",
            current_user.id,
            utcnow(),
            year_end,
        ),
        _("手入力の集計を資料とともに登録しました。"),
        form,
    )
    if applied:
        return redirect(url_for("rota.group", group_id=found.id) + f"#{ANCHOR}")
    return _group_page(found, Refused("summary", form))


def _body_too_large(error: RequestEntityTooLarge):
    """A body over MAX_CONTENT_LENGTH on the upload: 413 with the limit, not the bare error page."""
    from hubapp.core.services import error_page as handle_http_error

    if request.endpoint == "rota.summary_upload":
        return _too_large((request.view_args or {}).get("group_id"))
    return handle_http_error(error)


@roles_required(*READERS)
@talisman(content_security_policy=DOWNLOAD_CSP)
def summary_document(document_id: int):
    from hubapp.audit.services import record
    from hubapp.common.vocabulary import AuditAction

    found = hub_object_or_404(summaries.get_document, document_id, lambda d: summaries.path_of(d).exists())
    record(AuditAction.VIEW, found.__tablename__, found.id, hub_id=found.hub_id)
    db.session.commit()
    return stored_file(summaries.path_of(found), found.filename, found.content_type, fallback_name(found))


@roles_required(*HUB_EDITORS)
def summary_delete(document_id: int):
    found = hub_object_or_404(summaries.get_document, document_id)
    group_id = found.group_id
    commit_change(lambda: summaries.delete(found), _("資料とその手入力の集計を削除しました。"))
    return redirect(url_for("rota.group", group_id=group_id) + f"#{ANCHOR}")
