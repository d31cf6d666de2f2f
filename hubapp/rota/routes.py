"""The rota blueprint (/rota): the month, groups, changes and swaps, records, summaries and feeds.

Every URL of the domain in one place: the rule, the view that answers it (its roles are declared on the
view itself) and the methods. Registered on the app by ``hubapp.register_blueprints``."""

from flask import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from hubapp.rota import change_views, feed_views, group_views, record_views, summary_views, views

bp = Blueprint("rota", __name__, url_prefix="/rota")
bp.add_url_rule("/duties/<int:duty_id>", view_func=change_views.duty, methods=["GET", "POST"])
bp.add_url_rule("/swaps", view_func=change_views.swaps)
bp.add_url_rule("/duties/<int:duty_id>/swap", view_func=change_views.swap_request, methods=["POST"])
bp.add_url_rule("/swaps/<int:swap_id>/accept", view_func=change_views.swap_accept, methods=["POST"])
bp.add_url_rule("/swaps/<int:swap_id>/accept-for", view_func=change_views.swap_accept_for, methods=["POST"])
bp.add_url_rule("/swaps/<int:swap_id>/approve", view_func=change_views.swap_approve, methods=["POST"])
bp.add_url_rule("/swaps/<int:swap_id>/reject", view_func=change_views.swap_reject, methods=["POST"])
bp.add_url_rule("/swaps/<int:swap_id>/cancel", view_func=change_views.swap_cancel, methods=["POST"])
bp.add_url_rule("/feeds", view_func=feed_views.feeds_page, methods=["GET", "POST"], endpoint="feeds")
bp.add_url_rule(
    "/feeds/<int:feed_id>/revoke", view_func=feed_views.feed_revoke, methods=["POST"], endpoint="feed_revoke"
)
bp.add_url_rule("/feed/<token>.ics", view_func=feed_views.feed, endpoint="feed")
bp.add_url_rule("/groups/new", view_func=group_views.group_new, methods=["GET", "POST"])
bp.add_url_rule("/groups/<int:group_id>", view_func=group_views.group, methods=["GET", "POST"])
bp.add_url_rule("/groups/<int:group_id>/settings", view_func=group_views.group_settings, methods=["POST"])
bp.add_url_rule("/groups/<int:group_id>/shifts", view_func=group_views.shift_save, methods=["POST"])
bp.add_url_rule("/groups/<int:group_id>/shifts/delete", view_func=group_views.shift_delete, methods=["POST"])
bp.add_url_rule("/groups/<int:group_id>/holidays", view_func=group_views.group_holiday, methods=["POST"])
bp.add_url_rule("/groups/<int:group_id>/members/<int:member_id>", view_func=group_views.member_update, methods=["POST"])
bp.add_url_rule("/groups/<int:group_id>/unavailability", view_func=group_views.member_unavailability, methods=["POST"])
bp.add_url_rule("/pairs", view_func=record_views.pairs, methods=["GET", "POST"])
bp.add_url_rule("/pairs/<int:pair_id>/end", view_func=record_views.pair_end, methods=["POST"])
bp.add_url_rule("/logs", view_func=record_views.logs, methods=["GET", "POST"])
bp.add_url_rule("/logs/<int:log_id>/delete", view_func=record_views.log_delete, methods=["POST"])
bp.add_url_rule("/groups/<int:group_id>/summaries", view_func=summary_views.summary_upload, methods=["POST"])
bp.add_url_rule("/summaries/<int:document_id>", view_func=summary_views.summary_document)
bp.add_url_rule("/summaries/<int:document_id>/delete", view_func=summary_views.summary_delete, methods=["POST"])
bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/<int:group_id>/generate", view_func=views.generate, methods=["POST"])
bp.add_url_rule("/<int:group_id>/publish", view_func=views.publish, methods=["POST"])
bp.add_url_rule("/now", view_func=views.now)
bp.add_url_rule("/mine", view_func=views.mine, methods=["GET", "POST"])
bp.register_error_handler(RequestEntityTooLarge, summary_views._body_too_large)
