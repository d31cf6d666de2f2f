"""The hubs blueprint (/hubs): the hubs a user sees, and their areas.

Every URL of the domain in one place: the rule, the view that answers it (its roles are declared on the
view itself) and the methods. Registered on the app by ``hubapp.register_blueprints``."""

from flask import Blueprint

from hubapp.hubs import views

bp = Blueprint("hubs", __name__, url_prefix="/hubs")
bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/<int:hub_id>", view_func=views.detail)
bp.add_url_rule("/<int:hub_id>/edit", view_func=views.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:hub_id>/municipalities/new", view_func=views.municipality, methods=["GET", "POST"])
bp.add_url_rule(
    "/<int:hub_id>/municipalities/<int:area_id>/edit", view_func=views.municipality, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/<int:hub_id>/municipalities/<int:area_id>/delete", view_func=views.municipality_delete, methods=["POST"]
)
bp.add_url_rule("/select", view_func=views.select, methods=["POST"])
