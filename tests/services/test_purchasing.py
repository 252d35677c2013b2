"""Katalog e-purchasing steps 1–3 through the service: checkout against a RUP, negotiation rounds,
PPK approval, cancellations, and Batal Otomatis after 3x24 h of moved clock."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Deadline, EmailOutbox, NegosiasiRonde, PesananKatalog, Rup
from app.services import clock, deadlines, katalog
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from tests.factories import Factories, pdf_bytes, png_bytes


@pytest.fixture
def k(f):
    """The Katalog world of tests.factories (satker, PP, PPK, Penyedia + user, product at Rp 100.000, RUP-1)."""
    return f.katalog_dunia(pagu=5_000_000, rup_kode="RUP-1")


def _checkout(k, qty=10, **kw):
    return Factories().katalog_checkout(k, qty=qty, **kw)


def _rup(k):
    db.session.expire_all()
    return db.session.get(Rup, k["rup"].id)


def test_checkout_commits_the_total_on_the_rup(k):
    p = _checkout(k)
    assert (p.status, p.subtotal, p.ppn, p.total) == ("menunggu_negosiasi", 1_000_000, 110_000, 1_110_000)
    assert _rup(k).terpakai == 1_110_000 and p.nomor.startswith("KAT/")


def test_checkout_refused_when_the_rup_cannot_cover_it(k):
    with pytest.raises(DomainError) as e:
        _checkout(k, qty=50)  # 5.550.000 > 5.000.000
    assert "RUP-1" in str(e.value) and "Rp 5.000.000" in str(e.value).replace("\xa0", " ")
    assert _rup(k).terpakai == 0 and db.session.query(PesananKatalog).count() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"dokumen_persiapan": ("x.pdf", png_bytes())},
        {"dokumen_persiapan": ("x.pdf", pdf_bytes() + b"0" * (10 * 1024 * 1024))},
        {"opsi_kirim": "pihak_ketiga"},  # without a courier name
        {"tanggal_tiba_diminta": clock.today_local()},
        {"qty": 0},
    ],
)
def test_checkout_refusals(k, change):
    qty = change.pop("qty", 10)
    with pytest.raises(DomainError):
        _checkout(k, qty=qty, **change)
    assert db.session.query(PesananKatalog).count() == 0 and _rup(k).terpakai == 0


def test_ppk_and_rup_must_be_of_the_pp_satker(k, f):
    other = f.satker("satker")
    with pytest.raises(DomainError):
        _checkout(k, ppk_id=f.user("PPK", satker=other).id)
    rup = Rup(kode="RUP-X", nama="Lain", tahun=2026, satker_id=other.id, pagu=10**9, terpakai=0)
    db.session.add(rup)
    db.session.commit()
    with pytest.raises(DomainError):
        _checkout(k, rup_id=rup.id)


def test_only_pp_checks_out(k):
    with pytest.raises(Forbidden):
        katalog.checkout.checkout(k["ppk"], lines=[], dokumen_persiapan=("a.pdf", pdf_bytes()), rup_id=None,
                                  ppk_id=None, alamat_kirim="", jenis_pengiriman="", tanggal_tiba_diminta=None,
                                  opsi_kirim="")  # fmt: skip


def test_two_rounds_then_ppk(k):
    p = _checkout(k)
    item = p.items[0].id
    p = katalog.jalankan(p.id, "ajukan_nego", k["pp"], harga={item: 90_000}, ongkir=50_000, catatan="Mohon harga")
    # Kurir Penyedia shipping is taxed like a line: PPN 11 % of Rp 50.000 = Rp 5.500 is counted in the PPN
    assert (p.status, p.subtotal, p.ppn, p.ongkir, p.total) == ("nego_pp", 900_000, 99_000 + 5_500, 50_000, 1_054_500)
    assert (p.ongkir_ppn, p.ongkir_ppn_persen) == (5_500, 11)
    assert _rup(k).terpakai == 1_054_500  # the commitment follows the order
    with pytest.raises(Forbidden):
        katalog.jalankan(p.id, "terima", k["pp"])  # the PP cannot accept its own proposal
    p = katalog.jalankan(p.id, "tawar", k["supplier"], harga={item: 95_000}, ongkir=50_000)
    assert p.status == "nego_penyedia" and p.total == 950_000 + 104_500 + 50_000 + 5_500
    p = katalog.jalankan(p.id, "ajukan_nego", k["pp"], harga={item: 92_500})
    p = katalog.jalankan(p.id, "terima", k["supplier"])
    assert p.status == "nego_selesai"
    rounds = katalog.negosiasi.riwayat(p)
    assert [(r.oleh, r.total) for r in rounds] == [
        ("pp", 1_054_500),
        ("penyedia", 1_110_000),
        ("pp", 925_000 + 101_750 + 50_000 + 5_500),
    ]
    p = katalog.jalankan(p.id, "ajukan_ppk", k["pp"])
    assert p.status == "menunggu_ppk"
    with pytest.raises(DomainError):
        katalog.jalankan(p.id, "tolak_ppk", k["ppk"], alasan="")
    p = katalog.jalankan(p.id, "tolak_ppk", k["ppk"], alasan="Spesifikasi tidak sesuai")
    assert p.status == "ditolak_ppk" and _rup(k).terpakai == 0  # released


def test_lowest_price_ever_sold(k):
    assert katalog.angka.harga_terendah(k["produk"].id) is None
    p = _checkout(k)
    katalog.jalankan(p.id, "ajukan_nego", k["pp"], harga={p.items[0].id: 80_000})
    katalog.jalankan(p.id, "terima", k["supplier"])
    assert katalog.angka.harga_terendah(k["produk"].id) == 80_000


def test_proposal_refusals(k):
    p = _checkout(k, opsi_kirim="pihak_ketiga", kurir_nama="JNE", ongkir_estimasi=75_000)
    assert p.ongkir == 75_000 and p.total == 1_110_000 + 75_000
    for data in ({}, {"harga": {p.items[0].id: 0}}, {"harga": {999999: 1000}}, {"ongkir": 10_000}):
        with pytest.raises(DomainError):
            katalog.jalankan(p.id, "ajukan_nego", k["pp"], **data)
    db.session.expire_all()
    assert db.session.get(PesananKatalog, p.id).status == "menunggu_negosiasi"


def test_cancel_by_either_side_releases_the_budget(k):
    p = _checkout(k)
    with pytest.raises(DomainError):
        katalog.jalankan(p.id, "batalkan", k["supplier"], alasan="")
    p = katalog.jalankan(p.id, "batalkan", k["supplier"], alasan="Stok tidak tersedia")
    assert p.status == "dibatalkan" and _rup(k).terpakai == 0


def test_other_organisations_see_nothing(k, f):
    p = _checkout(k)
    for stranger in (f.user("PP", satker=f.satker("satker")), f.penyedia_user()):
        with pytest.raises(NotFound):
            katalog.jalankan(p.id, "batalkan", stranger, alasan="x")
    other_pp = f.user("PP", satker=k["satker"])  # same satker, not this order's PP
    with pytest.raises(Forbidden):
        katalog.jalankan(p.id, "ajukan_nego", other_pp, harga={p.items[0].id: 1000})


def test_unanswered_negotiation_is_cancelled_after_three_days(k):
    p = _checkout(k)
    p = katalog.jalankan(p.id, "ajukan_nego", k["pp"], harga={p.items[0].id: 90_000})
    due = db.session.execute(
        select(Deadline.due_at).where(
            Deadline.entity_id == p.id, Deadline.kind == "negosiasi", Deadline.status == "aktif"
        )
    ).scalar_one()
    assert deadlines.sweep(now=due - timedelta(minutes=1))["fired"] == 0
    assert deadlines.sweep(now=due)["fired"] == 1
    db.session.expire_all()
    p = db.session.get(PesananKatalog, p.id)
    assert p.status == "batal_otomatis" and _rup(k).terpakai == 0
    assert deadlines.sweep(now=due + timedelta(hours=1))["fired"] == 0
    emails = db.session.execute(
        select(func.count(EmailOutbox.id)).where(EmailOutbox.subject.contains("Batal Otomatis"))
    ).scalar_one()
    assert emails == 2  # the PP and the Penyedia user
    with pytest.raises(Conflict):
        katalog.jalankan(p.id, "terima", k["supplier"])


def test_answer_in_time_moves_the_deadline_to_the_other_side(k):
    p = _checkout(k)
    p = katalog.jalankan(p.id, "ajukan_nego", k["pp"], harga={p.items[0].id: 90_000})
    clock.advance(timedelta(hours=70))
    p = katalog.jalankan(p.id, "tawar", k["supplier"], harga={p.items[0].id: 95_000})
    clock.advance(timedelta(hours=5))  # 75 h after the first proposal: the new deadline still runs
    assert deadlines.sweep()["fired"] == 0
    active = db.session.execute(
        select(func.count(Deadline.id)).where(Deadline.entity_id == p.id, Deadline.status == "aktif")
    ).scalar_one()
    assert active == 1
    assert db.session.query(NegosiasiRonde).filter_by(pesanan_id=p.id).count() == 2


def test_chat_between_pp_and_penyedia_only(k, f):
    p = _checkout(k)
    katalog.negosiasi.kirim_chat(p.id, k["pp"], "Bisa kirim minggu depan?")
    katalog.negosiasi.kirim_chat(p.id, k["supplier"], "Bisa, Pak.")
    with pytest.raises(Forbidden):
        katalog.negosiasi.kirim_chat(p.id, k["ppk"], "Saya ikut")
    with pytest.raises(DomainError):
        katalog.negosiasi.kirim_chat(p.id, k["pp"], "   ")


# --- Surat Pesanan -----------------------------------------------------------------------------


def _to_ppk(k):
    p = _checkout(k)
    p = katalog.jalankan(p.id, "ajukan_nego", k["pp"], harga={p.items[0].id: 90_000})
    p = katalog.jalankan(p.id, "terima", k["supplier"])
    return katalog.jalankan(p.id, "ajukan_ppk", k["pp"])


def test_surat_pesanan_signed_by_ppk_then_penyedia(k, f):
    from app.models import Dokumen
    from app.services import documents, tte

    p = _to_ppk(k)
    with pytest.raises(DomainError) as e:  # no TTE yet: told how to activate it
        katalog.jalankan(p.id, "buat_pesanan", k["ppk"], passphrase="rahasia-ppk-123")
    assert "Tanda Tangan Elektronik" in str(e.value)
    for user in (k["ppk"], k["supplier"]):
        f.tte_disetujui(user)  # the instansi's TTE verifier approved both
    tte.aktifkan(k["ppk"], "rahasia-ppk-123", "rahasia-ppk-123")
    tte.aktifkan(k["supplier"], "rahasia-umkm-456", "rahasia-umkm-456")
    with pytest.raises(DomainError):
        katalog.jalankan(p.id, "buat_pesanan", k["ppk"], passphrase="salah-sekali")
    db.session.expire_all()
    assert db.session.get(PesananKatalog, p.id).status == "menunggu_ppk"  # a wrong passphrase changes nothing
    p = katalog.jalankan(
        p.id, "buat_pesanan", k["ppk"], passphrase="rahasia-ppk-123", klausul="Barang dikemas per ruangan."
    )
    assert p.status == "konfirmasi_penyedia" and p.sp_nomor == f"SP/{k['satker'].kode}/{p.sp_ttd_ppk_at.year}/00001"
    p = katalog.jalankan(p.id, "ttd_sp", k["supplier"], passphrase="rahasia-umkm-456")
    assert p.status == "diproses_penyedia"
    signed = documents.read(db.session.get(Dokumen, p.sp_dokumen_id).stored_name)
    results = tte.verify_pdf(signed)
    assert [r.ok for r in results] == [True, True]


def test_supplier_not_signing_the_sp_in_three_days_cancels(k, f):
    p = _to_ppk(k)
    f.tte(k["ppk"], "rahasia-ppk-123")
    p = katalog.jalankan(p.id, "buat_pesanan", k["ppk"], passphrase="rahasia-ppk-123")
    due = db.session.execute(
        select(Deadline.due_at).where(Deadline.entity_id == p.id, Deadline.kind == "ttd_sp", Deadline.status == "aktif")
    ).scalar_one()
    assert deadlines.sweep(now=due)["fired"] == 1
    db.session.expire_all()
    assert db.session.get(PesananKatalog, p.id).status == "batal_otomatis" and _rup(k).terpakai == 0


# --- shipping, BAST, ratings --------------------------------------------------------------------


def _to_processing(k, **kw):
    from app.services import tte

    p = _checkout(k, **kw)
    p = katalog.jalankan(p.id, "ajukan_nego", k["pp"], harga={p.items[0].id: 90_000})
    p = katalog.jalankan(p.id, "terima", k["supplier"])
    p = katalog.jalankan(p.id, "ajukan_ppk", k["pp"])
    from tests.factories import Factories

    for user in (k["ppk"], k["supplier"]):
        Factories().tte_disetujui(user)  # the instansi's TTE verifier approved both
    tte.aktifkan(k["ppk"], "rahasia-ppk-123", "rahasia-ppk-123")
    tte.aktifkan(k["supplier"], "rahasia-umkm-456", "rahasia-umkm-456")
    p = katalog.jalankan(p.id, "buat_pesanan", k["ppk"], passphrase="rahasia-ppk-123")
    return katalog.jalankan(p.id, "ttd_sp", k["supplier"], passphrase="rahasia-umkm-456")


def test_shipping_bast_and_ratings(k):
    from app.models import Dokumen, Penyedia
    from app.services import documents, tte

    p = _to_processing(k)
    with pytest.raises(DomainError):
        katalog.jalankan(p.id, "kirim", k["supplier"], lokasi="", status="Dikemas")
    with pytest.raises(DomainError):  # Kurir Penyedia: no pickup request
        katalog.jalankan(p.id, "minta_pickup", k["supplier"])
    p = katalog.jalankan(p.id, "kirim", k["supplier"], lokasi="Gudang Cakung", status="Barang dikirim")
    clock.advance(timedelta(hours=5))
    typed = (clock.to_local(clock.now()) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")  # as a form sends it
    for wrong in ("kemarin", "2020-01-01T10:00", (clock.to_local(clock.now()) + timedelta(hours=2)).isoformat()):
        with pytest.raises(DomainError):  # not a time, before the SP, in the future
            katalog.jalankan(p.id, "catat_pengiriman", k["supplier"], lokasi="X", status="Y", waktu=wrong)
    p = katalog.jalankan(
        p.id, "catat_pengiriman", k["supplier"], lokasi="Jl. Medan Merdeka", status="Tiba", waktu=typed
    )
    assert p.status == "dalam_pengiriman"
    assert [e.lokasi for e in katalog.pengiriman.lacak(p)][-1] == "Jl. Medan Merdeka"
    item = p.items[0]
    periksa = {item.id: {"qty_diterima": 10, "kondisi": "Baik", "sesuai": True}}
    with pytest.raises(DomainError):
        katalog.jalankan(p.id, "terima_barang", k["ppk"], periksa={}, passphrase="rahasia-ppk-123")
    with pytest.raises(DomainError):
        katalog.jalankan(
            p.id, "terima_barang", k["ppk"], periksa={item.id: {"qty_diterima": 11}}, passphrase="rahasia-ppk-123"
        )
    p = katalog.jalankan(p.id, "terima_barang", k["ppk"], periksa=periksa, passphrase="rahasia-ppk-123")
    assert p.status == "pesanan_tiba" and p.bast_nomor.startswith("BAST/")
    p = katalog.jalankan(p.id, "ttd_bast", k["supplier"], passphrase="rahasia-umkm-456")
    with pytest.raises(Conflict):
        katalog.jalankan(p.id, "ttd_bast", k["supplier"], passphrase="rahasia-umkm-456")
    bast = documents.read(db.session.get(Dokumen, p.bast_dokumen_id).stored_name)
    assert [r.ok for r in tte.verify_pdf(bast)] == [True, True]

    katalog.penilaian.beri_penilaian(p.id, k["ppk"], "pesanan", 5, "Tepat waktu")
    katalog.penilaian.beri_penilaian(p.id, k["ppk"], "layanan", 4)
    katalog.penilaian.beri_penilaian(p.id, k["ppk"], "kurir", 5)
    with pytest.raises(Conflict):
        katalog.penilaian.beri_penilaian(p.id, k["ppk"], "layanan", 3)
    with pytest.raises(Forbidden):
        katalog.penilaian.beri_penilaian(p.id, k["pp"], "pesanan", 3)
    db.session.expire_all()
    assert db.session.get(Penyedia, k["penyedia"].id).rating_count == 2


def test_third_party_courier_pickup_and_no_courier_rating(k):
    p = _to_processing(k, opsi_kirim="pihak_ketiga", kurir_nama="JNE", ongkir_estimasi=50_000)
    p = katalog.jalankan(p.id, "minta_pickup", k["supplier"])
    assert p.pickup_diminta_at is not None
    with pytest.raises(Conflict):
        katalog.jalankan(p.id, "minta_pickup", k["supplier"])


# --- Adendum ----------------------------------------------------------------------------------------


def test_adendum_accepted_changes_the_order(k):
    from app.services import tte
    from app.services.katalog import adendum

    p = _to_processing(k)  # 10 x 90.000 + 11 % = 999.000
    item = p.items[0].id
    preview = adendum.pratinjau(p.id, k["ppk"], {"qty": {item: 11}, "klausul": "Dikirim dua tahap."})
    assert preview["total_lama"] == 999_000 and preview["total_baru"] == 1_098_900
    assert [r["perubahan"] for r in preview["rows"]][0].startswith("Jumlah")
    a = adendum.ajukan(p.id, k["ppk"], {"qty": {item: 11}, "klausul": "Dikirim dua tahap."}, "rahasia-ppk-123")
    assert a.status == "diajukan" and a.nomor.endswith("/ADD-1")
    with pytest.raises(Conflict):  # one at a time
        adendum.ajukan(p.id, k["ppk"], {"ongkir": 1000}, "rahasia-ppk-123")
    with pytest.raises(Forbidden):  # the proposer does not answer its own addendum
        adendum.jawab(a.id, "terima", k["ppk"], passphrase="rahasia-ppk-123")
    a = adendum.jawab(a.id, "terima", k["supplier"], passphrase="rahasia-umkm-456")
    db.session.expire_all()
    p = db.session.get(PesananKatalog, p.id)
    assert (a.status, p.items[0].qty, p.total, p.klausul) == ("diterima", 11, 1_098_900, "Dikirim dua tahap.")
    assert _rup(k).terpakai == 1_098_900
    from app.models import Dokumen
    from app.services import documents

    letter = documents.read(db.session.get(Dokumen, a.dokumen_id).stored_name)
    assert [r.ok for r in tte.verify_pdf(letter)] == [True, True]


def test_adendum_rejected_leaves_the_sp(k):
    from app.services.katalog import adendum

    p = _to_processing(k)
    a = adendum.ajukan(p.id, k["supplier"], {"ongkir": 25_000}, "rahasia-umkm-456")
    with pytest.raises(DomainError):
        adendum.jawab(a.id, "tolak", k["ppk"], alasan="")
    a = adendum.jawab(a.id, "tolak", k["ppk"], alasan="Tidak sesuai anggaran")
    db.session.expire_all()
    assert a.status == "ditolak" and db.session.get(PesananKatalog, p.id).total == 999_000


def test_adendum_refusals(k):
    from app.services import katalog
    from app.services.katalog import adendum

    p = _to_processing(k)
    item = p.items[0].id
    with pytest.raises(DomainError) as e:  # 12 x -> +20 %
        adendum.ajukan(p.id, k["ppk"], {"qty": {item: 12}}, "rahasia-ppk-123")
    assert "10%" in str(e.value)
    with pytest.raises(DomainError):
        adendum.ajukan(p.id, k["ppk"], {}, "rahasia-ppk-123")
    with pytest.raises(DomainError):  # wrong passphrase: nothing proposed
        adendum.ajukan(p.id, k["ppk"], {"ongkir": 1000}, "salah-passphrase")
    with pytest.raises(Forbidden):
        adendum.ajukan(p.id, k["pp"], {"ongkir": 1000}, "x")
    assert adendum.pending(p) is None
    # after the BAST, no more addenda
    p = katalog.jalankan(p.id, "kirim", k["supplier"], lokasi="Gudang", status="Dikirim")
    periksa = {item: {"qty_diterima": 10, "sesuai": True}}
    katalog.jalankan(p.id, "terima_barang", k["ppk"], periksa=periksa, passphrase="rahasia-ppk-123")
    with pytest.raises(Conflict):
        adendum.ajukan(p.id, k["ppk"], {"ongkir": 1000}, "rahasia-ppk-123")


def test_unanswered_adendum_is_rejected_after_three_days(k):
    from app.models import Adendum
    from app.services.katalog import adendum

    p = _to_processing(k)
    a = adendum.ajukan(p.id, k["ppk"], {"ongkir": 10_000}, "rahasia-ppk-123")
    due = db.session.execute(
        select(Deadline.due_at).where(Deadline.entity_id == a.id, Deadline.kind == "adendum")
    ).scalar_one()
    assert deadlines.sweep(now=due)["fired"] == 1
    db.session.expire_all()
    assert db.session.get(Adendum, a.id).status == "ditolak"
    assert db.session.get(PesananKatalog, p.id).total == 999_000


def test_ready_stock_is_taken_when_the_penyedia_signs_and_follows_addenda(k):
    from app.models import Produk
    from app.services import katalog
    from app.services.katalog import adendum

    def stok():
        db.session.expire_all()
        return db.session.get(Produk, k["produk"].id).stok

    p = _to_processing(k)  # 10 of 100 units
    assert stok() == 90
    item = p.items[0].id
    a = adendum.ajukan(p.id, k["ppk"], {"qty": {item: 11}}, "rahasia-ppk-123")
    adendum.jawab(a.id, "terima", k["supplier"], passphrase="rahasia-umkm-456")
    assert stok() == 89
    # a second order cannot take more than what is left: refused at signing, nothing changes
    q = _checkout(k, qty=10)
    q = katalog.jalankan(q.id, "ajukan_nego", k["pp"], harga={q.items[0].id: 90_000})
    q = katalog.jalankan(q.id, "terima", k["supplier"])
    q = katalog.jalankan(q.id, "ajukan_ppk", k["pp"])
    q = katalog.jalankan(q.id, "buat_pesanan", k["ppk"], passphrase="rahasia-ppk-123")
    db.session.execute(Produk.__table__.update().values(stok=5))
    db.session.commit()
    with pytest.raises(DomainError):
        katalog.jalankan(q.id, "ttd_sp", k["supplier"], passphrase="rahasia-umkm-456")
    db.session.expire_all()
    assert db.session.get(PesananKatalog, q.id).status == "konfirmasi_penyedia" and stok() == 5


def test_a_service_asked_by_two_lines_is_charged_once(k, f):
    from app.models import LayananTambahan, ProdukVarian

    lay = LayananTambahan(produk_id=k["produk"].id, nama="Sablon Logo", harga=250_000)
    v1 = ProdukVarian(produk_id=k["produk"].id, nama="S", harga=100_000)
    v2 = ProdukVarian(produk_id=k["produk"].id, nama="XXL", harga=110_000)
    db.session.add_all([lay, v1, v2])
    db.session.commit()
    lines = [
        {"produk_id": k["produk"].id, "varian_id": v1.id, "qty": 5, "layanan_ids": [lay.id]},
        {"produk_id": k["produk"].id, "varian_id": v2.id, "qty": 5, "layanan_ids": [lay.id]},
    ]
    p = _checkout(k, lines=lines)
    assert [(x.nama, x.harga) for x in p.layanan] == [("Sablon Logo", 250_000)]
    assert p.subtotal == 5 * 100_000 + 5 * 110_000 + 250_000
