"""Coverage measured from when it began (issue 14): a group's 運用開始日 starts the 24時間体制 count, and
自動作成 of a month that has ended is refused (it would invent a history)."""

from datetime import timedelta

import sqlalchemy as sa

from hubapp.common.jpcalendar import FiscalYear
from hubapp.compliance import evaluate
from hubapp.compliance.programs import Item, Program, Rule
from hubapp.core.services import today
from hubapp.extensions import db
from hubapp.hubs.models import Hub
from hubapp.rota import services
from hubapp.rota.models import Duty, PhysicianGroup


def test_generating_a_month_that_has_ended_is_refused_and_changes_nothing(client, login_as, app, group_id):
    login_as("coordinator")
    last_month = (today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    page = client.post(f"/rota/{group_id}/generate?month={last_month}", follow_redirects=True).data.decode()
    assert "過去の月は自動作成できません" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Duty)) == 0
    this_month = today().strftime("%Y-%m")
    assert client.post(f"/rota/{group_id}/generate?month={this_month}").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Duty)) > 0


def test_coverage_counts_from_the_start_of_use(app, client, login_as, hub, group_id):
    login_as("coordinator")
    month = today().strftime("%Y-%m")
    client.post(f"/rota/{group_id}/generate?month={month}")
    client.post(f"/rota/{group_id}/publish?month={month}")
    fy = FiscalYear.of(today())
    program = Program(
        "T", "試験事業", "000.txt", "試験県",
        (Item("R", "24時間体制", "§3", "24時間体制の構築", ("rota",), Rule("rota_coverage", {})),),
    )  # fmt: skip
    program.by_code["R"] = program.items[0]
    with app.app_context():
        loaded = db.session.get(Hub, hub.id)
        before = evaluate.gather(loaded, fy.year, today()).rota[0]
        group = db.session.get(PhysicianGroup, group_id)
        started = today().replace(day=1)
        services.update_group(
            group,
            name=group.name,
            backup_hospital_id=None,
            swaps_need_approval=group.swaps_need_approval,
            deadline_day=None,
            has_overnight_permit=False,
            started_on=started,
        )
        db.session.commit()
        facts = evaluate.gather(loaded, fy.year, today())
        after = facts.rota[0]
        ((_p, (result,)),) = evaluate.evaluate([program], facts)
    assert before.counted_from == fy.start and after.counted_from == max(fy.start, started)
    assert after.from_started_on == (started > fy.start)
    assert after.total <= before.total and after.covered == before.covered  # the published month counts
    if started > fy.start:  # months before the start of use are no longer counted as uncovered
        assert after.total < before.total and "運用開始日" in result.figure
