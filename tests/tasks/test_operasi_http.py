"""Admin › Operasional: emails by status with resend, upcoming/overdue deadlines, job runs; Admin only."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Deadline, EmailOutbox
from app.services import clock, mailer, notify


def _section(html, start_id, end_marker):
    start = html.index(f'id="{start_id}"')
    end = html.find(end_marker, start)
    return html[start : end if end != -1 else None]


def _deadline(kind, entity_id, due_at):
    d = Deadline(kind=kind, entity="pesanan", entity_id=entity_id, due_at=due_at, status="aktif")
    d.created_at = clock.now()
    db.session.add(d)
    return d


def test_admin_sees_emails_deadlines_and_runs(app, f, login, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    notify.queue_email("terkirim@uji.local", "Subjek Terkirim", "B", key="k1")
    db.session.commit()
    mailer.send_due()
    notify.queue_email("antre@uji.local", "Subjek Antre", "B", key="k2")
    notify.queue_email("gagal@uji.local", "Subjek Gagal", "B", key="k3")
    db.session.commit()
    db.session.execute(
        update(EmailOutbox)
        .where(EmailOutbox.idempotency_key == "k3")
        .values(status="failed", attempts=8, last_error="550 5.1.1 Alamat tidak dikenal")
    )
    now = clock.now()
    lewat = _deadline("batas_negosiasi", 11, now - timedelta(hours=1))
    segera = _deadline("batas_ttd_sp", 12, now + timedelta(hours=2))
    nanti = _deadline("batas_ppk", 13, now + timedelta(days=2))
    selesai = _deadline("batas_lama", 14, now - timedelta(days=1))
    selesai.status = "selesai"
    db.session.commit()

    c = login(f.user("Admin"))
    resp = c.get("/operasi/")
    assert resp.status_code == 200
    html = resp.data.decode()
    assert re.search(r'id="jumlah-queued">1<', html) and re.search(r'id="jumlah-failed">1<', html)
    assert re.search(r'id="jumlah-sent">1<', html) and re.search(r'id="jumlah-sending">0<', html)
    failed = _section(html, "email-failed", 'class="panel ')
    assert "Subjek Gagal" in failed and "550 5.1.1" in failed and "Kirim Ulang" in failed
    assert 'name="csrf_token"' in failed
    assert "Subjek Antre" in _section(html, "email-queued", 'id="email-sending"')
    assert "Subjek Terkirim" in _section(html, "email-sent", 'id="email-failed"')
    assert html.count("Kirim Ulang") == 1

    overdue = _section(html, "batas-lewat", "</table>")
    upcoming = _section(html, "batas-mendatang", "</table>")
    assert f'data-deadline-id="{lewat.id}"' in overdue and "batas_negosiasi" in overdue
    assert f'data-deadline-id="{segera.id}"' not in overdue
    assert upcoming.index(f'data-deadline-id="{segera.id}"') < upcoming.index(f'data-deadline-id="{nanti.id}"')
    assert f'data-deadline-id="{selesai.id}"' not in html
    assert "WIB" in overdue  # due_at through the `waktu` filter
    runs = _section(html, "tugas-berkala", "</table>")
    assert 'data-run="send_outbox"' in runs and "sent 1, retry 0, failed 0" in runs


def test_admin_page_when_empty(f, login):
    resp = login(f.user("Admin")).get("/operasi/")
    assert resp.status_code == 200
    assert "Tidak ada email." in resp.data.decode()


def test_pembeli_is_refused(f, login):
    notify.queue_email("gagal@uji.local", "S", "B", key="k")
    db.session.commit()
    row = db.session.query(EmailOutbox).one()
    row.status = "failed"
    db.session.commit()
    c = login(f.pembeli())
    assert c.get("/operasi/").status_code == 403
    assert c.post(f"/operasi/kirim-ulang/{row.id}").status_code == 403
    db.session.expire_all()
    assert db.session.get(EmailOutbox, row.id).status == "failed"


def test_anonymous_is_sent_to_login(client):
    resp = client.get("/operasi/")
    assert resp.status_code == 302 and "/login/" in resp.headers["Location"]


# --- demo mailbox (no MAIL_SERVER): every email in full, links clickable -----------------------------------


def test_demo_mailbox_shows_body_and_clickable_links(app, f, login, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    body = (
        "Halo budi,\n\nKlik tautan berikut untuk membuat kata sandi Anda:\n"
        "http://localhost/daftar/kata-sandi/AbC123?x=1&y=2.\n<script>alert(1)</script> javascript:alert(2)"
    )
    notify.queue_email("budi@uji.local", "Buat kata sandi akun Portal Pengadaan", body, key="set_password:1:x")
    db.session.commit()
    html = login(f.user("Admin")).get("/operasi/").data.decode()
    kotak = _section(html, "kotak-demo", 'id="ringkasan-email"')
    assert "Buat kata sandi akun Portal Pengadaan" in kotak and "budi@uji.local" in kotak
    assert "Klik tautan berikut untuk membuat kata sandi Anda:" in kotak
    # the link is clickable, its query kept, the sentence's full stop left outside
    assert (
        '<a href="http://localhost/daftar/kata-sandi/AbC123?x=1&amp;y=2" target="_blank" rel="noopener noreferrer">'
        in kotak
    )
    assert "<script>alert(1)" not in kotak and "&lt;script&gt;alert(1)&lt;/script&gt;" in kotak
    assert 'href="javascript' not in kotak


def test_demo_mailbox_pages_newest_first(app, f, login, monkeypatch):
    from app.views.operasi import DEMO_PAGE_SIZE

    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    total = DEMO_PAGE_SIZE + 3
    for i in range(total):
        notify.queue_email(f"u{i}@uji.local", f"Subjek nomor {i:02d}", "Isi", key=f"k:{i}")
        db.session.commit()
        clock.advance(timedelta(seconds=1))
    c = login(f.user("Admin"))

    def subjects(page):
        html = c.get(f"/operasi/?halaman={page}").data.decode()
        return re.findall(r'class="email-subjek">Subjek nomor (\d+)<', _section(html, "kotak-demo", 'id="ringkasan'))

    first, second = subjects(1), subjects(2)
    assert first == [f"{i:02d}" for i in range(total - 1, total - 1 - DEMO_PAGE_SIZE, -1)]
    assert second == ["02", "01", "00"]
    assert subjects(99) == second  # past the end: the last page
    assert subjects("-5") == first and subjects("abc") == first  # a bad page number is page 1, never a 500
    assert "Halaman 2 dari 2" in c.get("/operasi/?halaman=2").data.decode()


def test_no_demo_mailbox_when_mail_is_sent(app, f, login, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.uji.local")
    notify.queue_email("u@uji.local", "Subjek rahasia", "Isi tautan http://localhost/x", key="k")
    db.session.commit()
    html = login(f.user("Admin")).get("/operasi/").data.decode()
    assert 'id="kotak-demo"' not in html and "Isi tautan" not in html
    assert "Subjek rahasia" in html  # the status lists stay


@pytest.mark.parametrize("role", ["Pembeli", "Penyedia", "Verifikator", "Auditor", "PPK"])
def test_demo_mailbox_is_admin_only(app, f, login, monkeypatch, role):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    notify.queue_email("u@uji.local", "Subjek", "tautan http://localhost/daftar/kata-sandi/RAHASIA", key="k")
    db.session.commit()
    user = f.pembeli() if role == "Pembeli" else f.penyedia_user() if role == "Penyedia" else f.user(role)
    resp = login(user).get("/operasi/?halaman=1")
    assert resp.status_code == 403
    assert b"RAHASIA" not in resp.data
