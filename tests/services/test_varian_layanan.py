"""A Penyedia's variants and additional services: a pending change that the Admin's approval of the product
applies (services/catalog.py, "ubah_usulan" … "terapkan_usulan"), and a variant's own Ready Stock."""

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AuditLog,
    KeranjangKatalog,
    LayananTambahan,
    PesananKatalog,
    PortalUser,
    Produk,
    ProdukVarian,
    UsulanVarianLayanan,
)
from app.services import catalog, clock, katalog
from app.services.errors import Conflict, DomainError, Forbidden, NotFound
from app.services.katalog import angka
from tests.factories import PASS_PENYEDIA


@pytest.fixture
def kaos(f):
    """A Tayang product with one variant and one service, its Penyedia user and an Admin."""
    penyedia = f.penyedia()
    user = f.penyedia_user(penyedia)
    produk = f.produk(penyedia, nama="Kaos Seragam", harga=80_000, min_pesan=1, stok=60)
    produk.varian.append(ProdukVarian(nama="Ukuran S-XL", harga=80_000))
    produk.layanan_tambahan.append(LayananTambahan(nama="Sablon Logo", harga=250_000))
    db.session.commit()
    return dict(produk=produk, user=user, admin=f.user("Admin"), penyedia=penyedia)


def _live(produk_id):
    db.session.expire_all()
    varian = db.session.execute(select(ProdukVarian).where(ProdukVarian.produk_id == produk_id).order_by("id"))
    layanan = db.session.execute(select(LayananTambahan).where(LayananTambahan.produk_id == produk_id).order_by("id"))
    return (
        [(v.nama, v.harga, v.stok, v.aktif) for v in varian.scalars()],
        [(x.nama, x.harga, x.ppn_persen, x.ppnbm_persen, x.aktif) for x in layanan.scalars()],
    )


def _usulan_count():
    return db.session.query(UsulanVarianLayanan).count()


def _tarik(k):
    return catalog.jalankan(k["produk"].id, "tarik", k["user"])


def _key(jenis, produk, nama):
    rows = getattr(catalog.rincian_usulan(produk), jenis)
    return next(x.kunci for x in rows if (x.sesudah or x.sebelum)["nama"] == nama)


LIVE_AWAL = (
    [("Ukuran S-XL", 80_000, None, True)],
    [("Sablon Logo", 250_000, Decimal("11.00"), Decimal("0.00"), True)],
)


def test_changes_wait_for_the_admin_and_go_live_on_approval(kaos):
    k, p = kaos, kaos["produk"]
    with pytest.raises(Conflict):  # a Tayang product is withdrawn first, like every other product edit
        catalog.ubah_usulan(p.id, k["user"], "varian", "simpan", {"nama": "XXL", "harga": "90.000", "aktif": "1"})
    assert _usulan_count() == 0
    _tarik(k)
    sxl = _key("varian", p, "Ukuran S-XL")
    sablon = _key("layanan", p, "Sablon Logo")
    catalog.ubah_usulan(
        p.id, k["user"], "varian", "simpan", {"nama": "XXL", "harga": "Rp 90.000", "stok": "5", "aktif": "1"}
    )
    catalog.ubah_usulan(
        p.id, k["user"], "varian", "simpan", {"kunci": sxl, "nama": "Ukuran S-XL", "harga": "85000", "aktif": "1"}
    )
    layanan = {"nama": "Sablon Logo", "harga": "275.000", "ppn_persen": "12", "ppnbm_persen": "0", "aktif": "1"}
    catalog.ubah_usulan(p.id, k["user"], "layanan", "simpan", {**layanan, "kunci": sablon})
    layanan = {"nama": "Antar ke Lokasi", "harga": "100.000", "ppn_persen": "11,5", "ppnbm_persen": "0", "aktif": "1"}
    catalog.ubah_usulan(p.id, k["user"], "layanan", "simpan", layanan)

    # pending: the live rows (what the shops offer) are unchanged, the review shows before/after
    assert _live(p.id) == LIVE_AWAL
    u = catalog.rincian_usulan(db.session.get(Produk, p.id))
    assert u.ada
    assert [(x.perubahan, x.sebelum and x.sebelum["harga"], x.sesudah["harga"]) for x in u.varian] == [
        ("ubah", 80_000, 85_000),
        ("baru", None, 90_000),
    ]
    assert [(x.perubahan, x.sesudah["ppn_persen"]) for x in u.layanan] == [
        ("ubah", Decimal("12.00")),
        ("baru", Decimal("11.50")),
    ]
    assert u.varian[0].berubah("harga") and not u.varian[0].berubah("nama")

    catalog.jalankan(p.id, "ajukan", k["user"])
    assert _live(p.id) == LIVE_AWAL
    with pytest.raises(Conflict):  # under review: no more changes
        catalog.ubah_usulan(p.id, k["user"], "varian", "hapus", {"kunci": sxl})
    catalog.jalankan(p.id, "setujui", k["admin"])
    assert _live(p.id) == (
        [("Ukuran S-XL", 85_000, None, True), ("XXL", 90_000, 5, True)],
        [
            ("Sablon Logo", 275_000, Decimal("12.00"), Decimal("0.00"), True),
            ("Antar ke Lokasi", 100_000, Decimal("11.50"), Decimal("0.00"), True),
        ],
    )
    assert _usulan_count() == 0 and not catalog.rincian_usulan(db.session.get(Produk, p.id)).ada
    produk = db.session.get(Produk, p.id)
    assert [v.nama for v in produk.varian] == ["Ukuran S-XL", "XXL"] and len(produk.layanan_tambahan) == 2
    actions = db.session.execute(select(AuditLog.action).where(AuditLog.entity == "produk", AuditLog.entity_id == p.id))
    assert {"simpan_varian", "simpan_layanan", "setujui"} <= set(actions.scalars())


def test_refusal_keeps_the_live_rows_and_the_change_for_the_penyedia(kaos):
    k, p = kaos, kaos["produk"]
    _tarik(k)
    sxl = _key("varian", p, "Ukuran S-XL")
    catalog.ubah_usulan(p.id, k["user"], "varian", "hapus", {"kunci": sxl})
    catalog.ubah_usulan(p.id, k["user"], "varian", "simpan", {"nama": "Anak", "harga": "60.000", "aktif": "1"})
    catalog.jalankan(p.id, "ajukan", k["user"])
    catalog.jalankan(p.id, "tolak", k["admin"], alasan="Harga varian anak tidak wajar")
    assert _live(p.id) == LIVE_AWAL
    u = catalog.rincian_usulan(db.session.get(Produk, p.id))
    assert u.ada and [x.perubahan for x in u.varian] == ["hapus", "baru"]
    # the Penyedia mends it (restores the removed one) and submits again
    catalog.ubah_usulan(p.id, k["user"], "varian", "pulihkan", {"kunci": sxl})
    catalog.jalankan(p.id, "ajukan", k["user"])
    catalog.jalankan(p.id, "setujui", k["admin"])
    assert _live(p.id)[0] == [("Ukuran S-XL", 80_000, None, True), ("Anak", 60_000, None, True)]


def test_discarding_the_change_and_editing_back_leave_nothing_to_review(kaos):
    k, p = kaos, kaos["produk"]
    _tarik(k)
    sxl = _key("varian", p, "Ukuran S-XL")
    catalog.ubah_usulan(
        p.id, k["user"], "varian", "simpan", {"kunci": sxl, "nama": "Ukuran S-XL", "harga": "1", "aktif": "1"}
    )
    catalog.ubah_usulan(
        p.id, k["user"], "varian", "simpan", {"kunci": sxl, "nama": "Ukuran S-XL", "harga": "80.000", "aktif": "1"}
    )
    assert _usulan_count() == 0  # back to the live values
    catalog.ubah_usulan(p.id, k["user"], "varian", "simpan", {"nama": "XXL", "harga": "90.000", "aktif": "1"})
    catalog.batalkan_usulan(p.id, k["user"])
    assert _usulan_count() == 0 and _live(p.id) == LIVE_AWAL
    with pytest.raises(DomainError):
        catalog.batalkan_usulan(p.id, k["user"])


def test_only_the_products_own_penyedia(kaos, f):
    k, p = kaos, kaos["produk"]
    _tarik(k)
    data = {"nama": "XXL", "harga": "90.000", "aktif": "1"}
    with pytest.raises(NotFound):  # another company's product is not there
        catalog.ubah_usulan(p.id, f.penyedia_user(), "varian", "simpan", data)
    with pytest.raises(Forbidden):  # the Admin reviews, the Penyedia proposes
        catalog.ubah_usulan(p.id, k["admin"], "varian", "simpan", data)
    with pytest.raises(NotFound):  # a buyer sees Tayang products only
        catalog.ubah_usulan(p.id, f.user("PP", satker=f.satker("satker")), "varian", "simpan", data)
    colleague = f.penyedia_user(k["penyedia"])
    catalog.ubah_usulan(p.id, colleague, "varian", "simpan", data)
    assert _usulan_count() == 1


@pytest.mark.parametrize(
    "jenis,data",
    [
        ("varian", {"nama": "XXL", "harga": "10,5"}),
        ("varian", {"nama": "XXL", "harga": "0"}),
        ("varian", {"nama": "XXL", "harga": "-5"}),
        ("varian", {"nama": "  ", "harga": "90.000"}),
        ("varian", {"nama": "X" * 121, "harga": "90.000"}),
        ("varian", {"nama": "XXL", "harga": "90.000", "stok": "-1"}),
        ("varian", {"nama": "XXL", "harga": "90.000", "stok": "1,5"}),
        ("varian", {"nama": "ukuran s-xl", "harga": "90.000"}),  # the name of another row
        ("layanan", {"nama": "Antar", "harga": "100.000", "ppn_persen": "101", "ppnbm_persen": "0"}),
        ("layanan", {"nama": "Antar", "harga": "100.000", "ppn_persen": "11.123", "ppnbm_persen": "0"}),
        ("layanan", {"nama": "Antar", "harga": "100.000", "ppn_persen": "", "ppnbm_persen": "0"}),
        ("layanan", {"nama": "Antar", "harga": "100.000", "ppn_persen": "11", "ppnbm_persen": "-1"}),
        ("layanan", {"nama": "", "harga": "100.000", "ppn_persen": "11", "ppnbm_persen": "0"}),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(kaos, jenis, data):
    k, p = kaos, kaos["produk"]
    _tarik(k)
    version = db.session.get(Produk, p.id).version
    with pytest.raises(DomainError) as e:
        catalog.ubah_usulan(p.id, k["user"], jenis, "simpan", {**data, "aktif": "1"})
    assert str(e.value) and e.value.status == 400
    db.session.expire_all()
    assert _usulan_count() == 0 and db.session.get(Produk, p.id).version == version and _live(p.id) == LIVE_AWAL


def test_unknown_rows_and_actions_are_refused(kaos, f):
    k, p = kaos, kaos["produk"]
    _tarik(k)
    other = f.produk(k["penyedia"], status="draft")
    other.varian.append(ProdukVarian(nama="Lain", harga=1_000))
    db.session.commit()
    for jenis, aksi, kunci in [("varian", "hapus", str(other.varian[0].id)), ("varian", "hapus", "baru-9"),
                               ("varian", "pulihkan", "12"), ("lain", "hapus", "1")]:  # fmt: skip
        with pytest.raises(DomainError):
            catalog.ubah_usulan(p.id, k["user"], jenis, aksi, {"kunci": kunci})
    with pytest.raises(DomainError):
        catalog.ubah_usulan(p.id, k["user"], "varian", "hancurkan", {"kunci": "1"})
    assert _usulan_count() == 0


def _order_with_variant(f, w, varian, qty, harga=90_000):
    line = {"produk_id": w["produk"].id, "qty": qty, "varian_id": varian.id}
    return f.katalog("konfirmasi_penyedia", dunia=w, qty=qty, harga=harga, lines=[line])


def test_a_variant_on_an_order_is_deactivated_not_deleted(f):
    w = f.katalog_dunia()
    produk = w["produk"]
    produk.varian.extend([ProdukVarian(nama="Besar", harga=150_000), ProdukVarian(nama="Kecil", harga=100_000)])
    db.session.commit()
    besar, kecil = produk.varian
    order = _order_with_variant(f, w, besar, 2)["pesanan"]
    catalog.jalankan(produk.id, "tarik", w["supplier"])
    with pytest.raises(DomainError) as e:  # on an order: refused, with the way out
        catalog.ubah_usulan(produk.id, w["supplier"], "varian", "hapus", {"kunci": str(besar.id)})
    assert e.value.status == 409 and "nonaktifkan" in str(e.value)
    assert _usulan_count() == 0
    catalog.ubah_usulan(produk.id, w["supplier"], "varian", "simpan",
                        {"kunci": str(besar.id), "nama": "Besar", "harga": "150.000"})  # fmt: skip
    catalog.ubah_usulan(produk.id, w["supplier"], "varian", "hapus", {"kunci": str(kecil.id)})  # unused
    catalog.jalankan(produk.id, "ajukan", w["supplier"])
    catalog.jalankan(produk.id, "setujui", f.user("Admin"))
    assert _live(produk.id)[0] == [("Besar", 150_000, None, False)]
    produk = db.session.get(Produk, produk.id)
    assert produk.varian == []  # no longer offered …
    assert db.session.get(PesananKatalog, order.id).items[0].varian_id == besar.id  # … the order keeps it
    with pytest.raises(DomainError):
        catalog.varian_dari(produk, besar.id)


def test_a_removal_that_a_cart_took_meanwhile_deactivates(kaos, f):
    k, p = kaos, kaos["produk"]
    _tarik(k)
    sxl = _key("varian", p, "Ukuran S-XL")
    catalog.ubah_usulan(p.id, k["user"], "varian", "hapus", {"kunci": sxl})
    catalog.jalankan(p.id, "ajukan", k["user"])
    pp = f.user("PP", satker=f.satker("satker"))
    db.session.add(KeranjangKatalog(user_id=pp.id, produk_id=p.id, varian_id=int(sxl), qty=1, created_at=clock.now()))
    db.session.commit()
    catalog.jalankan(p.id, "setujui", k["admin"])
    assert _live(p.id)[0] == [("Ukuran S-XL", 80_000, None, False)]


def test_two_orders_cannot_take_the_last_units_of_a_variant(f):
    w = f.katalog_dunia(stok=100)
    w["produk"].varian.append(ProdukVarian(nama="Merah", harga=100_000, stok=3))
    db.session.commit()
    merah = w["produk"].varian[0]
    first = _order_with_variant(f, w, merah, 2)["pesanan"]
    second = _order_with_variant(f, w, merah, 2)["pesanan"]
    katalog.jalankan(first.id, "ttd_sp", w["supplier"], passphrase=PASS_PENYEDIA)
    db.session.expire_all()
    assert (db.session.get(ProdukVarian, merah.id).stok, db.session.get(Produk, w["produk"].id).stok) == (1, 100)
    with pytest.raises(DomainError) as e:
        katalog.jalankan(second.id, "ttd_sp", w["supplier"], passphrase=PASS_PENYEDIA)
    assert "Merah" in str(e.value) and "1" in str(e.value)
    db.session.expire_all()
    assert db.session.get(PesananKatalog, second.id).status == "konfirmasi_penyedia"
    assert db.session.get(ProdukVarian, merah.id).stok == 1


def test_the_stock_take_is_conditional_per_variant(f):
    """Even past the check (two signings at once), the conditional UPDATE lets only one take the last units."""
    w = f.katalog_dunia(stok=100)
    w["produk"].varian.extend([ProdukVarian(nama="Merah", harga=1_000, stok=3), ProdukVarian(nama="Biru", harga=1_000)])
    db.session.commit()
    merah, biru = w["produk"].varian
    need = {(w["produk"].id, merah.id): 2}
    angka.cek_stok(need)
    angka.ambil_stok(need)
    db.session.commit()
    with pytest.raises(DomainError):
        angka.ambil_stok(need)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(ProdukVarian, merah.id).stok == 1

    class Line:  # an order line: a variant without its own stock counts on the product's
        def __init__(self, varian, qty):
            self.produk_id, self.varian_id, self.qty = w["produk"].id, varian.id, qty

    assert angka.kebutuhan_stok([Line(merah, 1), Line(biru, 2), Line(merah, 1)]) == {
        (w["produk"].id, merah.id): 2,
        (w["produk"].id, 0): 2,
    }


def _race(app, calls):
    """Run each fn(user) in its own thread, app context and session, at once; "ok" or the refusal."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, user_id, fn):
        with app.app_context():
            user = db.session.get(PortalUser, user_id)
            _ = user.roles  # loaded before the race starts
            barrier.wait()
            try:
                fn(user)
                results[i] = "ok"
            except DomainError as e:
                results[i] = ("refused", str(e))
            except Exception as e:  # pragma: no cover - shown in the assertion
                results[i] = ("error", repr(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_two_signings_at_once_take_the_last_units_of_a_variant_once(app, f):
    w = f.katalog_dunia(stok=100)
    w["produk"].varian.append(ProdukVarian(nama="Merah", harga=100_000, stok=3))
    db.session.commit()
    merah = w["produk"].varian[0]
    orders = [_order_with_variant(f, w, merah, 2)["pesanan"].id for _ in range(2)]
    sign = [lambda u, pk=pk: katalog.jalankan(pk, "ttd_sp", u, passphrase=PASS_PENYEDIA) for pk in orders]
    results = _race(app, [(w["supplier"].id, fn) for fn in sign])
    assert results.count("ok") == 1 and all(r == "ok" or r[0] == "refused" for r in results), results
    db.session.expire_all()
    assert db.session.get(ProdukVarian, merah.id).stok == 1
    statuses = sorted(db.session.get(PesananKatalog, pk).status for pk in orders)
    assert statuses == ["diproses_penyedia", "konfirmasi_penyedia"]


def test_two_colleagues_editing_at_once_one_is_told_to_reload(app, kaos, f):
    k, p = kaos, kaos["produk"]
    _tarik(k)
    colleague = f.penyedia_user(k["penyedia"])

    def add(nama):
        return lambda u: catalog.ubah_usulan(
            p.id, u, "varian", "simpan", {"nama": nama, "harga": "1.000", "aktif": "1"}
        )

    results = _race(app, [(k["user"].id, add("Merah")), (colleague.id, add("Biru"))])
    assert "ok" in results and all(r == "ok" or r[0] == "refused" for r in results), results
    db.session.expire_all()
    added = [
        x.sesudah["nama"] for x in catalog.rincian_usulan(db.session.get(Produk, p.id)).varian if x.perubahan == "baru"
    ]
    assert len(added) == results.count("ok")  # a refused edit wrote nothing, the other was not overwritten
