"""The compliance blueprint (/compliance): programs, required items, evidence, the report and pack.

Every URL of the domain in one place: the rule, the view that answers it (its roles are declared on the
view itself) and the methods. Registered on the app by ``hubapp.register_blueprints``."""

from flask import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from hubapp.compliance import views

bp = Blueprint("compliance", __name__, url_prefix="/compliance")
bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/pack.zip", view_func=views.pack)
bp.add_url_rule("/report", view_func=views.report)
bp.add_url_rule("/enrol", view_func=views.enrol, methods=["POST"])
bp.add_url_rule("/link", view_func=views.link, methods=["POST"])
bp.add_url_rule("/evidence", view_func=views.evidence, methods=["POST"])
bp.add_url_rule("/documents", view_func=views.document_upload, methods=["POST"])
bp.add_url_rule("/documents/<int:document_id>", view_func=views.document)
bp.add_url_rule("/documents/<int:document_id>/delete", view_func=views.document_delete, methods=["POST"])
bp.add_url_rule("/plan/<program_code>", view_func=views.plan)
bp.add_url_rule("/plan/<program_code>", view_func=views.plan_save, methods=["POST"])
bp.add_url_rule("/prefecture", view_func=views.prefecture)
bp.add_url_rule("/prefecture.xlsx", view_func=views.prefecture_xlsx)
bp.register_error_handler(RequestEntityTooLarge, views._body_too_large)
