"""PPN/PPnBM on everything taxable (issue 12 item 2): additional services and Kurir Penyedia shipping are
taxed like products, each with its own percentage an addendum may change; the order, the live negotiation
summary and the Surat Pesanan show the same figures (money.rincian)."""

import subprocess
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Dokumen, LayananTambahan, PesananKatalog, Rup
from app.services import documents, katalog, money
from app.services.errors import DomainError, Forbidden, NotFound
from app.services.katalog import pratinjau_ttd
from tests.factories import PASS_PENYEDIA, PASS_PPK, Factories


@pytest.fixture
def w(f):
    """A product at Rp 100.000 (PPN 11 %) with a service "Instalasi" at Rp 200.000 (PPN 11 %, PPnBM 10 %)."""
    w = f.katalog_dunia(pagu=10**9)
    svc = LayananTambahan(produk_id=w["produk"].id, nama="Instalasi", harga=200_000, ppn_persen=Decimal("11"),
                          ppnbm_persen=Decimal("10"))  # fmt: skip
    db.session.add(svc)
    db.session.commit()
    w["layanan"] = svc
    return w


def _checkout(w, **kw):
    lines = [{"produk_id": w["produk"].id, "qty": 10, "layanan_ids": [w["layanan"].id]}]
    return Factories().katalog_checkout(w, lines=lines, **kw)


def _rup(w):
    db.session.expire_all()
    return db.session.get(Rup, w["rup"].id)


def test_service_is_taxed_at_its_own_percentages_at_checkout(w):
    p = _checkout(w)
    svc = p.layanan[0]
    assert (svc.ppn_persen, svc.ppnbm_persen, svc.ppn, svc.ppnbm) == (11, 10, 22_000, 20_000)
    # goods 1.000.000 + PPN 110.000; service 200.000 + PPN 22.000 + PPnBM 20.000; Kurir Penyedia not yet priced
    assert (p.subtotal, p.ppn, p.ppnbm, p.ongkir, p.total) == (1_200_000, 132_000, 20_000, 0, 1_352_000)
    assert _rup(w).terpakai == 1_352_000


def test_kurir_penyedia_shipping_is_taxed_and_the_round_keeps_the_total(w):
    p = _checkout(w)
    assert (p.ongkir_ppn_persen, p.ongkir_ppnbm_persen) == (money.PPN_DEFAULT, 0)
    p = katalog.jalankan(p.id, "ajukan_nego", w["pp"], harga={p.items[0].id: 90_000}, ongkir=50_001)
    # PPN 11 % of Rp 50.001 = 5.500,11 -> Rp 5.500 (half-up per line)
    assert (p.ongkir, p.ongkir_ppn) == (50_001, 5_500)
    assert p.ppn == 99_000 + 22_000 + 5_500
    assert p.total == 900_000 + 200_000 + 99_000 + 22_000 + 5_500 + 20_000 + 50_001
    assert katalog.negosiasi.riwayat(p)[-1].total == p.total == _rup(w).terpakai


def test_third_party_courier_cost_is_passed_on_untaxed(w):
    p = _checkout(w, opsi_kirim="pihak_ketiga", kurir_nama="JNE", ongkir_estimasi=40_000)
    assert (p.ongkir, p.ongkir_ppn_persen, p.ongkir_ppn) == (40_000, 0, 0)
    assert p.total == 1_352_000 + 40_000


def test_live_summary_equals_what_sending_the_proposal_stores(w):
    p = _checkout(w)
    proposal = {"harga": {p.items[0].id: 95_000}, "harga_layanan": {p.layanan[0].id: 150_000}, "ongkir": 30_000}
    r = katalog.negosiasi.ringkasan_nego(p.id, w["pp"], proposal)
    db.session.expire_all()
    before = db.session.get(PesananKatalog, p.id)
    assert before.total == 1_352_000 and before.status == "menunggu_negosiasi"  # the preview changed nothing
    p = katalog.jalankan(p.id, "ajukan_nego", w["pp"], **proposal)
    assert (r.subtotal, r.ppn, r.ppnbm, r.ongkir.subtotal, r.total) == (p.subtotal, p.ppn, p.ppnbm, p.ongkir, p.total)
    assert r.subtotal_layanan == 150_000 and r.ongkir.ppn == 3_300


def test_live_summary_refuses_what_the_proposal_refuses(w, f):
    p = _checkout(w)
    with pytest.raises(DomainError) as e:
        katalog.negosiasi.ringkasan_nego(p.id, w["pp"], {"harga": {p.items[0].id: 850_000}})
    assert "melebihi harga katalog" in str(e.value)
    with pytest.raises(Forbidden):  # the PPK is of the satker but not of the negotiation
        katalog.negosiasi.ringkasan_nego(p.id, w["ppk"], {})
    with pytest.raises(NotFound):  # another Penyedia never sees the order
        katalog.negosiasi.ringkasan_nego(p.id, f.penyedia_user(f.penyedia()), {})


def _sampai_sp(w):
    p = _checkout(w)
    p = katalog.jalankan(p.id, "ajukan_nego", w["pp"], harga={p.items[0].id: 90_000}, ongkir=50_000)
    f = Factories()
    f.tte(w["ppk"], PASS_PPK)
    f.tte(w["supplier"], PASS_PENYEDIA)
    for action, who in (("terima", w["supplier"]), ("ajukan_ppk", w["pp"])):
        p = katalog.jalankan(p.id, action, who)
    return katalog.jalankan(p.id, "buat_pesanan", w["ppk"], passphrase=PASS_PPK, **_pratinjau(p, w["ppk"]))


def _pratinjau(p, ppk):
    """What the PPK's page carries: the fingerprint of the SP previewed before signing (read before signing)."""
    _name, pdf = katalog.pratinjau_dokumen(p.id, "sp", ppk, {"klausul": ""})
    return {pratinjau_ttd.KUNCI: pratinjau_ttd.sidik(pdf)}


def _teks(doc_id):
    """The letter's text as poppler's pdftotext reads it (an independent reader, installed by .ci/run)."""
    doc = db.session.get(Dokumen, doc_id)
    pdf = documents.read(doc.stored_name)
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().replace("\xa0", " ").split())


def test_surat_pesanan_prints_the_same_figures(w):
    p = _sampai_sp(w)
    text = _teks(p.sp_dokumen_id)
    # the service's PPN and PPnBM, the shipping's PPN, and the order's PPN and total, to the Rupiah
    for figure in (22_000, 20_000, 5_500, p.ppn, p.ppnbm, p.total):
        assert money.format_rupiah(figure).replace("\xa0", " ") in text, figure
    assert "Ongkos Kirim (Kurir Penyedia)" in text


def test_addendum_changes_a_services_and_the_shippings_percentages(w):
    p = _sampai_sp(w)
    p = katalog.jalankan(p.id, "ttd_sp", w["supplier"], passphrase=PASS_PENYEDIA)
    svc = p.layanan[0]
    changes = {"ppn_layanan": {svc.id: "12"}, "ppnbm_layanan": {svc.id: "0"}, "ppn_ongkir": "12"}
    preview = katalog.adendum.pratinjau(p.id, w["ppk"], changes)
    # service 200.000: PPN 24.000, PPnBM 0; shipping 50.000: PPN 6.000 (was 22.000 + 20.000 and 5.500)
    assert preview["total_baru"] == p.total + 2_000 - 20_000 + 500
    a = katalog.adendum.ajukan(p.id, w["ppk"], changes, PASS_PPK)
    katalog.adendum.jawab(a.id, "terima", w["supplier"], passphrase=PASS_PENYEDIA)
    db.session.expire_all()
    p = db.session.get(PesananKatalog, p.id)
    assert (p.layanan[0].ppn, p.layanan[0].ppnbm, p.ongkir_ppn_persen, p.ongkir_ppn) == (24_000, 0, 12, 6_000)
    assert p.total == preview["total_baru"] == _rup(w).terpakai


def test_addendum_shipping_tax_only_for_kurir_penyedia(w):
    f = Factories()
    w2 = f.katalog("diproses_penyedia", opsi_kirim="pihak_ketiga", kurir_nama="JNE", ongkir_estimasi=40_000)
    with pytest.raises(DomainError) as e:
        katalog.adendum.pratinjau(w2["pesanan"].id, w2["ppk"], {"ppn_ongkir": "11"})
    assert "Kurir Penyedia" in str(e.value)
    p = _sampai_sp(w)
    with pytest.raises(DomainError):
        katalog.adendum.pratinjau(p.id, w["ppk"], {"ppn_layanan": {p.layanan[0].id: "11,123"}})
