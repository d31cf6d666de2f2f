"""The auth blueprints: logging in and one's own account (auth), and the accounts admin (/admin/users).

Every URL of the domain in one place: the rule, the view that answers it (its roles are declared on the
view itself) and the methods. Registered on the app by ``hubapp.register_blueprints``."""

from flask import Blueprint

from hubapp.auth import admin_views, views

bp = Blueprint("auth", __name__)
bp.add_url_rule("/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/login/2fa", view_func=views.second_factor, methods=["GET", "POST"])
bp.add_url_rule("/account/2fa", view_func=views.totp_setup, methods=["GET", "POST"])
bp.add_url_rule("/login/continue", view_func=views.continue_login)
bp.add_url_rule("/account/password", view_func=views.change_password, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])

admin_bp = Blueprint("users", __name__, url_prefix="/admin/users")
admin_bp.add_url_rule("/", view_func=admin_views.index)
admin_bp.add_url_rule("/new", view_func=admin_views.create, methods=["GET", "POST"])
admin_bp.add_url_rule("/<int:user_id>", view_func=admin_views.edit, methods=["GET", "POST"])
admin_bp.add_url_rule("/<int:user_id>/temporary-password", view_func=admin_views.temporary_password, methods=["POST"])
admin_bp.add_url_rule("/<int:user_id>/reset-2fa", view_func=admin_views.reset_second_factor, methods=["POST"])
