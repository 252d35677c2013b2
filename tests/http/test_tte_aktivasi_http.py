"""TTE activation over HTTP: the PPK asks with the NIK, the instansi's TTE verifier decides in the queue (another
instansi's verifier and a plain Verifikator cannot), the certificate is issued with a passphrase, revocation
by the owner and by the verifier, the public trust root, and the verification page after a revocation."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import PermohonanTte, SertifikatTte
from app.services import clock, tte, tte_aktivasi
from tests.factories import pdf_bytes
from tests.services.test_tte_aktivasi import NIK

PASS = "passphrase-ppk-2026"


def _text(resp):
    return resp.get_data(as_text=True)


@pytest.fixture
def w(f):
    w = f.akses("aktif")
    w["tte_verifikator"] = f.user("Verifikator TTE", satker=f.satker("skpd", instansi=w["instansi"]))
    w["lain"] = f.user("Verifikator TTE", satker=f.satker("skpd"))
    return w


def test_ppk_asks_verifier_approves_ppk_issues_the_certificate(app, login, w):
    ppk = w["pemohon"]
    c = login(ppk, app.test_client())
    html = _text(c.get("/tte/"))
    assert 'id="status-tte">Tanda Tangan Belum Aktif' in html and 'id="panduan-tte"' in html
    assert 'data-langkah="ajukan"' in html
    # no certificate before the approval, even when posted by hand
    assert c.post("/tte/aktifkan", data={"passphrase": PASS, "passphrase_ulang": PASS}).status_code == 409
    resp = c.post("/tte/ajukan", data={"nik": "3171011708900002"})
    assert resp.status_code == 400 and "tidak sama" in _text(resp)
    assert c.post("/tte/ajukan", data={"nik": NIK}).status_code == 302
    assert 'data-langkah="menunggu"' in _text(c.get("/tte/"))
    row = db.session.execute(select(PermohonanTte)).scalar_one()

    v = login(w["tte_verifikator"], app.test_client())
    assert f'data-permohonan="{row.id}"' in _text(v.get("/verifikasi-tte/"))
    page = _text(v.get(f"/verifikasi-tte/{row.id}"))
    assert NIK in page and 'data-aksi="setujui"' in page
    resp = v.post(f"/verifikasi-tte/{row.id}", data={"aksi": "tolak", "alasan": "", "version": row.version})
    assert resp.status_code == 400
    resp = v.post(f"/verifikasi-tte/{row.id}", data={"aksi": "setujui", "version": row.version})
    assert resp.status_code == 302
    db.session.refresh(row)
    assert row.status == "disetujui"

    assert 'data-langkah="buat_passphrase"' in _text(c.get("/tte/"))
    assert c.post("/tte/aktifkan", data={"passphrase": PASS, "passphrase_ulang": PASS}).status_code == 302
    assert 'id="status-tte">Tanda Tangan Aktif' in _text(c.get("/tte/"))


def test_other_instansi_and_plain_verifikator_cannot_see_or_decide(app, login, w):
    row = tte_aktivasi.ajukan(w["pemohon"], NIK)
    other = login(w["lain"], app.test_client())
    assert f'data-permohonan="{row.id}"' not in _text(other.get("/verifikasi-tte/"))
    assert other.get(f"/verifikasi-tte/{row.id}").status_code == 404
    assert other.post(f"/verifikasi-tte/{row.id}", data={"aksi": "setujui"}).status_code == 404
    assert other.post(f"/verifikasi-tte/{row.id}/cabut", data={"alasan": "berhenti_tugas"}).status_code == 404
    plain = login(w["verifikator"], app.test_client())  # a Verifikator without the TTE permission
    assert plain.get("/verifikasi-tte/").status_code == 403
    assert plain.post(f"/verifikasi-tte/{row.id}", data={"aksi": "setujui"}).status_code == 403
    applicant = login(w["pemohon"], app.test_client())
    assert applicant.get("/verifikasi-tte/").status_code == 403
    db.session.refresh(row)
    assert row.status == "menunggu"


def test_owner_and_verifier_revoke(app, login, w, f):
    ppk = w["pemohon"]
    f.tte(ppk, PASS)
    c = login(ppk, app.test_client())
    assert c.post("/tte/cabut", data={"alasan": "cabut_akses"}).status_code == 400  # not the owner's to choose
    assert c.post("/tte/cabut", data={"alasan": "passphrase_hilang"}).status_code == 302
    assert tte.sertifikat(ppk).status == tte.DICABUT
    html = _text(c.get("/tte/"))
    assert 'id="sertifikat-dicabut"' in html and 'data-langkah="ajukan"' in html

    # again, and now the verifier revokes from the request's page
    row = tte_aktivasi.ajukan(ppk, NIK)
    tte_aktivasi.putuskan(row.id, "setujui", w["tte_verifikator"])
    tte.aktifkan(ppk, PASS, PASS)
    v = login(w["tte_verifikator"], app.test_client())
    assert v.post(f"/verifikasi-tte/{row.id}/cabut", data={"alasan": "berhenti_tugas"}).status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(SertifikatTte.status)).scalar_one() == tte.DICABUT


def test_trust_root_is_public(app):
    resp = app.test_client().get("/tte/akar.pem")
    assert resp.status_code == 200 and resp.mimetype == "application/x-pem-file"
    assert _text(resp).count("BEGIN CERTIFICATE") == 1
    assert _text(resp) == tte.akar_pem()


def test_verification_page_shows_timestamp_and_revocation(app, f):
    """The SP's signatures carry their timestamps on the public page; a file signed by a certificate dated
    after its revocation reads revoked, and not valid."""
    import io

    from app.services import verifikasi_dokumen
    from tests.factories import PASS_PPK

    k = f.katalog(until="diproses_penyedia")
    p, ppk = k["pesanan"], k["ppk"]
    kode = verifikasi_dokumen.kode("sp", p.id, p.sp_nomor)
    html = _text(app.test_client().get(f"/verifikasi-dokumen/{kode}"))
    assert html.count('data-stempel="1"') == 2 and 'data-dicabut="1"' not in html

    clock.advance(timedelta(days=1))
    later = tte.sign_pdf(ppk, pdf_bytes("Surat lain"), PASS_PPK, "Uji")  # dated tomorrow
    clock.reset()
    tte.cabut(ppk, ppk, "berhenti_tugas")
    resp = app.test_client().post(
        "/verifikasi-dokumen/", data={"berkas": (io.BytesIO(later), "surat.pdf")}, content_type="multipart/form-data"
    )
    html = _text(resp)
    assert 'data-dicabut="1"' in html and "Tidak sah" in html
    # the SP signed before the revocation keeps its valid signatures
    html = _text(app.test_client().get(f"/verifikasi-dokumen/{kode}"))
    assert 'data-dicabut="1"' not in html
