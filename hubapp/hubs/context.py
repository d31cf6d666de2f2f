"""The hub a request works in (``g.hub``) and the hubs the user may switch to (``g.visible_hubs``)."""

from flask import Flask, g, session
from flask_login import current_user

from hubapp.hubs import services

SESSION_KEY = "hub_id"


def load_current_hub() -> None:
    g.hub = None
    g.visible_hubs = []
    if not current_user.is_authenticated:
        return
    g.visible_hubs = services.visible_hubs(current_user)
    wanted = session.get(SESSION_KEY)
    g.hub = next((h for h in g.visible_hubs if h.id == wanted), None) or (
        g.visible_hubs[0] if g.visible_hubs else None
    )


def select_hub(hub_id: int) -> None:
    session[SESSION_KEY] = hub_id


def init_app(app: Flask) -> None:
    app.before_request(load_current_hub)
