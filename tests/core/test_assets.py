"""Every asset is served from static/: hospital networks are often closed, so no CDN, no web font host."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: src=, href= and CSS url() that leave the site (http://, https:// or protocol-relative //).
EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//"""
)


def test_templates_and_static_files_load_nothing_from_other_hosts():
    offenders = []
    for folder in ("templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".html", ".css", ".js", ".svg"}:
                text = path.read_text(encoding="utf-8")
                offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in EXTERNAL.finditer(text)]
    assert offenders == []


def test_the_rendered_pages_reference_only_local_assets(client, login_as, hub):
    login_as("coordinator")
    for url in ("/login", "/", "/hubs/", f"/hubs/{hub.id}"):
        page = client.get(url).data.decode()
        assert not EXTERNAL.search(page), url
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
            response = client.get(asset)
            assert response.status_code == 200, asset
            response.close()


def test_a_static_file_leaves_the_session_alone(client, login_as):
    """A stylesheet or icon fetched while a login step completes must not send back the session it came
    with (its response would undo the step: seen once as a return to the second-factor page)."""
    login_as("coordinator")
    response = client.get("/static/css/app.css")
    response.close()
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Set-Cookie" in client.get("/").headers  # a page does mark the session seen
