"""Meetings, who was invited and came (as of that day), documents, issues and countermeasures, feeds.

Program A item 1 (seed 002) asks for multi-disciplinary gatherings at least four times a 年度, one of
them with administrative officials (行政担当官) and facility managers (管理者); its report (§5) asks for
each meeting's attendees by profession and affiliation, the minutes and handouts, the issues found and
their solutions, and survey results. Everything here is kept per hub and per 年度 (``fiscal_year``).
"""

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.vocabulary import (  # noqa: F401 (the meetings' own names)
    LabelledEnum,
    MeetingKind,
    Profession,
    Scene,
    Topic,
    labelled,
)
from hubapp.db import TimestampMixin, UTCDateTime, enum_column
from hubapp.extensions import db


class AttendanceStatus(LabelledEnum):
    """未回答, the RSVPs given before the meeting (出席予定・欠席予定), and what happened (出席・欠席・代理出席).

    Only a held meeting (started, or marked 開催済み) takes 出席・欠席・代理出席; before that an answer is an
    RSVP and counts for nothing in the 年度's figures (only what happened counts)."""

    INVITED = "invited"
    ATTENDING = "attending"
    DECLINED = "declined"
    PRESENT = "present"
    ABSENT = "absent"
    PROXY = "proxy"

    @property
    def attended(self) -> bool:
        return self in (AttendanceStatus.PRESENT, AttendanceStatus.PROXY)

    @property
    def is_rsvp(self) -> bool:
        """An answer before the meeting (or none yet)."""
        return self in (AttendanceStatus.INVITED, AttendanceStatus.ATTENDING, AttendanceStatus.DECLINED)


#: What may be recorded before the meeting is held, and after.
RSVP_STATUSES = (AttendanceStatus.INVITED, AttendanceStatus.ATTENDING, AttendanceStatus.DECLINED)
HELD_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.PROXY, AttendanceStatus.INVITED)


class DocumentKind(LabelledEnum):
    MINUTES = "minutes"
    HANDOUT = "handout"
    SURVEY = "survey"
    OTHER = "other"


class IssueStatus(LabelledEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


LABELS: dict[type, dict] = {
    AttendanceStatus: {
        AttendanceStatus.INVITED: _l("未回答"),
        AttendanceStatus.ATTENDING: _l("出席予定"),
        AttendanceStatus.DECLINED: _l("欠席予定"),
        AttendanceStatus.PRESENT: _l("出席"),
        AttendanceStatus.ABSENT: _l("欠席"),
        AttendanceStatus.PROXY: _l("代理出席"),
    },
    DocumentKind: {
        DocumentKind.MINUTES: _l("議事要旨"),
        DocumentKind.HANDOUT: _l("配布資料"),
        DocumentKind.SURVEY: _l("アンケート"),
        DocumentKind.OTHER: _l("その他"),
    },
    IssueStatus: {
        IssueStatus.OPEN: _l("未着手"),
        IssueStatus.IN_PROGRESS: _l("対応中"),
        IssueStatus.CLOSED: _l("完了"),
    },
}
for _enum, _labels in LABELS.items():
    labelled(_enum, _labels)


def _new_uid() -> str:
    return f"{uuid.uuid4()}@hubapp"


class Meeting(TimestampMixin, db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: 年度 of the meeting's date in Japan (set from starts_at), so per-年度 questions use an index.
    fiscal_year: Mapped[int]
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    agenda: Mapped[str] = mapped_column(sa.Text, default="")
    #: 議事要旨 as text (files go to documents).
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    organizer_name: Mapped[str] = mapped_column(sa.String(120), default="")
    organizer_email: Mapped[str] = mapped_column(sa.String(200), default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: 開催済み marked by the coordinator (on the meeting's day, before its start time): attendance may be
    #: recorded from then on. A meeting is held once it started or was marked so (and is not cancelled).
    held_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: iCalendar identity: the same UID forever, SEQUENCE bumped at every change sent to invitees.
    ical_uid: Mapped[str] = mapped_column(sa.String(120), unique=True, default=_new_uid)
    ical_sequence: Mapped[int] = mapped_column(default=0)
    #: Public events: head counts by category instead of names.
    headcount_residents: Mapped[int | None]
    headcount_families: Mapped[int | None]
    headcount_professionals: Mapped[int | None]
    #: Survey results (program A §5 outcomes): responses and satisfaction counts, free comments.
    survey_responses: Mapped[int | None]
    survey_satisfied: Mapped[int | None]
    survey_neutral: Mapped[int | None]
    survey_dissatisfied: Mapped[int | None]
    survey_comments: Mapped[str] = mapped_column(sa.Text, default="")

    topics: Mapped[list["MeetingTopic"]] = relationship(cascade="all, delete-orphan", order_by="MeetingTopic.topic")
    scenes: Mapped[list["MeetingScene"]] = relationship(cascade="all, delete-orphan", order_by="MeetingScene.scene")
    participants: Mapped[list["Participant"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Participant.sort_key"
    )
    documents: Mapped[list["MeetingDocument"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingDocument.id"
    )

    __table_args__ = (
        sa.Index("ix_meetings_hub_fiscal_year", "hub_id", "fiscal_year", "starts_at"),
        sa.CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
    )

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def is_held(self, now: datetime) -> bool:
        """Took place: not cancelled, and started or marked 開催済み. Only held meetings count anywhere."""
        return not self.is_cancelled and (self.starts_at <= now or self.held_marked_at is not None)

    @classmethod
    def held_clause(cls, now: datetime):
        """:meth:`is_held` as SQL, for the queries that count attendance."""
        return sa.and_(cls.cancelled_at.is_(None), sa.or_(cls.starts_at <= now, cls.held_marked_at.is_not(None)))

    @property
    def topic_values(self) -> set["Topic"]:
        return {t.topic for t in self.topics}

    @property
    def scene_values(self) -> set["Scene"]:
        return {s.scene for s in self.scenes}

    @property
    def is_disaster_related(self) -> bool:
        """A disaster-preparedness meeting, or one with 災害時対応 on its agenda (program A item 6)."""
        return self.kind == MeetingKind.DISASTER or Topic.DISASTER in self.topic_values


@sa.event.listens_for(Meeting, "before_insert")
@sa.event.listens_for(Meeting, "before_update")
def _set_fiscal_year(mapper, connection, target: Meeting) -> None:
    from hubapp.core.services import JST

    target.fiscal_year = FiscalYear.of(target.starts_at.astimezone(JST).date()).year


class MeetingTopic(db.Model):
    __tablename__ = "meeting_topics"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[Topic] = mapped_column(enum_column(Topic), primary_key=True)


class MeetingScene(db.Model):
    __tablename__ = "meeting_scenes"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    scene: Mapped[Scene] = mapped_column(enum_column(Scene), primary_key=True)


class Participant(TimestampMixin, db.Model):
    """An invitee or attendee. Name, profession and affiliation are copied when the person is invited
    and again when attendance is marked — as of that day — and never rewritten by later changes to the
    directory (program A §5 reports attendees by profession and affiliation at the time)."""

    __tablename__ = "meeting_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    #: The directory person; None for a walk-in not (yet) in the directory.
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus), default=AttendanceStatus.INVITED)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: 代理出席: who came in the invitee's place.
    proxy_name: Mapped[str] = mapped_column(sa.String(80), default="")
    is_walk_in: Mapped[bool] = mapped_column(default=False)
    # --- the snapshot, as of the day -------------------------------------------------------------
    name: Mapped[str] = mapped_column(sa.String(80))
    name_kana: Mapped[str] = mapped_column(sa.String(160), default="")
    #: 職種 at the time.
    profession: Mapped[Profession] = mapped_column(enum_column(Profession))
    #: 所属機関 at the time (the directory row, if any, and its name as it was).
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    organisation_name: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation_type: Mapped[str] = mapped_column(sa.String(40), default="")
    municipality_code: Mapped[str | None] = mapped_column(sa.String(6))
    #: 管理者 / 行政担当 at the time: program A item 1's meeting with officials and managers.
    is_manager: Mapped[bool] = mapped_column(default=False)
    is_admin_officer: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str] = mapped_column(sa.String(200), default="")
    sort_key: Mapped[str] = mapped_column(sa.String(160), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="participants")

    __table_args__ = (
        sa.Index(
            "uq_meeting_participants_meeting_person",
            "meeting_id",
            "person_id",
            unique=True,
            sqlite_where=sa.text("person_id IS NOT NULL"),
            postgresql_where=sa.text("person_id IS NOT NULL"),
        ),
    )


class MeetingDocument(TimestampMixin, db.Model):
    """議事要旨・配布資料・アンケート: stored under instance/uploads (never static/)."""

    __tablename__ = "meeting_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    #: The name shown and offered on download (cleaned: no folders).
    filename: Mapped[str] = mapped_column(sa.String(200))
    #: The file's name on disk: random, never derived from the upload's name.
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    meeting: Mapped[Meeting] = relationship(back_populates="documents")


class MeetingIssue(TimestampMixin, db.Model):
    """課題: raised at a meeting, carried across meetings until closed."""

    __tablename__ = "meeting_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    raised_at_meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="SET NULL"))
    #: 年度 it was raised in.
    fiscal_year: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    owner: Mapped[str] = mapped_column(sa.String(120), default="")
    due_on: Mapped[date | None]
    status: Mapped[IssueStatus] = mapped_column(enum_column(IssueStatus), default=IssueStatus.OPEN)
    closed_on: Mapped[date | None]

    raised_at: Mapped[Meeting | None] = relationship()
    countermeasures: Mapped[list["Countermeasure"]] = relationship(
        back_populates="issue", cascade="all, delete-orphan", order_by="Countermeasure.id"
    )

    __table_args__ = (sa.Index("ix_meeting_issues_hub_status", "hub_id", "status", "fiscal_year"),)


class Countermeasure(TimestampMixin, db.Model):
    """対応策 for an issue, discussed at a meeting, with its own owner, due date and status."""

    __tablename__ = "countermeasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_issues.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[str] = mapped_column(sa.String(120), default="")
    due_on: Mapped[date | None]
    status: Mapped[IssueStatus] = mapped_column(enum_column(IssueStatus), default=IssueStatus.OPEN)

    issue: Mapped[MeetingIssue] = relationship(back_populates="countermeasures")
    meeting: Mapped[Meeting | None] = relationship()


class CalendarFeed(TimestampMixin, db.Model):
    """A hub's meeting-calendar subscription: the token is shown once; only its hash is kept."""

    __tablename__ = "calendar_feeds"
    __audit_masked__ = frozenset({"token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(sa.ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
