"""Sending e-mail: through the configured SMTP server, or into ``instance/outbox/`` without one.

Configuration (hubapp/config.py): ``MAIL_SERVER`` and ``MAIL_PORT``; ``MAIL_USE_TLS`` for STARTTLS;
``MAIL_USERNAME`` / ``MAIL_PASSWORD`` to log in; ``MAIL_SENDER`` for From; ``MAIL_TIMEOUT`` (seconds,
optional, 30 by default). Without ``MAIL_SERVER`` (development) every message is written as an .eml
file to ``instance/outbox/<UTC timestamp>-<random>.eml``, which any mail client opens.

- :func:`send` sends one message and raises on failure (``smtplib.SMTPException`` or ``OSError``).
- :func:`send_all` sends several over one connection and never raises for a mail failure: each
  failure is logged (``current_app.logger.warning``) and the count actually sent is returned, so a
  caller that already changed the database can commit and tell the user how many went out.
- :func:`calendar_message` builds an invitation as Outlook and Gmail recognise it: a text body and an
  iCalendar part ``text/calendar; method=REQUEST; charset=UTF-8`` named ``invite.ics``.
"""

import secrets
import smtplib
import ssl
from collections.abc import Iterable
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from flask import current_app

#: What a failed delivery raises: the server's refusals and the network's errors.
MAIL_ERRORS = (smtplib.SMTPException, OSError)
DEFAULT_TIMEOUT = 30


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def sender_address() -> str:
    return current_app.config.get("MAIL_SENDER") or "hubapp@localhost"


def calendar_message(
    *,
    to: Address | str,
    subject: str,
    body: str,
    ics: bytes,
    method: str = "REQUEST",
    sender: Address | str | None = None,
    reply_to: Address | str | None = None,
    filename: str = "invite.ics",
) -> EmailMessage:
    """A message with a plain-text body and the iCalendar object attached as ``text/calendar`` with
    its iTIP ``method`` (REQUEST, CANCEL) and ``charset=UTF-8``: the part Outlook and Gmail turn into
    an invitation with 「承諾/辞退」 buttons. Base64 keeps the object's CRLF line ends byte for byte."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender or sender_address()
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = parseaddr(str(message["From"]))[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body, subtype="plain", charset="utf-8")
    message.add_attachment(
        ics,
        maintype="text",
        subtype="calendar",
        filename=filename,
        params={"method": method, "charset": "UTF-8", "name": filename},
    )
    # Outlook files a message with this header as a meeting request (set last: set_content and
    # add_attachment move or drop every Content-* header of the top level).
    message["Content-Class"] = "urn:content-classes:calendarmessage"
    return message


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(
        config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
        timeout=float(config.get("MAIL_TIMEOUT") or DEFAULT_TIMEOUT),
    )
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except MAIL_ERRORS:
        smtp.close()


def write_to_outbox(message: EmailMessage) -> Path:
    """Write the message as ``instance/outbox/<UTC timestamp>-<random>.eml`` (never overwriting)."""
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
    path = folder / name
    with path.open("xb") as f:
        f.write(message.as_bytes(policy=SMTP_POLICY))
    current_app.logger.info("mail to %s written to %s (no MAIL_SERVER)", message["To"], path)
    return path


def send(message: EmailMessage) -> None:
    """Send one message (From defaults to MAIL_SENDER); raises ``smtplib.SMTPException``/``OSError``."""
    if "From" not in message:
        message["From"] = sender_address()
    if not current_app.config.get("MAIL_SERVER"):
        write_to_outbox(message)
        return
    smtp = _connect()
    try:
        smtp.send_message(message)
    finally:
        _close(smtp)


def send_all(messages: Iterable[EmailMessage]) -> int:
    """Send the messages over one connection; returns how many were accepted. Failures are logged,
    not raised: a refused recipient skips that message, a lost connection the rest."""
    messages = list(messages)
    if not messages:
        return 0
    for message in messages:
        if "From" not in message:
            message["From"] = sender_address()
    logger = current_app.logger
    if not current_app.config.get("MAIL_SERVER"):
        written = 0
        for message in messages:
            try:
                write_to_outbox(message)
            except OSError as error:
                logger.warning("mail to %s not written to the outbox: %s", message["To"], error)
            else:
                written += 1
        return written
    try:
        smtp = _connect()
    except MAIL_ERRORS as error:
        logger.warning("SMTP server %s unreachable, %d message(s) not sent: %s",
                       current_app.config["MAIL_SERVER"], len(messages), error)
        return 0
    sent = 0
    try:
        for index, message in enumerate(messages):
            # SMTPException is an OSError: the lost connection is told apart first, then a refusal.
            try:
                smtp.send_message(message)
            except smtplib.SMTPServerDisconnected as error:
                logger.warning("SMTP connection lost, %d message(s) not sent: %s", len(messages) - index, error)
                break
            except smtplib.SMTPException as error:
                logger.warning("mail to %s not sent: %s", message["To"], error)
            except OSError as error:
                logger.warning("SMTP connection failed, %d message(s) not sent: %s", len(messages) - index, error)
                break
            else:
                sent += 1
    finally:
        _close(smtp)
    return sent
