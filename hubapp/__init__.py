"""hubapp: the collaboration tool of a 在宅医療連携拠点 (home-medical-care hub)."""

from flask import Flask

from hubapp import config
from hubapp.resources import resource_dir


def create_app(test_config: dict | None = None, *, instance_path: str | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    config.load_config(app, test_config)
    register_programs(app)
    register_extensions(app)
    register_blueprints(app)
    register_web(app)
    register_commands(app)
    return app


def register_programs(app: Flask) -> None:
    """The funding programs, read and checked once: a malformed file stops the start with its name and field."""
    from pathlib import Path

    from hubapp.compliance.programs import PROGRAM_DIR, load_programs

    folder = app.config.get("COMPLIANCE_PROGRAM_DIR")
    app.extensions["compliance_programs"] = load_programs(Path(folder) if folder else PROGRAM_DIR)


def register_extensions(app: Flask) -> None:
    from hubapp import database
    from hubapp.extensions import babel, csrf, db, migrate

    database.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)

    from hubapp.auth import login

    login.init_app(app)


def register_blueprints(app: Flask) -> None:
    from hubapp.audit.views import bp as audit_bp
    from hubapp.auth.admin_views import bp as users_bp
    from hubapp.auth.views import bp as auth_bp
    from hubapp.beds.views import bp as beds_bp
    from hubapp.compliance.views import bp as compliance_bp
    from hubapp.consultations.views import bp as consultations_bp
    from hubapp.core.views import bp as core_bp
    from hubapp.directory import transfer  # noqa: F401  (import and export routes on the directory blueprint)
    from hubapp.directory.views import bp as directory_bp
    from hubapp.hubs.views import bp as hubs_bp
    from hubapp.meetings import (
        calendar_views,  # noqa: F401  (.ics and subscription feeds on the meetings blueprint)
        document_views,  # noqa: F401  (minutes and handouts on the meetings blueprint)
    )
    from hubapp.meetings.views import bp as meetings_bp
    from hubapp.rota import (
        change_views,  # noqa: F401  (hand edits and swaps on the rota blueprint)
        feed_views,  # noqa: F401  (calendar feeds on the rota blueprint)
        group_views,  # noqa: F401  (setting up physician groups on the rota blueprint)
        record_views,  # noqa: F401  (patient pairs, 代診・出動 logs on the rota blueprint)
        summary_views,  # noqa: F401  (manual summaries of the months before 運用開始日)
    )
    from hubapp.rota.views import bp as rota_bp

    for bp in (
        core_bp,
        auth_bp,
        users_bp,
        hubs_bp,
        directory_bp,
        meetings_bp,
        rota_bp,
        beds_bp,
        consultations_bp,
        compliance_bp,
        audit_bp,
    ):
        app.register_blueprint(bp)


def register_web(app: Flask) -> None:
    from hubapp.common import headers, roles
    from hubapp.core import web
    from hubapp.hubs import context

    headers.init_app(app)
    from hubapp.auth.login import pending_step

    roles.init_app(app, pending_step)
    context.init_app(app)
    web.init_app(app)


def register_commands(app: Flask) -> None:
    from hubapp.audit.cli import audit_cli
    from hubapp.auth.cli import create_user_command
    from hubapp.backup import backup_command, restore_command
    from hubapp.demo import seed_demo_command
    from hubapp.directory.cli import import_directory_command

    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(import_directory_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(audit_cli)


def _select_locale() -> str:
    from flask import current_app, has_request_context, session

    lang = session.get("lang") if has_request_context() else None
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
