"""Invitations by e-mail, captured by a real SMTP server in this process (aiosmtpd), and the outbox
folder used when no server is configured."""

import email
import logging
import socket
from email.policy import default as default_policy
from pathlib import Path

import pytest
import vobject
from aiosmtpd.controller import Controller

from hubapp.common import mail
from hubapp.directory.models import Profession
from hubapp.meetings import notify, services
from tests.support.meetings import TITLE, invite, meeting_values, new_meeting

SENDER = "hub-office@example.jp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and refuses the addresses in ``refuse``."""

    def __init__(self):
        self.envelopes = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=default_policy) for e in self.envelopes]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def app_config(app_config, request):
    """The app sends to the test's SMTP server when the test uses ``smtp``; else MAIL_SERVER is unset."""
    app_config["MAIL_SENDER"] = SENDER
    if "smtp" in request.fixturenames:
        app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=request.getfixturevalue("smtp").port, MAIL_TIMEOUT=5)
    return app_config


@pytest.fixture
def people(create_person):
    return [
        create_person("山田 花子", email="hanako.yamada@example.jp").id,
        create_person("佐藤 一郎", Profession.PHARMACIST, email="ichiro.sato@example.jp").id,
        create_person("鈴木 三郎").id,  # no address: not written to
    ]


def calendar_part(message):
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.walk()]
    return parts[0]


def test_invitation_reaches_the_smtp_server_with_its_ics(app_ctx, hub, people, smtp):
    meeting = new_meeting(hub.id)
    added = invite(meeting, *people)

    assert notify.send_invitations(meeting, added) == 2

    assert sorted(e.rcpt_tos[0] for e in smtp.envelopes) == ["hanako.yamada@example.jp", "ichiro.sato@example.jp"]
    assert all(len(e.rcpt_tos) == 1 and e.mail_from == SENDER for e in smtp.envelopes)
    message = next(m for m in smtp.messages() if "hanako.yamada@example.jp" in m["To"])
    assert message["Subject"] == f"【会議のご案内】{TITLE}（令和8年11月24日（火））"
    assert message["To"].addresses[0].display_name == "山田 花子"
    assert message["From"].addresses[0].addr_spec == SENDER
    assert message["From"].addresses[0].display_name == "北総テスト在宅医療連携センター"
    assert message["Reply-To"].addresses[0].addr_spec == "office@hokuso.example.jp"
    assert message["Content-Class"] == "urn:content-classes:calendarmessage"

    body = message.get_body(("plain",)).get_content()
    assert body.startswith("山田 花子 様\n")
    assert "日時：令和8年11月24日（火） 18:30〜20:00" in body
    assert "会場：香取市役所 3階 大会議室" in body
    assert "オンライン参加：https://meet.example.jp/hokuso-3" in body
    assert "退院前カンファレンス" in body

    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    assert part.get_filename() == "invite.ics"
    assert part.get_param("name") == "invite.ics"
    ics = part.get_payload(decode=True)
    calendar = vobject.readOne(ics.decode("utf-8"))
    assert calendar.method.value == "REQUEST"
    event = calendar.vevent
    assert event.uid.value == meeting.ical_uid
    assert event.summary.value == TITLE
    # Each recipient sees themself alone among the attendees.
    assert [a.value for a in event.contents["attendee"]] == ["mailto:hanako.yamada@example.jp"]
    assert event.organizer.value == "mailto:office@hokuso.example.jp"


def test_update_and_cancellation_go_to_every_invitee_but_walk_ins(app_ctx, hub, people, smtp):
    meeting = new_meeting(hub.id)
    invite(meeting, *people)
    services.add_walk_in(meeting, "飛び入り 太郎", Profession.CARE_MANAGER, "")

    moved = meeting_values(
        starts_at=meeting.starts_at.replace(hour=10), ends_at=meeting.ends_at.replace(hour=11)
    )
    _saved, changed = services.save_meeting(hub.id, moved, [], [], meeting)
    assert changed
    assert notify.send_update(meeting) == 2
    update = smtp.messages()[-1]
    assert update["Subject"].startswith("【変更】")
    event = vobject.readOne(calendar_part(update).get_payload(decode=True).decode()).vevent
    assert int(event.sequence.value) == 1
    assert event.uid.value == meeting.ical_uid

    services.cancel_meeting(meeting)
    assert notify.send_cancellation(meeting) == 2
    cancellation = smtp.messages()[-1]
    assert cancellation["Subject"].startswith("【中止】")
    assert "中止となりました" in cancellation.get_body(("plain",)).get_content()
    part = calendar_part(cancellation)
    assert part.get_param("method") == "CANCEL"
    calendar = vobject.readOne(part.get_payload(decode=True).decode())
    assert calendar.method.value == "CANCEL"
    assert calendar.vevent.status.value == "CANCELLED"
    assert int(calendar.vevent.sequence.value) == 2
    assert len(smtp.envelopes) == 4  # 2 updates, 2 cancellations; the walk-in got neither
    # A cancelled meeting gets no further updates.
    assert notify.send_update(meeting) == 0


def test_a_refused_recipient_is_logged_and_not_counted(app_ctx, hub, people, smtp, caplog):
    meeting = new_meeting(hub.id)
    added = invite(meeting, *people)
    smtp.refuse.add("ichiro.sato@example.jp")

    with caplog.at_level(logging.WARNING):
        assert notify.send_invitations(meeting, added) == 1

    assert [e.rcpt_tos for e in smtp.envelopes] == [["hanako.yamada@example.jp"]]
    assert any("ichiro.sato@example.jp" in r.getMessage() for r in caplog.records)


def test_an_unreachable_server_loses_nothing_but_the_mail(app, app_ctx, hub, people, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nobody listens
    meeting = new_meeting(hub.id)
    added = invite(meeting, *people)

    with caplog.at_level(logging.WARNING):
        assert notify.send_invitations(meeting, added) == 0

    assert any("unreachable" in r.getMessage() for r in caplog.records)
    assert len(meeting.participants) == 3  # the invitations stay, to be committed by the view


def test_send_raises_when_the_server_is_unreachable(app, app_ctx):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    message = mail.calendar_message(to="a@example.jp", subject="件名", body="本文", ics=b"BEGIN:VCALENDAR\r\n")
    with pytest.raises(OSError):
        mail.send(message)


def test_without_a_server_messages_go_to_the_outbox(app, app_ctx, hub, people):
    assert not app.config["MAIL_SERVER"]
    meeting = new_meeting(hub.id)
    added = invite(meeting, *people)

    assert notify.send_invitations(meeting, added) == 2

    outbox = mail.outbox_dir()
    assert outbox == Path(app.instance_path) / "outbox"
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 2
    assert len({f.name for f in files}) == 2
    messages = [email.message_from_bytes(f.read_bytes(), policy=default_policy) for f in files]
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == [
        "hanako.yamada@example.jp", "ichiro.sato@example.jp",
    ]
    part = calendar_part(messages[0])
    assert part.get_param("method") == "REQUEST"
    assert vobject.readOne(part.get_payload(decode=True).decode()).vevent.uid.value == meeting.ical_uid


def test_send_writes_one_message_to_the_outbox(app_ctx):
    message = mail.calendar_message(to="a@example.jp", subject="件名", body="本文", ics=b"BEGIN:VCALENDAR\r\n")
    mail.send(message)
    [written] = mail.outbox_dir().glob("*.eml")
    parsed = email.message_from_bytes(written.read_bytes(), policy=default_policy)
    assert parsed["Subject"] == "件名"
    assert parsed["From"].addresses[0].addr_spec == SENDER
