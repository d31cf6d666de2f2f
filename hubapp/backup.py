"""``flask --app hubapp backup`` and ``flask --app hubapp restore FILE`` (the MHLW
guideline's バックアップ).

- SQLite: the online backup API copies a consistent snapshot while the app keeps writing (WAL mode);
  the copy is checked with ``PRAGMA integrity_check`` before it counts as a backup.
- PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot by MVCC), restored with ``pg_restore``.
- Backups go to ``instance/backups/`` (``BACKUP_DIR``) as ``hubapp-<UTC time>.sqlite3`` / ``.dump``; the
  newest ``BACKUP_KEEP`` generations are kept, older ones removed.
- ``restore`` writes only into an empty database (no tables), so it can never overwrite live data.
"""

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from hubapp.extensions import db


class BackupError(RuntimeError):
    pass


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq(url) -> str:
    """The SQLAlchemy URL as a libpq connection string for pg_dump / pg_restore."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _folder() -> Path:
    folder = Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def integrity_ok(path: Path) -> bool:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def backup(keep: int | None = None) -> Path:
    """A consistent copy of the database in the backup folder; returns its path."""
    url = _url()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    folder = _folder()
    if url.get_backend_name() == "sqlite":
        target = folder / f"hubapp-{stamp}.sqlite3"
        partial = target.with_suffix(".part")
        source = sqlite3.connect(url.database, timeout=30)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, pages=1024)  # in steps: writers are not blocked for the whole copy
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal/-shm beside it
        finally:
            copy.close()
            source.close()
        if not integrity_ok(partial):
            partial.unlink(missing_ok=True)
            raise BackupError("the copy failed its integrity check")
        partial.rename(target)
    elif url.get_backend_name() == "postgresql":
        if shutil.which("pg_dump") is None:
            raise BackupError("pg_dump is not installed (Debian: postgresql-client)")
        target = folder / f"hubapp-{stamp}.dump"
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(url)], check=True)
    else:
        raise BackupError(f"no backup for {url.get_backend_name()}")
    _prune(folder, keep if keep is not None else int(current_app.config.get("BACKUP_KEEP", 14)))
    return target


def _prune(folder: Path, keep: int) -> None:
    generations = sorted(p for p in folder.glob("hubapp-*") if p.suffix in (".sqlite3", ".dump"))
    for old in generations[: max(0, len(generations) - keep)]:
        old.unlink()


def _is_empty() -> bool:
    return not sa.inspect(db.engine).get_table_names()


def restore(path: Path) -> None:
    """Restore a backup into the configured database, which must be empty."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    if not _is_empty():
        raise BackupError("the database is not empty: restore only into a new, empty database")
    url = _url()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        if path.suffix != ".sqlite3" or not integrity_ok(path):
            raise BackupError(f"{path}: not a sound SQLite backup")
        source, target = sqlite3.connect(path), sqlite3.connect(url.database)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(url)}", str(path)], check=True
        )
    else:
        raise BackupError(f"no restore for {url.get_backend_name()}")


@click.command("backup")
@click.option("--keep", type=int, default=None, help="generations to keep (default BACKUP_KEEP, 14)")
@with_appcontext
def backup_command(keep: int | None) -> None:
    """Write a consistent copy of the database to instance/backups/ (or BACKUP_DIR)."""
    try:
        path = backup(keep)
    except (BackupError, subprocess.CalledProcessError) as error:
        raise click.ClickException(f"バックアップできませんでした: {error}") from None
    click.echo(f"バックアップしました: {path}")


@click.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Restore FILE into the configured database, which must be empty."""
    try:
        restore(file)
    except (BackupError, subprocess.CalledProcessError) as error:
        raise click.ClickException(f"復元できませんでした: {error}") from None
    click.echo(f"復元しました: {file}")
