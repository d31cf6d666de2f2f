"""Telling invitees: iCalendar invitations, updates and cancellations by e-mail (iMIP).

Each invitee gets a message of their own, in Japanese (the invitees are the hub's partners, whatever
language the sending user reads the app in), with the meeting as ``invite.ics``: METHOD:REQUEST for
an invitation or a change (same UID, the SEQUENCE the services bumped), METHOD:CANCEL for a
cancellation. The ATTENDEE in each message is its recipient alone, so no invitee learns the others'
addresses. Walk-ins and participants without an address are not written to.

Mail failures never undo or hide the database change: the views call these functions after the
change and commit afterwards whatever happened. A refused recipient or an unreachable SMTP server is
logged as a warning (hubapp/common/mail.py) and each function returns only the number of messages
actually sent (or written to ``instance/outbox/``), which the views show in their flash message.
"""

from collections.abc import Iterable
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app

from hubapp.common import mail
from hubapp.common.jpcalendar import format_wareki
from hubapp.core.services import JST
from hubapp.meetings import ical
from hubapp.meetings.models import Meeting, Participant

INVITATION, UPDATE, CANCELLATION = "invitation", "update", "cancellation"

SUBJECT_PREFIX = {INVITATION: "【会議のご案内】", UPDATE: "【変更】", CANCELLATION: "【中止】"}
LEAD = {
    INVITATION: "下記のとおり開催いたします。ご出席くださいますようお願い申し上げます。",
    UPDATE: "下記の会議の内容が変更になりました。変更後の内容をご確認ください。",
    CANCELLATION: "下記の会議は中止となりました。ご予定から削除してください。",
}
CALENDAR_NOTE = {
    INVITATION: "添付の invite.ics を開くと、お使いのカレンダーに予定を追加できます。",
    UPDATE: "添付の invite.ics を開くと、カレンダーの予定が変更後の内容に更新されます。",
    CANCELLATION: "添付の invite.ics を開くと、カレンダーから予定が削除されます。",
}


def when(meeting: Meeting) -> str:
    """``令和8年11月24日（火） 18:30〜20:00`` in Japan time (both dates when it ends on another day)."""
    start, end = meeting.starts_at.astimezone(JST), meeting.ends_at.astimezone(JST)
    text = f"{format_wareki(start.date(), weekday=True)} {start:%H:%M}〜"
    if end.date() != start.date():
        text += f"{format_wareki(end.date(), weekday=True)} "
    return text + f"{end:%H:%M}"


def subject(meeting: Meeting, kind: str) -> str:
    start = meeting.starts_at.astimezone(JST)
    return f"{SUBJECT_PREFIX[kind]}{meeting.title}（{format_wareki(start.date(), weekday=True)}）"


def body(meeting: Meeting, participant: Participant, kind: str, hub_name: str) -> str:
    lines = [f"{participant.name} 様", "", LEAD[kind], "", f"会議名：{meeting.title}", f"日時：{when(meeting)}"]
    if meeting.place.strip():
        lines.append(f"会場：{meeting.place.strip()}")
    if meeting.online_url.strip():
        lines.append(f"オンライン参加：{meeting.online_url.strip()}")
    if meeting.agenda.strip() and kind != CANCELLATION:
        lines += ["", "議題・内容：", meeting.agenda.strip()]
    organizer = meeting.organizer_name.strip() or hub_name
    lines += ["", f"主催：{organizer}"]
    if meeting.organizer_email.strip():
        lines.append(f"お問い合わせ：{meeting.organizer_email.strip()}")
    lines += ["", CALENDAR_NOTE[kind], "", "――", f"{hub_name}（在宅医療連携ハブから送信）"]
    return "\n".join(lines) + "\n"


def _hub_name(meeting: Meeting) -> str:
    from hubapp.hubs import services as hubs

    hub = hubs.get_hub(meeting.hub_id)
    return hub.name if hub is not None else ""


def _sender(hub_name: str) -> Address:
    """MAIL_SENDER's address, shown as the hub (unless MAIL_SENDER names itself)."""
    display, address = parseaddr(mail.sender_address())
    username, _, domain = address.partition("@")
    return Address(display_name=display or hub_name, username=username, domain=domain or "localhost")


def _reply_to(meeting: Meeting) -> Address | None:
    email = meeting.organizer_email.strip()
    if not email:
        return None
    try:
        return Address(display_name=meeting.organizer_name.strip(), addr_spec=email)
    except (ValueError, IndexError):
        return None


def _messages(meeting: Meeting, participants: Iterable[Participant], kind: str) -> list[EmailMessage]:
    hub_name = _hub_name(meeting)
    sender = _sender(hub_name)
    method = "CANCEL" if kind == CANCELLATION else "REQUEST"
    stamp = datetime.now(JST)
    messages = []
    for participant in participants:
        if not participant.email or participant.is_walk_in:
            continue
        try:
            to = Address(display_name=participant.name, addr_spec=participant.email.strip())
        except (ValueError, IndexError) as error:
            current_app.logger.warning("meeting %s: invalid address %r not written to: %s",
                                       meeting.id, participant.email, error)
            continue
        ics = ical.meeting_calendar(
            meeting, method, attendees=[participant], organizer_email=sender.addr_spec, stamp=stamp
        )
        messages.append(
            mail.calendar_message(
                to=to, subject=subject(meeting, kind), body=body(meeting, participant, kind, hub_name),
                ics=ics, method=method, sender=sender, reply_to=_reply_to(meeting),
            )
        )
    return messages


def send_invitations(meeting: Meeting, participants: Iterable[Participant]) -> int:
    """METHOD:REQUEST to each of the newly invited ``participants`` with an address; the number sent."""
    if meeting.is_cancelled:
        return 0
    return mail.send_all(_messages(meeting, participants, INVITATION))


def send_update(meeting: Meeting) -> int:
    """METHOD:REQUEST with the bumped SEQUENCE to everyone invited (not walk-ins); the number sent."""
    if meeting.is_cancelled:
        return 0
    return mail.send_all(_messages(meeting, ical.invitees(meeting), UPDATE))


def send_cancellation(meeting: Meeting) -> int:
    """METHOD:CANCEL (STATUS:CANCELLED, same UID, higher SEQUENCE) to everyone invited; the number sent."""
    return mail.send_all(_messages(meeting, ical.invitees(meeting), CANCELLATION))
