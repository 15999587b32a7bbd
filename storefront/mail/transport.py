"""Hand a message to SMTP, or to the log when no mail server is configured."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from flask import current_app

from storefront.mail.models import OutboxMessage
from storefront.settings.services import shop_info


def build_message(message: OutboxMessage, sender: str,
                  reply_to: str | None = None) -> EmailMessage:
    """A multipart/alternative e-mail with a text part and an HTML part; answers go to
    ``reply_to`` (the shop's contact e-mail) when there is one."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    if reply_to:
        email["Reply-To"] = reply_to
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}")
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


def _connect(config) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        return smtplib.SMTP_SSL(host, port, timeout=timeout)
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if config["MAIL_USE_TLS"]:
        smtp.starttls()
    return smtp


def send(messages: list[OutboxMessage]) -> dict[int, str | None]:
    """Send each message; return an error text (or None for success) per message id.

    An error reaching the server at all is raised, so the caller can keep every
    message for a later try.
    """
    config = current_app.config
    sender = config["MAIL_DEFAULT_SENDER"]
    contact = shop_info().email
    reply_to = contact if contact and contact != parseaddr(sender)[1] else None
    if not config["MAIL_SERVER"]:
        for message in messages:
            current_app.logger.info(
                "E-mail (no MAIL_SERVER set, not sent)\nTo: %s\nSubject: %s\n\n%s",
                message.recipient, message.subject, message.text_body,
            )
        return {message.id: None for message in messages}
    results: dict[int, str | None] = {}
    with _connect(config) as smtp:
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        for message in messages:
            try:
                smtp.send_message(build_message(message, sender, reply_to))
                results[message.id] = None
            except smtplib.SMTPRecipientsRefused as error:
                results[message.id] = f"recipient refused: {error.recipients}"[:500]
    return results
