"""Roles and the declaration every view carries.

Each view says who may use it with ``@roles_required(...)`` or ``@public``. A ``before_request`` hook
(``enforce_declared_roles``) checks the declaration of the endpoint being called, so a view that
declares nothing is refused to everyone (fail closed), and ``tests/test_route_roles.py`` fails on it.
"""

from collections.abc import Callable
from typing import Any

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hubapp.common.vocabulary import LabelledEnum, labelled


class Role(LabelledEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    PHYSICIAN = "physician"
    BED_MANAGER = "bed_manager"
    CONSULTANT = "consultant"
    PREFECTURE = "prefecture"
    MEMBER = "member"


ROLE_LABELS = labelled(
    Role,
    {
        Role.ADMIN: _l("システム管理者"),
        Role.COORDINATOR: _l("コーディネーター"),
        Role.PHYSICIAN: _l("医師"),
        Role.BED_MANAGER: _l("病床管理者"),
        Role.CONSULTANT: _l("相談員"),
        Role.PREFECTURE: _l("都道府県担当"),
        Role.MEMBER: _l("メンバー"),
    },
)

ALL_ROLES = frozenset(Role)
#: Everyone who works inside a hub (the prefecture officer reads, but is not a hub member).
HUB_ROLES = ALL_ROLES
#: Roles that may change a hub's profile and records.
HUB_EDITORS = frozenset({Role.ADMIN, Role.COORDINATOR})

PUBLIC = "public"
_ATTRIBUTE = "hubapp_roles"


def roles_required(*roles: Role) -> Callable:
    """Declare the roles that may call this view; anyone else gets 403, anonymous users the login page."""
    allowed = frozenset(Role(r) for r in roles)
    if not allowed:
        raise ValueError("roles_required needs at least one role")

    def decorate(view: Callable) -> Callable:
        setattr(view, _ATTRIBUTE, allowed)
        return view

    return decorate


def public(view: Callable) -> Callable:
    """Declare a view open to everyone, logged in or not (login page, health check, static files)."""
    setattr(view, _ATTRIBUTE, PUBLIC)
    return view


def declared_roles(view: Callable | None) -> frozenset[Role] | str | None:
    """The declaration of a view: a set of roles, ``PUBLIC``, or None when it declares nothing."""
    while view is not None:
        found = getattr(view, _ATTRIBUTE, None)
        if found is not None:
            return found
        view = getattr(view, "__wrapped__", None)
    return None


def enforce_declared_roles() -> Any:
    if request.endpoint is None:  # no route matched: let Flask answer 404/405
        return None
    declared = declared_roles(current_app.view_functions.get(request.endpoint))
    if declared == PUBLIC:
        return None
    if declared is None:
        current_app.logger.error("view %s declares no roles; refused", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    step = current_app.extensions["pending_login_step"](current_user)
    if step is not None and request.endpoint not in (step, "auth.logout"):
        # Half-way through login (second factor, or a temporary password to replace): nothing else.
        return redirect(url_for(step))
    if current_user.role not in declared:
        abort(403)
    return None


def init_app(app: Flask, pending_step: Callable[[Any], str | None]) -> None:
    """``pending_step(user)``: the endpoint a half-way login must go to first (the second factor, a new
    password), or None; given by the auth domain, which common does not import."""
    app.extensions["pending_login_step"] = pending_step
    public(app.view_functions["static"])
    app.before_request(enforce_declared_roles)
