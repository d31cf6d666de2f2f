"""A page's data is loaded by its view and service: in tests, a template that loads data (a lazy
relationship met in a loop, a query) raises, so an N+1 fails here instead of in a slow page."""

import pytest
from flask import render_template_string

from hubapp.database import QueryFromTemplate, change_refused
from hubapp.extensions import db
from hubapp.hubs.models import Hub

AREAS = "{% for area in hub.municipalities %}{{ area.name }} {% endfor %}"


def _render(app, hub_id: int, source: str, before=None) -> str:
    with app.test_request_context("/"):
        hub = db.session.get(Hub, hub_id)
        if before is not None:
            before()
        return render_template_string(source, hub=hub)


def test_a_lazy_relationship_in_a_template_raises(app, hub):
    with pytest.raises(QueryFromTemplate, match="municipalities"):
        _render(app, hub.id, AREAS)


def test_a_template_reads_what_the_view_loaded(app, hub):
    with app.test_request_context("/"):
        found = db.session.get(Hub, hub.id)
        assert len(found.municipalities) == 3  # loaded by the "view"
        assert render_template_string(AREAS, hub=found) == "香取市 神崎町 多古町 "


def test_an_object_expired_by_the_views_commit_is_read_again(app, hub):
    """The refresh of the object's own columns after a commit is one query, not a lazy load."""
    assert _render(app, hub.id, "{{ hub.name }}", before=db.session.commit) == "北総テスト在宅医療連携センター"


def test_the_page_showing_a_refused_change_again_may_reload(app, hub):
    """A rollback expires everything; showing the refused form again reloads it (on this refusal only)."""
    assert _render(app, hub.id, AREAS, before=change_refused) == "香取市 神崎町 多古町 "
    with pytest.raises(QueryFromTemplate):
        _render(app, hub.id, AREAS)  # the next request is guarded again


def test_the_guard_is_off_where_configured(make_app, database_url, hub):
    quiet = make_app(database_url, RAISE_ON_TEMPLATE_QUERIES=False)
    assert _render(quiet, hub.id, AREAS) == "香取市 神崎町 多古町 "


def test_it_is_on_in_tests_and_off_by_default(app, make_app, database_url):
    assert app.config["RAISE_ON_TEMPLATE_QUERIES"] is True
    production_like = make_app(database_url, TESTING=False, SECRET_KEY="x" * 40)
    assert production_like.config["RAISE_ON_TEMPLATE_QUERIES"] is False
