"""The beds blueprint (/beds): 協定, the availability board, requests and the year's figures.

Every URL of the domain in one place: the rule, the view that answers it (its roles are declared on the
view itself) and the methods. Registered on the app by ``hubapp.register_blueprints``."""

from flask import Blueprint

from hubapp.beds import views

bp = Blueprint("beds", __name__, url_prefix="/beds")
bp.add_url_rule("/", view_func=views.board)
bp.add_url_rule("/availability", view_func=views.availability, methods=["GET", "POST"])
bp.add_url_rule("/agreements", view_func=views.agreements, methods=["GET", "POST"])
bp.add_url_rule("/agreements/<int:agreement_id>", view_func=views.agreement, methods=["GET", "POST"])
bp.add_url_rule("/requests/new", view_func=views.request_new, methods=["GET", "POST"])
bp.add_url_rule("/requests", view_func=views.requests)
bp.add_url_rule("/requests/<int:request_id>/answer", view_func=views.answer, methods=["POST"])
bp.add_url_rule("/requests/<int:request_id>/cancel", view_func=views.cancel, methods=["POST"])
bp.add_url_rule("/requests/<int:request_id>/discharge", view_func=views.discharge, methods=["POST"])
bp.add_url_rule("/stats", view_func=views.stats)
