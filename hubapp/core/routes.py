"""The core blueprint: the home page, language, health and error pages.

Every URL of the domain in one place: the rule, the view that answers it (its roles are declared on the
view itself) and the methods. Registered on the app by ``hubapp.register_blueprints``."""

from flask import Blueprint

from hubapp.core import views

bp = Blueprint("core", __name__)
bp.add_url_rule("/", view_func=views.dashboard)
bp.add_url_rule("/healthz", view_func=views.healthz)
bp.add_url_rule("/language", view_func=views.set_language, methods=["POST"])
