"""Pembayaran over HTTP, per role: LS (PPK, Penyedia, BUD), UP kode bayar (PPK, Bendahara Pengeluaran),
UP KKP (PPK as holder, another holder by link), the 200 juta boundary, missing documents, a Bendahara of
another satker, double confirmation, the signed callback (forged, replayed, CSRF-exempt), an expired code."""

import io
import json
import re
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import EmailOutbox, KodeBayar
from app.services import clock, deadlines, gateway, katalog
from tests.factories import pdf_bytes
from tests.services import test_pembayaran as tp
from tests.services import test_purchasing

k = test_purchasing.k
tiba, bendahara, pesanan, row_of, snapshot = tp.tiba, tp.bendahara, tp.pesanan, tp.row_of, tp.snapshot


def _post(c, p, action, asal="katalog", files=None, **data):
    form = {"version": str(pesanan(p.id).version), "asal": asal, **data}
    if files:
        form.update(files)
        return c.post(f"/pembayaran/katalog/{p.id}/{action}", data=form, content_type="multipart/form-data")
    return c.post(f"/pembayaran/katalog/{p.id}/{action}", data=form)


def _html(resp):
    return resp.data.decode().replace("\xa0", " ")


def _client(app, login, user):
    return login(user, app.test_client())


# --- LS ---------------------------------------------------------------------------------------------------


def test_ls_end_to_end_over_http(app, k, f, login):
    p = tiba(k)
    bud = bendahara(f, k["satker"], "bud")
    ppk, penyedia, kas = (_client(app, login, u) for u in (k["ppk"], k["supplier"], bud))

    # the PPK's list: the order, with its three methods (999.000: all allowed)
    html = _html(ppk.get("/pembayaran/ppk"))
    assert p.nomor in html and 'data-aksi="pilih_ls"' in html and 'data-aksi="pilih_up"' in html
    assert "disabled" not in html
    # the order page's panel shows the same choice and the figures
    html = _html(ppk.get(f"/katalog/{p.id}"))
    assert 'id="pilihan-metode"' in html and "PMK 59/2022" in html and "Rp 991.505" in html
    assert _post(ppk, p, "pilih_ls", asal="ppk").status_code == 302
    assert pesanan(p.id).status == "ls_dokumen"

    # missing documents: refused with a clear message, nothing changes
    before = snapshot(p.id)
    resp = _post(ppk, p, "lanjutkan_bayar")
    assert resp.status_code == 400 and "faktur pajak" in _html(resp) and "bukti potong" in _html(resp)
    assert snapshot(p.id) == before

    # the Penyedia uploads the faktur pajak; sees what it will receive
    html = _html(penyedia.get(f"/katalog/{p.id}"))
    assert 'id="form-unggah_faktur"' in html and 'id="form-unggah_bukti_potong"' not in html
    assert 'id="diterima-penyedia"' in html and "Rp 991.505" in html
    resp = _post(penyedia, p, "unggah_faktur", files={"berkas": (io.BytesIO(pdf_bytes("Faktur")), "faktur.pdf")},
                 jenis_tagihan="faktur_pajak", nomor_tagihan="010.000-26.00000001")  # fmt: skip
    assert resp.status_code == 302, resp.data[:500]
    # the PPK ticks "no withholding slip needed" (the other path is tested in the service tests)
    html = _html(ppk.get(f"/katalog/{p.id}"))
    assert 'id="form-unggah_bukti_potong"' in html and 'name="tanpa_bukti_potong"' in html
    assert _post(ppk, p, "unggah_bukti_potong", files={"berkas": (io.BytesIO(b""), "")},
                 tanpa_bukti_potong="1").status_code == 302  # fmt: skip
    assert _post(ppk, p, "lanjutkan_bayar").status_code == 302
    html = _html(ppk.get(f"/katalog/{p.id}"))
    assert 'id="bendahara_id"' in html and f'value="{bud.id}"' in html
    assert _post(ppk, p, "ajukan_bendahara", bendahara_id=str(bud.id)).status_code == 302
    assert pesanan(p.id).status == "menunggu_bendahara"

    # the BUD: queue, order page with the documents side by side, confirm after checking
    html = _html(kas.get("/pembayaran/"))
    assert p.nomor in html and "Menunggu Pembayaran Bendahara" in html and 'class="umur"' in html
    html = _html(kas.get(f"/pembayaran/{p.id}"))
    for jenis in ("sp", "bast", "tagihan"):
        assert f'data-dokumen="{jenis}"' in html
    assert 'data-dokumen="invoice"' not in html and 'id="form-konfirmasi_bayar"' in html
    resp = kas.get(f"/pembayaran/katalog/{p.id}/dokumen/tagihan?inline=1")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    assert resp.headers["Content-Disposition"].startswith("inline") and resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    before = snapshot(p.id)
    resp = _post(kas, p, "konfirmasi_bayar", asal="bendahara")  # documents not ticked as checked
    assert resp.status_code == 400 and snapshot(p.id) == before
    assert _post(kas, p, "konfirmasi_bayar", asal="bendahara", dokumen_diperiksa="1").status_code == 302
    kode = katalog.pembayaran.kode_aktif(pesanan(p.id))
    html = _html(kas.get(f"/pembayaran/kode/{kode.id}"))
    assert kode.kode in html and "Rp 999.000" in html and 'id="langkah-bayar"' in html and 'id="form-simulasi"' in html
    assert kode.kode in _html(ppk.get(f"/katalog/{p.id}"))  # the PPK sees the code and its expiry
    assert kas.post(f"/pembayaran/kode/{kode.id}/simulasi").status_code == 302
    assert pesanan(p.id).status == "selesai"

    html = _html(penyedia.get(f"/katalog/{p.id}"))
    assert "Selesai" in html and 'id="dibayar"' in html and 'id="riwayat-pembayaran"' in html
    assert kode.kode in _html(kas.get("/pembayaran/riwayat"))
    html = _html(kas.get(f"/pembayaran/{p.id}"))
    for step in ("pilih_ls", "unggah_faktur", "unggah_bukti_potong", "lanjutkan_bayar", "ajukan_bendahara",
                 "konfirmasi_bayar", "lunas"):  # fmt: skip
        assert f'data-aksi="{step}"' in html, step
    assert p.nomor not in _html(kas.get("/pembayaran/"))  # no longer waiting


# --- UP kode bayar ----------------------------------------------------------------------------------------


def test_up_kode_bayar_over_http_and_another_satkers_bendahara(app, k, f, login):
    p = tiba(k)
    bp = bendahara(f, k["satker"], "bendahara_pengeluaran")
    other = bendahara(f, f.satker("satker"), "bendahara_pengeluaran")
    ppk, kas, stranger = (_client(app, login, u) for u in (k["ppk"], bp, other))
    assert _post(ppk, p, "pilih_up").status_code == 302
    resp = ppk.get(f"/pembayaran/katalog/{p.id}/dokumen/invoice")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    assert resp.headers["Content-Disposition"].startswith("attachment")

    before = snapshot(p.id)
    resp = _post(ppk, p, "ajukan_bendahara", bendahara_id=str(other.id))
    html = _html(resp)
    assert resp.status_code == 400 and "ganti metode" in html and "undang" in html
    assert snapshot(p.id) == before
    for url in (f"/pembayaran/{p.id}", f"/pembayaran/katalog/{p.id}/dokumen/invoice"):
        assert stranger.get(url).status_code == 404
    assert _post(stranger, p, "konfirmasi_bayar", asal="bendahara", dokumen_diperiksa="1").status_code == 404
    assert snapshot(p.id) == before

    assert _post(ppk, p, "ajukan_bendahara", bendahara_id=str(bp.id)).status_code == 302
    html = _html(kas.get(f"/pembayaran/{p.id}"))
    assert 'data-dokumen="invoice"' in html and "PMK 58/2023" in html
    # return to the PPK with a reason, then again
    assert _post(kas, p, "kembalikan", asal="bendahara", alasan="").status_code == 400
    assert _post(kas, p, "kembalikan", asal="bendahara", alasan="Lampiran BAST tidak terbaca").status_code == 302
    html = _html(ppk.get(f"/katalog/{p.id}"))
    assert "Lampiran BAST tidak terbaca" in html and "Dikembalikan ke PPK" in html
    assert _post(ppk, p, "ajukan_bendahara", bendahara_id=str(bp.id)).status_code == 302

    # double confirmation: the second (same version, e.g. a double click) is a conflict and changes nothing
    version = str(pesanan(p.id).version)
    form = {"version": version, "asal": "bendahara", "dokumen_diperiksa": "1"}
    assert kas.post(f"/pembayaran/katalog/{p.id}/konfirmasi_bayar", data=form).status_code == 302
    after = snapshot(p.id)
    assert kas.post(f"/pembayaran/katalog/{p.id}/konfirmasi_bayar", data=form).status_code == 409
    assert snapshot(p.id) == after

    kode = katalog.pembayaran.kode_aktif(pesanan(p.id))
    assert kas.post(f"/pembayaran/kode/{kode.id}/simulasi").status_code == 302
    assert pesanan(p.id).status == "selesai"
    assert kas.post(f"/pembayaran/kode/{kode.id}/simulasi").status_code == 303  # paid: cannot be paid again
    assert snapshot(p.id)[0] == "selesai"


# --- UP KKP -----------------------------------------------------------------------------------------------


def test_kkp_paid_by_the_ppk_over_http(app, k, login):
    p = tiba(k)
    ppk = _client(app, login, k["ppk"])
    assert _post(ppk, p, "pilih_kkp", pemegang="ppk").status_code == 302
    html = _html(ppk.get(f"/katalog/{p.id}"))
    assert 'id="form-bayar_kkp"' in html and 'id="pemegang-kkp"' in html
    assert _post(ppk, p, "bayar_kkp").status_code == 400  # consent not ticked
    assert _post(ppk, p, "bayar_kkp", setuju="1").status_code == 302
    assert pesanan(p.id).status == "selesai"


def test_kkp_link_for_another_holder_over_http(app, k, login):
    p = tiba(k)
    ppk = _client(app, login, k["ppk"])
    resp = _post(ppk, p, "pilih_kkp", pemegang="lain", nama_pemegang="Budi Santoso", email_pemegang="budi@uji.local")
    assert resp.status_code == 302
    assert 'id="tautan-kkp"' in _html(ppk.get(f"/katalog/{p.id}"))
    mail = db.session.execute(select(EmailOutbox).where(EmailOutbox.to_addr == "budi@uji.local")).scalar_one()
    assert mail.body_html and "KKP" in mail.subject
    path = re.search(r"(/kkp/[A-Za-z0-9_\-]+)", mail.body_text).group(1)

    holder = app.test_client()  # no login: the link is the key
    html = _html(holder.get(path))
    assert "Rp 999.000" in html and 'id="form-bayar-kkp"' in html
    assert holder.post(path, data={}).status_code == 400  # consent not ticked
    resp = holder.post(path, data={"setuju": "1"})
    assert resp.status_code == 200 and 'id="kkp-lunas"' in _html(resp)
    assert pesanan(p.id).status == "selesai"
    assert holder.get(path).status_code == 409 and holder.post(path, data={"setuju": "1"}).status_code == 409
    assert holder.get("/kkp/tautan-palsu").status_code == 404


# --- the boundary, permissions --------------------------------------------------------------------------------


def test_above_200_juta_up_and_kkp_are_shown_disabled_and_refused(app, k, login):
    p = tiba(k, qty=100, harga=2_000_000, ppn="0", ongkir=1)
    ppk = _client(app, login, k["ppk"])
    html = _html(ppk.get("/pembayaran/ppk"))
    assert re.search(r'disabled data-aksi="pilih_up" title="[^"]*Rp 200\.000\.000', html)
    assert 'disabled data-aksi="pilih_kkp"' in html and "alasan-metode" in html
    html = _html(ppk.get(f"/katalog/{p.id}"))
    assert 'disabled data-aksi="pilih_up"' in html and 'disabled data-aksi="pilih_kkp"' in html
    before = snapshot(p.id)
    assert _post(ppk, p, "pilih_up").status_code == 400
    assert _post(ppk, p, "pilih_kkp", pemegang="ppk").status_code == 400
    assert snapshot(p.id) == before
    assert _post(ppk, p, "pilih_ls", asal="ppk").status_code == 302


def test_exactly_200_juta_is_allowed_over_http(app, k, login):
    p = tiba(k, qty=100, harga=2_000_000, ppn="0")
    ppk = _client(app, login, k["ppk"])
    assert "disabled" not in _html(ppk.get("/pembayaran/ppk"))
    assert _post(ppk, p, "pilih_up").status_code == 302 and pesanan(p.id).status == "pilih_bendahara"


@pytest.mark.parametrize(
    "role,url,code",
    [
        ("Pembeli", "/pembayaran/", 403),
        ("PP", "/pembayaran/", 403),
        ("Penyedia", "/pembayaran/ppk", 403),
        ("Bendahara", "/pembayaran/ppk", 403),
        ("PPK", "/pembayaran/", 403),
        ("Bendahara", "/pembayaran/", 200),
        ("Bendahara", "/pembayaran/riwayat", 200),
        ("PPK", "/pembayaran/ppk", 200),
    ],
)
def test_pages_per_role(app, f, login, role, url, code):
    satker = f.satker("satker")
    user = f.penyedia_user() if role == "Penyedia" else f.user(role, satker=satker)
    assert _client(app, login, user).get(url).status_code == code


def test_a_bendahara_not_chosen_cannot_act(app, k, f, login):
    p = tiba(k)
    bp, colleague = bendahara(f, k["satker"]), bendahara(f, k["satker"])
    ppk = _client(app, login, k["ppk"])
    _post(ppk, p, "pilih_up")
    _post(ppk, p, "ajukan_bendahara", bendahara_id=str(bp.id))
    c = _client(app, login, colleague)
    assert p.nomor not in _html(c.get("/pembayaran/"))
    assert c.get(f"/pembayaran/{p.id}").status_code == 403
    before = snapshot(p.id)
    assert _post(c, p, "konfirmasi_bayar", asal="bendahara", dokumen_diperiksa="1").status_code == 403
    assert snapshot(p.id) == before


# --- the callback endpoint, the expired code ---------------------------------------------------------------


def _to_code(app, k, f, login):
    p = tiba(k)
    bp = bendahara(f, k["satker"])
    ppk, kas = _client(app, login, k["ppk"]), _client(app, login, bp)
    _post(ppk, p, "pilih_up")
    _post(ppk, p, "ajukan_bendahara", bendahara_id=str(bp.id))
    _post(kas, p, "konfirmasi_bayar", asal="bendahara", dokumen_diperiksa="1")
    return p, bp, kas, katalog.pembayaran.kode_aktif(pesanan(p.id))


def test_signed_callback_forged_replayed_and_csrf_exempt(app, k, f, login):
    p, _, _, kode = _to_code(app, k, f, login)
    bank = app.test_client()
    before = snapshot(p.id)
    body, headers = tp.bayar_callback(kode, secret="bukan-rahasia-bank-" * 3)
    resp = bank.post("/api/pembayaran/callback", data=body, headers=headers, content_type="application/json")
    assert resp.status_code == 401 and resp.get_json()["hasil"] == "ditolak"
    assert bank.post("/api/pembayaran/callback", data=body, content_type="application/json").status_code == 401
    stale = int((clock.now() - timedelta(hours=1)).replace(tzinfo=UTC).timestamp())
    body, headers = tp.bayar_callback(kode, timestamp=stale)
    assert bank.post("/api/pembayaran/callback", data=body, headers=headers).status_code == 401
    assert snapshot(p.id) == before

    app.config["WTF_CSRF_ENABLED"] = True  # the bank has no session and no CSRF token: its HMAC is the proof
    try:
        body, headers = tp.bayar_callback(kode, event_id="evt-http-1")
        resp = bank.post("/api/pembayaran/callback", data=body, headers=headers, content_type="application/json")
        assert resp.status_code == 200 and resp.get_json()["hasil"] == "lunas"
        after = snapshot(p.id)
        resp = bank.post("/api/pembayaran/callback", data=body, headers=headers, content_type="application/json")
        assert resp.status_code == 200 and resp.get_json()["hasil"] == "duplikat"
        body, headers = tp.bayar_callback(kode, event_id="evt-http-2")
        assert bank.post("/api/pembayaran/callback", data=body, headers=headers).status_code == 409
        assert snapshot(p.id) == after and pesanan(p.id).status == "selesai"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_callback_is_off_without_a_secret(app, k, f, login):
    p, _, _, kode = _to_code(app, k, f, login)
    body, headers = tp.bayar_callback(kode)
    app.config["PEMBAYARAN_CALLBACK_SECRET"] = ""
    try:
        resp = app.test_client().post("/api/pembayaran/callback", data=body, headers=headers)
        assert resp.status_code == 503
    finally:
        from config import DEV_CALLBACK_SECRET

        app.config["PEMBAYARAN_CALLBACK_SECRET"] = DEV_CALLBACK_SECRET
    assert pesanan(p.id).status == "kode_bayar_terbit"


def test_expired_code_over_http(app, k, f, login):
    p, bp, kas, kode = _to_code(app, k, f, login)
    clock.advance(timedelta(hours=7 * 24, seconds=1))
    assert deadlines.sweep()["fired"] == 1
    kas = _client(app, login, bp)  # a week later: a new session
    html = _html(kas.get("/pembayaran/?status=kode_kedaluwarsa"))
    assert p.nomor in html
    html = _html(kas.get(f"/pembayaran/kode/{kode.id}"))
    assert "Kedaluwarsa" in html and 'id="form-simulasi"' not in html
    assert kas.post(f"/pembayaran/kode/{kode.id}/simulasi").status_code == 303  # cannot be paid
    body, headers = tp.bayar_callback(kode)
    assert app.test_client().post("/api/pembayaran/callback", data=body, headers=headers).status_code == 409
    assert 'id="form-terbitkan_ulang"' in _html(kas.get(f"/pembayaran/{p.id}"))
    assert _post(kas, p, "terbitkan_ulang", asal="bendahara").status_code == 302
    baru = katalog.pembayaran.kode_aktif(pesanan(p.id))
    assert baru.kode != kode.kode and db.session.get(KodeBayar, kode.id).status == "kedaluwarsa"
    assert kas.post(f"/pembayaran/kode/{baru.id}/simulasi").status_code == 302
    assert pesanan(p.id).status == "selesai"


def test_callback_body_must_be_well_formed(app, k, f, login):
    p, _, _, kode = _to_code(app, k, f, login)
    gw = gateway.gateway()
    for payload in ({"jenis": "lain"}, {"event_id": "x", "jenis": gateway.JENIS_LUNAS, "referensi": kode.kode,
                                         "jumlah": 1.5}):  # fmt: skip
        body = json.dumps(payload).encode()
        resp = app.test_client().post("/api/pembayaran/callback", data=body, headers=gw.tandatangani(body))
        assert resp.status_code == 400
    assert pesanan(p.id).status == "kode_bayar_terbit"
