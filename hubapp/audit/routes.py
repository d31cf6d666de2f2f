"""The audit blueprint (/audit): the trail, its verification and the reviews.

Every URL of the domain in one place: the rule, the view that answers it (its roles are declared on the
view itself) and the methods. Registered on the app by ``hubapp.register_blueprints``."""

from flask import Blueprint

from hubapp.audit import views

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/export.csv", view_func=views.export_csv)
bp.add_url_rule("/reviews", view_func=views.review, methods=["POST"])
