"""Things every page needs: today's date in Japan and the navigation a role sees."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from hubapp.common.japantime import JST, today  # noqa: F401 (every page's "today", named here too)
from hubapp.common.roles import PUBLIC, Role, declared_roles


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str


#: The app's sections, in menu order. Each domain adds its entry when its pages exist; who sees an
#: entry follows the roles its view declares, so the menu never offers a page that answers 403.
NAVIGATION = (
    NavItem("core.dashboard", _l("ダッシュボード")),
    NavItem("rota.now", _l("今夜の当番")),
    NavItem("rota.mine", _l("自分の当番")),
    NavItem("meetings.index", _l("会議・研修")),
    NavItem("directory.index", _l("地域資源")),
    NavItem("rota.index", _l("当番表")),
    NavItem("rota.logs", _l("代診・出動記録")),
    NavItem("rota.pairs", _l("主治医・副主治医")),
    NavItem("beds.board", _l("後方支援病床")),
    NavItem("consultations.index", _l("相談支援")),
    NavItem("compliance.index", _l("実績・要件")),
    NavItem("hubs.index", _l("拠点・圏域")),
    NavItem("users.index", _l("利用者")),
    NavItem("audit.index", _l("監査ログ")),
)


def navigation_for(role: Role) -> list[NavItem]:
    views = current_app.view_functions
    return [
        item for item in NAVIGATION
        if (declared := declared_roles(views.get(item.endpoint))) == PUBLIC
        or (declared is not None and role in declared)
    ]


def no_hub_message(role: Role) -> str:
    """What the dashboard says to a user who sees no hub."""
    if role == Role.ADMIN:
        return str(_l("拠点がまだ登録されていません。"))
    return str(_l("所属する拠点がありません。拠点のコーディネーターまたは管理者にお問い合わせください。"))


def upload_too_large(max_bytes: int, back_url: str | None = None):
    """The 413 page for an upload over its limit, with the limit in Japanese and a way back to the form
    (the error pages are hubapp/core/web.py's)."""
    from hubapp.core import web

    return web.upload_too_large(max_bytes, back_url)


def error_page(error):
    """The page of an HTTP error, as every other error of the app is answered (hubapp/core/web.py)."""
    from hubapp.core import web

    return web.handle_http_error(error)
