"""Kinerja Proses: median and p90 days per stage of both flows, cancellations by cause (which deadline for the
automatic ones), days from BAST to payment per satker and Bendahara with the overdue orders, and the
verification SLA (SPEC §9)."""

from datetime import timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal_column, or_, select

from app.extensions import db
from app.models import (
    AksesPengguna,
    AuditLog,
    Pembayaran,
    Penyedia,
    Pesanan,
    PesananItem,
    PesananKatalog,
    PesananKatalogItem,
    PortalUser,
    Produk,
    ProfilPengguna,
    Satker,
)
from app.services import clock, scoping

from . import buku, fakta, umum
from .saringan import ALUR

JUDUL = _l("Laporan Kinerja Proses")
HARI = Decimal(86400)
TAHAP_EORDER = [
    ("dipesan_at", "diproses_at", _l("Dipesan → Diproses")),
    ("diproses_at", "dikirim_at", _l("Diproses → Dikirim")),
    ("dikirim_at", "diterima_at", _l("Dikirim → Diterima")),
    ("diterima_at", "selesai_at", _l("Diterima → Selesai")),
    ("dipesan_at", "selesai_at", _l("Dipesan → Selesai (seluruhnya)")),
]
TAHAP_KATALOG = [
    ("dibuat_at", "nego_at", _l("Checkout → Negosiasi Selesai")),
    ("nego_at", "sp_at", _l("Negosiasi Selesai → SP Ditandatangani")),
    ("sp_at", "bast_at", _l("SP Ditandatangani → BAST")),
    ("bast_at", "bayar_at", _l("BAST → Dibayar")),
    ("dibuat_at", "bayar_at", _l("Checkout → Dibayar (seluruhnya)")),
]
SEBAB = {
    ("eorder", "tolak"): _l("Ditolak Penyedia"),
    ("eorder", "setujui_pembatalan"): _l("Dibatalkan atas ajuan pembatalan"),
    ("eorder", "batalkan"): _l("Dibatalkan pembeli"),
    ("katalog", "dibatalkan"): _l("Dibatalkan PP"),
    ("katalog", "ditolak_ppk"): _l("Ditolak PPK"),
    ("katalog", "nego_pp"): _l("Batal otomatis: batas waktu negosiasi (Penyedia tidak menjawab)"),
    ("katalog", "nego_penyedia"): _l("Batal otomatis: batas waktu negosiasi (PP tidak menjawab)"),
    ("katalog", "menunggu_ppk"): _l("Batal otomatis: batas waktu persetujuan PPK"),
    ("katalog", "konfirmasi_penyedia"): _l("Batal otomatis: batas waktu tanda tangan SP Penyedia"),
}
DEFINISI = [
    (
        _l("Median dan p90"),
        _l(
            "Hari dari satu tahap ke tahap berikutnya untuk pesanan yang mencapai tahap akhir dalam periode; "
            "median dan persentil ke-90 adalah nilai pengamatan (nearest rank)."
        ),
    ),
    (
        _l("Pembatalan"),
        _l("Pesanan yang dipesan (E-Order) atau di-checkout (Katalog) dalam periode, menurut sebab pembatalannya."),
    ),
    (
        _l("Terlambat bayar"),
        _l(
            "Pesanan Katalog yang dibayar lebih dari batas hari setelah BAST, atau belum dibayar dan BAST-nya "
            "sudah lebih lama dari batas itu (dapat diatur). E-Order dibayar di luar portal (COD, transfer) "
            "sehingga tidak dihitung."
        ),
    ),
    (
        _l("SLA verifikasi"),
        _l("Permohonan verifikasi profil dan akses yang diputus paling lambat pada batas waktunya (3x24 jam)."),
    ),
]


def batas_bayar():
    return int(current_app.config.get("REPORT_PAYMENT_DAYS", 14))


def _hari(detik):
    return (Decimal(int(detik)) / HARI).quantize(Decimal("0.1")) if detik is not None else None


def _nearest_rank(values, p):
    """percentile_disc: the smallest observed value with at least p of the values at or below it."""
    if not values:
        return None
    values = sorted(values)
    k = int((Decimal(p) * len(values)).to_integral_value(rounding="ROUND_CEILING"))
    return values[max(k, 1) - 1]


def persentil(q_durasi, group_cols):
    """Count, median and p90 of the `durasi` column (seconds) of `q_durasi`, per `group_cols`.

    PostgreSQL computes them (percentile_disc); SQLite, the embedded development database, has no
    percentile function, so there the durations are read and ranked here."""
    sub = q_durasi.subquery("durasi")
    groups = [sub.c[c] for c in group_cols]
    if fakta.dialek() == "postgresql":
        q = select(
            *groups,
            func.count(sub.c.durasi),
            func.percentile_disc(literal_column("0.5")).within_group(sub.c.durasi),
            func.percentile_disc(literal_column("0.9")).within_group(sub.c.durasi),
        ).where(sub.c.durasi.isnot(None))
        if groups:
            q = q.group_by(*groups)
        return {tuple(r[: len(groups)]): (r[-3], _hari(r[-2]), _hari(r[-1])) for r in db.session.execute(q)}
    acc = {}
    for r in db.session.execute(select(*groups, sub.c.durasi).where(sub.c.durasi.isnot(None))):
        acc.setdefault(tuple(r[: len(groups)]), []).append(int(r[-1]))
    return {k: (len(v), _hari(_nearest_rank(v, "0.5")), _hari(_nearest_rank(v, "0.9"))) for k, v in acc.items()}


def _kategori(q, item, s):
    if s.kategori_ids:
        q = q.where(
            select(item.id)
            .where(item.pesanan_id == q.selected_columns.pesanan_id)
            .where(item.produk_id.in_(select(Produk.id).where(Produk.kategori_id.in_(s.kategori_ids))))
            .exists()
        )
    return q


def _eorder(s, user):
    ev = fakta.peristiwa_eorder()
    q = (
        select(
            Pesanan.id.label("pesanan_id"),
            Pesanan.satker_id,
            Pesanan.status,
            *[c for c in ev.c if c.name != "pesanan_id"],
        )
        .join(ev, ev.c.pesanan_id == Pesanan.id)
        .where(scoping.visible_clause(Pesanan, user), Pesanan.status != "draft")
    )
    return _kategori(fakta.organisasi(q, Pesanan.satker_id, s), PesananItem, s)


def _katalog(s, user):
    ev = fakta.peristiwa_katalog()
    pay = Pembayaran
    bast = case(
        (
            and_(PesananKatalog.bast_ttd_ppk_at.isnot(None), PesananKatalog.bast_ttd_penyedia_at.isnot(None)),
            case(
                (PesananKatalog.bast_ttd_ppk_at > PesananKatalog.bast_ttd_penyedia_at, PesananKatalog.bast_ttd_ppk_at),
                else_=PesananKatalog.bast_ttd_penyedia_at,
            ),
        )
    )
    q = (
        select(
            PesananKatalog.id.label("pesanan_id"),
            PesananKatalog.nomor,
            PesananKatalog.satker_id,
            PesananKatalog.penyedia_id,
            PesananKatalog.status,
            PesananKatalog.created_at.label("dibuat_at"),
            ev.c.nego_selesai_at.label("nego_at"),
            PesananKatalog.sp_ttd_penyedia_at.label("sp_at"),
            bast.label("bast_at"),
            case((PesananKatalog.status == "selesai", pay.dibayar_at)).label("bayar_at"),
            pay.bendahara_id,
            ev.c.batal_dari,
        )
        .outerjoin(ev, ev.c.pesanan_id == PesananKatalog.id)
        .outerjoin(pay, pay.pesanan_id == PesananKatalog.id)
        .where(scoping.visible_clause(PesananKatalog, user))
    )
    return _kategori(fakta.organisasi(q, PesananKatalog.satker_id, s), PesananKatalogItem, s)


def _tahap(base, tahap, s):
    out = []
    for awal, akhir, label in tahap:
        sub = base.subquery()
        q = select(fakta.detik(sub.c[awal], sub.c[akhir]).label("durasi")).where(
            fakta.dalam(sub.c[akhir], s), sub.c[awal].isnot(None)
        )
        n, med, p90 = persentil(q, []).get((), (0, None, None))
        out.append({"tahap": str(label), "jumlah": n, "median": med, "p90": p90})
    return out


def _pembatalan(s, user):
    rows = []
    if s.alur in ("semua", "eorder"):
        sub = _eorder(s, user).subquery()
        a = AuditLog
        aksi = (
            select(a.entity_id, func.max(a.action).label("aksi"))
            .where(a.entity == fakta.ENTITY_EORDER, a.to_status == "dibatalkan")
            .group_by(a.entity_id)
            .subquery()
        )
        placed = select(sub.c.pesanan_id, sub.c.status).where(fakta.dalam(sub.c.dipesan_at, s)).subquery()
        total = db.session.execute(select(func.count()).select_from(placed)).scalar_one()
        q = (
            select(aksi.c.aksi, func.count())
            .select_from(placed.join(aksi, aksi.c.entity_id == placed.c.pesanan_id))
            .where(placed.c.status == "dibatalkan")
            .group_by(aksi.c.aksi)
        )
        for cause, n in db.session.execute(q):
            rows.append(_sebab("eorder", cause, n, total))
        rows.append(_jumlah("eorder", total, rows))
    if s.alur in ("semua", "katalog"):
        sub = _katalog(s, user).subquery()
        placed = select(sub).where(fakta.dalam(sub.c.dibuat_at, s)).subquery()
        total = db.session.execute(select(func.count()).select_from(placed)).scalar_one()
        cause = case((placed.c.status == "batal_otomatis", placed.c.batal_dari), else_=placed.c.status)
        q = select(cause, func.count()).where(placed.c.status.in_(fakta.BATAL_KATALOG)).group_by(cause)
        start = len(rows)
        for c, n in db.session.execute(q):
            rows.append(_sebab("katalog", c, n, total))
        rows.append(_jumlah("katalog", total, rows[start:]))
    return rows


def _sebab(alur, cause, n, total):
    label = SEBAB.get((alur, cause)) or gettext("Lainnya (%(sebab)s)", sebab=cause)
    return {"alur": str(ALUR[alur]), "sebab": str(label), "jumlah": n, "dari": total, "porsi": umum.porsi(n, total)}


def _jumlah(alur, total, rows):
    n = sum(r["jumlah"] for r in rows if r["alur"] == str(ALUR[alur]))
    return {
        "alur": str(ALUR[alur]),
        "sebab": gettext("Semua pembatalan"),
        "jumlah": n,
        "dari": total,
        "porsi": umum.porsi(n, total),
    }


def _pembayaran(s, user):
    sub = _katalog(s, user).subquery()
    limit = batas_bayar()
    now = clock.now()
    akhir = min(s.akhir_utc, now)
    q = select(sub.c.satker_id, sub.c.bendahara_id, fakta.detik(sub.c.bast_at, sub.c.bayar_at).label("durasi")).where(
        fakta.dalam(sub.c.bayar_at, s), sub.c.bast_at.isnot(None)
    )
    per_satker = persentil(q, ["satker_id"])
    per_bendahara = persentil(q, ["bendahara_id"])
    # overdue: paid later than the limit in the period, or BAST signed and still unpaid past the limit
    late = or_(
        and_(fakta.dalam(sub.c.bayar_at, s), fakta.detik(sub.c.bast_at, sub.c.bayar_at) > limit * 86400),
        and_(
            sub.c.bayar_at.is_(None),
            sub.c.bast_at.isnot(None),
            sub.c.bast_at < akhir - timedelta(days=limit),
            sub.c.status.notin_(fakta.BATAL_KATALOG),
        ),
    )
    terlambat = db.session.execute(
        select(
            sub.c.nomor,
            Satker.nama.label("satker"),
            Penyedia.nama.label("penyedia"),
            sub.c.bast_at,
            sub.c.bayar_at,
            fakta.detik(sub.c.bast_at, func.coalesce(sub.c.bayar_at, akhir)).label("durasi"),
        )
        .select_from(sub.join(Satker, Satker.id == sub.c.satker_id).join(Penyedia, Penyedia.id == sub.c.penyedia_id))
        .where(late)
        .order_by(sub.c.bast_at)
        .limit(1000)
    ).mappings()
    terlambat = [
        {
            **r,
            "bast_at": _lokal(r["bast_at"]),
            "bayar_at": _lokal(r["bayar_at"]),
            "hari": _hari(r["durasi"]),
            "status": _status_bayar(r),
        }  # fmt: skip
        for r in terlambat
    ]
    satker_nama = dict(db.session.execute(select(Satker.id, Satker.nama)).all())
    ids = [k[0] for k in per_bendahara if k[0]]
    bendahara_nama = {
        r.id: f"{r.first_name} {r.last_name}".strip()
        for r in db.session.execute(
            select(PortalUser.id, PortalUser.first_name, PortalUser.last_name).where(PortalUser.id.in_(ids))
        )
    }
    telat_satker, telat_bendahara = {}, {}
    for r in db.session.execute(select(sub.c.satker_id, sub.c.bendahara_id).where(late)):
        telat_satker[r.satker_id] = telat_satker.get(r.satker_id, 0) + 1
        telat_bendahara[r.bendahara_id] = telat_bendahara.get(r.bendahara_id, 0) + 1
    satker = [
        {
            "nama": satker_nama.get(k[0], "-"),
            "jumlah": v[0],
            "median": v[1],
            "p90": v[2],
            "terlambat": telat_satker.get(k[0], 0),
        }  # fmt: skip
        for k, v in sorted(per_satker.items(), key=lambda kv: satker_nama.get(kv[0][0], ""))
    ]
    bendahara = [
        {
            "nama": bendahara_nama.get(k[0]) or gettext("Belum ditunjuk"),
            "jumlah": v[0],
            "median": v[1],
            "p90": v[2],
            "terlambat": telat_bendahara.get(k[0], 0),
        }  # fmt: skip
        for k, v in per_bendahara.items()
    ]
    return {"satker": satker, "bendahara": bendahara, "terlambat": terlambat, "batas": limit}


def _lokal(dt):
    """A stored (naive UTC) time as the Jakarta wall-clock time a spreadsheet shows."""
    return clock.to_local(dt).replace(tzinfo=None) if dt else None


def _status_bayar(r):
    return gettext("Dibayar terlambat") if r["bayar_at"] else gettext("Belum dibayar")


def _sla(s, user):
    """Verification requests decided in the period, and whether by their deadline. Counts only, no person:
    shown to the readers who see every organisation."""
    if not scoping.lihat_semua(user):
        return []
    out = []
    for model, entity, label in (
        (ProfilPengguna, "profil_pengguna", _l("Verifikasi profil")),
        (AksesPengguna, "akses_pengguna", _l("Verifikasi akses")),
    ):
        putus = (
            select(AuditLog.entity_id, func.min(AuditLog.at).label("putus_at"))
            .where(AuditLog.entity == entity, AuditLog.from_status == "menunggu", AuditLog.to_status != "menunggu")
            .group_by(AuditLog.entity_id)
            .subquery()
        )
        row = db.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((putus.c.putus_at <= model.batas_waktu, 1), else_=0)), 0),
            )
            .select_from(model)
            .join(putus, putus.c.entity_id == model.id)
            .where(fakta.dalam(putus.c.putus_at, s))
        ).one()
        overdue = db.session.execute(
            select(func.count()).where(model.status == "menunggu", model.batas_waktu < clock.now())
        ).scalar_one()
        out.append(
            {
                "jenis": str(label),
                "diputus": row[0],
                "tepat": int(row[1]),
                "porsi": umum.porsi(int(row[1]), row[0]),
                "menunggu_lewat": overdue,
            }  # fmt: skip
        )
    return out


def hitung(s, user):
    out = {"eorder": [], "katalog": []}
    if s.alur in ("semua", "eorder"):
        out["eorder"] = _tahap(_eorder(s, user), TAHAP_EORDER, s)
    if s.alur in ("semua", "katalog"):
        out["katalog"] = _tahap(_katalog(s, user), TAHAP_KATALOG, s)
    out["pembatalan"] = _pembatalan(s, user)
    out["pembayaran"] = (
        _pembayaran(s, user) if s.alur in ("semua", "katalog") else {"satker": [], "bendahara": [], "terlambat": []}
    )
    out["pembayaran"].setdefault("batas", batas_bayar())
    out["sla"] = _sla(s, user)
    return out


KINDS = {"jumlah": "angka", "median": "hari", "p90": "hari", "dari": "angka", "porsi": "persen",
         "terlambat": "angka", "hari": "hari", "bast_at": "waktu", "bayar_at": "waktu", "diputus": "angka",
         "tepat": "angka", "menunggu_lewat": "angka"}  # fmt: skip


def _lembar(judul, rows, kolom, grafik=(), catatan=None):
    return buku.Lembar(
        str(judul),
        umum.frame(rows, kolom),
        {str(h): KINDS[k] for k, h in kolom if k in KINDS},
        tanpa_total=True,
        grafik=list(grafik),
        catatan=catatan,
    )


def lembar(h):
    tahap = [("tahap", _l("Tahap")), ("jumlah", _l("Jumlah Pesanan")), ("median", _l("Median (hari)")),
             ("p90", _l("p90 (hari)"))]  # fmt: skip
    med = (str(_l("Median (hari)")), str(_l("p90 (hari)")))
    bayar = [("nama", _l("Nama")), ("jumlah", _l("Pesanan Dibayar")), ("median", _l("Median (hari)")),
             ("p90", _l("p90 (hari)")), ("terlambat", _l("Terlambat"))]  # fmt: skip
    p = h["pembayaran"]
    return [
        _lembar(
            _l("Tahap E-Order"), h["eorder"], tahap, [buku.Grafik("bar", _l("Hari per Tahap"), str(_l("Tahap")), med)]
        ),
        _lembar(
            _l("Tahap Katalog"), h["katalog"], tahap, [buku.Grafik("bar", _l("Hari per Tahap"), str(_l("Tahap")), med)]
        ),
        _lembar(
            _l("Pembatalan"),
            h["pembatalan"],
            [
                ("alur", _l("Alur")),
                ("sebab", _l("Sebab")),
                ("jumlah", _l("Jumlah")),
                ("dari", _l("Dari Pesanan")),
                ("porsi", _l("Porsi")),
            ],  # fmt: skip
        ),
        _lembar(
            _l("Bayar per Satker"),
            p["satker"],
            bayar,
            [buku.Grafik("bar", _l("Hari BAST sampai Dibayar"), str(_l("Nama")), med)],
            catatan=_l("Batas: %(n)s hari setelah BAST.", n=p["batas"]),
        ),
        _lembar(_l("Bayar per Bendahara"), p["bendahara"], bayar),
        _lembar(
            _l("Terlambat Bayar"),
            p["terlambat"],
            [
                ("nomor", _l("Nomor Pesanan")),
                ("satker", _l("Satker")),
                ("penyedia", _l("Penyedia")),
                ("bast_at", _l("BAST")),
                ("bayar_at", _l("Dibayar")),
                ("hari", _l("Hari")),
                ("status", _l("Keterangan")),
            ],  # fmt: skip
        ),
        _lembar(
            _l("SLA Verifikasi"),
            h["sla"],
            [
                ("jenis", _l("Jenis")),
                ("diputus", _l("Diputus")),
                ("tepat", _l("Tepat Waktu")),
                ("porsi", _l("Porsi Tepat Waktu")),
                ("menunggu_lewat", _l("Menunggu, Lewat Batas")),
            ],  # fmt: skip
        ),
    ]


def buku_laporan(s, user):
    definisi = [*DEFINISI, (_l("Batas bayar"), _l("%(n)s hari setelah BAST.", n=batas_bayar()))]
    return buku.tulis(umum.sampul(JUDUL, s, user, definisi), lembar(hitung(s, user)))
