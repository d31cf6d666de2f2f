"""Backup and restore times of the demo database (issue 8 point 11).

    .venv/bin/python bench/backup_restore.py            # SQLite in a temporary folder
    HUBAPP_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/backup_restore.py

Seeds the demo into an empty database, then times ``flask backup`` and ``flask restore`` as a user runs them
(the CLI, app start-up included) and in-process, and prints row counts and sizes. On PostgreSQL the database
named in the URL is emptied first: never point it at real data.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from floor import Floor, ratio  # noqa: E402
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "hubapp"]


def run(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(FLASK + args, env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def empty(url: str) -> None:
    """A database with nothing in it: the PostgreSQL schema dropped, or the SQLite file gone."""
    if url.startswith("postgresql"):
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("HUBAPP_DATABASE_URL") or f"sqlite:///{folder}/demo.sqlite3"
        env = dict(os.environ, HUBAPP_DATABASE_URL=url, HUBAPP_BACKUP_DIR=f"{folder}/backups",
                   HUBAPP_SECRET_KEY="bench-secret-key-that-is-long-enough-0123456789")  # fmt: skip
        empty(url)
        run(["db", "upgrade"], env)
        run(["seed-demo"], env)
        backup_seconds = run(["backup"], env)
        files = sorted(Path(folder, "backups").iterdir())
        size = files[-1].stat().st_size
        empty(url)
        restore_seconds = run(["restore", str(files[-1])], env)
        verify = subprocess.run(FLASK + ["audit", "verify"], env=env, cwd=ROOT, capture_output=True, text=True)
        floor_ms = Floor().median_ms()
        print(f"database: {url.split('://')[0]}; floor page median {floor_ms:.1f} ms")
        print(f"backup (CLI, app start included): {backup_seconds:.2f} s, {size / 1024:.0f} KiB   "
              f"{ratio(backup_seconds * 1000, floor_ms)}")
        print(f"restore into an empty database (CLI): {restore_seconds:.2f} s   "
              f"{ratio(restore_seconds * 1000, floor_ms)}")
        print(f"audit verify after restore: {verify.stdout.strip() or verify.stderr.strip()}")
        sys.exit(verify.returncode)


if __name__ == "__main__":
    main()
