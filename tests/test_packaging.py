"""The built wheel is a working app: templates/, static/ and migrations/ travel inside the package
(pyproject's force-include) and ``hubapp.resources`` finds them there, not in this checkout.

The wheel is built once for the module, without build isolation (hatchling comes with the dev extra),
so no network is needed. The installed copy runs in a subprocess whose ``import hubapp`` resolves to
the unzipped wheel, against its own SQLite database migrated from the wheel's migrations.
"""

import json
import os
import secrets
import string
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

#: Runs inside the unzipped wheel; prints one JSON line of findings, asserts the essentials itself.
SCRIPT = textwrap.dedent(
    """
    import json
    import os
    import sys
    from pathlib import Path

    unzipped = Path(sys.argv[1]).resolve()
    instance = sys.argv[2]

    import hubapp
    from flask_migrate import upgrade

    assert Path(hubapp.__file__).resolve().is_relative_to(unzipped), hubapp.__file__

    app = hubapp.create_app(instance_path=instance)
    migrations = app.extensions["migrate"].directory
    with app.app_context():
        upgrade()

    client = app.test_client()
    results = {}
    for path in ("/login", "/static/css/app.css", "/healthz"):
        response = client.get(path)
        results[path] = {
            "status": response.status_code,
            "text": response.get_data(as_text=True) if path == "/login" else "",
            "json": response.get_json(silent=True),
            "length": len(response.get_data()),
        }
        response.close()

    print(json.dumps({
        "hubapp": hubapp.__file__,
        "template_folder": str(Path(app.root_path, app.template_folder).resolve()),
        "static_folder": str(Path(app.static_folder).resolve()),
        "migrations": str(Path(migrations).resolve()),
        "database": app.config["SQLALCHEMY_DATABASE_URI"],
        "responses": results,
    }, ensure_ascii=False))
    """
)


def random_secret(length: int = 48) -> str:
    """Letters and digits, starting with a letter (``from_prefixed_env`` would read all digits as JSON)."""
    alphabet = string.ascii_letters + string.digits
    return secrets.choice(string.ascii_letters) + "".join(secrets.choice(alphabet) for _ in range(length - 1))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-input",
         "--disable-pip-version-check", "-q", "-w", str(out), str(REPO_ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = list(out.glob("hubapp-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def unzipped(wheel, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target.resolve()


def test_wheel_carries_templates_static_and_migrations(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for required in ("hubapp/__init__.py", "hubapp/resources.py", "hubapp/templates/base.html",
                     "hubapp/static/css/app.css", "hubapp/migrations/env.py"):
        assert required in names, f"{required} is missing from {wheel.name}"
    versions = [n for n in names if n.startswith("hubapp/migrations/versions/") and n.endswith(".py")]
    assert versions, f"no migration in {wheel.name}"
    # The folders live inside the package only: nothing lands at the top of site-packages.
    others = {n.split("/")[0] for n in names} - {"hubapp"}
    assert all(name.endswith(".dist-info") for name in others), others


def test_app_from_the_wheel_serves_pages_and_migrates_from_its_own_files(unzipped, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBAPP_") and k != "DATABASE_URL"}
    env.update(
        PYTHONPATH=str(unzipped),
        PYTHONDONTWRITEBYTECODE="1",
        HUBAPP_DATABASE_URL=f"sqlite:///{tmp_path / 'w.sqlite3'}",
        HUBAPP_SECRET_KEY=random_secret(),
    )
    instance = tmp_path / "instance"
    # cwd is the tmp dir, not the checkout: the script's sys.path[0] must not find this repository's hubapp/.
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(unzipped), str(instance)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])

    assert Path(found["hubapp"]).is_relative_to(unzipped)
    assert Path(found["template_folder"]) == unzipped / "hubapp" / "templates"
    assert Path(found["static_folder"]) == unzipped / "hubapp" / "static"
    assert Path(found["migrations"]) == unzipped / "hubapp" / "migrations"
    assert found["database"] == env["HUBAPP_DATABASE_URL"]
    assert "Running upgrade" in result.stderr  # Alembic applied the wheel's migrations

    responses = found["responses"]
    assert responses["/login"]["status"] == 200
    assert "ログイン" in responses["/login"]["text"]
    assert responses["/static/css/app.css"]["status"] == 200
    assert responses["/static/css/app.css"]["length"] == (
        unzipped / "hubapp/static/css/app.css"
    ).stat().st_size
    assert responses["/healthz"]["status"] == 200
    assert responses["/healthz"]["json"]["database"] is True
