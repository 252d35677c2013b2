"""Amounts and stock of a Katalog order: totals from money.py, the RUP commitment (compare-and-set),
the lowest price ever sold, Ready Stock needs and takes, and whole numbers as people type them."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Pesanan, PesananItem, PesananKatalog, PesananKatalogItem, Produk, ProdukVarian, Rup

from .. import batas, money
from ..errors import DomainError

bulat = batas.bulat  # whole numbers as people type them: one reader for both carts and every form


def rincian(p):
    """The order's figures at its current prices and percentages (money.rincian): goods, services, shipping."""
    return money.rincian(
        [(i.harga, i.qty, i.ppn_persen, i.ppnbm_persen) for i in p.items],
        [(x.harga, x.ppn_persen, x.ppnbm_persen) for x in p.layanan],
        (p.ongkir, p.ongkir_ppn_persen, p.ongkir_ppnbm_persen),
    )


def hitung(p):
    """Store the figures of `rincian` on the order, its lines and services: what every letter prints."""
    r = rincian(p)
    for item, a in zip(p.items, r.barang, strict=True):
        item.subtotal, item.ppn, item.ppnbm = a.subtotal, a.ppn, a.ppnbm
    for svc, a in zip(p.layanan, r.layanan, strict=True):
        svc.ppn, svc.ppnbm = a.ppn, a.ppnbm
    p.ongkir_ppn, p.ongkir_ppnbm = r.ongkir.ppn, r.ongkir.ppnbm
    p.subtotal, p.ppn, p.ppnbm, p.total = r.subtotal, r.ppn, r.ppnbm, r.total


def anggaran_kurang(rup, total):
    return DomainError(
        _l(
            "Sisa anggaran RUP %(kode)s (%(sisa)s) tidak mencukupi untuk pesanan ini (%(total)s).",
            kode=rup.kode,
            sisa=money.format_rupiah(rup.sisa),
            total=money.format_rupiah(total),
        )
    )


def pakai_anggaran(p, new_total):
    """Move the RUP commitment to `new_total` atomically; refuse when the RUP's remainder is short."""
    delta = new_total - (p.anggaran_terpakai or 0)
    if delta == 0:
        return
    res = db.session.execute(
        update(Rup)
        .where(Rup.id == p.rup_id, Rup.terpakai + delta <= Rup.pagu, Rup.terpakai + delta >= 0)
        .values(terpakai=Rup.terpakai + delta)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        rup = db.session.get(Rup, p.rup_id)
        db.session.refresh(rup)
        raise anggaran_kurang(rup, new_total)
    p.anggaran_terpakai = new_total


def harga_terendah(produk_id, varian_id=None):
    """The lowest unit price this product — this variant of it, when given — ever sold for: agreed Katalog
    prices (from the SP on) and finished E-Order sales (E-Order sells the product itself, no variant)."""
    varian = PesananKatalogItem.varian_id.is_(None) if varian_id is None else PesananKatalogItem.varian_id == varian_id
    katalog = db.session.execute(
        select(func.min(PesananKatalogItem.harga))
        .join(PesananKatalog, PesananKatalogItem.pesanan_id == PesananKatalog.id)
        .where(
            PesananKatalogItem.produk_id == produk_id,
            varian,
            PesananKatalog.status.notin_(("menunggu_negosiasi", "nego_pp", "nego_penyedia", "dibatalkan")),
            PesananKatalog.status != "batal_otomatis",
        )
    ).scalar_one_or_none()
    eorder = None
    if varian_id is None:
        eorder = db.session.execute(
            select(func.min(PesananItem.harga_satuan))
            .join(Pesanan, PesananItem.pesanan_id == Pesanan.id)
            .where(PesananItem.produk_id == produk_id, Pesanan.status == "selesai")
        ).scalar_one_or_none()
    found = [x for x in (katalog, eorder) if x is not None]
    return min(found) if found else None


def kebutuhan_stok(items):
    """{(produk_id, varian_id): units} of order lines. A variant with its own stock (ProdukVarian.stok) is
    counted apart; the lines of the product itself and of variants without their own stock share the
    product's stock (varian_id 0)."""
    need = {}
    for item in items:
        varian = db.session.get(ProdukVarian, item.varian_id) if item.varian_id else None
        key = (item.produk_id, varian.id if varian is not None and varian.stok is not None else 0)
        need[key] = need.get(key, 0) + item.qty
    return need


def _stok_dari(produk_id, varian_id):
    """(product, the variant whose own stock counts or None, its name as the refusal says it)."""
    prod = db.session.get(Produk, produk_id)
    varian = db.session.get(ProdukVarian, varian_id) if varian_id else None
    if varian is not None and varian.stok is None:
        varian = None
    nama = f"{prod.nama} — {varian.nama}" if prod is not None and varian is not None else getattr(prod, "nama", "")
    return prod, varian, nama


def cek_stok(need):
    for (produk_id, varian_id), qty in sorted(need.items()):
        prod, varian, nama = _stok_dari(produk_id, varian_id)
        if prod is None or prod.ketersediaan != "ready" or qty <= 0:
            continue
        stok = varian.stok if varian is not None else prod.stok
        if stok < qty:
            raise DomainError(_l("Stok %(nama)s tersisa %(stok)s.", nama=nama, stok=stok))


def ambil_stok(need):
    """Ready Stock is taken when the Penyedia signs the SP (its commitment) and follows accepted addenda
    (a negative need gives units back); a conditional UPDATE of the product's or the variant's own stock,
    so two orders never take the last units twice."""
    for (produk_id, varian_id), qty in sorted(need.items()):
        prod, varian, nama = _stok_dari(produk_id, varian_id)
        if qty == 0 or prod is None or prod.ketersediaan != "ready":
            continue
        row, model = (varian, ProdukVarian) if varian is not None else (prod, Produk)
        res = db.session.execute(
            update(model)
            .where(model.id == row.id, model.stok.is_not(None), model.stok >= qty)
            .values(stok=model.stok - qty)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            db.session.refresh(row)
            raise DomainError(_l("Stok %(nama)s tersisa %(stok)s.", nama=nama, stok=row.stok))
