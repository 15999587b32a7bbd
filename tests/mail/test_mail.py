"""Mail leaves only after the commit, and is kept in the outbox when SMTP is down."""

from sqlalchemy import select

from storefront.extensions import db
from storefront.mail import OutboxMessage, queue_mail, send_outbox
from tests.helpers.apps import free_port


def _queue(app, commit=True):
    with app.test_request_context():
        queue_mail("reader@example.com", "Hello", "confirm_email",
                   user=type("U", (), {"name": "Reader"})(), url="http://shop.test/x")
        if commit:
            db.session.commit()
        else:
            db.session.rollback()


def _outbox(app):
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage)))


def test_mail_is_sent_after_commit(app, db, mailbox):
    _queue(app)
    assert len(mailbox) == 1
    assert mailbox[0]["Subject"] == "Hello"
    [message] = _outbox(app)
    assert message.sent_at is not None
    assert message.attempts == 1


def test_rolled_back_mail_is_never_sent(app, db, mailbox):
    _queue(app, commit=False)
    assert mailbox == []
    assert _outbox(app) == []


def test_mail_waits_in_the_outbox_while_smtp_is_down(app, db, mailbox, monkeypatch):
    working_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    _queue(app)
    [message] = _outbox(app)
    assert message.sent_at is None
    assert "unavailable" in message.last_error
    assert mailbox == []

    monkeypatch.setitem(app.config, "MAIL_PORT", working_port)
    result = app.test_cli_runner().invoke(args=["send-outbox"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 message(s); 0 still waiting." in result.output
    assert len(mailbox) == 1
    [message] = _outbox(app)
    assert message.sent_at is not None
    assert message.attempts == 2


def test_send_outbox_reports_what_is_still_waiting(app, db, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    _queue(app)
    with app.app_context():
        sent, unsent = send_outbox()
        db.session.commit()
    assert (sent, unsent) == (0, 1)


def test_without_a_mail_server_mail_goes_to_the_log(app, db, caplog):
    _queue(app)
    assert "Subject: Hello" in caplog.text
    [message] = _outbox(app)
    assert message.sent_at is not None
