"""Dashboard, health check and error pages."""

import pytest

from hubapp.common.roles import Role, roles_required


def test_healthz_answers_without_login_and_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] is True and response.json["status"] == "ok"


def test_healthz_says_503_when_the_database_does_not_answer(tmp_path):
    from hubapp import create_app
    from tests.conftest import base_config

    # A directory where the SQLite file should be: the database cannot be opened.
    (tmp_path / "db").mkdir()
    app = create_app(base_config(f"sqlite:///{tmp_path / 'db'}"), instance_path=str(tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] is False


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/login?next=/"


def test_dashboard_shows_hub_figures_holidays_and_navigation(client, login_as, hub):
    login_as("coordinator")
    page = client.get("/").data.decode()
    assert "圏域人口" in page and "90,000" in page and "38.4%" in page
    assert "専任者数" in page
    assert "これからの休日" in page and "年末年始" in page
    for label in ("ダッシュボード", "拠点・圏域", "監査ログ"):
        assert label in page


def test_navigation_follows_the_declared_roles(client, login_as):
    login_as("physician")
    page = client.get("/").data.decode()
    assert "拠点・圏域" in page and "監査ログ" not in page


def test_user_without_a_hub_is_told_so(client, create_user, login):
    create_user("lonely", Role.MEMBER)
    login("lonely")
    assert "所属する拠点がありません" in client.get("/").data.decode()


def test_404_page_is_japanese(client, login_as):
    login_as("member")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.data.decode()


def test_403_page_is_japanese(client, login_as, hub):
    login_as("member")
    response = client.get(f"/hubs/{hub.id}/edit")
    assert response.status_code == 403
    assert "このページを表示する権限がありません" in response.data.decode()


@pytest.fixture
def app_config(app_config):
    app_config["PROPAGATE_EXCEPTIONS"] = False
    return app_config


def test_500_page_never_shows_a_traceback(app, client, login_as):
    @app.route("/boom")
    @roles_required(Role.MEMBER)
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    login_as("member")
    response = client.get("/boom")
    page = response.data.decode()
    assert response.status_code == 500
    assert "システムエラーが発生しました" in page
    assert "Traceback" not in page and "hunter2" not in page and "RuntimeError" not in page


def test_language_switch_to_english_and_back(client):
    client.post("/language", data={"lang": "en", "next": "/login"})
    assert '<html lang="en">' in client.get("/login").data.decode()
    client.post("/language", data={"lang": "xx", "next": "/login"})  # unknown: unchanged
    assert '<html lang="en">' in client.get("/login").data.decode()
    response = client.post("/language", data={"lang": "ja", "next": "https://evil.example/"})
    assert response.location == "/"
    assert '<html lang="ja">' in client.get("/login").data.decode()


def test_a_nul_byte_is_refused_before_any_view_and_saves_nothing(app, client, login_as):
    """Found by tests/test_fuzz_forms.py: SQLite stores a NUL byte, PostgreSQL refuses it (a 500 there)."""
    import sqlalchemy as sa

    from hubapp.directory.models import Person
    from hubapp.extensions import db

    login_as("coordinator")
    for response in (
        client.post("/directory/people/new", data={"name": "山田\x00太郎", "profession": "nurse"}),
        client.get("/directory/?q=%E8%A8%AA%00"),
    ):
        assert response.status_code == 400 and "制御文字（NUL）" in response.data.decode()
    with app.app_context():
        assert db.session.scalars(sa.select(Person)).all() == []


def test_a_number_no_column_holds_gets_a_message(client, login_as):
    """Found by tests/test_fuzz_forms.py: a 20-digit id raised OverflowError in SQLite (a 500)."""
    login_as("coordinator")
    response = client.get("/directory/" + "9" * 20)  # the URL's number reaches the database
    assert response.status_code == 400 and "数値が大きすぎます" in response.data.decode()
    # a form's number is read by its field, which takes no id that long: no such hub
    assert client.post("/hubs/select", data={"hub_id": "9" * 20}).status_code == 404
