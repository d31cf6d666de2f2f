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
    """Each domain's blueprint from its ``routes.py``, where every URL of the domain is listed."""
    from hubapp.audit import routes as audit
    from hubapp.auth import routes as auth
    from hubapp.beds import routes as beds
    from hubapp.compliance import routes as compliance
    from hubapp.consultations import routes as consultations
    from hubapp.core import routes as core
    from hubapp.directory import routes as directory
    from hubapp.hubs import routes as hubs
    from hubapp.meetings import routes as meetings
    from hubapp.rota import routes as rota

    for bp in (
        core.bp,
        auth.bp,
        auth.admin_bp,
        hubs.bp,
        directory.bp,
        meetings.bp,
        rota.bp,
        beds.bp,
        consultations.bp,
        compliance.bp,
        audit.bp,
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
