"""The rota's everyday pages take a fixed number of queries whatever the group's size and duties: the
month (/rota/), 今夜の当番 (/rota/now) and 自分の当番 (/rota/mine)."""

from datetime import timedelta

from hubapp.common.japantime import today
from hubapp.common.roles import Role
from hubapp.directory.models import Profession
from hubapp.extensions import db
from tests.support.rota import add_duty, create_group


def _fill(app, hub, create_person, create_user, size: int, tag: str):
    """A group of ``size`` physicians, the first logging in as ``dr-<tag>``, with a published month of
    weekday nights (the first one two days ago, already over whatever the hour; the others every day from
    today), each night a primary and a secondary."""
    people = [create_person(f"医師{tag}{k:02d}", Profession.PHYSICIAN) for k in range(size)]
    login = create_user(f"dr-{tag}", Role.PHYSICIAN, hubs=(hub,))
    with app.app_context():
        group = create_group(hub.id, people, name=f"グループ{tag}", user_ids=[login.id])
        members = group["members"]
        for day in range(size * 3):
            add_duty(group["id"], "weekday_night", today() + timedelta(days=day or -2),
                     members[day % size], members[(day + 1) % size])  # fmt: skip
        db.session.commit()
    return group["id"], f"dr-{tag}"


def test_the_rota_pages_take_a_fixed_number_of_queries(
    app, client, hub, login, create_person, create_user, count_queries
):
    counts = {}
    for size, tag in ((2, "s"), (10, "l")):
        group_id, username = _fill(app, hub, create_person, create_user, size, tag)
        month = today().strftime("%Y-%m")
        measured = {}
        create_user(f"coord-{tag}", Role.COORDINATOR, hubs=(hub,))
        login(f"coord-{tag}")
        for url in (f"/rota/?group={group_id}&month={month}", "/rota/now"):
            client.get(url)
            with count_queries() as counted:
                assert client.get(url).status_code == 200
            measured[url.split("?")[0]] = counted.n
        client.post("/logout")
        login(username)
        client.get("/rota/mine")
        with count_queries() as counted:
            page = client.get("/rota/mine")
        # their own duties not yet over: 3 as primary and 3 as secondary, less the one two days ago
        # (yesterday's night would still be on before 08:30 Japan time: the test must not hang on the hour)
        assert page.status_code == 200 and page.data.decode().count('class="attendance-row"') == 5
        measured["/rota/mine"] = counted.n
        client.post("/logout")
        counts[size] = measured
    assert counts[2] == counts[10], counts
