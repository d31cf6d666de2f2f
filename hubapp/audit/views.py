"""The audit trail, for admins (every hub) and coordinators (their own hubs): filters by user, action and
period, a CSV export, and the record of who reviewed which period (the guideline's 定期的な確認)."""

import csv
import io
from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.audit import services
from hubapp.audit.forms import ReviewForm
from hubapp.audit.models import ACTION_LABELS, AuditAction
from hubapp.common.csvcells import CP932_ERRORS, neutralise
from hubapp.common.downloads import content_disposition
from hubapp.common.forms import commit_change
from hubapp.common.roles import Role, roles_required
from hubapp.core.services import JST, today
from hubapp.extensions import db
from hubapp.hubs import services as hubs

PAGE_SIZE = 100
EXPORT_HEADER = ["日時（日本時間）", "利用者", "役割", "操作", "結果", "対象", "対象ID", "拠点ID", "アドレス", "内容",
                 "連番", "ハッシュ"]  # fmt: skip


def _day(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        flash(
            _("日付は 2026-04-01 の形で入力してください（「%(value)s」は使いませんでした）。", value=raw[:20]), "error"
        )
        return None


def _filters() -> services.TrailFilter:
    action = request.args.get("action", "")
    return services.TrailFilter(
        hub_ids=None if current_user.role == Role.ADMIN else hubs.visible_hub_ids(current_user),
        actor=request.args.get("user", "").strip().lower()[:80],
        action=AuditAction(action) if action in {a.value for a in AuditAction} else None,
        day_from=_day("from"),
        day_to=_day("to"),
    )


@roles_required(Role.ADMIN, Role.COORDINATOR)
def index():
    return _index_page(ReviewForm(formdata=None, to=today()))


def _index_page(review_form: ReviewForm):
    filters = _filters()
    before = request.args.get("before", type=int)
    entries = services.trail(filters=filters, limit=PAGE_SIZE + 1, before_id=before)
    older = entries[PAGE_SIZE - 1].id if len(entries) > PAGE_SIZE else None
    can_review = current_user.role == Role.ADMIN
    return render_template(
        "audit/index.html",
        entries=entries[:PAGE_SIZE],
        older=older,
        filters=filters,
        actions=ACTION_LABELS,
        can_review=can_review,
        reviews=services.reviews() if can_review else [],
        form=review_form,
    )


@roles_required(Role.ADMIN, Role.COORDINATOR)
def export_csv():
    """The filtered trail as CSV (UTF-8 with BOM, or cp932 with ?encoding=cp932), oldest first."""
    filters = _filters()
    encoding = "cp932" if request.args.get("encoding") == "cp932" else "utf-8-sig"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    for entry in services.trail_rows(filters):
        changes = "; ".join(f"{key}: {old} → {new}" if old is not None else f"{key}: {new}"
                            for key, (old, new) in (entry.changes or {}).items())  # fmt: skip
        writer.writerow([
            entry.at.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S"), neutralise(entry.actor), entry.role or "",
            entry.action.value, entry.outcome or "", entry.entity, entry.entity_id or "", entry.hub_id or "",
            entry.ip_address or "", neutralise(changes), entry.seq or "", entry.row_hash or "",
        ])  # fmt: skip
    services.record(
        AuditAction.EXPORT, "audit_logs", None,
        details={"format": "csv", "user": filters.actor, "action": filters.action and filters.action.value,
                 "from": filters.day_from, "to": filters.day_to},
    )  # fmt: skip
    db.session.commit()
    text = buffer.getvalue()
    body = text.encode("cp932", errors=CP932_ERRORS) if encoding == "cp932" else text.encode("utf-8-sig")
    stamp = today().strftime("%Y%m%d")
    return current_app.response_class(
        body,
        content_type=f"text/csv; charset={'shift_jis' if encoding == 'cp932' else 'utf-8'}",
        headers={"Content-Disposition": content_disposition(f"監査ログ_{stamp}.csv", f"audit-log-{stamp}.csv")},
    )


@roles_required(Role.ADMIN)
def review():
    """Record that the admin went through a period (verifying the chain at the same time)."""
    form = ReviewForm()
    applied = form.validate_on_submit() and commit_change(
        lambda: services.add_review(current_user, form.day_from, form.to.data, form.note.data or "", today()),
        None,
        form,
    )
    if not applied:
        return _index_page(form)
    found = applied.value
    if found.chain_intact:
        flash(
            _(
                "%(from)s〜%(to)s の確認を記録しました（%(n)s件、改ざんなし）。",
                **{"from": found.period_from, "to": found.period_to, "n": f"{found.entries:,}"},
            ),
            "info",
        )
    else:
        flash(
            _("確認を記録しましたが、監査ログのハッシュ連鎖に異常があります。"
              "flask --app hubapp audit verify で詳細を確認してください。"),
            "error",
        )  # fmt: skip
    return redirect(url_for("audit.index"))
