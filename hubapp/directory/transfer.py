"""Directory files in and out: import with a preview, CSV / XLSX export, the printable list."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from hubapp.audit.services import record
from hubapp.common.downloads import content_disposition
from hubapp.common.jpcalendar import format_wareki
from hubapp.common.roles import ALL_ROLES, HUB_EDITORS, roles_required
from hubapp.common.storedfiles import megabytes
from hubapp.common.vocabulary import AuditAction
from hubapp.core.services import error_page as handle_http_error
from hubapp.core.services import today
from hubapp.directory import exporting, importing, services, uploads
from hubapp.directory.forms import CommitImportForm, ImportForm, mapping_choices, mapping_form
from hubapp.directory.views import _filter_from_args, _hub
from hubapp.extensions import db


@roles_required(*HUB_EDITORS)
def import_file():
    hub = _hub()
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(current_app.config["DIRECTORY_IMPORT_MAX_BYTES"] + 1)
        if len(data) > current_app.config["DIRECTORY_IMPORT_MAX_BYTES"]:
            return _too_large(form)
        filename = (upload.filename or "upload.csv").rsplit("/", 1)[-1][:150]
        token = uploads.keep(data, filename, current_user.id, hub.id)
        try:
            plan = importing.read_and_plan(hub.id, data, filename, kept=uploads.KeptParse(token))
        except importing.UnknownLayout as unknown:
            uploads.save_preview(
                token, {"unknown": {"headers": unknown.headers, "samples": unknown.samples, "line": unknown.line}}
            )
            return redirect(url_for("directory.import_mapping", token=token))
        except importing.DirectoryFileError as error:
            uploads.discard(token)
            form.file.errors.append(str(error))
        else:
            preview = importing.preview_of(plan, filename)
            uploads.save_preview(token, preview)
            return _preview_page(token, preview, 1)
    return render_template("directory/import.html", form=form)


@roles_required(*HUB_EDITORS)
def import_mapping(token: str):
    """A layout the app does not know: each column with sample values and a proposed field; the
    coordinator corrects, names and saves the mapping, and the file is read with it."""
    from hubapp.directory.models import ORGANISATION_TYPE_JA
    from hubapp.directory.parsing import MAPPABLE_FIELDS, propose
    from hubapp.directory.services import DirectoryError

    hub = _hub()
    kept = uploads.load(token, current_user.id, hub.id)
    unknown = (uploads.load_preview(token, current_user.id, hub.id) or {}).get("unknown")
    if kept is None or unknown is None:
        flash(_("取り込むファイルが見つかりません。もう一度ファイルを選んでください。"), "error")
        return redirect(url_for("directory.import_file"))
    data, filename, _mapping = kept
    headers = unknown["headers"]
    choices = propose(headers)
    error = None
    form = mapping_form(len(headers), token)
    if request.method == "POST":
        choices = mapping_choices(form, len(headers))
        if not form.validate_on_submit():
            error = _("もう一度お試しください（フォームの有効期限が切れました）。")
        else:
            try:
                mapping = importing.save_mapping(
                    hub.id,
                    form.mapping_name.data or "",
                    headers,
                    choices,
                    form.organisation_type.data or "",
                    current_user.id,
                )
                plan = importing.read_and_plan(hub.id, data, filename, mapping.name, kept=uploads.KeptParse(token))
            except (DirectoryError, importing.DirectoryFileError) as refused:
                db.session.rollback()
                error = str(refused)
            else:
                db.session.commit()
                uploads.set_mapping(token, mapping.name)  # the commit reads the file as this preview did
                flash(_("列の対応「%(name)s」を保存しました。次からこの形式のファイルはそのまま読めます。", name=mapping.name), "success")
                preview = importing.preview_of(plan, filename)
                uploads.save_preview(token, preview)
                return redirect(url_for("directory.import_preview", token=token))
    columns = [
        (n, header, [row[n] if n < len(row) else "" for row in unknown["samples"]], choices[n])
        for n, header in enumerate(headers)
    ]
    return render_template(
        "directory/import_mapping.html",
        filename=filename,
        columns=columns,
        fields=MAPPABLE_FIELDS,
        types=ORGANISATION_TYPE_JA,
        chosen_type=form.organisation_type.data or "",
        mapping_name=form.mapping_name.data or "",
        error=error,
        form=form,
        line=unknown["line"],
    ), (400 if error else 200)


def _preview_page(token: str, preview: dict, page: int):
    pages = max(1, -(-len(preview["issues"]) // importing.PAGE_SIZE))
    page = min(max(page, 1), pages)
    first = (page - 1) * importing.PAGE_SIZE
    return render_template(
        "directory/import_preview.html",
        preview=preview,
        issues=preview["issues"][first : first + importing.PAGE_SIZE],
        page=page,
        pages=pages,
        token=token,
        form=CommitImportForm(token=token),
    )


@roles_required(*HUB_EDITORS)
def import_preview(token: str):
    """A page of the preview of an upload (its warnings and refusals, 100 a page)."""
    preview = uploads.load_preview(token, current_user.id, _hub().id)
    if preview is None:
        flash(_("取り込むファイルが見つかりません。もう一度ファイルを選んでください。"), "error")
        return redirect(url_for("directory.import_file"))
    if "unknown" in preview:  # the columns are not mapped yet
        return redirect(url_for("directory.import_mapping", token=token))
    return _preview_page(token, preview, request.args.get("page", 1, type=int))


@roles_required(*HUB_EDITORS)
def import_refused(token: str):
    """The refused rows in the file's layout with the reason, to correct and import again."""
    hub = _hub()
    kept = uploads.load(token, current_user.id, hub.id)
    if kept is None:
        flash(_("取り込むファイルが見つかりません。もう一度ファイルを選んでください。"), "error")
        return redirect(url_for("directory.import_file"))
    data, filename, mapping = kept
    try:
        plan = importing.read_and_plan(hub.id, data, filename, mapping, kept=uploads.KeptParse(token))
    except importing.DirectoryFileError:  # not mapped yet
        return redirect(url_for("directory.import_mapping", token=token))
    encoding = "cp932" if plan.encoding == "cp932" else "utf-8"
    stem = filename.rsplit(".", 1)[0]
    return current_app.response_class(
        importing.refused_file(plan),
        content_type=f"text/csv; charset={'shift_jis' if encoding == 'cp932' else 'utf-8'}",
        headers={"Content-Disposition": content_disposition(f"{stem}_取り込めなかった行.csv", "refused-rows.csv")},
    )


def _too_large(form: ImportForm):
    """413: the import form again, with the limit as the file's error."""
    form.file.errors = [
        *form.file.errors,
        _("ファイルが大きすぎます（上限 %(mb)s MB）。", mb=megabytes(current_app.config["DIRECTORY_IMPORT_MAX_BYTES"])),
    ]
    return render_template("directory/import.html", form=form), 413


def _body_too_large(error: RequestEntityTooLarge):
    """A body over MAX_CONTENT_LENGTH on the import: the form with the limit (its data cannot be read)."""
    if request.endpoint == "directory.import_file":
        return _too_large(ImportForm(formdata=None))
    return handle_http_error(error)


@roles_required(*HUB_EDITORS)
def import_commit():
    """Take the upload: all of it, or (``skip_refused``) all but the refused rows, in one transaction."""
    hub = _hub()
    form = CommitImportForm()
    kept = uploads.load(form.token.data, current_user.id, hub.id) if form.validate_on_submit() else None
    if kept is None:
        flash(_("取り込むファイルが見つかりません。もう一度ファイルを選んでください。"), "error")
        return redirect(url_for("directory.import_file"))
    data, filename, mapping = kept
    skip_refused = bool(form.skip_refused.data)
    try:
        # planned again (the directory may have changed since), from the preview's parse of the file
        plan = importing.read_and_plan(hub.id, data, filename, mapping, kept=uploads.KeptParse(form.token.data))
    except importing.DirectoryFileError:  # not mapped yet (or the mapping was replaced meanwhile)
        return redirect(url_for("directory.import_mapping", token=form.token.data))
    shown = uploads.load_preview(form.token.data, current_user.id, hub.id) or {}
    preview = importing.preview_of(plan, filename)
    changed = any(shown.get(k) != preview[k] for k in ("additions", "updates", "refused", "disappeared"))
    if changed or (plan.errors and not skip_refused):
        # never more or other than the preview promised: show what would happen now
        uploads.save_preview(form.token.data, preview)
        if changed:
            flash(_("確認のあとに地域資源が変わったため、取り込む内容が変わりました。もう一度確かめてください。"), "warning")
        return _preview_page(form.token.data, preview, 1)
    added, updated, archived = importing.apply_import(
        hub.id,
        plan,
        f"import:{filename}",
        skip_refused=skip_refused,
        archive_disappeared=bool(form.archive_disappeared.data),
    )
    db.session.commit()
    uploads.discard(form.token.data)
    if plan.errors:
        message = _(
            "「%(file)s」を取り込みました（追加 %(added)d件、更新 %(updated)d件、取り込めない%(refused)d行を除く）。",
            file=filename,
            added=added,
            updated=updated,
            refused=plan.refused,
        )
    else:
        message = _(
            "「%(file)s」を取り込みました（追加 %(added)d件、更新 %(updated)d件）。",
            file=filename,
            added=added,
            updated=updated,
        )
    if archived:
        message += " " + _("一覧から消えた%(n)d件をアーカイブしました。", n=archived)
    flash(message, "success")
    return redirect(url_for("directory.index"))


def _export_disposition(extension: str) -> str:
    """地域資源_2026-05-01.csv (chiiki-shigen-2026-05-01.csv for clients without RFC 5987); the export is
    written to the audit trail."""
    record(AuditAction.EXPORT, "organisations", None, hub_id=_hub().id, details={"format": extension})
    db.session.commit()
    day = today().isoformat()
    return content_disposition(f"地域資源_{day}.{extension}", f"chiiki-shigen-{day}.{extension}")


@roles_required(*ALL_ROLES)
def export_csv():
    encoding = "cp932" if request.args.get("encoding") == "cp932" else "utf-8-sig"
    organisations = services.all_organisations(_hub().id, _filter_from_args())
    body = exporting.to_csv(organisations, encoding=encoding)
    charset = "shift_jis" if encoding == "cp932" else "utf-8"
    return current_app.response_class(
        body,
        content_type=f"text/csv; charset={charset}",
        headers={"Content-Disposition": _export_disposition("csv")},
    )


@roles_required(*ALL_ROLES)
def export_xlsx():
    hub = _hub()
    body = exporting.to_xlsx(services.all_organisations(hub.id, _filter_from_args()), title=f"{hub.name} 地域資源")
    return current_app.response_class(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": _export_disposition("xlsx")},
    )


@roles_required(*ALL_ROLES)
def print_list():
    hub = _hub()
    groups = exporting.print_groups(services.all_organisations(hub.id, _filter_from_args()))
    return render_template("directory/print.html", hub_name=hub.name, printed_on=format_wareki(today()), groups=groups)
