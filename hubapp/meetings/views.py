"""Meeting pages under /meetings/: the 年度, a meeting, invitations, attendance, issues."""

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hubapp.audit.services import record
from hubapp.common.current import found_or_404, hub_object_or_404
from hubapp.common.current import hub_or_404 as _hub
from hubapp.common.forms import commit_change
from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.roles import ALL_ROLES, HUB_EDITORS, roles_required
from hubapp.common.vocabulary import AuditAction, Profession
from hubapp.core.services import JST, today
from hubapp.db import utcnow
from hubapp.directory import services as directory
from hubapp.extensions import db
from hubapp.meetings import notify, services
from hubapp.meetings.forms import (
    CountermeasureForm,
    HeadcountForm,
    InviteForm,
    IssueForm,
    IssueStatusForm,
    LinkWalkInForm,
    MarkForm,
    MeetingForm,
    SurveyForm,
    WalkInForm,
)
from hubapp.meetings.models import AttendanceStatus, IssueStatus, MeetingKind, Scene, Topic


def _fiscal_year() -> FiscalYear:
    year = request.args.get("fy", type=int)
    return FiscalYear(year) if year and 2000 <= year <= 2100 else FiscalYear.of(today())


@roles_required(*ALL_ROLES)
def index():
    fy = _fiscal_year()
    overview = services.year_overview(_hub().id, fy, utcnow(), services.targets_from_config(current_app.config))
    return render_template(
        "meetings/index.html", overview=overview, fy=fy, now=utcnow(), can_edit=current_user.role in HUB_EDITORS
    )


@roles_required(*ALL_ROLES)
def year():
    fy = _fiscal_year()
    hub = _hub()
    names = {m.code: m.name for m in hub.municipalities}
    matrix = services.attendance_matrix(hub.id, fy, names, utcnow())
    overview = services.year_overview(hub.id, fy, utcnow(), services.targets_from_config(current_app.config))
    return render_template("meetings/year.html", matrix=matrix, overview=overview, fy=fy)


def _meeting_form(meeting=None) -> MeetingForm:
    form = MeetingForm(obj=meeting)
    form.fill_choices()
    if request.method == "GET":
        if meeting is not None:
            start, end = meeting.starts_at.astimezone(JST), meeting.ends_at.astimezone(JST)
            form.kind.data = meeting.kind.value
            form.day.data, form.start_time.data, form.end_time.data = start.date(), start.time(), end.time()
            form.topics.data = [t.value for t in meeting.topic_values]
            form.scenes.data = [s.value for s in meeting.scene_values]
        else:
            form.organizer_name.data = g.hub.name
    return form


@roles_required(*HUB_EDITORS)
def edit(meeting_id: int | None = None):
    hub = _hub()
    meeting = hub_object_or_404(services.get_meeting, meeting_id) if meeting_id else None
    form = _meeting_form(meeting)
    if form.validate_on_submit():
        values = {
            "kind": MeetingKind(form.kind.data),
            "title": form.title.data.strip(),
            "starts_at": services.jst_datetime(form.day.data, form.start_time.data),
            "ends_at": services.jst_datetime(form.day.data, form.end_time.data),
            "place": (form.place.data or "").strip(),
            "online_url": (form.online_url.data or "").strip(),
            "agenda": (form.agenda.data or "").strip(),
            # 議事要旨 is offered once the meeting exists (the new-meeting page has no such field)
            "summary": (form.summary.data or "").strip() if meeting is not None else "",
            "organizer_name": (form.organizer_name.data or "").strip(),
            "organizer_email": (form.organizer_email.data or "").strip(),
        }
        topics, scenes = [Topic(t) for t in form.topics.data or []], [Scene(s) for s in form.scenes.data or []]

        def save():
            saved, changed = services.save_meeting(hub.id, values, topics, scenes, meeting)
            return saved, notify.send_update(saved) if changed else 0

        applied = commit_change(save, _saved_message, form, {"ends_at": "end_time"})
        if applied:
            return redirect(url_for("meetings.detail", meeting_id=applied.value[0].id))
    return render_template("meetings/edit.html", form=form, meeting=meeting)


def _saved_message(result) -> str:
    sent = result[1]
    return _("会議を保存しました。") + (_("（招待者%(n)d人に変更を送りました）", n=sent) if sent else "")


@roles_required(*ALL_ROLES)
def detail(meeting_id: int):
    from hubapp.meetings.document_views import DocumentForm  # that module builds on this one

    meeting = hub_object_or_404(services.get_meeting, meeting_id)
    page = render_template(
        "meetings/detail.html",
        meeting=meeting,
        is_held=meeting.is_held(utcnow()),
        issues=services.meeting_issues(meeting.hub_id, meeting.id),
        can_edit=current_user.role in HUB_EDITORS,
        counts=_attendance_counts(meeting),
        S=AttendanceStatus,
        document_form=DocumentForm(),
    )
    # The meeting's record (attendance, minutes, documents) was read: on the trail.
    record(AuditAction.VIEW, "meetings", meeting.id, hub_id=meeting.hub_id)
    db.session.commit()
    return page


def _attendance_counts(meeting) -> dict:
    counts = {status: 0 for status in AttendanceStatus}
    for participant in meeting.participants:
        counts[participant.status] += 1
    return counts


@roles_required(*HUB_EDITORS)
def cancel(meeting_id: int):
    meeting = hub_object_or_404(services.get_meeting, meeting_id)
    if not meeting.is_cancelled:
        services.cancel_meeting(meeting)
        sent = notify.send_cancellation(meeting)
        db.session.commit()
        flash(_("会議を中止にしました（招待者%(n)d人に中止を送りました）。", n=sent), "info")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@roles_required(*HUB_EDITORS)
def invite(meeting_id: int):
    meeting = hub_object_or_404(services.get_meeting, meeting_id)
    form = InviteForm()
    form.fill_choices(
        directory.person_choices(meeting.hub_id), directory.organisations_with_people_choices(meeting.hub_id)
    )
    if form.validate_on_submit():
        people = directory.people_to_invite(
            meeting.hub_id,
            form.people.data or [],
            form.organisations.data or [],
            [Profession(p) for p in form.professions.data or []],
        )

        def invite():
            added = services.invite(meeting, people)
            return len(added), notify.send_invitations(meeting, added)

        def invited(counts) -> str:
            return _("%(n)d人を招待しました（招待状 %(sent)d通）。", n=counts[0], sent=counts[1])

        if commit_change(invite, invited, form):
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/invite.html", form=form, meeting=meeting)


@roles_required(*HUB_EDITORS)
def attendance(meeting_id: int):
    meeting = hub_object_or_404(services.get_meeting, meeting_id)
    walk_in = WalkInForm(prefix="walkin")
    walk_in.fill_choices()
    mark = MarkForm()
    if mark.is_submitted() and mark.participant.data is not None:
        return _mark(meeting, mark)
    if walk_in.validate_on_submit():
        commit_change(
            lambda: services.add_walk_in(
                meeting,
                walk_in.name.data,
                Profession(walk_in.profession.data),
                walk_in.organisation_name.data or "",
                utcnow(),
            ),
            _("当日参加の「%(name)s」さんを追加しました。", name=walk_in.name.data.strip()),
        )
        return redirect(url_for("meetings.attendance", meeting_id=meeting.id))
    return _attendance_page(meeting, walk_in)


def _mark(meeting, mark: MarkForm):
    """One participant's button on the attendance page; back to their row."""
    participant = next((p for p in meeting.participants if p.id == mark.participant.data), None)
    status = mark.status.data or ""
    if participant is None or status not in AttendanceStatus._value2member_map_:
        abort(400)
    commit_change(
        lambda: services.mark_attendance(
            meeting, participant, AttendanceStatus(status), mark.proxy_name.data or "", utcnow()
        )
    )
    return redirect(url_for("meetings.attendance", meeting_id=meeting.id) + f"#p{participant.id}")


def _attendance_page(meeting, walk_in: WalkInForm):
    has_unlinked = any(p.is_walk_in and p.person_id is None for p in meeting.participants)
    now = utcnow()
    return render_template(
        "meetings/attendance.html",
        meeting=meeting,
        walk_in=walk_in,
        people=directory.person_choices(meeting.hub_id) if has_unlinked else [],
        statuses=[s for s in services.allowed_statuses(meeting, now) if s is not AttendanceStatus.INVITED],
        is_held=meeting.is_held(now),
        can_mark_held=services.can_mark_held(meeting, now),
        counts=_attendance_counts(meeting),
        S=AttendanceStatus,
    )


@roles_required(*HUB_EDITORS)
def mark_held(meeting_id: int):
    """「開催済みにする」: record attendance before the start time, on the meeting's day."""
    meeting = hub_object_or_404(services.get_meeting, meeting_id)
    commit_change(lambda: services.mark_held(meeting, utcnow()), _("開催済みにしました。出席・欠席を記録できます。"))
    return redirect(url_for("meetings.attendance", meeting_id=meeting.id))


@roles_required(*HUB_EDITORS)
def link_walk_in(meeting_id: int, participant_id: int):
    """Tie a walk-in to the directory person they turned out to be."""
    meeting = hub_object_or_404(services.get_meeting, meeting_id)
    participant = found_or_404(next((p for p in meeting.participants if p.id == participant_id and p.is_walk_in), None))
    person = found_or_404(directory.get_person(meeting.hub_id, LinkWalkInForm().person_id.data or 0))
    commit_change(
        lambda: services.link_walk_in(participant, person),
        _("「%(name)s」さんを地域資源の関係者と結び付けました。", name=participant.name),
    )
    return redirect(url_for("meetings.attendance", meeting_id=meeting.id) + f"#p{participant.id}")


@roles_required(*HUB_EDITORS)
def results(meeting_id: int):
    """Head counts (public events) and survey results."""
    meeting = hub_object_or_404(services.get_meeting, meeting_id)
    headcount, survey = HeadcountForm(obj=meeting, prefix="hc"), SurveyForm(obj=meeting, prefix="sv")
    if headcount.submit.data and headcount.validate_on_submit():
        change, form = lambda: services.set_headcounts(meeting, *headcount.counts()), headcount
    elif survey.submit.data and survey.validate_on_submit():
        change, form = lambda: services.set_survey(meeting, *survey.answers()), survey
    else:
        change = form = None
    if change is not None and commit_change(change, _("保存しました。"), form):
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/results.html", meeting=meeting, headcount=headcount, survey=survey)


# --- issues and countermeasures ----------------------------------------------------------------------


@roles_required(*ALL_ROLES)
def issues():
    include_closed = request.args.get("closed") == "1"
    return render_template(
        "meetings/issues.html",
        issues=services.issues(_hub().id, include_closed),
        include_closed=include_closed,
        can_edit=current_user.role in HUB_EDITORS,
    )


@roles_required(*HUB_EDITORS)
def issue_new(meeting_id: int):
    meeting = hub_object_or_404(services.get_meeting, meeting_id)
    form = IssueForm()

    def record_issue():
        issue = services.create_issue(
            meeting.hub_id,
            meeting,
            form.title.data,
            form.description.data or "",
            form.owner.data or "",
            form.due_on.data,
            meeting.fiscal_year,
        )
        if (form.countermeasure.data or "").strip():
            services.add_countermeasure(
                issue, meeting, form.countermeasure.data, form.owner.data or "", form.due_on.data
            )

    if form.validate_on_submit() and commit_change(record_issue, _("課題を記録しました。"), form, {"": "title"}):
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/issue_new.html", form=form, meeting=meeting)


def _issue_forms(hub_id: int):
    measure, status = CountermeasureForm(prefix="cm"), IssueStatusForm(prefix="st")
    status.fill_choices()
    overview = services.year_overview(hub_id, FiscalYear.of(today()), utcnow(), [])
    measure.meeting_id.choices = [(0, _("（会議外）"))] + [
        (r.meeting.id, f"{r.meeting.starts_at.astimezone(JST):%Y/%m/%d} {r.meeting.title}") for r in overview.rows
    ]
    return measure, status


@roles_required(*ALL_ROLES)
def issue(issue_id: int):
    found = hub_object_or_404(services.get_issue, issue_id)
    measure, status = _issue_forms(found.hub_id)
    status.status.data = found.status.value
    return render_template(
        "meetings/issue.html", issue=found, measure=measure, status=status, can_edit=current_user.role in HUB_EDITORS
    )


@roles_required(*HUB_EDITORS)
def issue_update(issue_id: int):
    found = hub_object_or_404(services.get_issue, issue_id)
    measure, status = _issue_forms(found.hub_id)
    if measure.submit.data and measure.validate_on_submit():
        meeting = services.get_meeting(found.hub_id, measure.meeting_id.data) if measure.meeting_id.data else None
        if commit_change(
            lambda: services.add_countermeasure(
                found, meeting, measure.description.data, measure.owner.data or "", measure.due_on.data
            ),
            _("対応策を記録しました。"),
            measure,
        ):
            return redirect(url_for("meetings.issue", issue_id=found.id))
    if status.submit.data and status.validate_on_submit():
        chosen = IssueStatus(status.status.data)
        if commit_change(
            lambda: services.set_issue_status(found, chosen, today()),
            _("状態を「%(status)s」にしました。", status=chosen.label),
            status,
        ):
            return redirect(url_for("meetings.issue", issue_id=found.id))
    return render_template("meetings/issue.html", issue=found, measure=measure, status=status, can_edit=True)
