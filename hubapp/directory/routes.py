"""The directory blueprint (/directory): organisations, people, functions, import and export.

Every URL of the domain in one place: the rule, the view that answers it (its roles are declared on the
view itself) and the methods. Registered on the app by ``hubapp.register_blueprints``."""

from flask import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from hubapp.directory import transfer, views

bp = Blueprint("directory", __name__, url_prefix="/directory")
bp.add_url_rule("/import", view_func=transfer.import_file, methods=["GET", "POST"])
bp.add_url_rule("/import/<token>/mapping", view_func=transfer.import_mapping, methods=["GET", "POST"])
bp.add_url_rule("/import/<token>", view_func=transfer.import_preview)
bp.add_url_rule("/import/<token>/refused.csv", view_func=transfer.import_refused)
bp.add_url_rule("/import/commit", view_func=transfer.import_commit, methods=["POST"])
bp.add_url_rule("/export.csv", view_func=transfer.export_csv)
bp.add_url_rule("/export.xlsx", view_func=transfer.export_xlsx)
bp.add_url_rule("/print", view_func=transfer.print_list)
bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/<int:organisation_id>", view_func=views.detail)
bp.add_url_rule("/new", view_func=views.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:organisation_id>/edit", view_func=views.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:organisation_id>/confirm", view_func=views.confirm, methods=["POST"])
bp.add_url_rule("/<int:organisation_id>/delete", view_func=views.delete, methods=["POST"])
bp.add_url_rule("/<int:organisation_id>/restore", view_func=views.restore, methods=["POST"])
bp.add_url_rule("/stale", view_func=views.stale)
bp.add_url_rule("/people/", view_func=views.people)
bp.add_url_rule("/people/new", view_func=views.person_edit, methods=["GET", "POST"])
bp.add_url_rule("/people/<int:person_id>/edit", view_func=views.person_edit, methods=["GET", "POST"])
bp.add_url_rule("/functions", view_func=views.functions, methods=["GET", "POST"])
bp.add_url_rule("/functions/<int:function_id>/toggle", view_func=views.function_toggle, methods=["POST"])
bp.register_error_handler(RequestEntityTooLarge, transfer._body_too_large)
