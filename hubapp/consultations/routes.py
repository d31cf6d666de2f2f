"""The consultations blueprint (/consultations): the log, follow-ups, statistics and export.

Every URL of the domain in one place: the rule, the view that answers it (its roles are declared on the
view itself) and the methods. Registered on the app by ``hubapp.register_blueprints``."""

from flask import Blueprint

from hubapp.consultations import views

bp = Blueprint("consultations", __name__, url_prefix="/consultations")
bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/new", view_func=views.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:consultation_id>/edit", view_func=views.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:consultation_id>", view_func=views.detail)
bp.add_url_rule("/<int:consultation_id>/status", view_func=views.status, methods=["POST"])
bp.add_url_rule("/<int:consultation_id>/delete", view_func=views.delete, methods=["POST"])
bp.add_url_rule("/stats", view_func=views.stats)
bp.add_url_rule("/stats.csv", view_func=views.stats_csv)
bp.add_url_rule("/stats.xlsx", view_func=views.stats_xlsx)
