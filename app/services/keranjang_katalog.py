"""The PP's Katalog cart (SPEC §6 step 1): add lines from the Katalog shop, change or remove them,
then check out the ticked lines of one Penyedia through `katalog.checkout`, which removes them
from the cart in the same commit as the new order.

A cart is personal: every lookup is keyed on the PP's own user id, so another user's line is
simply not found (404). Quantity rules are the E-Order ones: min ≤ qty ≤ max and, for Ready
Stock, qty ≤ stock, checked again at checkout.
"""

from itertools import groupby

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Alamat, KeranjangKatalog, KeranjangKatalogLayanan, Penyedia, Produk
from app.roles import ROLE_PP

from . import batas, catalog, clock, money, scoping
from .errors import DomainError, Forbidden, NotFound
from .katalog import checkout as katalog_checkout


def _pastikan_pp(actor):
    if ROLE_PP not in scoping.roles_of(actor) or not actor.satker_id:
        raise Forbidden(_l("Keranjang Katalog hanya untuk Pejabat Pengadaan."))


def _jumlah(value):
    qty = batas.jumlah(value, _l("Jumlah pesanan harus berupa bilangan bulat."))
    if qty < 1:
        raise DomainError(_l("Jumlah pesanan minimal 1."))
    return qty


def _milik(actor):
    return select(KeranjangKatalog).where(KeranjangKatalog.user_id == actor.id)


def baris(actor, ids=None):
    """The PP's cart lines, grouped by supplier then oldest first; `ids` narrows them (own lines only)."""
    _pastikan_pp(actor)
    stmt = (
        _milik(actor)
        .join(Produk, KeranjangKatalog.produk_id == Produk.id)
        .join(Penyedia, Produk.penyedia_id == Penyedia.id)
        .order_by(Penyedia.nama, Penyedia.id, KeranjangKatalog.created_at, KeranjangKatalog.id)
    )
    if ids is not None:
        stmt = stmt.where(KeranjangKatalog.id.in_(ids))
    return db.session.execute(stmt).scalars().all()


def ambil(actor, line_id):
    """One of the PP's own lines; anybody else's is not found."""
    _pastikan_pp(actor)
    line_id = scoping.as_id(line_id)
    line = db.session.execute(_milik(actor).where(KeranjangKatalog.id == line_id)).scalar_one_or_none()
    if line is None:
        raise NotFound(_l("Baris keranjang tidak ditemukan."))
    return line


def per_penyedia(lines):
    """[(penyedia, [lines])] in the order given."""
    return [(p, list(group)) for p, group in groupby(lines, key=lambda x: x.produk.penyedia)]


def jumlah_baris(actor):
    return len(baris(actor))


def tambah(actor, produk_id, qty, varian_id=None, layanan_ids=()):
    """Add a product (a variant of it, its services) to the cart; the same choice again adds to its quantity."""
    try:
        _pastikan_pp(actor)
        qty = _jumlah(qty)
        produk = scoping.get_scoped(Produk, produk_id, actor)
        if produk.status != "tayang":
            raise DomainError(_l("Produk ini tidak tayang."))
        varian = catalog.varian_dari(produk, varian_id)
        layanan = catalog.layanan_dari(produk, layanan_ids)
        wanted = sorted(x.id for x in layanan)
        same = [
            line
            for line in db.session.execute(
                _milik(actor).where(
                    KeranjangKatalog.produk_id == produk.id,
                    KeranjangKatalog.varian_id == varian.id if varian else KeranjangKatalog.varian_id.is_(None),
                )
            ).scalars()
            if line.layanan_ids == wanted
        ]
        now = clock.now()
        if same:
            line = same[0]
            catalog.cek_jumlah(produk, line.qty + qty, varian=varian)
            line.qty += qty
            line.updated_at = now
        else:
            catalog.cek_jumlah(produk, qty, varian=varian)
            line = KeranjangKatalog(
                user_id=actor.id, produk_id=produk.id, varian_id=varian.id if varian else None, qty=qty, created_at=now
            )
            line.layanan = [KeranjangKatalogLayanan(layanan_id=x.id) for x in layanan]
            db.session.add(line)
        db.session.commit()
        return line
    except Exception:
        db.session.rollback()
        raise


def ubah(actor, line_id, qty):
    try:
        line = ambil(actor, line_id)
        qty = _jumlah(qty)
        catalog.cek_jumlah(line.produk, qty, varian=line.varian)
        line.qty, line.updated_at = qty, clock.now()
        db.session.commit()
        return line
    except Exception:
        db.session.rollback()
        raise


def hapus(actor, line_id):
    try:
        db.session.delete(ambil(actor, line_id))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def pilihan(actor, raw_ids):
    """Ticked line ids as posted (strings); every one must be the PP's own, else NotFound."""
    ids = []
    for raw in raw_ids or ():
        raw = str(raw).strip()
        if not raw:
            continue
        if scoping.as_id(raw) is None:
            raise NotFound(_l("Baris keranjang tidak ditemukan."))
        if scoping.as_id(raw) not in ids:
            ids.append(scoping.as_id(raw))
    lines = baris(actor, ids) if ids else []
    if len(lines) != len(ids):
        raise NotFound(_l("Baris keranjang tidak ditemukan."))
    return lines


def checkout(actor, keranjang_ids, **detail):
    """Check out ticked cart lines (one Penyedia): the order and the removal of these lines are one commit.
    The same form posted again finds its order by the form's token (its cart lines are gone by then)."""
    if detail.get("token") and (sudah := katalog_checkout.dari_token(actor, detail["token"])) is not None:
        return sudah
    lines = pilihan(actor, keranjang_ids)
    if not lines:
        raise DomainError(_l("Pilih minimal satu produk dari keranjang."))
    return katalog_checkout.checkout(
        actor,
        lines=[
            {"produk_id": x.produk_id, "qty": x.qty, "varian_id": x.varian_id, "layanan_ids": x.layanan_ids}
            for x in lines
        ],
        keranjang_ids=[x.id for x in lines],
        **detail,
    )


def baris_checkout(actor, ticked=()):
    """What the checkout page lists: the PP's lines of the Penyedia whose lines are ticked (every line when
    none is), and the set of ticked ids that are really the PP's. Tolerant: for re-showing a posted form."""
    if ROLE_PP not in scoping.roles_of(actor) or not actor.satker_id:
        return [], set()
    lines = baris(actor)
    wanted = {scoping.as_id(x) for x in ticked} - {None}
    dipilih = {x.id for x in lines if x.id in wanted}
    if dipilih:
        penyedia = {x.produk.penyedia_id for x in lines if x.id in dipilih}
        lines = [x for x in lines if x.produk.penyedia_id in penyedia]
    return lines, dipilih


def ringkasan(lines):
    """What checking out these cart lines commits on the RUP, before shipping: the lines and each service once,
    PPN/PPnBM per line and per service, by the same money.rincian the checkout uses; None when none is ticked."""
    if not lines:
        return None
    layanan = {y.layanan_id: y.layanan for x in lines for y in x.layanan}
    r = money.rincian(
        [(x.harga_satuan, x.qty, x.produk.ppn_persen, x.produk.ppnbm_persen) for x in lines],
        [(s.harga, s.ppn_persen, s.ppnbm_persen) for s in layanan.values()],
    )
    return {"subtotal": r.subtotal, "ppn": r.ppn, "ppnbm": r.ppnbm, "total": r.total}


def alamat_teks(a):
    """An address as the one line the order keeps (alamat_kirim)."""
    return (
        f"{a.nama}: {a.jalan}, Kel. {a.kelurahan.nama}, Kec. {a.kecamatan.nama}, "
        f"{a.kota.nama}, {a.provinsi.nama} {a.kode_pos}"
    )


def alamat_pengiriman(actor):
    """[(Alamat, text)] of the user's own addresses, the Utama one first."""
    stmt = (
        select(Alamat)
        .where(Alamat.user_id == actor.id)
        .order_by((Alamat.jenis == "utama").desc(), Alamat.nama, Alamat.id)
    )
    return [(a, alamat_teks(a)) for a in db.session.execute(stmt).scalars()]
