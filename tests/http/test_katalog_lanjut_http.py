"""Katalog after the negotiation, over HTTP per role: Surat Pesanan signed by both, shipping events and
Lacak Pengiriman, BAST inspection signed by both, ratings, addenda (accepted, rejected, refused), the
signed PDFs and who may download them, and the RUP pages."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Adendum, AuditLog, PenilaianKatalog, Penyedia, PesananKatalog, Rup
from app.services import clock, tte
from tests.http.test_katalog_http import _checkout, _pesanan
from tests.services import test_purchasing

k = test_purchasing.k
PP_PASS, PPK_PASS, UMKM_PASS = "x", "rahasia-ppk-123", "rahasia-umkm-456"


@pytest.fixture
def sides(app, k, login, f):
    """Logged-in clients of the order's PP, PPK and Penyedia, with TTE active for the signers."""
    f.tte(k["ppk"], PPK_PASS)
    f.tte(k["supplier"], UMKM_PASS)
    return {
        "pp": login(k["pp"], app.test_client()),
        "ppk": login(k["ppk"], app.test_client()),
        "penyedia": login(k["supplier"], app.test_client()),
    }


def _sidik(resp):
    """The fingerprint a preview page hands to its signing form (None: no letter offered for signing)."""
    found = re.search(r'name="pratinjau" value="([0-9a-f]{64})"', resp.data.decode())
    return found.group(1) if found else None


def _post(c, pk, action, **data):
    """A step as the page posts it: Buat Pesanan and the BAST go through their letter's preview first, as a
    person does, and the preview's fingerprint travels with the passphrase (a refused preview: none)."""
    data.setdefault("version", _pesanan(pk).version)
    jenis = {"buat_pesanan": "sp", "terima_barang": "bast"}.get(action)
    if jenis and "pratinjau" not in data:
        isian = {key: value for key, value in data.items() if key != "passphrase"}
        data["pratinjau"] = _sidik(c.post(f"/katalog/{pk}/pratinjau/{jenis}", data=isian)) or ""
    return c.post(f"/katalog/{pk}/aksi/{action}", data=data)


def _ajukan(c, pk, data):
    """Propose an addendum as the page does: the preview (before/after and the letter), then the passphrase
    with the letter's fingerprint."""
    isian = {key: value for key, value in data.items() if key not in ("mode", "passphrase")}
    sidik = _sidik(c.post(f"/katalog/{pk}/adendum", data={**isian, "mode": "pratinjau"})) or ""
    return c.post(f"/katalog/{pk}/adendum", data={**data, "mode": "ajukan", "pratinjau": sidik})


def _to_ppk(k, sides, **kw):
    resp = _checkout(sides["pp"], k, **kw)
    assert resp.status_code == 302, resp.data[:1500]
    pk = int(re.search(r"/katalog/(\d+)$", resp.headers["Location"]).group(1))
    item = _pesanan(pk).items[0].id
    assert _post(sides["pp"], pk, "ajukan_nego", **{f"harga_{item}": "Rp 90.000"}).status_code == 302
    assert _post(sides["penyedia"], pk, "tawar", **{f"harga_{item}": "Rp 95.000"}).status_code == 302
    assert _post(sides["pp"], pk, "terima").status_code == 302
    assert _post(sides["pp"], pk, "ajukan_ppk").status_code == 302
    return pk, item


def _to_processing(k, sides, **kw):
    pk, item = _to_ppk(k, sides, **kw)
    assert _post(sides["ppk"], pk, "buat_pesanan", passphrase=PPK_PASS, klausul="Dikemas rapi").status_code == 302
    assert _post(sides["penyedia"], pk, "ttd_sp", passphrase=UMKM_PASS).status_code == 302
    assert _pesanan(pk).status == "diproses_penyedia"
    return pk, item


def _verified(c, url):
    resp = c.get(url)
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    return [r.ok for r in tte.verify_pdf(resp.data)]


def test_sp_shipping_bast_and_ratings_per_role(app, k, f, login, sides):
    pp, ppk, penyedia = sides["pp"], sides["ppk"], sides["penyedia"]
    pk, item = _to_ppk(k, sides)
    # the PPK's review: negotiation history, RUP, supplier info, the Buat Pesanan form with clauses
    html = ppk.get(f"/katalog/{pk}").data.decode()
    assert 'id="info-penyedia"' in html and 'id="riwayat-negosiasi"' in html and 'id="rup"' in html
    # the passphrase comes after the letter's preview (tests/http/test_pratinjau_surat_http.py)
    assert 'data-aksi="pratinjau-sp"' in html and 'name="klausul"' in html and 'name="passphrase"' not in html
    assert 'data-aksi="pratinjau-sp"' not in pp.get(f"/katalog/{pk}").data.decode()

    # a wrong passphrase signs nothing and changes nothing
    resp = _post(ppk, pk, "buat_pesanan", passphrase="salah-passphrase")
    assert (
        resp.status_code == 403
        and "passphrase" in resp.data.decode().lower()
        and _pesanan(pk).status == "menunggu_ppk"
        and _pesanan(pk).sp_nomor is None
    )
    assert _post(pp, pk, "buat_pesanan", passphrase=PPK_PASS).status_code == 403
    assert _post(ppk, pk, "buat_pesanan", passphrase=PPK_PASS, klausul="Dikemas rapi").status_code == 302
    p = _pesanan(pk)
    assert p.status == "konfirmasi_penyedia" and p.sp_nomor.startswith("SP/")

    html = penyedia.get(f"/katalog/{pk}").data.decode()
    assert 'data-aksi="ttd_sp"' in html and 'id="unduh-sp"' in html
    assert _post(penyedia, pk, "ttd_sp", passphrase="bukan-ini").status_code == 403
    assert _pesanan(pk).status == "konfirmasi_penyedia"
    assert _post(penyedia, pk, "ttd_sp", passphrase=UMKM_PASS).status_code == 302
    assert _pesanan(pk).status == "diproses_penyedia"
    assert _verified(pp, f"/katalog/{pk}/dokumen/sp") == [True, True]

    # shipping: the Penyedia records events, PP and PPK follow them under Lacak Pengiriman
    assert 'data-aksi="minta_pickup"' not in penyedia.get(f"/katalog/{pk}").data.decode()
    assert _post(penyedia, pk, "minta_pickup").status_code == 400  # Kurir Penyedia: no pickup
    assert _post(penyedia, pk, "kirim", lokasi="", status="Dikirim").status_code == 400
    assert _post(pp, pk, "kirim", lokasi="Gudang", status="Dikirim").status_code == 403
    assert _post(penyedia, pk, "kirim", lokasi="Gudang Cakung", status="Barang dikirim").status_code == 302
    assert (
        _post(penyedia, pk, "catat_pengiriman", lokasi="Jl. Medan Merdeka", status="Tiba di lokasi").status_code == 302
    )
    for c in (pp, ppk):
        html = c.get(f"/katalog/{pk}").data.decode()
        assert 'id="lacak-pengiriman"' in html and "Gudang Cakung" in html and "Tiba di lokasi" in html

    # BAST: per-line inspection by the PPK, then the Penyedia signs
    html = ppk.get(f"/katalog/{pk}").data.decode()
    assert f'name="qty_diterima_{item}"' in html and 'name="bast_nomor" id="bast_nomor"' in html
    suggested = re.search(r'name="bast_nomor" id="bast_nomor" class="form-control" value="([^"]+)"', html).group(1)
    assert suggested.startswith("BAST/")
    bast = {f"qty_diterima_{item}": "11", f"kondisi_{item}": "Baik", f"sesuai_{item}": "1", "passphrase": PPK_PASS}
    assert _post(ppk, pk, "terima_barang", **bast).status_code == 400  # more than ordered
    bast[f"qty_diterima_{item}"] = "10"
    assert _post(ppk, pk, "terima_barang", **{**bast, "passphrase": "salah"}).status_code == 403
    assert _pesanan(pk).status == "dalam_pengiriman"
    assert _post(penyedia, pk, "terima_barang", **bast).status_code == 403
    assert _post(ppk, pk, "terima_barang", bast_nomor="BAST/KHUSUS/1", **bast).status_code == 302
    p = _pesanan(pk)
    assert (p.status, p.bast_nomor) == ("pesanan_tiba", "BAST/KHUSUS/1")
    assert 'id="hasil-bast"' in pp.get(f"/katalog/{pk}").data.decode()
    assert 'data-aksi="ttd_bast"' in penyedia.get(f"/katalog/{pk}").data.decode()
    assert _post(penyedia, pk, "ttd_bast", passphrase=UMKM_PASS).status_code == 302
    assert _post(penyedia, pk, "ttd_bast", passphrase=UMKM_PASS).status_code == 409
    assert _verified(ppk, f"/katalog/{pk}/dokumen/bast") == [True, True]

    # ratings: the PPK rates three things once each; others cannot
    assert pp.post(f"/katalog/{pk}/penilaian", data={"jenis": "pesanan", "bintang": "5"}).status_code == 403
    html = ppk.get(f"/katalog/{pk}").data.decode()
    assert all(f'id="form-nilai-{j}"' in html for j in ("pesanan", "layanan", "kurir"))
    assert ppk.post(f"/katalog/{pk}/penilaian", data={"jenis": "pesanan", "bintang": "6"}).status_code == 400
    for jenis, bintang in (("pesanan", "5"), ("layanan", "4"), ("kurir", "5")):
        resp = ppk.post(f"/katalog/{pk}/penilaian", data={"jenis": jenis, "bintang": bintang, "ulasan": "Baik"})
        assert resp.status_code == 302
    assert ppk.post(f"/katalog/{pk}/penilaian", data={"jenis": "layanan", "bintang": "1"}).status_code == 409
    assert db.session.execute(select(func.count(PenilaianKatalog.id))).scalar_one() == 3
    db.session.expire_all()
    supplier = db.session.get(Penyedia, k["penyedia"].id)
    assert (supplier.rating_count, supplier.rating) == (2, 4.5)
    assert "4,5 / 5" in ppk.get(f"/katalog/{pk}").data.decode()  # the Indonesian decimal comma

    # documents: parties and the Auditor read them (audited); others get 404 or 403
    auditor = login(f.user("Auditor"), app.test_client())
    assert auditor.get(f"/katalog/{pk}/dokumen/sp").status_code == 200
    assert login(f.penyedia_user(), app.test_client()).get(f"/katalog/{pk}/dokumen/sp").status_code == 404
    assert login(f.pembeli(), app.test_client()).get(f"/katalog/{pk}/dokumen/bast").status_code == 403
    assert pp.get(f"/katalog/{pk}/dokumen/lain").status_code == 404
    reads = db.session.execute(select(func.count(AuditLog.id)).where(AuditLog.action.like("unduh_%"))).scalar_one()
    assert reads == 3


def test_adendum_preview_accept_and_reject(app, k, sides):
    ppk, penyedia = sides["ppk"], sides["penyedia"]
    pk, item = _to_processing(k, sides)  # 10 x 95.000 + 11 % = 1.054.500
    total = _pesanan(pk).total
    html = ppk.get(f"/katalog/{pk}").data.decode()
    assert 'id="form-adendum"' in html and f'name="qty_{item}"' in html and 'data-aksi="adendum-ajukan"' not in html

    # preview: the before/after table and the new total, nothing saved
    resp = ppk.post(f"/katalog/{pk}/adendum", data={f"qty_{item}": "11", "mode": "pratinjau"})
    html = resp.data.decode().replace("\xa0", " ")
    assert resp.status_code == 200 and 'id="pratinjau-adendum"' in html and "Rp 1.159.950" in html
    assert 'data-aksi="adendum-ajukan"' in html and db.session.query(Adendum).count() == 0
    # more than 10 % refused; a wrong passphrase proposes nothing
    resp = _ajukan(ppk, pk, {f"qty_{item}": "12", "mode": "ajukan", "passphrase": PPK_PASS})
    assert resp.status_code == 400 and "10%" in resp.data.decode()
    resp = _ajukan(ppk, pk, {f"qty_{item}": "11", "mode": "ajukan", "passphrase": "salah"})
    assert resp.status_code == 403 and db.session.query(Adendum).count() == 0
    resp = ppk.post(f"/katalog/{pk}/adendum", data={f"qty_{item}": "11", "mode": "pratinjau"})
    assert resp.status_code == 200
    resp = _ajukan(ppk, pk, {f"qty_{item}": "11", "mode": "ajukan", "passphrase": PPK_PASS})
    assert resp.status_code == 302
    a = db.session.query(Adendum).one()
    html = penyedia.get(f"/katalog/{pk}").data.decode()
    assert 'id="status-adendum"' in html and "Adendum Sedang Disiapkan" in html
    assert 'data-aksi="adendum-terima"' in html and 'data-aksi="adendum-tolak"' in html
    assert 'data-aksi="adendum-terima"' not in ppk.get(f"/katalog/{pk}").data.decode()  # not its own
    assert ppk.post(f"/katalog/{pk}/adendum/{a.id}/terima", data={"passphrase": PPK_PASS}).status_code == 403
    resp = penyedia.post(f"/katalog/{pk}/adendum/{a.id}/terima", data={"passphrase": UMKM_PASS, "version": a.version})
    assert resp.status_code == 302
    p = _pesanan(pk)
    assert (p.items[0].qty, p.total) == (11, 1_159_950) and p.total != total
    assert [r.ok for r in tte.verify_pdf(penyedia.get(f"/katalog/{pk}/dokumen/adendum/{a.id}").data)] == [True, True]

    # the Penyedia proposes a courier cost; the PPK rejects it: the SP stays
    resp = _ajukan(penyedia, pk, {"ongkir": "Rp 25.000", "mode": "ajukan", "passphrase": UMKM_PASS})
    assert resp.status_code == 302
    b = db.session.query(Adendum).filter(Adendum.id != a.id).one()
    assert ppk.post(f"/katalog/{pk}/adendum/{b.id}/tolak", data={"alasan": ""}).status_code == 400
    assert ppk.post(f"/katalog/{pk}/adendum/{b.id}/tolak", data={"alasan": "Di luar anggaran"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Adendum, b.id).status == "ditolak" and _pesanan(pk).total == 1_159_950
    assert _pesanan(pk).ongkir == 0


def test_adendum_refused_after_bast_and_for_strangers(app, k, f, login, sides):
    ppk, penyedia = sides["ppk"], sides["penyedia"]
    pk, item = _to_processing(k, sides)
    resp = _ajukan(penyedia, pk, {"ongkir": "Rp 5.000", "mode": "ajukan", "passphrase": UMKM_PASS})
    assert resp.status_code == 302
    a = db.session.query(Adendum).one()
    stranger = login(f.user("PPK", satker=f.satker("satker")), app.test_client())
    assert stranger.post(f"/katalog/{pk}/adendum/{a.id}/tolak", data={"alasan": "x"}).status_code == 404
    assert stranger.post(f"/katalog/{pk}/adendum", data={"ongkir": "1", "mode": "pratinjau"}).status_code == 404
    # an addendum id of another order, through this order's URL: not found
    pk2, _ = _to_processing(k, sides)
    assert ppk.post(f"/katalog/{pk2}/adendum/{a.id}/tolak", data={"alasan": "x"}).status_code == 404
    assert sides["pp"].post(f"/katalog/{pk}/adendum", data={"ongkir": "1", "mode": "pratinjau"}).status_code == 403
    # the BAST waits for the pending addendum
    assert _post(penyedia, pk, "kirim", lokasi="Gudang", status="Dikirim").status_code == 302
    bast = {f"qty_diterima_{item}": "10", f"sesuai_{item}": "1", "passphrase": PPK_PASS}
    assert _post(ppk, pk, "terima_barang", **bast).status_code == 409
    assert ppk.post(f"/katalog/{pk}/adendum/{a.id}/tolak", data={"alasan": "Tidak perlu"}).status_code == 302
    assert _post(ppk, pk, "terima_barang", **bast).status_code == 302
    # after the BAST: no more addenda, and the form is gone
    resp = _ajukan(ppk, pk, {f"qty_{item}": "11", "mode": "ajukan", "passphrase": PPK_PASS})
    assert resp.status_code == 409 and db.session.query(Adendum).count() == 1
    assert 'id="form-adendum"' not in ppk.get(f"/katalog/{pk}").data.decode()


def test_third_party_courier_pickup_closes_addenda(app, k, sides):
    penyedia = sides["penyedia"]
    pk, _ = _to_processing(k, sides, opsi_kirim="pihak_ketiga", kurir_nama="JNE", ongkir_estimasi="Rp 50.000")
    assert 'data-aksi="minta_pickup"' in penyedia.get(f"/katalog/{pk}").data.decode()
    assert _post(penyedia, pk, "minta_pickup").status_code == 302
    html = sides["pp"].get(f"/katalog/{pk}").data.decode()
    assert 'id="pickup"' in html
    resp = _ajukan(penyedia, pk, {"klausul": "Baru", "mode": "ajukan", "passphrase": UMKM_PASS})
    assert resp.status_code == 409


def test_time_left_is_shown_while_a_step_waits(app, k, login, sides):
    pk, _ = _to_ppk(k, sides)
    clock.advance(timedelta(hours=30))
    html = login(k["ppk"], app.test_client()).get(f"/katalog/{pk}").data.decode()  # a new session: idle timeout
    assert 'id="batas-waktu"' in html and "sisa 41 jam" in html


# --- RUP pages ---------------------------------------------------------------------------------


def _rup_form(**kw):
    data = {"kode": "RUP-BARU-1", "nama": "Belanja Alat Kebersihan", "tahun": str(clock.today_local().year),
            "pagu": "Rp 25.000.000"}  # fmt: skip
    data.update(kw)
    return data


def test_ppk_keeps_the_rups_of_its_own_satker(app, k, f, login):
    other = f.satker("satker")
    ppk = login(k["ppk"], app.test_client())
    assert ppk.get("/rup/list/").status_code == 200
    # a PPK adds only to its own satker: another one is not even a choice
    assert f'value="{other.id}"' not in ppk.get("/rup/add").data.decode()
    assert ppk.post("/rup/add", data=_rup_form(satker=str(other.id))).status_code == 200
    assert db.session.query(Rup).count() == 1
    resp = ppk.post("/rup/add", data=_rup_form(satker=str(k["satker"].id)))
    assert resp.status_code == 302
    rup = db.session.execute(select(Rup).where(Rup.kode == "RUP-BARU-1")).scalar_one()
    assert (rup.satker_id, rup.pagu, rup.terpakai) == (k["satker"].id, 25_000_000, 0)
    # refusals: duplicate code, bad amount, pagu below what orders committed
    for bad in (_rup_form(), _rup_form(kode="RUP-X", pagu="dua juta"), _rup_form(kode="RUP-Y", tahun="1990")):
        ppk.post("/rup/add", data={**bad, "satker": str(k["satker"].id)})
    assert db.session.query(Rup).count() == 2
    db.session.execute(Rup.__table__.update().where(Rup.id == k["rup"].id).values(terpakai=4_000_000))
    db.session.commit()
    resp = ppk.post(
        f"/rup/edit/{k['rup'].id}",
        data=_rup_form(kode="RUP-1", pagu="Rp 3.000.000", terpakai="0", satker=str(k["satker"].id)),
    )
    db.session.expire_all()
    assert db.session.get(Rup, k["rup"].id).pagu == 5_000_000 and db.session.get(Rup, k["rup"].id).terpakai == 4_000_000
    # another satker's RUP is not found; the PP only reads; a Penyedia has no RUP pages
    foreign = Rup(kode="RUP-LAIN", nama="Lain", tahun=2026, satker_id=other.id, pagu=10**9, terpakai=0)
    db.session.add(foreign)
    db.session.commit()
    assert ppk.get(f"/rup/show/{foreign.id}").status_code == 404
    assert "RUP-LAIN" not in ppk.get("/rup/list/").data.decode()
    pp = login(k["pp"], app.test_client())
    assert pp.get("/rup/list/").status_code == 200 and pp.get("/rup/add").status_code == 403
    assert login(k["supplier"], app.test_client()).get("/rup/list/").status_code == 403
    admin = login(f.user("Admin"), app.test_client())
    assert "RUP-LAIN" in admin.get("/rup/list/").data.decode()


def test_a_used_rup_cannot_be_deleted(app, k, login, sides):
    _to_ppk(k, sides)
    ppk = sides["ppk"]
    ppk.post(f"/rup/delete/{k['rup'].id}")
    db.session.expire_all()
    assert db.session.get(Rup, k["rup"].id) is not None
    assert db.session.query(PesananKatalog).count() == 1


# --- refusals found in review: each changes nothing and answers 4xx, never 500 ----------------------


def test_bad_input_is_refused_cleanly(app, k, sides):
    ppk, penyedia = sides["ppk"], sides["penyedia"]
    pk, item = _to_ppk(k, sides)
    # a wrong passphrase keeps none of the clauses typed with it
    _post(ppk, pk, "buat_pesanan", passphrase="salah-passphrase", klausul="KLAUSUL BOCOR")
    assert _pesanan(pk).klausul is None
    assert ppk.get("/katalog/99999999999999999999").status_code == 404
    assert ppk.get(f"/katalog/{pk}/dokumen/adendum/99999999999999999999").status_code == 404
    assert _post(ppk, pk, "buat_pesanan", passphrase=PPK_PASS).status_code == 302
    assert _post(penyedia, pk, "ttd_sp", passphrase=UMKM_PASS).status_code == 302
    for bad in ({f"qty_{item}": "10,5"}, {f"ppn_{item}": "11,555"}, {f"ppn_{item}": "NaN"},
                {"ongkir": "9" * 25}, {"ppk_id": "²"}, {"tambah_layanan": "²"}):  # fmt: skip
        resp = ppk.post(f"/katalog/{pk}/adendum", data={**bad, "mode": "pratinjau"})
        assert resp.status_code == 400, (bad, resp.status_code)
    # the signatory is the PPK's to change; an over-budget addendum is refused before anything is signed
    resp = penyedia.post(f"/katalog/{pk}/adendum", data={"ppk_id": str(k["ppk"].id + 999), "mode": "pratinjau"})
    assert resp.status_code == 400
    resp = _ajukan(penyedia, pk, {"ongkir": "Rp 9.000.000", "mode": "ajukan", "passphrase": UMKM_PASS})
    assert resp.status_code == 400 and "RUP" in resp.data.decode() and db.session.query(Adendum).count() == 0
    # shipping: odd times and a long BAST number
    assert _post(penyedia, pk, "kirim", lokasi="Gudang", status="Dikirim", waktu="0001-01-01T00:00").status_code == 400
    assert _post(penyedia, pk, "kirim", lokasi="Gudang", status="Dikirim").status_code == 302
    bast = {f"qty_diterima_{item}": "10", f"sesuai_{item}": "1", "passphrase": PPK_PASS, "bast_nomor": "B" * 61}
    assert _post(ppk, pk, "terima_barang", **bast).status_code == 400
    assert _pesanan(pk).status == "dalam_pengiriman"


def test_negotiated_price_too_large_is_refused(app, k, sides):
    resp = _checkout(sides["pp"], k)
    pk = int(re.search(r"/katalog/(\d+)$", resp.headers["Location"]).group(1))
    item = _pesanan(pk).items[0].id
    assert _post(sides["pp"], pk, "ajukan_nego", **{f"harga_{item}": "9" * 18}).status_code == 400
    assert _pesanan(pk).status == "menunggu_negosiasi"


def test_quantity_rule_counts_every_addendum_since_the_sp(app, k, sides):
    ppk, penyedia = sides["ppk"], sides["penyedia"]
    pk, item = _to_processing(k, sides)  # 10 units
    for qty, expected in (("11", 302), ("12", 400)):  # +10 %, then +20 % since the SP: refused
        resp = _ajukan(ppk, pk, {f"qty_{item}": qty, "mode": "ajukan", "passphrase": PPK_PASS})
        assert resp.status_code == expected, resp.data.decode()[-800:]
        if expected == 302:
            a = db.session.query(Adendum).one()
            penyedia.post(f"/katalog/{pk}/adendum/{a.id}/terima", data={"passphrase": UMKM_PASS, "version": a.version})
    assert _pesanan(pk).items[0].qty == 11


def test_added_service_keeps_the_signed_price(app, k, sides):
    from app.models import LayananTambahan

    lay = LayananTambahan(produk_id=k["produk"].id, nama="Garansi", harga=50_000)
    db.session.add(lay)
    db.session.commit()
    ppk, penyedia = sides["ppk"], sides["penyedia"]
    pk, _ = _to_processing(k, sides)
    html = ppk.get(f"/katalog/{pk}").data.decode()
    assert html.count(f'name="tambah_layanan" value="{lay.id}"') == 1
    data = {"tambah_layanan": [str(lay.id), str(lay.id)], "mode": "ajukan", "passphrase": PPK_PASS}
    assert _ajukan(ppk, pk, data).status_code == 302
    a = db.session.query(Adendum).one()
    assert a.total_baru == a.total_lama + 50_000 + 5_500  # the service with its PPN (11 %)
    # the Penyedia raises the catalogue price before accepting: the order takes the signed price, once
    db.session.execute(LayananTambahan.__table__.update().values(harga=900_000))
    db.session.commit()
    # a pickup request waits for the pending addendum (third-party couriers only, refused here anyway)
    resp = penyedia.post(f"/katalog/{pk}/adendum/{a.id}/terima", data={"passphrase": UMKM_PASS, "version": a.version})
    assert resp.status_code == 302
    p = _pesanan(pk)
    assert [(x.nama, x.harga) for x in p.layanan] == [("Garansi", 50_000)] and p.total == a.total_baru
    resp = ppk.post(f"/katalog/{pk}/adendum", data={"tambah_layanan": str(lay.id), "mode": "pratinjau"})
    assert resp.status_code == 400  # already on the order


def test_pickup_waits_for_a_pending_addendum(app, k, sides):
    penyedia = sides["penyedia"]
    pk, _ = _to_processing(k, sides, opsi_kirim="pihak_ketiga", kurir_nama="JNE", ongkir_estimasi="Rp 50.000")
    data = {"klausul": "Baru", "mode": "ajukan", "passphrase": UMKM_PASS}
    assert _ajukan(penyedia, pk, data).status_code == 302
    assert _post(penyedia, pk, "minta_pickup").status_code == 409
    assert _pesanan(pk).pickup_diminta_at is None
