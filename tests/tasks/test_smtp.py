"""The outbox relay against a real SMTP server (aiosmtpd): delivery, templates, failures, backoff, resend."""

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, EmailOutbox
from app.services import clock, mailer, notify
from app.services.errors import Conflict, Forbidden, NotFound


def _rows():
    db.session.expire_all()
    return db.session.execute(select(EmailOutbox).order_by(EmailOutbox.id)).scalars().all()


def _queue(n=1, to="budi@uji.local", subject="Pesanan PO-1: Dipesan"):
    for i in range(n):
        notify.queue_email(to, subject, f"Isi {i}", key=f"uji:{i}:{to}")
    db.session.commit()


def test_templated_order_email_is_received_in_indonesian_with_text_and_html(f, smtp):
    s = f.scenario(until="dipesan")
    p = s["pesanan"]
    rows = _rows()
    assert rows and all(r.status == "queued" and r.body_html for r in rows)

    result = mailer.send_due()

    assert result["sent"] == len(rows) and result["retry"] == result["failed"] == 0
    assert smtp.recipients() == sorted({s["pembeli"].email, s["penyedia_user"].email})
    for msg, row in zip(smtp.messages(), rows, strict=True):
        assert msg["Subject"] == f"Pesanan {p.nomor}: Dipesan"
        assert msg["To"] == row.to_addr
        assert msg["Message-ID"] == mailer.message_id(row.idempotency_key)
        assert msg.get_content_type() == "multipart/alternative"
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert f"Pesanan {p.nomor} kini berstatus Dipesan." in text
        assert "Lihat Pesanan" in text and f"/pesanan/{p.id}" in text
        assert p.nomor in html and f'href="http://localhost/pesanan/{p.id}"' in html
        assert '<html lang="id">' in html
    assert all(r.status == "sent" and r.sent_at is not None and r.attempts == 1 for r in _rows())


def test_non_ascii_subject_is_rfc2047_encoded_and_decodes_back(smtp):
    subject = "Pengingat — batas 3×24 jam: Pesanan PO-9 menunggu konfirmasi"
    notify.queue_email("siti@uji.local", subject, "Isi pengingat", key="pengingat:uji")
    db.session.commit()

    mailer.send_due()

    (envelope,) = smtp.envelopes
    raw_headers = envelope.content.split(b"\r\n\r\n", 1)[0].decode("ascii")  # 7-bit on the wire
    raw_subject = re.search(r"^Subject: (.*(?:\r\n .*)*)", raw_headers, re.M).group(1)
    assert "=?utf-8?" in raw_subject and "—" not in raw_subject  # RFC 2047 encoded ...
    (msg,) = smtp.messages()
    assert msg["Subject"] == subject  # ... and decoded back to the Indonesian text
    assert envelope.rcpt_tos == ["siti@uji.local"]
    assert msg.get_content_type() == "text/plain"  # no HTML body queued, no HTML part sent


def test_template_renders_without_a_request(app, f):
    """Jobs (the deadline sweep) change orders outside any request: the email must still render."""
    s = f.scenario(until="detail")
    with app.app_context():  # a fresh context, like a worker's
        text, html = notify.render_email(
            "pesanan_berubah", subject="S", nomor="PO-1", status="Dipesan", aksi="Konfirmasi", tautan=None
        )
    assert "PO-1" in text and "Dipesan" in html and "Lihat Pesanan" not in text
    assert s["pesanan"].id


def test_kirim_template_queues_text_and_html(smtp):
    notify.kirim_template(
        "ani@uji.local",
        "pesanan_berubah",
        dict(nomor="PO-7", status="Diproses", aksi="Konfirmasi", tautan="http://portal.local/pesanan/7"),
        key="uji:template",
        subject="Pesanan PO-7: Diproses",
    )
    db.session.commit()
    mailer.send_due()
    (msg,) = smtp.messages()
    assert msg["Subject"] == "Pesanan PO-7: Diproses"
    assert "http://portal.local/pesanan/7" in msg.get_body(("plain",)).get_content()
    assert 'href="http://portal.local/pesanan/7"' in msg.get_body(("html",)).get_content()


def test_without_mail_server_the_message_is_logged_and_marked_sent(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    # migrations/env.py's logging.config.fileConfig (run by the session's upgrade()) disables loggers
    # that already exist; a worker process never runs it.
    monkeypatch.setattr(mailer.log, "disabled", False)
    _queue(2)
    with caplog.at_level(logging.INFO, logger="app.services.mailer"):
        assert mailer.send_due()["sent"] == 2
    assert "subject=Pesanan PO-1: Dipesan" in caplog.text
    assert [r.status for r in _rows()] == ["sent", "sent"]


def test_smtp_down_then_up_sends_exactly_once(smtp_down):
    _queue(3)
    t0 = clock.now()

    result = mailer.send_due()

    assert result == {"sent": 0, "retry": 3, "failed": 0, "reclaimed": 0}
    for row in _rows():
        assert (row.status, row.attempts) == ("queued", 1)
        assert row.next_attempt_at >= t0 + timedelta(minutes=1)
        assert "Connection" in row.last_error or "refused" in row.last_error.lower()
        assert row.sent_at is None and row.claimed_at is None

    # Not due yet: nothing is tried again before the backoff.
    assert mailer.send_due()["retry"] == 0
    assert {r.attempts for r in _rows()} == {1}

    clock.advance(timedelta(minutes=1, seconds=1))
    assert mailer.send_due()["retry"] == 3
    rows = _rows()
    assert {r.attempts for r in rows} == {2}
    assert all(r.next_attempt_at >= clock.now() + timedelta(minutes=2) - timedelta(seconds=5) for r in rows)

    smtp_down.start()
    clock.advance(timedelta(minutes=1))
    assert mailer.send_due()["sent"] == 0  # still waiting for the 2-minute backoff
    clock.advance(timedelta(minutes=1, seconds=1))
    assert mailer.send_due()["sent"] == 3
    clock.advance(timedelta(hours=5))
    mailer.send_due()
    assert len(smtp_down.envelopes) == 3  # exactly once each
    assert len({m["Message-ID"] for m in smtp_down.messages()}) == 3
    assert [(r.status, r.attempts) for r in _rows()] == [("sent", 3)] * 3


def test_backoff_doubles_and_is_capped(app):
    assert [mailer.backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert mailer.backoff(7) == timedelta(hours=1) and mailer.backoff(20) == timedelta(hours=1)


def test_after_max_attempts_failed_then_admin_resends_over_http(app, f, login, smtp_down):
    _queue(1)
    (row,) = _rows()
    for attempt in range(1, mailer.DEFAULT_MAX_ATTEMPTS + 1):
        mailer.send_due()
        (row,) = _rows()
        assert row.attempts == attempt
        assert row.status == ("failed" if attempt == mailer.DEFAULT_MAX_ATTEMPTS else "queued")
        clock.advance(timedelta(hours=2))
    mailer.send_due()  # a failed row is left alone
    (row,) = _rows()
    assert (row.status, row.attempts) == ("failed", 8) and row.last_error

    admin = f.user("Admin")
    c = login(admin)
    page = c.get("/operasi/")
    assert page.status_code == 200
    assert f'/operasi/kirim-ulang/{row.id}"'.encode() in page.data

    resp = c.post(f"/operasi/kirim-ulang/{row.id}")
    assert resp.status_code == 302
    (row,) = _rows()
    assert (row.status, row.attempts) == ("queued", 0)
    audit = db.session.execute(select(AuditLog).where(AuditLog.entity == "email_outbox")).scalars().all()
    assert [(a.entity_id, a.action, a.actor_id, a.from_status, a.to_status) for a in audit] == [
        (row.id, "kirim_ulang", admin.id, "failed", "queued")
    ]

    smtp_down.start()
    assert mailer.send_due()["sent"] == 1
    (row,) = _rows()
    assert (row.status, row.attempts) == ("sent", 1)
    assert smtp_down.recipients() == ["budi@uji.local"]
    # A second resend of a row that is no longer failed changes nothing.
    c.post(f"/operasi/kirim-ulang/{row.id}")
    assert _rows()[0].status == "sent"
    assert len(db.session.execute(select(AuditLog).where(AuditLog.entity == "email_outbox")).all()) == 1


def test_permanent_refusal_fails_at_once_temporary_is_retried(smtp):
    smtp.handler.refuse["tidakada@uji.local"] = "550 5.1.1 Alamat tidak dikenal"
    smtp.handler.refuse["penuh@uji.local"] = "452 4.2.2 Kotak surat penuh"
    for to in ("tidakada@uji.local", "penuh@uji.local", "ada@uji.local"):
        notify.queue_email(to, "Subjek", "Isi", key=f"k:{to}")
    db.session.commit()

    assert mailer.send_due() == {"sent": 1, "retry": 1, "failed": 1, "reclaimed": 0}

    by_to = {r.to_addr: r for r in _rows()}
    assert (by_to["tidakada@uji.local"].status, by_to["tidakada@uji.local"].attempts) == ("failed", 1)
    assert "550" in by_to["tidakada@uji.local"].last_error
    assert by_to["penuh@uji.local"].status == "queued" and "452" in by_to["penuh@uji.local"].last_error
    assert by_to["ada@uji.local"].status == "sent"  # the same connection went on after the refusals
    assert smtp.recipients() == ["ada@uji.local"]


def test_resend_refuses_a_row_that_did_not_fail(f):
    _queue(1)
    (row,) = _rows()
    with pytest.raises(Conflict):
        mailer.resend(row.id, f.user("Admin"))
    with pytest.raises(NotFound):
        mailer.resend(row.id + 999, None)
    row.status = "failed"
    db.session.commit()
    with pytest.raises(Forbidden):  # the service checks the role too, not only the view
        mailer.resend(row.id, f.pembeli())
    assert _rows()[0].status == "failed"
