"""The signer reads before signing (SPEC §6 steps 4, 6, 8): Buat Pesanan, the BAST and an addendum first show
the letter unsigned, inline, and only then ask the passphrase. The preview's bytes are the bytes signed
(pyHanko signs as an incremental update, so the signed file starts with them); signing without a preview,
or after the letter changed, is refused and changes nothing; a preview is only for whom may sign."""

import hashlib
import re
from datetime import timedelta

from app.extensions import db
from app.models import Adendum
from app.services import clock
from tests.http import test_katalog_lanjut_http as lanjut
from tests.http.test_katalog_http import _pesanan
from tests.http.test_katalog_lanjut_http import PPK_PASS, UMKM_PASS, _post, _to_ppk, _to_processing

k, sides = lanjut.k, lanjut.sides


def _raw(c, pk, action, **data):
    """A signing post exactly as given (no preview made on the way)."""
    data.setdefault("version", _pesanan(pk).version)
    return c.post(f"/katalog/{pk}/aksi/{action}", data=data)


def _pratinjau(c, pk, jenis, **data):
    """POST the step-1 form; returns (response, fingerprint on the page, the frame's URL)."""
    data.setdefault("version", _pesanan(pk).version)
    resp = c.post(f"/katalog/{pk}/pratinjau/{jenis}", data=data)
    return resp, *_halaman(resp, jenis)


def _halaman(resp, jenis):
    html = resp.data.decode()
    sidik = re.search(r'name="pratinjau" value="([0-9a-f]{64})"', html)
    frame = re.search(rf'<iframe src="([^"]+)" id="surat-pratinjau-{jenis}"', html)
    return (sidik.group(1) if sidik else None), (frame.group(1).replace("&amp;", "&") if frame else None)


def _pdf_inline(c, url):
    resp = c.get(url)
    assert resp.status_code == 200, url
    assert resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF-")
    assert resp.headers["Content-Disposition"].startswith("inline;")
    return resp.data


def _panel(html, name):
    return html.split(f'id="panel-{name}"', 1)[1].split('id="panel-', 1)[0] if f'id="panel-{name}"' in html else ""


def test_buat_pesanan_previews_the_very_letter_it_signs(app, k, sides):
    ppk, penyedia = sides["ppk"], sides["penyedia"]
    pk, _ = _to_ppk(k, sides)
    # step 1: the clauses and a preview button, no passphrase yet
    panel = _panel(ppk.get(f"/katalog/{pk}").data.decode(), "buat_pesanan")
    assert 'data-aksi="pratinjau-sp"' in panel and 'name="klausul"' in panel and 'name="passphrase"' not in panel

    # step 2: the letter inline, the clauses still editable, then the passphrase; nothing changed yet
    resp, sidik, frame = _pratinjau(ppk, pk, "sp", klausul="Dikemas per ruangan")
    html = resp.data.decode()
    assert resp.status_code == 200 and sidik and frame
    assert 'name="passphrase"' in _panel(html, "buat_pesanan") and "Dikemas per ruangan</textarea>" in html
    assert 'data-aksi="buat_pesanan"' in html and 'name="setuju"' in html
    preview = _pdf_inline(ppk, frame)
    assert hashlib.sha256(preview).hexdigest() == sidik
    p = _pesanan(pk)
    assert (p.status, p.sp_nomor, p.klausul, p.sp_dokumen_id) == ("menunggu_ppk", None, None, None)

    # the passphrase without a preview, or for a letter edited since: refused, nothing changes
    resp = _raw(ppk, pk, "buat_pesanan", passphrase=PPK_PASS, klausul="Dikemas per ruangan")
    assert resp.status_code == 400 and "pratinjau" in resp.data.decode() and _pesanan(pk).status == "menunggu_ppk"
    resp = _raw(ppk, pk, "buat_pesanan", passphrase=PPK_PASS, klausul="Klausul lain", pratinjau=sidik)
    assert resp.status_code == 409 and "berubah sejak pratinjau" in resp.data.decode()
    assert (_pesanan(pk).status, _pesanan(pk).klausul) == ("menunggu_ppk", None)
    resp = _raw(ppk, pk, "buat_pesanan", passphrase=PPK_PASS, klausul="Dikemas per ruangan", pratinjau="0" * 64)
    assert resp.status_code == 409 and _pesanan(pk).status == "menunggu_ppk"

    # as previewed: signed, and the signed file is the preview plus the signature
    resp = _raw(ppk, pk, "buat_pesanan", passphrase=PPK_PASS, klausul="Dikemas per ruangan", pratinjau=sidik)
    assert resp.status_code == 302
    p = _pesanan(pk)
    assert p.status == "konfirmasi_penyedia" and p.klausul == "Dikemas per ruangan"
    signed = ppk.get(f"/katalog/{pk}/dokumen/sp").data
    assert len(signed) > len(preview) and signed[: len(preview)] == preview

    # the Penyedia countersigns with the stored letter beside its passphrase (inline, same bytes)
    panel = _panel(penyedia.get(f"/katalog/{pk}").data.decode(), "ttd_sp")
    frame = re.search(r'<iframe src="([^"]+)"', panel).group(1).replace("&amp;", "&")
    assert 'name="passphrase"' in panel and _pdf_inline(penyedia, frame) == signed
    assert _post(penyedia, pk, "ttd_sp", passphrase=UMKM_PASS).status_code == 302


def test_another_sp_taking_the_number_makes_the_preview_stale(app, k, sides):
    ppk = sides["ppk"]
    first, _ = _to_ppk(k, sides)
    second, _ = _to_ppk(k, sides)
    _, sidik_first, _ = _pratinjau(ppk, first, "sp")
    assert _post(ppk, second, "buat_pesanan", passphrase=PPK_PASS).status_code == 302  # takes the number
    resp = _raw(ppk, first, "buat_pesanan", passphrase=PPK_PASS, pratinjau=sidik_first)
    assert resp.status_code == 409 and "Surat Pesanan berubah sejak pratinjau" in resp.data.decode()
    assert _pesanan(first).sp_nomor is None
    # read again, then signed with the next number
    _, sidik_again, _ = _pratinjau(ppk, first, "sp")
    assert sidik_again != sidik_first
    assert _raw(ppk, first, "buat_pesanan", passphrase=PPK_PASS, pratinjau=sidik_again).status_code == 302
    assert _pesanan(first).sp_nomor != _pesanan(second).sp_nomor


def test_preview_is_only_for_whom_may_sign_now(app, k, f, login, sides):
    ppk, pp, penyedia = sides["ppk"], sides["pp"], sides["penyedia"]
    pk, _ = _to_ppk(k, sides)
    assert _pratinjau(pp, pk, "sp")[0].status_code == 403  # not the PPK's role
    assert _pratinjau(penyedia, pk, "sp")[0].status_code == 403
    other_ppk = login(f.user("PPK", satker=k["satker"]), app.test_client())  # same satker, not this order's
    assert _pratinjau(other_ppk, pk, "sp")[0].status_code == 403
    stranger = login(f.user("PPK", satker=f.satker("satker")), app.test_client())
    assert _pratinjau(stranger, pk, "sp")[0].status_code == 404
    assert _pratinjau(ppk, pk, "bast")[0].status_code == 409  # not the BAST's time
    assert _pratinjau(ppk, pk, "lain")[0].status_code == 404
    # the preview's frame is its maker's, for this order, for a short while
    _, _, frame = _pratinjau(ppk, pk, "sp")
    assert pp.get(frame).status_code == 404 and stranger.get(frame).status_code == 404
    assert ppk.get(frame.replace(f"/katalog/{pk}/", f"/katalog/{pk + 1}/")).status_code == 404
    assert ppk.get(frame.replace("/sp/", "/bast/")).status_code == 404
    assert ppk.get(f"/katalog/{pk}/pratinjau/sp/..%2F..%2Fetc").status_code == 404
    clock.advance(timedelta(minutes=31))
    assert login(k["ppk"], app.test_client()).get(frame).status_code == 404  # a new session: idle timeout
    assert _pesanan(pk).status == "menunggu_ppk"


def test_bast_previewed_before_it_is_signed(app, k, sides):
    ppk, penyedia = sides["ppk"], sides["penyedia"]
    pk, item = _to_processing(k, sides)
    assert _post(penyedia, pk, "kirim", lokasi="Gudang", status="Dikirim").status_code == 302
    panel = _panel(ppk.get(f"/katalog/{pk}").data.decode(), "terima_barang")
    assert 'data-aksi="pratinjau-bast"' in panel and 'name="passphrase"' not in panel
    periksa = {f"qty_diterima_{item}": "9", f"kondisi_{item}": "Rusak Ringan", f"catatan_{item}": "Satu penyok"}
    assert _pratinjau(penyedia, pk, "bast", **periksa)[0].status_code == 403
    assert _pratinjau(ppk, pk, "bast", **{**periksa, f"qty_diterima_{item}": "11"})[0].status_code == 400
    resp, sidik, frame = _pratinjau(ppk, pk, "bast", bast_nomor="BAST/UJI/7", **periksa)
    html = resp.data.decode()
    assert resp.status_code == 200 and sidik and 'name="passphrase"' in _panel(html, "terima_barang")
    # the inspection stays as typed, to change it (then the preview is made again)
    assert 'value="9"' in html and 'value="Satu penyok"' in html and f'id="sesuai_{item}" value="1">' in html
    preview = _pdf_inline(ppk, frame)
    assert hashlib.sha256(preview).hexdigest() == sidik and _pesanan(pk).status == "dalam_pengiriman"

    sign = {"bast_nomor": "BAST/UJI/7", "passphrase": PPK_PASS, **periksa}
    resp = _raw(ppk, pk, "terima_barang", **sign)
    assert resp.status_code == 400 and "pratinjau" in resp.data.decode()
    resp = _raw(ppk, pk, "terima_barang", **{**sign, f"qty_diterima_{item}": "10"}, pratinjau=sidik)
    assert resp.status_code == 409 and "BAST berubah sejak pratinjau" in resp.data.decode()
    p = _pesanan(pk)
    assert (p.status, p.bast_nomor, p.bast_dokumen_id) == ("dalam_pengiriman", None, None)
    assert _raw(ppk, pk, "terima_barang", **sign, pratinjau=sidik).status_code == 302
    p = _pesanan(pk)
    assert (p.status, p.bast_nomor) == ("pesanan_tiba", "BAST/UJI/7")
    signed = ppk.get(f"/katalog/{pk}/dokumen/bast").data
    assert signed[: len(preview)] == preview and len(signed) > len(preview)
    # the Penyedia reads the signed BAST beside its passphrase
    panel = _panel(penyedia.get(f"/katalog/{pk}").data.decode(), "ttd_bast")
    frame = re.search(r'<iframe src="([^"]+)"', panel).group(1).replace("&amp;", "&")
    assert _pdf_inline(penyedia, frame) == signed


def test_addendum_letter_previewed_before_it_is_proposed(app, k, sides):
    ppk, penyedia = sides["ppk"], sides["penyedia"]
    pk, item = _to_processing(k, sides)
    form = {f"qty_{item}": "11"}
    resp = ppk.post(f"/katalog/{pk}/adendum", data={**form, "mode": "pratinjau"})
    sidik, frame = _halaman(resp, "adendum")
    html = resp.data.decode()
    assert resp.status_code == 200 and 'id="pratinjau-adendum"' in html and sidik and frame
    preview = _pdf_inline(ppk, frame)
    assert hashlib.sha256(preview).hexdigest() == sidik and db.session.query(Adendum).count() == 0
    assert penyedia.get(frame).status_code == 404
    # over the 10 % rule: no letter, no passphrase
    resp = ppk.post(f"/katalog/{pk}/adendum", data={f"qty_{item}": "13", "mode": "pratinjau"})
    assert _halaman(resp, "adendum") == (None, None) and 'name="passphrase"' not in resp.data.decode()

    ajukan = {**form, "mode": "ajukan", "passphrase": PPK_PASS}
    resp = ppk.post(f"/katalog/{pk}/adendum", data=ajukan)
    assert resp.status_code == 400 and "pratinjau" in resp.data.decode()
    resp = ppk.post(f"/katalog/{pk}/adendum", data={**ajukan, "ongkir": "Rp 5.000", "pratinjau": sidik})
    assert resp.status_code == 409 and "Surat adendum berubah sejak pratinjau" in resp.data.decode()
    assert db.session.query(Adendum).count() == 0
    assert ppk.post(f"/katalog/{pk}/adendum", data={**ajukan, "pratinjau": sidik}).status_code == 302
    a = db.session.query(Adendum).one()
    signed = ppk.get(f"/katalog/{pk}/dokumen/adendum/{a.id}").data
    assert signed[: len(preview)] == preview and len(signed) > len(preview)

    # the other side reads the signed letter beside the passphrase that accepts it
    html = penyedia.get(f"/katalog/{pk}").data.decode()
    frame = re.search(rf'<iframe src="([^"]+)" id="surat-adendum-{a.id}"', html).group(1).replace("&amp;", "&")
    assert 'id="form-adendum-terima"' in html and _pdf_inline(penyedia, frame) == signed
    resp = penyedia.post(f"/katalog/{pk}/adendum/{a.id}/terima", data={"passphrase": UMKM_PASS, "version": a.version})
    assert resp.status_code == 302
