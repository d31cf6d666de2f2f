"""What every page shares: error pages, Jinja filters for dates, the navigation."""

from datetime import date, datetime

from flask import Flask, current_app, g, render_template, request
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from hubapp.common.jpcalendar import FiscalYear, format_duration, format_month, format_month_day, format_wareki
from hubapp.common.storedfiles import megabytes
from hubapp.core import services
from hubapp.extensions import db

#: Titles and explanations of the error pages, in plain Japanese (English through Flask-Babel).
ERROR_TEXTS = {
    400: (_l("リクエストを処理できませんでした"), _l("入力内容をご確認のうえ、もう一度お試しください。")),
    403: (_l("このページを表示する権限がありません"), _l("必要な場合は、拠点の管理者にお問い合わせください。")),
    404: (_l("ページが見つかりません"), _l("URLが正しいか、またはデータが削除されていないかをご確認ください。")),
    405: (_l("この操作はできません"), _l("画面のボタンやリンクから操作してください。")),
    413: (_l("ファイルが大きすぎます"), _l("ファイルの大きさをご確認ください。")),
    429: (_l("アクセスが集中しています"), _l("しばらく待ってから、もう一度お試しください。")),
    500: (
        _l("システムエラーが発生しました"),
        _l("ご不便をおかけしています。時間をおいて再度お試しいただき、続く場合は管理者にご連絡ください。"),
    ),
}
NUL_TEXT = (
    _l("使えない文字が含まれています"),
    _l("入力内容に制御文字（NUL）が含まれていたため、受け付けませんでした。入力内容は保存されていません。"),
)
OVERFLOW_TEXT = (
    _l("数値が大きすぎます"),
    _l("入力された数値が扱える範囲を超えています。入力内容をご確認ください。入力内容は保存されていません。"),
)
CSRF_TEXT = (
    _l("フォームの有効期限が切れました"),
    _l("ページを再読み込みしてから、もう一度送信してください。入力内容は保存されていません。"),
)


def _error_page(code: int, texts: tuple) -> tuple[str, int]:
    title, message = texts
    return render_template("errors/error.html", code=code, title=title, message=message), code


def upload_too_large(max_bytes: int, back_url: str | None = None) -> tuple[str, int]:
    """413 for an upload over its limit: the limit in Japanese and a way back to the
    form; nothing of the upload is kept."""
    return (
        render_template(
            "errors/error.html",
            code=413,
            title=ERROR_TEXTS[413][0],
            message=_l(
                "登録できるファイルは %(mb)s MB までです。ファイルを小さくしてから、もう一度お試しください。",
                mb=megabytes(max_bytes),
            ),
            back_url=back_url,
        ),
        413,
    )


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if isinstance(error, CSRFError):
        return _error_page(400, CSRF_TEXT)
    if error.code == 403:
        _audit_denied()
    code = error.code if error.code in ERROR_TEXTS else (500 if error.code >= 500 else 400)
    return _error_page(error.code, ERROR_TEXTS[code])


def _audit_denied() -> None:
    """A refused request changes nothing but the audit trail, where it is a security event (ASVS V16)."""
    from flask import request

    from hubapp.audit.services import record
    from hubapp.common.vocabulary import AuditAction

    db.session.rollback()
    record(
        AuditAction.ACCESS_DENIED,
        "routes",
        details={"endpoint": request.endpoint or "", "method": request.method, "path": request.path[:200]},
    )
    db.session.commit()


def handle_overflow(error: OverflowError | DataError):
    """A number no column holds (an id of 20 digits: SQLite raises OverflowError), or a date out of range:
    the input's fault, so 400 with a clear message, and the transaction is dropped."""
    current_app.logger.info("number out of range: %s", error)
    db.session.rollback()
    return _error_page(400, OVERFLOW_TEXT)


#: PostgreSQL's SQLSTATEs for a number or a date no column holds (an id of 10 digits is over int4): the
#: same input error that SQLite reports as OverflowError.
OUT_OF_RANGE_SQLSTATES = frozenset({"22003", "22008"})


def handle_data_error(error: DataError):
    if getattr(error.orig, "sqlstate", None) in OUT_OF_RANGE_SQLSTATES:
        return handle_overflow(error)
    return handle_unexpected(error)


def handle_unexpected(error: Exception):
    # Never a traceback to the user; the log keeps it. The failed transaction must not linger.
    current_app.logger.exception("unhandled error: %s", error)
    db.session.rollback()
    return _error_page(500, ERROR_TEXTS[500])


def refuse_nul_bytes():
    """A NUL byte in a query or a form field: 400 with a clear message before any view runs. No one types
    it, and PostgreSQL refuses it in text (the request would end in a 500 there). File names are cleaned
    of control characters where uploads are stored (hubapp/meetings/documents.py)."""
    submitted = [*request.args.lists(), *request.form.lists()]
    if any("\x00" in key or any("\x00" in v for v in values) for key, values in submitted):
        return _error_page(400, NUL_TEXT)
    return None


def wareki_filter(value: date | datetime | None, weekday: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(services.JST).date()
    return format_wareki(value, weekday=weekday)


def month_day_filter(value: date, weekday: bool = False) -> str:
    return format_month_day(value, weekday=weekday)


def time_jst_filter(value: datetime | None) -> str:
    """The wall-clock time in Japan: 14:00."""
    return "" if value is None else value.astimezone(services.JST).strftime("%H:%M")


def datetime_filter(value: datetime | None) -> str:
    """A UTC timestamp shown in Japan time, 令和 first: 令和8年11月23日 09:05."""
    if value is None:
        return ""
    return f"{format_wareki(value.astimezone(services.JST).date())} {format_datetime(value, 'HH:mm')}"


def fy_label_filter(value: FiscalYear | date) -> str:
    """令和8年度, with the western year after it (令和8年度（2026年度）) only when ``SHOW_WESTERN_YEAR`` is on."""
    fy = value if isinstance(value, FiscalYear) else FiscalYear.of(value)
    if current_app.config.get("SHOW_WESTERN_YEAR"):
        return f"{fy.label_ja}（{fy.year}年度）"
    return fy.label_ja


def fiscal_year_filter(value: date) -> str:
    return fy_label_filter(value)


def duration_filter(minutes: int | None) -> str:
    return format_duration(minutes or 0)


def inject_layout() -> dict:
    pending_step = current_app.extensions["pending_login_step"]  # the auth domain's, given to roles.init_app
    # Half-way through login (second factor, temporary password) the menu would only lead back here.
    signed_in = current_user.is_authenticated and pending_step(current_user) is None
    nav = services.navigation_for(current_user.role) if signed_in else []
    # Read here, not in the template: after a commit the hub is expired and reloads before rendering.
    hub = g.get("hub")
    return {
        "nav_items": nav,
        "current_locale": str(get_locale()),
        "signed_in": signed_in,
        "current_hub_id": hub.id if hub is not None else None,
    }


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OverflowError, handle_overflow)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(Exception, handle_unexpected)
    app.before_request(refuse_nul_bytes)
    app.add_template_filter(wareki_filter, "wareki")
    app.add_template_filter(month_day_filter, "month_day")
    app.add_template_filter(datetime_filter, "datetime")
    app.add_template_filter(time_jst_filter, "time_jst")
    app.add_template_filter(fiscal_year_filter, "fiscal_year")
    app.add_template_filter(fy_label_filter, "fy_label")
    app.add_template_filter(duration_filter, "duration")
    app.add_template_filter(format_month, "month_ja")
    app.context_processor(inject_layout)
