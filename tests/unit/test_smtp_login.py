"""SMTP_URL credentials are percent-decoded before signing in, so a password with
reserved characters (@ : / %) works when written the only way a URL allows."""

from __future__ import annotations

from mathvidya.notifications import service

ROW = {"outbox_id": "1", "to_address": "a@example.com", "subject": "s", "body_text": "b", "body_html": None}


class RecordingSmtp:
    logins: list[tuple[str, str]] = []

    def __init__(self, host, port, timeout):
        self.address = (host, port)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        self.logins.append((user, password))

    def send_message(self, message):
        pass


def test_user_and_password_are_percent_decoded(monkeypatch):
    monkeypatch.setattr(service.smtplib, "SMTP", RecordingSmtp)
    RecordingSmtp.logins.clear()
    service.send_over_smtp("smtp+starttls://mailer%40school.in:p%40ss%3Aw%2Fo%25rd@smtp.example.com:587", "x@y", ROW)
    assert RecordingSmtp.logins == [("mailer@school.in", "p@ss:w/o%rd")]


def test_plain_credentials_pass_unchanged(monkeypatch):
    monkeypatch.setattr(service.smtplib, "SMTP", RecordingSmtp)
    RecordingSmtp.logins.clear()
    service.send_over_smtp("smtp://mailer:secret@smtp.example.com:25", "x@y", ROW)
    assert RecordingSmtp.logins == [("mailer", "secret")]
