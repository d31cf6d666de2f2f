"""Posted fields that a form does not offer are ignored (issue 8 point 7): hub, role, owner, creator, id…

For each create and edit form of the app the test does what a browser does — loads the page, reads the
form's fields and their current values — and posts it twice: once as offered (the control), once with
the same values plus fields the form does not offer: ``hub_id``/``hub`` of another hub, ``role=admin``,
``owner_id``/``created_by``/``user_id`` of a user of another hub, ``id``, and a hostile value for every
column of the form's table that the form does not offer (``posted_by_id``, ``status``, ``version``…).

Then:
- an edit posted again with the extras leaves the whole database as the control left it;
- a create with the extras stores a row equal to the control's (apart from its id, its timestamps and
  what ``fill_again`` changes to keep names unique);
- either way, whatever was written belongs to the poster's hub, every reference to a user is the poster
  (or unchanged), no user and no membership changed, and nothing of the other hub changed.

A form that offers one of these names (the admin's user form offers ``role``) is not sent that extra.
Also: fields a form does offer but with another hub's object (a backup hospital, a referral, a staff
member) are refused like any value that is not among the choices.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import Role
from hubapp.core.services import today
from hubapp.directory import services as directory_services
from hubapp.extensions import db

YEAR = FiscalYear.of(today()).year

#: Tables the comparison leaves out: the audit trail (it records both posts, by design).
UNCOMPARED = {"audit_logs", "audit_chain", "audit_reviews"}
#: Columns that differ between two saves of the same values by design.
TIMESTAMPS = {"created_at", "updated_at"}
HOSTILE_ID = 987_654


# --- reading a form as a browser does --------------------------------------------------------------------


@dataclass
class Form:
    action: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)
    offered: set[str] = field(default_factory=set)
    submit: tuple[str, str] | None = None


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(a.get("action")) if (a.get("method") or "get").lower() == "post" else None
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            form.offered.add(name)
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                form.submit = form.submit or (name, a.get("value") or "")
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append((name, a.get("value") or "on"))
            elif kind != "file":
                form.fields.append((name, a.get("value") or ""))
        elif tag == "button" and name:
            form.offered.add(name)
            if (a.get("type") or "submit").lower() == "submit":
                form.submit = form.submit or (name, a.get("value") or "")
        elif tag == "select" and name:
            form.offered.add(name)
            self._select = {"name": name, "multiple": "multiple" in a, "options": [], "selected": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea" and name:
            form.offered.add(name)
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            option = self._option
            value = option["value"] if option["value"] is not None else option["text"].strip()
            self._select["options"].append(value)
            if option["selected"]:
                self._select["selected"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            select = self._select
            chosen = select["selected"] or ([] if select["multiple"] else select["options"][:1])
            self._form.fields.extend((select["name"], value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea["name"], self._textarea["text"].removeprefix("\n")))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def page_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


# --- the database as rows --------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if hasattr(value, "value") and not isinstance(value, int | str):  # enums
        return value.value
    return value


def snapshot(app) -> dict[str, dict[tuple, dict]]:
    """Every row of every table (but the audit trail), by primary key."""
    out = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in UNCOMPARED:
                continue
            key = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
            rows = db.session.execute(sa.select(table)).mappings().all()
            out[table.name] = {tuple(r[k] for k in key): {c: _plain(v) for c, v in r.items()} for r in rows}
    return out


def _without(row: dict, columns) -> dict:
    return {k: v for k, v in row.items() if k not in columns}


def changed_rows(before, after) -> list[tuple[str, dict | None, dict]]:
    """(table, row before or None, row after) for every added or changed row."""
    out = []
    for name, rows in after.items():
        for key, row in rows.items():
            old = before.get(name, {}).get(key)
            if old is None or _without(old, TIMESTAMPS) != _without(row, TIMESTAMPS):
                out.append((name, old, row))
    return out


def _user_columns() -> dict[str, set[str]]:
    """Per table, the columns that point at a user (foreign keys to users.id)."""
    out: dict[str, set[str]] = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "users" for fk in column.foreign_keys):
                out.setdefault(table.name, set()).add(column.name)
    return out


# --- hostile values ----------------------------------------------------------------------------------------


def hostile_fields(offered: set[str], table: sa.Table, control_row: dict | None, other_hub_id: int, other_user_id: int):
    """The extras to post: the issue's names, and a different value for every column of ``table`` the form
    does not offer (an id of the other hub or user for references, the opposite for booleans…)."""
    extras: dict[str, str] = {
        "hub_id": str(other_hub_id),
        "hub": str(other_hub_id),
        "hub_ids": str(other_hub_id),
        "role": Role.ADMIN.value,
        "owner_id": str(other_user_id),
        "owner": str(other_user_id),
        "created_by": str(other_user_id),
        "created_by_id": str(other_user_id),
        "user_id": str(other_user_id),
        "user": str(other_user_id),
        "id": str(HOSTILE_ID),
        "is_admin": "1",
        "prefecture_code": "47",
    }
    for column in table.columns:
        name = column.name
        if name in extras or name in TIMESTAMPS:
            continue
        current = (control_row or {}).get(name)
        targets = {fk.column.table.name for fk in column.foreign_keys}
        kind = column.type
        if isinstance(kind, sa.types.TypeDecorator):  # UTCDateTime and the like: by what they store
            kind = kind.impl_instance
        if "users" in targets:
            value = str(other_user_id)
        elif "hubs" in targets:
            value = str(other_hub_id)
        elif isinstance(kind, sa.Boolean):
            value = "" if current else "1"
        elif isinstance(kind, sa.Enum):
            choices = [c for c in (kind.enums or []) if c != current]
            if not choices:
                continue
            value = choices[-1]
            if kind.enum_class is not None:  # the enum's values, not its member names
                members = [m.value for m in kind.enum_class if m.value != current]
                value = members[-1] if members else value
        elif isinstance(kind, sa.DateTime):
            value = "2001-02-03T04:05:06"
        elif isinstance(kind, sa.Date):
            value = "2001-02-03"
        elif isinstance(kind, sa.Time):
            value = "03:04"
        elif isinstance(kind, sa.Numeric):
            value = "0.37"
        elif isinstance(kind, sa.Integer):
            value = str(HOSTILE_ID)
        elif isinstance(kind, sa.String | sa.Text):
            value = "HOSTILE"
        else:
            continue
        extras[name] = value
    return {k: v for k, v in extras.items() if k not in offered}


# --- the cases ----------------------------------------------------------------------------------------------


@dataclass
class Case:
    id: str
    role: str
    page: str  #: the page with the form, formatted with the ids from ``setup``
    table: str  #: the table the form writes
    creates: bool
    action: str | None = None  #: the form's action path (formatted); None: the form posting to the page
    having: dict = field(default_factory=dict)  #: fields the wanted form carries (to pick one of several)
    fill: dict = field(default_factory=dict)  #: values a person types in (formatted)
    fill_again: dict = field(default_factory=dict)  #: for the second create (unique names)
    ignore: set = field(default_factory=set)  #: columns that differ between the two creates by design
    setup: Callable | None = None  #: (fixture getter) -> ids
    key: str | None = None  #: for an edit, the id (from ``setup``) of the row it changes
    username: str | None = None  #: log in as this existing user instead of a new one of ``role``
    touches_users: bool = False


def _meeting(get):
    meeting = get("create_meeting")("第1回 多職種連携会議", day=date(2026, 6, 10))
    return {"meeting": meeting.id}


def _organisation(get):
    from hubapp.directory.models import OrganisationType

    org = get("create_organisation")("かとり在宅クリニック", OrganisationType.CLINIC, functions=("24h",))
    return {"organisation": org.id}


def _person(get):
    return {"person": get("create_person")("佐藤 花子").id}


def _consultation(get):
    from hubapp.auth.models import User
    from hubapp.consultations import services
    from hubapp.consultations.models import Channel, Requester, Response, Topic
    from hubapp.core.services import JST
    from hubapp.hubs.models import Hub
    from hubapp.meetings.models import Scene

    app, hub = get("app"), get("hub")
    staff = get("create_user")("soudan", Role.CONSULTANT, hubs=(hub,))
    with app.app_context():
        values = services.ConsultationValues(
            received_at=datetime(2026, 5, 12, 10, 30, tzinfo=JST),
            channel=Channel.PHONE,
            requester=Requester.CARE_MANAGER,
            scene=Scene.DISCHARGE,
            minutes_spent=15,
            topics=[Topic.HOME_PHYSICIAN],
            responses=[Response.INFORMATION],
            staff_id=staff.id,
        )
        acting = db.session.get(User, staff.id)
        entry = services.save_consultation(db.session.get(Hub, hub.id), values, acting, now=_now())
        db.session.commit()
        return {"consultation": entry.id}


def _beds(get):
    """The conftest's two agreements, with today's free beds posted: 1 at the central hospital (its
    manager bm-hokuso), 2 at the night hospital."""
    from hubapp.beds import services
    from hubapp.beds.models import BedAvailability

    app, ids = get("app"), get("beds")
    with app.app_context():
        for key, manager, free in (("central", "manager", 1), ("night", "other_manager", 2)):
            agreement = services.get_agreement(get("hub").id, ids[key])
            services.post_availability(agreement, today(), free, ids[manager], None, _now())
        db.session.commit()
        row = db.session.scalars(sa.select(BedAvailability).where(BedAvailability.agreement_id == ids["central"])).one()
        return {**ids, "availability": row.id}


def _now():
    from hubapp.db import utcnow

    return utcnow()


def _group(get):
    from hubapp.directory.models import OrganisationType, Profession
    from hubapp.rota import services

    app, hub = get("app"), get("hub")
    hospital = get("create_organisation")("北総中央病院", OrganisationType.HOSPITAL)
    doctor = get("create_person")("医師 一郎", Profession.PHYSICIAN)
    get("create_person")("医師 二郎", Profession.PHYSICIAN)
    get("create_person")("医師 三郎", Profession.PHYSICIAN)
    with app.app_context():
        group = services.create_group(hub.id, "香取医師会グループ", hospital.id)
        member = services.add_member(group, directory_services.get_person(hub.id, doctor.id))
        db.session.commit()
        return {"group": group.id, "member": member.id, "hospital": hospital.id}


def _program(code: str):
    def enrol(get):
        from hubapp.compliance.models import Enrollment

        app, hub = get("app"), get("hub")
        with app.app_context():
            db.session.add(Enrollment(hub_id=hub.id, fiscal_year=YEAR, program_code=code))
            db.session.commit()
            program = app.extensions["compliance_programs"][code]
            manual = next((i.code for i in program.items if i.rule.type == "manual"), "")
            return {"item": manual, "hub": hub.id}

    return enrol


def _other_hub_user(get):
    user = get("create_user")("kanri-taishou", Role.MEMBER, hubs=(get("hub"),))
    return {"user": user.id, "hub": get("hub").id}


def _hub(get):
    return {"hub": get("hub").id}


CASES = [
    Case("meeting new", "coordinator", "/meetings/new", "meetings", True,
         fill={"title": "多職種連携会議", "day": "2026-06-10", "start_time": "18:30", "end_time": "20:00"},
         fill_again={"title": "多職種連携会議（2）"}, ignore={"title", "ical_uid"}),
    Case("meeting edit", "coordinator", "/meetings/{meeting}/edit", "meetings", False, setup=_meeting, key="meeting"),
    Case("organisation new", "coordinator", "/directory/new", "organisations", True,
         fill={"name": "香取訪問看護ステーション", "type": "visiting_nursing"},
         fill_again={"name": "佐原訪問看護ステーション"}, ignore={"name", "kana_key", "search_bigrams"}),
    Case("organisation edit", "coordinator", "/directory/{organisation}/edit", "organisations", False,
         setup=_organisation, key="organisation"),
    Case("person new", "coordinator", "/directory/people/new", "people", True,
         fill={"name": "鈴木 一郎"}, fill_again={"name": "鈴木 二郎"}, ignore={"name", "kana_key"}),
    Case("person edit", "coordinator", "/directory/people/{person}/edit", "people", False, setup=_person, key="person"),
    Case("consultation new", "consultant", "/consultations/new", "consultations", True,
         fill={"requester": "care_manager", "scene": "discharge", "minutes_spent": "15",
               "topics": "home_physician", "responses": "information"},
         ignore={"received_at", "received_on"}),
    Case("consultation edit", "coordinator", "/consultations/{consultation}/edit", "consultations", False,
         setup=_consultation, key="consultation"),
    Case("bed request", "coordinator", "/beds/requests/new?agreement={night}", "bed_requests", True,
         fill={"patient_code": "A-001", "age_band": "75_84", "urgency": "today", "reason": "在宅での看取り困難"},
         fill_again={"patient_code": "A-002"}, ignore={"patient_code", "availability_id", "requested_at"},
         setup=_beds),
    Case("bed availability", "bed_manager", "/beds/availability", "bed_availability", False,
         having={"day": "{today}"}, fill={"free_beds": "1"}, ignore={"posted_at"}, setup=_beds,
         username="bm-hokuso", key="availability"),
    Case("bed agreement new", "coordinator", "/beds/agreements", "bed_agreements", True,
         fill={"hospital": "{central_hospital}", "beds_secured": "2", "valid_from": "2026-04-01"},
         setup=lambda get: {**_beds(get), "central_hospital": _hospital_of(get, "central")}),
    Case("bed agreement edit", "coordinator", "/beds/agreements/{central}", "bed_agreements", False, setup=_beds,
         key="central"),
    Case("rota group new", "coordinator", "/rota/groups/new", "physician_groups", True,
         fill={"name": "佐原グループ"}, fill_again={"name": "多古グループ"}, ignore={"name"}, setup=_group),
    Case("rota group settings", "coordinator", "/rota/groups/{group}", "physician_groups", False,
         action="/rota/groups/{group}/settings", setup=_group, key="group"),
    Case("rota member", "coordinator", "/rota/groups/{group}", "group_members", False,
         action="/rota/groups/{group}/members/{member}", setup=_group, key="member"),
    Case("rota member add", "coordinator", "/rota/groups/{group}", "group_members", True, ignore={"person_id"},
         setup=_group),
    Case("rota shift", "coordinator", "/rota/groups/{group}", "shift_types", True,
         action="/rota/groups/{group}/shifts", having={"shift": ""},
         fill={"name": "平日日中", "applies_on": "weekday", "starts": "09:00", "ends": "17:00"},
         fill_again={"name": "平日日中（2）"}, ignore={"name", "code", "sort_order"}, setup=_group),
    Case("compliance evidence", "coordinator", "/compliance/?year=" + str(YEAR), "compliance_evidence", False,
         action="/compliance/evidence?year=" + str(YEAR), having={"item": "{item}"},
         fill={"note": "協議会で報告した", "is_done": "y"}, setup=_program("E")),
    Case("compliance plan", "coordinator", f"/compliance/plan/D?year={YEAR}", "compliance_plan_entries", False,
         action=f"/compliance/plan/D?year={YEAR}",
         fill={"D-M1-description": "多職種連携会議を年4回開く", "D-M1-subsidy": "1"}, setup=_program("D")),
    Case("meeting issue", "coordinator", "/meetings/{meeting}/issues/new", "meeting_issues", True,
         fill={"title": "退院時の情報共有", "owner": "コーディネーター"}, fill_again={"title": "夜間の連絡体制"},
         ignore={"title"}, setup=_meeting),
    Case("meeting feed", "coordinator", "/meetings/feeds", "calendar_feeds", True,
         fill={"label": "事務所のカレンダー"}, ignore={"token_hash"}),
    Case("hub profile", "coordinator", "/hubs/{hub}/edit", "hubs", False, setup=_hub, key="hub"),
    Case("municipality", "coordinator", "/hubs/{hub}/municipalities/new", "hub_municipalities", True,
         fill={"code": "122114", "name": "成田市", "population": "130000", "aging_rate": "25.0",
               "figures_as_of": "2026-04-01"},
         fill_again={"code": "122122", "name": "佐倉市"}, ignore={"code", "name"}, setup=_hub),
    Case("admin user new", "admin", "/admin/users/new", "users", True,
         fill={"username": "shinki-member", "display_name": "新規 メンバー", "role": "member",
               "hub_ids": "{hub}"},
         fill_again={"username": "shinki-member2"}, ignore={"username", "password_hash", "password_expires_at"},
         setup=_hub, touches_users=True),
    Case("own password", "coordinator", "/account/password", "users", False,
         fill={"current_password": "test-password-1234", "new_password": "zq7-kasumi-gaura-31",
               "confirm": "zq7-kasumi-gaura-31"},
         fill_again={"current_password": "zq7-kasumi-gaura-31", "new_password": "pr4-hinode-minato-88",
                     "confirm": "pr4-hinode-minato-88"},
         ignore={"password_hash", "sessions_valid_after", "password_expires_at", "password_must_change"},
         key="me", touches_users=True),
    Case("admin user edit", "admin", "/admin/users/{user}", "users", False, setup=_other_hub_user,
         touches_users=True, key="user"),
]


def _hospital_of(get, key: str) -> int:
    from hubapp.beds.models import BedAgreement

    with get("app").app_context():
        return db.session.get(BedAgreement, get("beds")[key]).hospital_id


def _format(value, ids):
    return value.format(**ids) if isinstance(value, str) else value


def _find_form(html: str, case: Case, ids: dict, page: str) -> Form:
    wanted_action = _format(case.action, ids) if case.action else None
    having = {k: _format(v, ids) for k, v in case.having.items()}
    found = []
    for form in page_forms(html):
        if wanted_action is None:
            if form.action not in (None, "", page):
                continue
        elif form.action != wanted_action:
            continue
        values = dict(form.fields)
        if all(values.get(k) == v or (v == "" and k not in values) for k, v in having.items()):
            found.append(form)
    assert found, f"{case.id}: no form on {page}"
    return found[0]


def _post_data(form: Form, fill: dict) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)
    for name, value in fill.items():
        data[name] = value if isinstance(value, list) else [value]
    if form.submit:
        data.setdefault(form.submit[0], [form.submit[1]])
    return data


def _flashed_errors(client) -> list[str]:
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return [str(message) for category, message in flashes if category == "error"]


def _submit(client, case, ids, extra_fill=None, extras=None):
    """Load the page, fill its form like a person would, post it: (form, response, error messages)."""
    page = _format(case.page, ids)
    response = client.get(page)
    assert response.status_code == 200, (case.id, page, response.status_code)
    html = response.data.decode()
    form = _find_form(html, case, ids, urlsplit(page).path if case.action is None else page)
    fill = {k: _format(v, ids) for k, v in {**case.fill, **(extra_fill or {})}.items()}
    data = _post_data(form, fill)
    for name, value in (extras or {}).items():
        data[name] = [value]
    action = _format(case.action, ids) if case.action else page
    response = client.post(action, data=data)
    body = response.data.decode() if response.status_code == 200 else ""
    errors = _flashed_errors(client) + re.findall(r'class="field__error"[^>]*>([^<]*)<', body)
    if "flash--error" in body:
        errors.append(body)
    return form, response, errors


def _post(client, case, ids, extra_fill=None, extras=None):
    form, response, errors = _submit(client, case, ids, extra_fill, extras)
    assert response.status_code in (200, 302), (case.id, response.status_code)
    assert not errors, (case.id, errors)
    return form


@pytest.fixture
def other_side(create_hub, create_user):
    """Another hub and a user of it: the values an attacker would post."""
    other = create_hub("別の在宅医療連携拠点")
    return other, create_user("other-coordinator", Role.COORDINATOR, hubs=(other,))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fields_the_form_does_not_offer_are_ignored(request, app, client, login_as, login, hub, other_side, case):
    other_hub, other_user = other_side
    ids = {"today": today().isoformat(), **(case.setup(request.getfixturevalue) if case.setup else {})}
    if case.username:
        assert login(case.username).status_code == 302
        with app.app_context():
            from hubapp.auth import services as users

            poster_id = users.find_user(case.username).id
    else:
        poster_id = login_as(case.role).id
    ids["me"] = poster_id
    table = db.metadata.tables[case.table]

    before = snapshot(app)
    form = _post(client, case, ids)
    control = snapshot(app)
    made = [row for key, row in control[case.table].items() if key not in before[case.table]]
    if case.creates:
        assert len(made) == 1, (case.id, "the control post must create one row", made)
        control_row = made[0]
    elif case.key:
        control_row = control[case.table][(ids[case.key],)]
    else:  # a form of several rows (the plan): one it wrote
        control_row = next(row for name, _old, row in changed_rows(before, control) if name == case.table)

    extras = hostile_fields(form.offered, table, control_row, other_hub.id, other_user.id)
    assert {"hub_id", "id"} <= set(extras), (case.id, "the form offers these names?", sorted(form.offered))
    _post(client, case, ids, case.fill_again, extras)
    after = snapshot(app)

    if case.creates:
        (hostile_row,) = [row for key, row in after[case.table].items() if key not in control[case.table]]
        ignored = {*TIMESTAMPS, "id", *case.ignore}
        assert _without(hostile_row, ignored) == _without(control_row, ignored), case.id
        assert hostile_row["id"] != HOSTILE_ID
    else:
        ignored = {*TIMESTAMPS, *case.ignore, "version"}  # a save may count the version up by one
        differences = [
            (name, old, new)
            for name, old, new in changed_rows(control, after)
            if _without(old or {}, ignored) != _without(new, ignored)
            or (old and new.get("version") not in (old.get("version"), (old.get("version") or 0) + 1))
        ]
        assert differences == [], case.id

    user_columns = _user_columns()
    new_users = {key[0] for key in after["users"]} - {key[0] for key in control["users"]}  # the admin's creates
    for name, old, row in changed_rows(control, after):
        if "hub_id" in row:
            assert row["hub_id"] == hub.id, (case.id, name, row)
        if name == "hubs":
            assert row["id"] == hub.id, (case.id, row)
        for column in user_columns.get(name, ()):
            allowed = {None, poster_id, *new_users, (old or {}).get(column)}
            assert row[column] in allowed, (case.id, name, column, row)
    if not case.touches_users:
        assert after["users"] == control["users"] and after["hub_memberships"] == control["hub_memberships"]
    else:  # the admin's forms: nobody got another hub or the admin role through an unoffered field
        for key, row in after["hub_memberships"].items():
            if key not in control["hub_memberships"]:
                assert row["hub_id"] != other_hub.id, (case.id, row)
        assert after["users"][(other_user.id,)] == control["users"][(other_user.id,)]
    for name, rows in after.items():
        if "hub_id" in db.metadata.tables[name].columns:
            theirs = {k: r for k, r in rows.items() if r["hub_id"] == other_hub.id}
            assert theirs == {k: r for k, r in control[name].items() if r["hub_id"] == other_hub.id}, (case.id, name)


# --- offered fields pointing at another hub's objects ------------------------------------------------------


def _their_hospital(get) -> int:
    from hubapp.directory.models import OrganisationType

    other_hub = get("other_side")[0]
    return get("create_organisation")("別拠点の病院", OrganisationType.HOSPITAL, hub_id=other_hub.id).id


def _their_physician(get) -> int:
    from hubapp.directory.models import Profession

    return get("create_person")("別拠点の医師", Profession.PHYSICIAN, hub_id=get("other_side")[0].id).id


def _their_user(role: Role):
    def make(get) -> int:
        return get("create_user")(f"their-{role.value}", role, hubs=(get("other_side")[0],)).id

    return make


_BY_ID = {case.id: case for case in CASES}

#: (the form, the field it offers, the column it fills, another hub's object for it)
FOREIGN = [
    ("rota group new", "backup_hospital", "backup_hospital_id", _their_hospital),
    ("rota group settings", "backup_hospital", "backup_hospital_id", _their_hospital),
    ("rota member add", "person", "person_id", _their_physician),
    ("rota member add", "user", "user_id", _their_user(Role.PHYSICIAN)),
    ("rota member", "user", "user_id", _their_user(Role.PHYSICIAN)),
    ("bed agreement new", "hospital", "hospital_id", _their_hospital),
    ("bed agreement edit", "hospital", "hospital_id", _their_hospital),
    ("person new", "organisation_id", "organisation_id", _their_hospital),
    ("consultation new", "requester_organisation_id", "requester_organisation_id", _their_hospital),
    ("consultation new", "staff_id", "staff_id", _their_user(Role.CONSULTANT)),
    ("consultation edit", "staff_id", "staff_id", _their_user(Role.CONSULTANT)),
]


@pytest.mark.parametrize(("case_id", "name", "column", "foreign"), FOREIGN, ids=[f"{c} {n}" for c, n, *_ in FOREIGN])
def test_offered_fields_cannot_point_at_another_hubs_objects(
    request, app, client, login_as, hub, other_side, case_id, name, column, foreign
):
    """Refused with a Japanese message and nothing changed — or, for an optional link, left empty."""
    case = _BY_ID[case_id]
    get = request.getfixturevalue
    ids = {"today": today().isoformat(), **(case.setup(get) if case.setup else {})}
    theirs = foreign(get)
    login_as(case.role)
    before = snapshot(app)
    _form, response, errors = _submit(client, case, ids, {name: str(theirs)})
    after = snapshot(app)
    assert response.status_code in (200, 302), (case_id, response.status_code)
    assert all(row.get(column) != theirs for row in after[case.table].values()), (case_id, column)
    if errors:
        assert all(re.search(r"[ぁ-んァ-ン一-龥]", e) for e in errors), errors  # said in Japanese
        assert [c for c in changed_rows(before, after) if c[0] not in ("users",)] == [], case_id
