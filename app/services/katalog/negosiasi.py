"""Negotiation (SPEC §6 steps 2–3): price rounds between the PP and the Penyedia, then the PP sends the
agreed order to the PPK; the discussion (chat) between PP and Penyedia. Each wait is 3x24 h."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import NegosiasiHarga, NegosiasiRonde, PesananKatalog, PesanChat

from .. import clock, money, scoping
from ..errors import DomainError, Forbidden
from ..workflow import wajib_alasan
from . import angka, bersama
from .bersama import PENYEDIA, PP, SISTEM

LABELS = {
    "ajukan_nego": _l("Ajukan Negosiasi"),
    "tawar": _l("Ajukan Tawaran Balik"),
    "terima": _l("Terima Negosiasi"),
    "ajukan_ppk": _l("Ajukan ke PPK"),
    "batalkan": _l("Batalkan Pesanan"),
    "batal_otomatis": _l("Batal Otomatis"),
}
STYLES = {"batalkan": "danger", "batal_otomatis": "danger"}
OPEN = ("menunggu_negosiasi", "nego_pp", "nego_penyedia", "nego_selesai")


def _paling_katalog(row, value):
    """A negotiated unit price: whole Rupiah, above zero, never above the catalogue price the order was
    checked out with (Perpres 12/2021: e-purchasing negotiates down from the catalogue, not up)."""
    price = angka.bulat(value, _l("Harga harus bilangan bulat Rupiah lebih dari nol."), 1)
    if price > row.harga_katalog:
        raise DomainError(
            _l(
                "Harga %(nama)s (%(harga)s) melebihi harga katalog %(katalog)s; harga negosiasi tidak boleh di atas "
                "harga katalog.",
                nama=row.nama,
                harga=money.format_rupiah(price),
                katalog=money.format_rupiah(row.harga_katalog),
            )
        )
    return price


def _tidak_di_atas_katalog(ctx):
    """Guard of Terima Negosiasi: the agreed prices are re-checked against the catalogue before the order
    binds anyone (a price stored before this rule existed, or written around it, is refused here)."""
    for row in [*ctx.obj.items, *ctx.obj.layanan]:
        _paling_katalog(row, row.harga)
    return {}


def _proposal(ctx):
    """Validate a price proposal: {item_id: price}, {layanan_id: price}, ongkir (Kurir Penyedia only)."""
    prices, ongkir = _diajukan(ctx.obj, ctx.data)
    if not prices and ongkir == ctx.obj.ongkir:
        raise DomainError(_l("Ajukan minimal satu harga."))
    ctx.data["_prices"], ctx.data["_ongkir"] = prices, ongkir
    return {}


def _diajukan(p, d):
    """The prices a proposal names ({("item"|"layanan", id): price}) and its shipping cost, each checked."""
    harga = d.get("harga") or {}
    layanan = d.get("harga_layanan") or {}
    items = {i.id: i for i in p.items}
    services = {x.id: x for x in p.layanan}
    prices = {}
    for key, value in harga.items():
        item = items.get(scoping.as_id(key))
        if item is None:
            raise DomainError(_l("Baris pesanan tidak dikenal."))
        prices[("item", item.id)] = _paling_katalog(item, value)
    for key, value in layanan.items():
        svc = services.get(scoping.as_id(key))
        if svc is None:
            raise DomainError(_l("Layanan tambahan tidak dikenal."))
        prices[("layanan", svc.id)] = _paling_katalog(svc, value)
    ongkir = p.ongkir
    if d.get("ongkir") not in (None, ""):
        if p.opsi_kirim != "kurir_penyedia":
            raise DomainError(_l("Ongkos kirim hanya dinegosiasikan untuk Kurir Penyedia."))
        ongkir = angka.bulat(d["ongkir"], _l("Ongkos kirim tidak valid."))
    return prices, ongkir


def ringkasan(p, data=None):
    """Ringkasan Harga Nego: the figures (money.rincian) of the order as it stands or, given a proposal's
    fields, as they would be once it is sent — the same validation, changing nothing. Raises DomainError."""
    prices, ongkir = _diajukan(p, data) if data else ({}, p.ongkir)
    return money.rincian(
        [(prices.get(("item", i.id), i.harga), i.qty, i.ppn_persen, i.ppnbm_persen) for i in p.items],
        [(prices.get(("layanan", x.id), x.harga), x.ppn_persen, x.ppnbm_persen) for x in p.layanan],
        (ongkir, p.ongkir_ppn_persen, p.ongkir_ppnbm_persen),
    )


def _record_round(ctx, oleh):
    p, actor = ctx.obj, ctx.actor
    # No flush half-way: the database checks total = subtotal + taxes + shipping on every write.
    with db.session.no_autoflush:
        for (kind, key), price in ctx.data["_prices"].items():
            target = next(i for i in (p.items if kind == "item" else p.layanan) if i.id == key)
            target.harga = price
        p.ongkir = ctx.data["_ongkir"]
        angka.hitung(p)
    angka.pakai_anggaran(p, p.total)
    last = select(func.max(NegosiasiRonde.nomor_ronde)).where(NegosiasiRonde.pesanan_id == p.id)
    nomor = (db.session.execute(last).scalar_one() or 0) + 1
    ronde = NegosiasiRonde(
        pesanan_id=p.id,
        nomor_ronde=nomor,
        oleh=oleh,
        user_id=actor.id,
        ongkir=p.ongkir,
        total=p.total,
        catatan=(ctx.data.get("catatan") or "").strip()[:2000] or None,
        created_at=clock.now(),
    )
    for item in p.items:
        ronde.harga.append(NegosiasiHarga(item_id=item.id, harga=item.harga))
    for svc in p.layanan:
        ronde.harga.append(NegosiasiHarga(layanan_id=svc.id, harga=svc.harga))
    db.session.add(ronde)


def _ajukan_pp(ctx):
    _record_round(ctx, "pp")
    bersama.tunggu(ctx, "negosiasi")


def _tawar_penyedia(ctx):
    _record_round(ctx, "penyedia")
    bersama.tunggu(ctx, "negosiasi")


def _selesai(ctx):
    bersama.selesai_tunggu(ctx)


def _ke_ppk(ctx):
    bersama.selesai_tunggu(ctx)
    bersama.tunggu(ctx, "persetujuan_ppk")


HARGA = ("harga", "harga_layanan", "ongkir", "catatan")
ALASAN = ("alasan",)
_t = bersama.baris(LABELS, STYLES)
_alasan = wajib_alasan()
# fmt: off
ROWS = (
    _t("menunggu_negosiasi", "ajukan_nego",    "nego_pp",        PP,       _proposal, _ajukan_pp,      HARGA, "harga"),
    _t("nego_penyedia",      "ajukan_nego",    "nego_pp",        PP,       _proposal, _ajukan_pp,      HARGA, "harga"),
    _t("nego_pp",            "tawar",          "nego_penyedia",  PENYEDIA, _proposal, _tawar_penyedia, HARGA, "harga"),
    _t("nego_pp",            "terima",         "nego_selesai",   PENYEDIA, _tidak_di_atas_katalog, _selesai),
    _t("nego_penyedia",      "terima",         "nego_selesai",   PP,       _tidak_di_atas_katalog, _selesai),
    _t("nego_selesai",       "ajukan_ppk",     "menunggu_ppk",   PP,       None,      _ke_ppk),
    _t("nego_pp",            "batal_otomatis", "batal_otomatis", SISTEM,   bersama.otomatis, bersama.lepas_anggaran, panel=None, effect_many=bersama.lepas_anggaran_many),
    _t("nego_penyedia",      "batal_otomatis", "batal_otomatis", SISTEM,   bersama.otomatis, bersama.lepas_anggaran, panel=None, effect_many=bersama.lepas_anggaran_many),
) + tuple(
    _t(state,                "batalkan",       "dibatalkan",     PP | PENYEDIA, _alasan, bersama.lepas_anggaran, ALASAN, "alasan")
    for state in OPEN
)
# fmt: on


def ringkasan_nego(pesanan_id, actor, data=None):
    """The live "Ringkasan Harga Nego" of a proposal being typed, for the order's PP or Penyedia while the
    negotiation is open; another user gets NotFound (scoping) or Forbidden."""
    p = scoping.get_scoped(PesananKatalog, pesanan_id, actor)
    if not boleh_chat(p, actor) or p.status not in OPEN:
        raise Forbidden(_l("Ringkasan negosiasi hanya untuk PP dan Penyedia selama negosiasi."))
    return ringkasan(p, data)


def riwayat(p):
    """The rounds of the negotiation, first to last."""
    stmt = select(NegosiasiRonde).where(NegosiasiRonde.pesanan_id == p.id).order_by(NegosiasiRonde.nomor_ronde)
    return db.session.execute(stmt).scalars().all()


def boleh_chat(p, actor):
    """The discussion is between the order's PP and its Penyedia."""
    return actor.id == p.pp_id or bool(actor.penyedia_id and actor.penyedia_id == p.penyedia_id)


def kirim_chat(pesanan_id, actor, teks):
    """A message about the order, between its PP and its Penyedia."""
    try:
        p = scoping.get_scoped(PesananKatalog, pesanan_id, actor)
        if not boleh_chat(p, actor):
            raise Forbidden(_l("Hanya PP dan Penyedia pesanan ini yang dapat berdiskusi."))
        teks = (teks or "").strip()
        if not teks:
            raise DomainError(_l("Pesan kosong."))
        msg = PesanChat(pesanan_id=p.id, user_id=actor.id, teks=teks[:4000], created_at=clock.now())
        db.session.add(msg)
        db.session.commit()
        return msg
    except Exception:
        db.session.rollback()
        raise


def chat(p):
    return (
        db.session.execute(select(PesanChat).where(PesanChat.pesanan_id == p.id).order_by(PesanChat.id)).scalars().all()
    )
