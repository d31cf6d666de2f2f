"""The dashboard, the health check, the language switch."""

import sqlalchemy as sa
from flask import current_app, g, jsonify, redirect, render_template, session, url_for
from flask_login import current_user
from wtforms import StringField

from hubapp.common.forms import BackForm
from hubapp.common.jpcalendar import FiscalYear, calendar_from_config
from hubapp.common.roles import ALL_ROLES, public, roles_required
from hubapp.core import services
from hubapp.extensions import db
from hubapp.hubs import services as hubs


class LanguageForm(BackForm):
    lang = StringField()


@roles_required(*ALL_ROLES)
def dashboard():
    today = services.today()
    calendar = calendar_from_config(current_app.config)
    return render_template(
        "core/dashboard.html",
        today=today,
        fiscal_year=FiscalYear.of(today),
        quarter=FiscalYear.of(today).quarter_of(today),
        upcoming_holidays=calendar.upcoming_runs(today, 5),
        summary=hubs.area_summary(g.hub) if g.hub else None,
        can_edit=g.hub is not None and hubs.can_edit_hub(current_user, g.hub),
        empty_message=services.no_hub_message(current_user.role),
    )


@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = True
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        database = False
    body = {"status": "ok" if database else "error", "database": database, "date": services.today().isoformat()}
    return jsonify(body), 200 if database else 503


@public
def set_language():
    form = LanguageForm()
    if form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
    return redirect(form.back_to(url_for("core.dashboard")))
