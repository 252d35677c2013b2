"""A variant with its own stock gates the cart and the checkout as it gates the SP's signature; a withdrawn
(inactive) service can't be added by an addendum."""

from decimal import Decimal

import pytest

from app.extensions import db
from app.models import LayananTambahan, ProdukVarian
from app.services import katalog, keranjang_katalog
from app.services.errors import DomainError
from tests.factories import PASS_PPK, Factories


@pytest.fixture
def w(f):
    w = f.katalog_dunia(pagu=10**9, ketersediaan="ready", stok=100)
    v = ProdukVarian(produk_id=w["produk"].id, nama="Ukuran XXL", harga=110_000, stok=3)
    db.session.add(v)
    db.session.commit()
    w["varian"] = v
    return w


def test_checkout_counts_the_variants_own_stock(w):
    lines = [{"produk_id": w["produk"].id, "qty": 5, "varian_id": w["varian"].id}]
    with pytest.raises(DomainError) as e:
        Factories().katalog_checkout(w, lines=lines)
    assert "Ukuran XXL tersisa 3" in str(e.value)
    lines[0]["qty"] = 3
    assert Factories().katalog_checkout(w, lines=lines).items[0].qty == 3


def test_cart_counts_the_variants_own_stock(w):
    with pytest.raises(DomainError) as e:
        keranjang_katalog.tambah(w["pp"], w["produk"].id, 4, varian_id=w["varian"].id)
    assert "tersisa 3" in str(e.value)
    line = keranjang_katalog.tambah(w["pp"], w["produk"].id, 2, varian_id=w["varian"].id)
    with pytest.raises(DomainError):
        keranjang_katalog.ubah(w["pp"], line.id, 4)


def test_addendum_cannot_add_a_withdrawn_service(f):
    w = f.katalog("diproses_penyedia")
    svc = LayananTambahan(produk_id=w["produk"].id, nama="Pelatihan", harga=50_000, ppn_persen=Decimal("11"),
                          aktif=False)  # fmt: skip
    db.session.add(svc)
    db.session.commit()
    with pytest.raises(DomainError) as e:
        katalog.adendum.ajukan(w["pesanan"].id, w["ppk"], {"tambah_layanan": [svc.id]}, PASS_PPK)
    assert "tidak dikenal" in str(e.value)
