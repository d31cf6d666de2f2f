"""The meetings blueprint (/meetings): the year, meetings, attendance, documents and calendars.

Every URL of the domain in one place: the rule, the view that answers it (its roles are declared on the
view itself) and the methods. Registered on the app by ``hubapp.register_blueprints``."""

from flask import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from hubapp.meetings import calendar_views, document_views, views

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
bp.add_url_rule("/<int:meeting_id>.ics", view_func=calendar_views.ics)
bp.add_url_rule("/feeds", view_func=calendar_views.feeds_page, methods=["GET", "POST"], endpoint="feeds")
bp.add_url_rule("/feeds/<int:feed_id>/revoke", view_func=calendar_views.feed_revoke, methods=["POST"])
bp.add_url_rule("/feed/<token>.ics", view_func=calendar_views.feed)
bp.add_url_rule("/<int:meeting_id>/documents", view_func=document_views.document_upload, methods=["POST"])
bp.add_url_rule("/documents/<int:document_id>", view_func=document_views.document)
bp.add_url_rule("/documents/<int:document_id>/delete", view_func=document_views.document_delete, methods=["POST"])
bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/year", view_func=views.year)
bp.add_url_rule("/new", view_func=views.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:meeting_id>/edit", view_func=views.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:meeting_id>", view_func=views.detail)
bp.add_url_rule("/<int:meeting_id>/cancel", view_func=views.cancel, methods=["POST"])
bp.add_url_rule("/<int:meeting_id>/invite", view_func=views.invite, methods=["GET", "POST"])
bp.add_url_rule("/<int:meeting_id>/attendance", view_func=views.attendance, methods=["GET", "POST"])
bp.add_url_rule("/<int:meeting_id>/held", view_func=views.mark_held, methods=["POST"])
bp.add_url_rule(
    "/<int:meeting_id>/participants/<int:participant_id>/link", view_func=views.link_walk_in, methods=["POST"]
)
bp.add_url_rule("/<int:meeting_id>/results", view_func=views.results, methods=["GET", "POST"])
bp.add_url_rule("/issues/", view_func=views.issues)
bp.add_url_rule("/<int:meeting_id>/issues/new", view_func=views.issue_new, methods=["GET", "POST"])
bp.add_url_rule("/issues/<int:issue_id>", view_func=views.issue)
bp.add_url_rule("/issues/<int:issue_id>", view_func=views.issue_update, methods=["POST"])
bp.register_error_handler(RequestEntityTooLarge, document_views._body_too_large)
