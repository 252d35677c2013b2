"""catalog.simpan_produk_lengkap: the Produk Saya form's one transaction, in the service layer."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Produk, ProdukFoto, UsulanVarianLayanan
from app.services import catalog
from app.services.errors import Conflict
from tests.factories import png_bytes


def _produk(f, **kw):
    values = dict(
        nama="Keripik Singkong",
        kategori_id=f.kategori().id,
        harga=15_000,
        ppn_persen=Decimal("11"),
        ppnbm_persen=Decimal("0"),
        min_pesan=1,
        max_pesan=100,
        stok=50,
        ketersediaan="ready",
        satuan="bungkus",
        deskripsi="Renyah.",
        is_pdn=True,
    )
    values.update(kw)
    return Produk(**values)


VARIAN = [{"nama": "Pedas", "harga": "16.000", "stok": "", "aktif": "1"}, {"nama": "Original", "harga": "15000"}]
LAYANAN = [{"nama": "Kemasan hadiah", "harga": "5.000", "ppn_persen": "11", "ppnbm_persen": "0", "aktif": "1"}]


def test_new_product_with_rows_and_photos_in_one_transaction(f):
    user = f.penyedia_user()
    produk = catalog.simpan_produk_lengkap(
        user, _produk(f), VARIAN, LAYANAN, [("a.png", png_bytes()), ("b.png", png_bytes())], baru=True
    )
    assert (produk.status, produk.penyedia_id) == ("draft", user.penyedia_id)
    assert len(catalog.foto_tersimpan(produk)) == 2 and catalog.foto_tersimpan(produk)[0][0] == "utama"
    rincian = catalog.rincian_usulan(produk)
    assert [(x.nilai["nama"], x.perubahan) for x in rincian.varian] == [("Pedas", "baru"), ("Original", "baru")]
    assert rincian.varian[0].nilai["aktif"] and not rincian.varian[1].nilai["aktif"]  # unticked: inactive
    assert [x.nilai["harga"] for x in rincian.layanan] == [5_000]
    actions = db.session.execute(select(AuditLog.action).where(AuditLog.entity == "produk")).scalars().all()
    assert actions == ["tambah_produk"]


def test_every_problem_is_reported_and_nothing_written(f):
    user = f.penyedia_user()
    rows = [VARIAN[0], {"nama": "", "harga": "1.000"}, {"nama": "Manis", "harga": "0"}]
    with pytest.raises(catalog.IsianProduk) as e:
        catalog.simpan_produk_lengkap(
            user, _produk(f, max_pesan=0), rows, LAYANAN, [("x.png", b"not an image")], baru=True
        )
    assert set(e.value.rincian) == {"produk", ("varian", 1), ("varian", 2), "foto"}
    assert "Maksimal pesan" in e.value.rincian["produk"]
    assert "x.png" in e.value.rincian["foto"][0]
    assert db.session.query(Produk).count() == 0 and db.session.query(UsulanVarianLayanan).count() == 0


def test_a_supplier_less_account_cannot_add(f):
    with pytest.raises(catalog.IsianProduk) as e:
        catalog.simpan_produk_lengkap(f.pembeli(), _produk(f), baru=True)
    assert "Penyedia" in e.value.rincian["produk"]
    assert db.session.query(Produk).count() == 0


def test_edit_moves_the_version_and_refuses_a_stale_one(f):
    user = f.penyedia_user()
    produk = catalog.simpan_produk_lengkap(user, _produk(f), baru=True)
    version = produk.version
    produk.nama = "Keripik Balado"
    produk = catalog.simpan_produk_lengkap(user, produk, expected_version=version)
    assert produk.version == version + 1
    produk.nama = "Keripik Lain"
    with pytest.raises(Conflict):
        catalog.simpan_produk_lengkap(user, produk, expected_version=version)
    db.session.expire_all()
    assert db.session.get(Produk, produk.id).nama == "Keripik Balado"


def test_another_penyedias_product_is_refused(f):
    owner = f.penyedia_user()
    produk = catalog.simpan_produk_lengkap(owner, _produk(f), baru=True)
    stranger = f.penyedia_user()
    produk.nama = "Diambil"
    with pytest.raises(Exception) as e:
        catalog.simpan_produk_lengkap(stranger, produk, VARIAN)
    assert getattr(e.value, "status", None) in (403, 404)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Produk, produk.id).nama == "Keripik Singkong"


def test_photos_limit_and_cover_promotion(f):
    user = f.penyedia_user()
    produk = catalog.simpan_produk_lengkap(user, _produk(f), foto_baru=[("a.png", png_bytes())] * 3, baru=True)
    keys = [k for k, _n in catalog.foto_tersimpan(produk)]
    assert len(keys) == 3
    with pytest.raises(catalog.IsianProduk) as e:
        catalog.simpan_produk_lengkap(user, produk, foto_baru=[("b.png", png_bytes())] * 3)
    assert "5 foto" in e.value.rincian["foto"][0]
    produk = db.session.get(Produk, produk.id)
    second = catalog.foto_tersimpan(produk)[1][1]
    produk = catalog.simpan_produk_lengkap(user, produk, foto_hapus=["utama"])
    assert produk.gambar == second and db.session.query(ProdukFoto).count() == 1
