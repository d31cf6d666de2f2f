"""The audit trail, for admins (every hub) and coordinators (their own hubs)."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from hubapp.audit import services
from hubapp.common.roles import Role, roles_required
from hubapp.hubs import services as hubs

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 100


@bp.route("/")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def index():
    hub_ids = None if current_user.role == Role.ADMIN else hubs.visible_hub_ids(current_user)
    before = request.args.get("before", type=int)
    entries = services.trail(hub_ids=hub_ids, limit=PAGE_SIZE + 1, before_id=before)
    older = entries[PAGE_SIZE - 1].id if len(entries) > PAGE_SIZE else None
    return render_template("audit/index.html", entries=entries[:PAGE_SIZE], older=older)
