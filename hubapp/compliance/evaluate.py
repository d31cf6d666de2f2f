"""Evaluate every required item of a hub's programs for a 年度 from what the hub recorded.

:func:`gather` reads the facts once (a fixed number of queries, whatever the number of programs, items,
meetings or consultations); :func:`evaluate` applies each item's rule to them. Statuses:

- ``met`` 達成 — the figure reaches the target;
- ``partial`` 一部達成 — some, not yet all (or on track in a 年度 still running);
- ``unmet`` 未達成 — nothing yet;
- ``manual`` 要手入力 — the app cannot know: the coordinator records the evidence.

Items marked ``planned`` in the program file (望ましい) are evaluated the same way but are not counted
as shortfalls in the program's summary.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.vocabulary import LabelledEnum, labelled
from hubapp.compliance.models import Enrollment, EvidenceDocument, ItemLink, LinkMode, ManualEvidence
from hubapp.compliance.programs import Item, Program
from hubapp.core.services import JST
from hubapp.extensions import db
from hubapp.meetings.services import MeetingFact


class Status(LabelledEnum):
    MET = "met"
    PARTIAL = "partial"
    UNMET = "unmet"
    MANUAL = "manual"


labelled(
    Status,
    {
        Status.MET: _l("達成"),
        Status.PARTIAL: _l("一部達成"),
        Status.UNMET: _l("未達成"),
        Status.MANUAL: _l("要手入力"),
    },
)


@dataclass
class Facts:
    hub: object
    fy: FiscalYear
    as_of: date  #: today, or the 年度's last day for a past 年度
    meetings: list[MeetingFact]  #: in start order
    links: dict[tuple[str, str], dict[int, LinkMode]]
    evidence: dict[tuple[str, str], ManualEvidence]
    documents: dict[tuple[str, str], list[EvidenceDocument]]
    consultations_by_quarter: Counter
    rota: list  #: hubapp.rota.coverage.RotaCoverage: each group's coverage, from when it counts
    pairs: int
    substitute_visits: int
    bed_days: dict[date, int]  #: beds secured on each day of the 年度
    directory: tuple[int, int]  #: (confirmed recently, active organisations)
    directory_age_days: int


@dataclass
class Result:
    program: Program
    item: Item
    status: Status
    value: float
    target: float
    figure: str
    missing: str = ""
    warning: str = ""
    evidence: list[tuple[str, str]] = field(default_factory=list)  #: (label, url)
    meetings: list[MeetingFact] = field(default_factory=list)  #: counted meetings (for tagging)
    #: What counts for this item, in words (the program's rule as the app applies it).
    rule_text: str = ""
    #: Meetings of the 年度 with why each counts / does not (予定, 中止, another kind, 手で除外…).
    counted: list[tuple[MeetingFact, str]] = field(default_factory=list)
    not_counted: list[tuple[MeetingFact, str, bool]] = field(default_factory=list)  #: (meeting, why, 予定)
    planned: int = 0  #: meetings that match but are still to come (予定)
    manual: ManualEvidence | None = None
    documents: list[EvidenceDocument] = field(default_factory=list)


def _started_quarters(fy: FiscalYear, as_of: date) -> list[int]:
    return [q for q in (1, 2, 3, 4) if fy.quarter_range(q)[0] <= as_of]


def gather(
    hub,
    fiscal_year: int,
    today: date,
    year_end=((12, 29), (1, 3)),
    max_age_days: int = 365,
    now: datetime | None = None,
) -> Facts:
    """Everything the rules look at, for one hub and 年度 (a fixed number of queries). A meeting counts
    as held from its start time (``now``, default the current moment) or once marked 開催済み."""
    from hubapp.beds import services as beds
    from hubapp.consultations import services as consultations
    from hubapp.directory import services as directory
    from hubapp.meetings import services as meetings
    from hubapp.rota import services as rota

    fy = FiscalYear(fiscal_year)
    as_of = min(today, fy.end)
    if now is None:  # the moment of ``today``: this very moment, or the end of another day asked about
        current = datetime.now(UTC)
        now = current if current.astimezone(JST).date() == today else datetime.combine(today, time.max, JST)

    links: dict[tuple[str, str], dict[int, LinkMode]] = defaultdict(dict)
    for link in db.session.scalars(
        sa.select(ItemLink).where(ItemLink.hub_id == hub.id, ItemLink.fiscal_year == fiscal_year)
    ):
        links[link.program_code, link.item_code][link.meeting_id] = link.mode
    evidence = {
        (e.program_code, e.item_code): e
        for e in db.session.scalars(
            sa.select(ManualEvidence).where(ManualEvidence.hub_id == hub.id, ManualEvidence.fiscal_year == fiscal_year)
        )
    }
    documents: dict[tuple[str, str], list[EvidenceDocument]] = defaultdict(list)
    for document in db.session.scalars(
        sa.select(EvidenceDocument)
        .where(EvidenceDocument.hub_id == hub.id, EvidenceDocument.fiscal_year == fiscal_year)
        .order_by(EvidenceDocument.id)
    ):
        documents[document.program_code, document.item_code].append(document)

    rota_facts = rota.compliance_facts(hub.id, fy, as_of, year_end)
    return Facts(
        hub=hub,
        fy=fy,
        as_of=as_of,
        meetings=meetings.compliance_facts(hub.id, fiscal_year, now),
        links=links,
        evidence=evidence,
        documents=documents,
        consultations_by_quarter=consultations.quarter_counts(hub.id, fy),
        rota=rota_facts.coverage,
        pairs=rota_facts.pairs,
        substitute_visits=rota_facts.substitute_visits,
        bed_days=beds.secured_bed_days(hub.id, fy),
        directory=directory.confirmed_since(hub.id, as_of - timedelta(days=max_age_days)),
        directory_age_days=max_age_days,
    )


def enrolled(hub_id: int, fiscal_year: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Enrollment.program_code)
            .where(Enrollment.hub_id == hub_id, Enrollment.fiscal_year == fiscal_year)
            .order_by(Enrollment.program_code)
        )
    )


# --- the rules ------------------------------------------------------------------------------------------


def _count_status(value: float, target: float) -> Status:
    if value >= target:
        return Status.MET
    return Status.PARTIAL if value > 0 else Status.UNMET


def _by_year_end(facts: Facts) -> str:
    return f"{facts.fy.end.month}月{facts.fy.end.day}日"


def _labels(enum_cls, values) -> str:
    return "・".join(enum_cls(v).label for v in values)


def meeting_rule_text(rule) -> str:
    """The program's meeting rule in words, as the app applies it: which held meetings count."""
    from hubapp.common.vocabulary import MeetingKind, Scene, Topic

    parts = []
    if rule.get("kinds"):
        parts.append(str(_l("種類が「%(kinds)s」のいずれか", kinds=_labels(MeetingKind, rule.get("kinds")))))
    if rule.get("topics"):
        parts.append(str(_l("議題に「%(topics)s」のいずれかを含む", topics=_labels(Topic, rule.get("topics")))))
    if rule.get("scenes"):
        parts.append(str(_l("場面に「%(scenes)s」のいずれかを含む", scenes=_labels(Scene, rule.get("scenes")))))
    if rule.get("with_admin_officer"):
        parts.append(str(_l("行政担当官が出席")))
    if rule.get("with_manager"):
        parts.append(str(_l("関係機関の管理者が出席")))
    condition = "、".join(parts) if parts else str(_l("種類を問わずすべての会議・研修"))
    return str(
        _l(
            "数える会議: %(condition)s。開催した会議だけを数えます（予定・中止は数えません）。"
            "目標は年度内に%(min)d回以上。",
            condition=condition,
            min=rule.get("min"),
        )
    )


def _why_not(meeting: MeetingFact, rule) -> str:
    """Why a meeting does not match the rule ('' when it does)."""
    from hubapp.common.vocabulary import MeetingKind, Scene, Topic

    kinds, topics, scenes = rule.get("kinds"), rule.get("topics"), rule.get("scenes")
    if kinds and meeting.kind not in kinds:
        return str(_l("種類「%(kind)s」はこの項目の対象外", kind=MeetingKind(meeting.kind).label))
    if topics and not meeting.topics & set(topics):
        return str(_l("議題に「%(topics)s」がない", topics=_labels(Topic, topics)))
    if scenes and not meeting.scenes & set(scenes):
        return str(_l("場面に「%(scenes)s」がない", scenes=_labels(Scene, scenes)))
    if rule.get("with_admin_officer") and not meeting.admin_officer:
        return str(_l("行政担当官の出席がない"))
    if rule.get("with_manager") and not meeting.manager:
        return str(_l("管理者の出席がない"))
    return ""


def _meeting_matches(meeting: MeetingFact, rule) -> bool:
    return not _why_not(meeting, rule)


def _why_counted(meeting: MeetingFact, rule) -> str:
    from hubapp.common.vocabulary import MeetingKind

    kind = MeetingKind(meeting.kind).label
    if rule.get("kinds"):
        return str(_l("種類「%(kind)s」は規則の対象", kind=kind))
    if rule.get("topics"):
        return str(_l("議題が規則に合う（%(kind)s）", kind=kind))
    return str(_l("開催済み（%(kind)s）", kind=kind))


def _meetings(program: Program, item: Item, facts: Facts) -> Result:
    from hubapp.meetings.services import count_line

    rule = item.rule
    links = facts.links.get((program.code, item.code), {})
    counted: list[tuple[MeetingFact, str]] = []
    not_counted: list[tuple[MeetingFact, str, bool]] = []
    for m in facts.meetings:
        mode = links.get(m.id)
        why_not = _why_not(m, rule)
        planned = False  #: counts once held (予定)
        if mode == LinkMode.EXCLUDE:
            reason = str(_l("手で除外"))
        elif m.cancelled:
            reason = str(_l("中止"))
        elif mode != LinkMode.INCLUDE and why_not:
            reason = why_not if m.held else str(_l("%(why)s（予定の会議）", why=why_not))
        elif not m.held:
            planned, reason = True, str(_l("予定（まだ開催されていません）"))
        else:
            counted.append(
                (m, str(_l("手で紐づけ")) if mode == LinkMode.INCLUDE and why_not else _why_counted(m, rule))
            )
            continue
        not_counted.append((m, reason, planned))
    scheduled = sum(1 for _m, _why, planned in not_counted if planned)
    target = rule.get("min")
    value = len(counted)
    status = _count_status(value, target)
    result = Result(
        program,
        item,
        status,
        value,
        target,
        count_line(value, scheduled, target),
        meetings=[m for m, _why in counted],
        rule_text=meeting_rule_text(rule),
        counted=counted,
        not_counted=not_counted,
        planned=scheduled,
    )
    if status != Status.MET:
        result.missing = str(_l("あと%(n)d回、%(day)sまで", n=target - value, day=_by_year_end(facts)))
        elapsed = ((facts.as_of - facts.fy.start).days + 1) / ((facts.fy.end - facts.fy.start).days + 1)
        if value + scheduled < target and value < target * elapsed:
            result.warning = str(_l("このままのペースでは年度内に達成できません。会議を予定してください。"))
    result.evidence = [(f"{m.day.month}/{m.day.day} {m.title}", f"/meetings/{m.id}") for m in result.meetings]
    return result


def _consultations(program: Program, item: Item, facts: Facts) -> Result:
    rule = item.rule
    total = sum(facts.consultations_by_quarter.values())
    evidence = [(str(_l("相談支援の集計")), f"/consultations/stats?fy={facts.fy.year}")]
    if rule.get("each_quarter"):
        started = _started_quarters(facts.fy, facts.as_of)
        done = [q for q in started if facts.consultations_by_quarter[q]]
        value, target = len(done), 4
        status = _count_status(value, target)
        if status != Status.MET and len(done) == len(started) and done:
            status = Status.PARTIAL  # on track: every quarter so far
        result = Result(
            program,
            item,
            status,
            value,
            target,
            str(_l("4四半期のうち%(n)d四半期に相談あり（計%(c)d件）", n=value, c=total)),
            evidence=evidence,
        )
        missing = [q for q in (1, 2, 3, 4) if not facts.consultations_by_quarter[q]]
        if missing:
            result.missing = str(_l("第%(q)s四半期に1件以上", q="・".join(str(q) for q in missing)))
        if rule.get("min") and total < rule.get("min") and result.status == Status.MET:
            result.status = Status.PARTIAL
            result.missing = str(_l("あと%(n)d件", n=rule.get("min") - total))
        return result
    target = rule.get("min")
    result = Result(
        program,
        item,
        _count_status(total, target),
        total,
        target,
        str(_l("%(n)d件（目標%(t)d件以上）", n=total, t=target)),
        evidence=evidence,
        rule_text=str(_l("数える記録: この年度に記録した相談支援（受付日が年度内）。")),
    )
    if result.status != Status.MET:
        result.missing = str(_l("あと%(n)d件、%(day)sまで", n=target - total, day=_by_year_end(facts)))
    return result


def _rota(program: Program, item: Item, facts: Facts) -> Result:
    if not facts.rota:
        return Result(
            program, item, Status.UNMET, 0, 1, str(_l("当番表なし")), missing=str(_l("医師グループと当番表を作成"))
        )
    best = max(facts.rota, key=lambda r: (r.all_covered / r.all_total) if r.all_total else 0)
    done, total = best.all_covered, best.all_total
    share = done / total if total else 0
    status = Status.MET if total and done == total else (Status.PARTIAL if done else Status.UNMET)
    figure = best.figure
    evidence = [(best.name, f"/rota/?group={best.group_id}")]
    evidence += [
        (str(_l("手入力の集計の資料: %(name)s", name=d.filename)), f"/rota/summaries/{d.id}")
        for d in best.manual_documents
    ]
    result = Result(program, item, status, done, total, figure, evidence=evidence)
    if status != Status.MET:
        result.missing = str(
            _l("主・副のそろわない枠が%(n)d枠あります（%(p)d%%）", n=total - done, p=round(100 * share))
        )
    return result


def _simple(program: Program, item: Item, value: int, unit: str, evidence: list[tuple[str, str]], facts: Facts):
    target = item.rule.get("min")
    status = _count_status(value, target)
    result = Result(
        program,
        item,
        status,
        value,
        target,
        str(_l("%(v)d%(unit)s（目標%(t)d%(unit)s以上）", v=value, t=target, unit=unit)),
        evidence=evidence,
    )
    if status != Status.MET:
        result.missing = str(_l("あと%(n)d%(unit)s", n=target - value, unit=unit))
    return result


def _beds(program: Program, item: Item, facts: Facts) -> Result:
    need = item.rule.get("min_beds", 1)
    days = [facts.fy.start + timedelta(days=k) for k in range((facts.fy.end - facts.fy.start).days + 1)]
    short = [d for d in days if facts.bed_days.get(d, 0) < need]
    covered = len(days) - len(short)
    status = Status.MET if not short else (Status.PARTIAL if covered else Status.UNMET)
    result = Result(
        program,
        item,
        status,
        covered,
        len(days),
        str(_l("年度%(t)d日のうち%(n)d日", n=covered, t=len(days))),
        evidence=[(str(_l("後方支援病床の協定と実績")), f"/beds/stats?year={facts.fy.year}")],
    )
    if short:
        result.missing = str(
            _l("協定のない日: %(first)s〜（%(n)d日）", first=f"{short[0].month}月{short[0].day}日", n=len(short))
        )
    return result


def _directory(program: Program, item: Item, facts: Facts) -> Result:
    confirmed, active = facts.directory
    share = confirmed / active if active else 0
    target = item.rule.get("min_share")
    days = item.rule.get("max_age_days")
    status = Status.MET if active and share >= target else (Status.PARTIAL if confirmed else Status.UNMET)
    result = Result(
        program,
        item,
        status,
        share,
        target,
        str(
            _l(
                "%(days)d日以内に確認済み %(c)d/%(a)d件（%(p)d%%）",
                days=days,
                c=confirmed,
                a=active,
                p=round(100 * share),
            )
        ),
        evidence=[(str(_l("再確認が必要な地域資源")), "/directory/stale")],
    )
    if status != Status.MET:
        result.missing = str(_l("確認済みを%(p)d%%以上に", p=round(100 * target)))
    return result


def _manual(program: Program, item: Item, facts: Facts) -> Result:
    entry = facts.evidence.get((program.code, item.code))
    files = facts.documents.get((program.code, item.code), [])
    if (entry is None or not (entry.note.strip() or entry.is_done)) and not files:
        return Result(
            program, item, Status.MANUAL, 0, 1, str(_l("記録なし")), missing=str(_l("実施内容を記録してください"))
        )
    done = entry is not None and entry.is_done
    figure = str(_l("手入力の記録あり")) + (str(_l("（資料%(n)d件）", n=len(files))) if files else "")
    result = Result(program, item, Status.MET if done else Status.PARTIAL, int(done), 1, figure, manual=entry)
    if not done:
        result.missing = str(_l("達成したら「達成した」にしてください"))
    return result


def evaluate_item(program: Program, item: Item, facts: Facts) -> Result:
    kind = item.rule.type
    if kind == "meetings":
        result = _meetings(program, item, facts)
    elif kind == "consultations":
        result = _consultations(program, item, facts)
    elif kind == "rota_coverage":
        result = _rota(program, item, facts)
    elif kind == "patient_pairs":
        result = _simple(
            program, item, facts.pairs, str(_l("組")), [(str(_l("主治医・副主治医")), "/rota/pairs")], facts
        )
    elif kind == "substitute_visits":
        result = _simple(
            program, item, facts.substitute_visits, str(_l("件")), [(str(_l("代診・出動記録")), "/rota/logs")], facts
        )
    elif kind == "bed_agreement":
        result = _beds(program, item, facts)
    elif kind == "directory_confirmed":
        result = _directory(program, item, facts)
    elif kind == "municipalities":
        result = _simple(
            program, item, len(facts.hub.municipalities), str(_l("市町村")), [(str(_l("拠点・圏域")), "/hubs/")], facts
        )
    elif kind == "dedicated_staff":
        result = _simple(
            program, item, facts.hub.dedicated_staff_count, str(_l("人")), [(str(_l("拠点・圏域")), "/hubs/")], facts
        )
    else:
        result = _manual(program, item, facts)
    if kind != "manual":  # a note from the coordinator can accompany any item
        result.manual = facts.evidence.get((program.code, item.code))
    result.documents = facts.documents.get((program.code, item.code), [])
    return result


def evaluate(programs: list[Program], facts: Facts) -> list[tuple[Program, list[Result]]]:
    return [(p, [evaluate_item(p, item, facts) for item in p.items]) for p in programs]
