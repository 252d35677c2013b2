"""What the Katalog order page shows one user: the steps they may take now (grouped by the panel their
row names), and the order's negotiation, chat, shipping, BAST, ratings, addenda and payment. A read model:
it changes nothing, and every rule it shows (may chat, may rate, may propose an addendum) is the
service's own function, not a copy."""

import json

from flask_babel import lazy_gettext as _l

from app.models.payments import JENIS_PPH, JENIS_TAGIHAN, METODE_BAYAR_LABEL
from app.models.purchasing import OPSI_KIRIM, STATUS_KATALOG
from app.roles import ROLE_AUDITOR, ROLE_PP, ROLE_PPK

from .. import clock, deadlines, money, scoping, tte
from . import adendum, angka, antrean, bast, negosiasi, pembayaran, pengiriman, penilaian, pihak


def _negosiasi(p):
    nama = {("item", i.id): i.nama for i in p.items}
    nama.update({("layanan", x.id): x.nama for x in p.layanan})
    out = []
    for r in negosiasi.riwayat(p):
        harga = [
            (nama.get(("item", h.item_id) if h.item_id else ("layanan", h.layanan_id), "-"), h.harga) for h in r.harga
        ]
        out.append((r, harga))
    return out


def _adendum(p, user, is_ppk):
    adenda = adendum.daftar(p)
    pending = next((a for a in adenda if a.status == "diajukan"), None)
    boleh = adendum.boleh_diajukan(p, user)
    on_order = {x.layanan_id for x in p.layanan}
    # two variants of one product offer its services once
    tambah = {
        lay.id: lay
        for item in p.items
        for lay in (item.produk.layanan_tambahan if item.produk else [])
        if lay.id not in on_order
    }
    return {
        "adenda": [(a, json.loads(a.ringkasan or "[]")) for a in adenda],
        "adendum_pending": pending,
        "adendum_sisa": clock.sisa(deadlines.batas("adendum", "adendum", pending.id)) if pending else None,
        "boleh_adendum": boleh,
        "jawab_adendum": {t.action: t for t in adendum.ADENDUM.available(pending, user) if t.panel} if pending else {},
        "layanan_tambah": list(tambah.values()),
        "adendum_ppks": pihak.ppk_pilihan(p.satker_id) if boleh and is_ppk else [],
    }


def panel_pembayaran(p, user, panels, labels):
    """The payment panel (katalog/_pembayaran.html); None before Pesanan Tiba."""
    if p.status not in ("pesanan_tiba",) + pembayaran.STATUS_BAYAR:
        return None
    roles = scoping.roles_of(user)
    row = pihak.pembayaran_of(p)
    actions = {**panels.get("metode", {}), **panels.get("pembayaran", {})}
    is_ppk = ROLE_PPK in roles and user.id == p.ppk_id
    is_penyedia = bool(user.penyedia_id) and user.penyedia_id == p.penyedia_id
    belum = pembayaran.belum_siap(p) if p.status == "pesanan_tiba" else None
    kode = pembayaran.kode_aktif(p)
    return {
        "row": row,
        "belum_siap": belum if (is_ppk or is_penyedia) else None,
        "metode": pembayaran.pilihan_metode(p) if panels.get("metode") else [],
        "actions": actions,
        "is_ppk": is_ppk,
        "is_penyedia": is_penyedia,
        "bendahara": pembayaran.pilihan_bendahara(p, row.metode) if row and "ajukan_bendahara" in actions else [],
        "kurang": pembayaran.dokumen_kurang(row) if row and row.metode == money.METODE_LS else [],
        "kode": kode,
        "kode_sisa": clock.sisa(kode.berlaku_sampai) if kode else None,
        "riwayat": antrean.riwayat_pesanan(p, hanya_pembayaran=True),
        "jenis_pph": JENIS_PPH,
        "jenis_tagihan": JENIS_TAGIHAN,
        "metode_label": METODE_BAYAR_LABEL,
        "labels": labels,
        "statuses": STATUS_KATALOG,
        "batas_up": money.BATAS_UP,
        "aksi_metode": pembayaran.AKSI_METODE,
    }


# what the history shows for the audited steps that are not transitions of the table
LANGKAH_LAIN = {
    "checkout": _l("Checkout"),
    "penilaian_pesanan": _l("Penilaian Pesanan"),
    "penilaian_layanan": _l("Penilaian Layanan Penyedia"),
    "penilaian_kurir": _l("Penilaian Kurir Penyedia"),
    "callback_ditolak": _l("Notifikasi Bank Ditolak"),
}


def labels(wf):
    """Every step's name for the history tables (never an internal key)."""
    return {**LANGKAH_LAIN, **{t.action: t.label for t in wf.transitions}}


def detail(wf, p, user):
    """The order page's context; `wf` is the Katalog table (katalog.KATALOG)."""
    panels = wf.panels(p, user)
    roles = scoping.roles_of(user)
    is_ppk = ROLE_PPK in roles and user.id == p.ppk_id
    is_penyedia = bool(user.penyedia_id) and user.penyedia_id == p.penyedia_id
    actions = {a: t for rows in panels.values() for a, t in rows.items()}
    return {
        "p": p,
        "actions": actions,
        "panels": panels,
        "riwayat": _negosiasi(p),
        "chat": negosiasi.chat(p),
        # the Ringkasan Harga Nego drawn with the price form (then refreshed live as prices are typed)
        "ringkasan_nego": negosiasi.ringkasan(p) if panels.get("harga") else None,
        "boleh_chat": negosiasi.boleh_chat(p, user),
        # the lowest price ever sold helps the PP negotiate
        # per line: a variant's lowest price is its own, not the product's
        "terendah": {i.id: angka.harga_terendah(i.produk_id, i.varian_id) for i in p.items} if ROLE_PP in roles else {},
        "sisa_waktu": clock.sisa(p.batas_waktu),
        # the buyer's budget (pagu, terpakai, sisa) is the satker's business, never the supplier's
        "lihat_rup": not is_penyedia,
        "opsi_kirim": OPSI_KIRIM,
        "is_auditor": ROLE_AUDITOR in roles,
        "pembayaran": panel_pembayaran(p, user, panels, labels(wf)),
        "lacak": pengiriman.lacak(p),
        "riwayat_pesanan": antrean.riwayat_pesanan(p),
        "labels": labels(wf),
        "statuses": STATUS_KATALOG,
        "dinilai": penilaian.sudah_dinilai(p),
        "jenis_nilai": penilaian.jenis_berlaku(p),
        "boleh_nilai": penilaian.boleh_menilai(p, user),
        "bast_nomor_usul": bast.bast_nomor(p, clock.now()) if "terima_barang" in actions else "",
        "bast_items": {b.item_id: b for b in bast.bast_items(p)},
        "tte_aktif": tte.status(user) == tte.AKTIF if (is_ppk or is_penyedia) else False,
        **_adendum(p, user, is_ppk),
    }
