"""Laporan and Dasbor over HTTP: the stable URLs, scope per role, refusals, the 202/303 job path, the monthly
workbook for Manajemen, and the dashboard showing the workbook's numbers."""

import io
import re
from datetime import timedelta

from openpyxl import load_workbook

from app.extensions import db
from app.models import EmailOutbox, LaporanBerkas
from app.reports import belanja, saringan, tugas
from app.services import clock
from tests.laporan_data import laporan_data  # noqa: F401

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _total(user, **args):
    return belanja.hitung(saringan.baca(args, user), user)["total"]


def test_pages_per_role(data, client, login, f):
    login(data["manajemen"])
    assert client.get("/laporan/").status_code == 200
    assert client.get("/dasbor/").status_code == 200
    for user in (data["k"]["ppk"], data["k"]["pp"], data["selesai"]["pembeli"], data["diproses"]["penyedia_user"]):
        login(user)
        assert client.get("/laporan/").status_code == 200, user.username
        assert client.get("/dasbor/").status_code == 200, user.username
    login(f.user("Verifikator"))
    assert client.get("/laporan/").status_code in (302, 403)
    client.get("/logout/")
    resp = client.get("/laporan/belanja.xlsx")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_workbook_download_matches_the_service(data, client, login):
    m = data["manajemen"]
    login(m)
    resp = client.get("/laporan/belanja.xlsx?dari=2026-01-01&alur=semua")
    assert resp.status_code == 200 and resp.mimetype == XLSX
    assert "attachment" in resp.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(resp.data))
    ws = wb["Ringkasan"]
    values = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)}
    t = _total(m, dari="2026-01-01")
    assert values["Komitmen Setelah Pajak"] == t["komitmen_total"]
    assert values["Realisasi Sebelum Pajak"] == t["realisasi_sebelum"]
    for jenis in ("umkm", "penilaian", "kinerja", "rincian"):
        r = client.get(f"/laporan/{jenis}.xlsx")
        assert r.status_code == 200 and r.mimetype == XLSX, jenis
        load_workbook(io.BytesIO(r.data))


def test_scope_and_other_satker_refused(data, client, login):
    ppk = data["k"]["ppk"]
    login(ppk)
    wb = load_workbook(io.BytesIO(client.get("/laporan/belanja.xlsx").data))
    values = {r[0].value: r[1].value for r in wb["Ringkasan"].iter_rows(min_row=2)}
    assert values["Komitmen Setelah Pajak"] == data["k"]["pesanan"].total
    other = data["selesai"]["pembeli"].satker
    for url in (
        f"/laporan/belanja.xlsx?satker={other.id}",
        f"/laporan/rincian.xlsx?instansi={other.instansi_id}",
        f"/dasbor/?satker={other.id}",
    ):
        resp = client.get(url)
        assert resp.status_code == 404, url
        # the refusal names nothing of the other satker: not its name, not its figures
        assert other.nama.encode() not in resp.data
        assert b"Rp 111.000" not in resp.data and b"Rp 100.000" not in resp.data


def test_bad_input_is_a_message_not_an_error(data, client, login):
    login(data["manajemen"])
    for url, code in (
        ("/laporan/belanja.xlsx?dari=2026-02-30", 400),
        ("/laporan/belanja.xlsx?dari=2026-05-02&sampai=2026-05-01", 400),
        ("/laporan/belanja.xlsx?alur=x", 400),
        ("/laporan/belanja.xlsx?satker=99999999999999999999", 404),
        ("/laporan/belanja.xlsx?kategori=abc", 404),
        ("/laporan/tidakada.xlsx", 404),
        ("/laporan/belanja.csv", 404),
        ("/dasbor/?dari=besok", 400),
        ("/laporan/tugas/999999", 404),
        ("/laporan/berkas/999999", 404),
    ):
        resp = client.get(url)
        assert resp.status_code == code, url
        assert b'id="laporan-galat"' in resp.data, url


def test_job_path_202_then_303_then_the_file(data, client, login, app):
    m = data["manajemen"]
    login(m)
    resp = client.get("/laporan/rincian.xlsx?tugas=1", headers={"Accept": "application/json"})
    assert resp.status_code == 202
    location = resp.headers["Location"]
    assert re.fullmatch(r".*/laporan/tugas/\d+", location)
    # immediate mode (tests) ran the job at once: the poll answers 303 to the file
    poll = client.get(location)
    assert poll.status_code == 303
    berkas = client.get(poll.headers["Location"])
    assert berkas.status_code == 200 and berkas.mimetype == XLSX
    wb = load_workbook(io.BytesIO(berkas.data), read_only=True)
    assert "Rincian" in wb.sheetnames
    row = db.session.execute(db.select(LaporanBerkas)).scalars().one()
    assert row.status == "selesai" and row.progres == 100 and row.baris >= 6
    # listed under Laporan Saya
    page = client.get("/laporan/")
    assert f'id="laporan-{row.id}"'.encode() in page.data
    # large reports take the job path without being asked
    app.config["REPORT_DIRECT_MAX_LINES"] = 0
    try:
        assert client.get("/laporan/rincian.xlsx").status_code == 202
    finally:
        app.config["REPORT_DIRECT_MAX_LINES"] = 20000
    # the page's own button goes back to the page (no 202 in the browser)
    back = client.get("/laporan/belanja.xlsx?tugas=1&kembali=1&alur=katalog")
    assert (
        back.status_code == 303
        and "/laporan/?" in back.headers["Location"]
        and "alur=katalog" in back.headers["Location"]
    )


def _job(user, status, **kw):
    now = clock.now()
    row = LaporanBerkas(
        user_id=user.id, jenis="rincian", saringan='{"dari": "2026-01-01", "sampai": "2026-12-01", "alur": "semua"}',
        status=status, progres=kw.pop("progres", 0), baris=0, created_at=now, expires_at=now + timedelta(days=7), **kw,
    )  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row


def test_job_progress_failure_and_privacy(data, client, login):
    m = data["manajemen"]
    running = _job(m, "berjalan", progres=40)
    failed = _job(m, "gagal", pesan="Akun yang meminta laporan ini tidak aktif lagi.")
    login(m)
    resp = client.get(f"/laporan/tugas/{running.id}")
    assert (
        resp.status_code == 202
        and resp.json["progres"] == 40
        and resp.headers["Location"].endswith(f"/laporan/tugas/{running.id}")
    )
    assert client.get(f"/laporan/berkas/{running.id}").status_code == 303
    resp = client.get(f"/laporan/tugas/{failed.id}", headers={"Accept": "application/json"})
    assert resp.status_code == 409 and resp.json["status"] == "gagal"
    # another person's job does not exist for you, not even for Manajemen
    login(data["k"]["ppk"])
    assert client.get(f"/laporan/tugas/{running.id}").status_code == 404
    assert client.get(f"/laporan/berkas/{running.id}").status_code == 404
    assert f'id="laporan-{running.id}"'.encode() not in client.get("/laporan/").data


def test_job_runs_with_the_askers_scope(data, client, login):
    ppk = data["k"]["ppk"]
    login(ppk)
    resp = client.get("/laporan/belanja.xlsx?tugas=1", headers={"Accept": "application/json"})
    assert resp.status_code == 202
    file = client.get(client.get(resp.headers["Location"]).headers["Location"])
    values = {r[0].value: r[1].value for r in load_workbook(io.BytesIO(file.data))["Ringkasan"].iter_rows(min_row=2)}
    assert values["Komitmen Setelah Pajak"] == data["k"]["pesanan"].total


def test_monthly_workbook_for_manajemen(data, client, login, app):
    m = data["manajemen"]
    today = clock.today_local()
    next_month = (today.replace(day=28) + timedelta(days=5)).replace(day=1)
    with app.test_request_context():
        pk = tugas.kirim_bulanan(today=next_month)
    row = db.session.get(LaporanBerkas, pk)
    assert row.peran == "Manajemen" and row.user_id is None and row.status == "selesai"
    mails = db.session.execute(db.select(EmailOutbox).where(EmailOutbox.to_addr == m.email)).scalars().all()
    assert len(mails) == 1 and f"/laporan/berkas/{pk}" in mails[0].body_text
    # run twice, one email
    with app.test_request_context():
        tugas.kirim_bulanan(today=next_month)
    assert db.session.query(EmailOutbox).filter_by(to_addr=m.email).count() == 1
    login(m)
    assert client.get(f"/laporan/berkas/{pk}").status_code == 200
    assert f'id="laporan-{pk}"'.encode() in client.get("/laporan/").data
    login(data["k"]["ppk"])
    assert client.get(f"/laporan/berkas/{pk}").status_code == 404


def test_expired_jobs_are_deleted(data, app):
    m = data["manajemen"]
    with app.test_request_context():
        row = tugas.buat("kinerja", saringan.baca({}, m), m)
    import os

    path = tugas.path_of(db.session.get(LaporanBerkas, row.id).stored_name)
    assert os.path.exists(path)
    assert tugas.hapus_kedaluwarsa(clock.now() + timedelta(days=8)) == 1
    assert not os.path.exists(path) and db.session.get(LaporanBerkas, row.id) is None


def test_dashboard_numbers_equal_the_workbook(data, client, login):
    for user in (data["manajemen"], data["k"]["ppk"]):
        login(user)
        page = client.get("/dasbor/?dari=2026-01-01").data.decode()
        shown = int(re.search(r'id="kpi-komitmen" data-nilai="(\d+)"', page).group(1))
        wb = load_workbook(io.BytesIO(client.get("/laporan/belanja.xlsx?dari=2026-01-01").data))
        values = {r[0].value: r[1].value for r in wb["Ringkasan"].iter_rows(min_row=2)}
        assert shown == values["Komitmen Setelah Pajak"] == _total(user, dari="2026-01-01")["komitmen_total"]
        assert 'id="dasbor-data"' in page and "chart.umd.min.js" in page
