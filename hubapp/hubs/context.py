"""The hub a request works in (``g.hub``) and the hubs the user may switch to (``g.hub_choices``)."""

from flask import Flask, g, request, session
from flask_login import current_user

from hubapp.hubs import services

SESSION_KEY = "hub_id"


def load_current_hub() -> None:
    """Three queries at most, whatever the number of hubs: the choices, then the chosen hub with its
    municipalities."""
    g.hub = None
    g.hub_choices = []
    if request.endpoint == "static":
        # No user for a stylesheet: loading one marks the session seen, and the response would then set
        # the cookie this request came with — over a login step a request made meanwhile had completed.
        return
    if not current_user.is_authenticated:
        return
    g.hub_choices = services.visible_hub_choices(current_user)
    ids = [hub_id for hub_id, _name in g.hub_choices]
    wanted = session.get(SESSION_KEY)
    chosen = wanted if wanted in ids else (ids[0] if ids else None)
    if chosen is not None:
        g.hub = services.get_visible_hub(current_user, chosen)


def select_hub(hub_id: int) -> None:
    session[SESSION_KEY] = hub_id


def init_app(app: Flask) -> None:
    app.before_request(load_current_hub)
