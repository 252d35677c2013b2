"""Penilaian: mean rating and count per supplier and product (E-Order product reviews; Katalog order, service
and courier ratings kept apart), the 1-5 distribution, the lowest-rated suppliers, the monthly trend."""

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, literal, select, union_all

from app.extensions import db
from app.models import (
    PenilaianKatalog,
    Penyedia,
    Pesanan,
    PesananKatalog,
    PesananKatalogItem,
    Produk,
    Ulasan,
)
from app.services import scoping

from . import buku, fakta, umum

JUDUL = _l("Laporan Penilaian")
SUMBER = {
    "eorder_produk": _l("E-Order: produk"),
    "katalog_pesanan": _l("Katalog: pesanan"),
    "katalog_layanan": _l("Katalog: layanan Penyedia"),
    "katalog_kurir": _l("Katalog: kurir Penyedia"),
}
DEFINISI = [
    (
        _l("Penilaian"),
        _l(
            "E-Order: ulasan pembeli per produk (1-5 bintang). Katalog: penilaian PPK atas pesanan, layanan "
            "Penyedia dan kurir Penyedia, dihitung terpisah. Periode menurut tanggal penilaian."
        ),
    ),
    (
        _l("Penyedia terendah"),
        _l("Penyedia dengan rata-rata terendah di antara yang memiliki paling sedikit N penilaian (dapat diatur)."),
    ),
]


def minimum():
    return int(current_app.config.get("REPORT_MIN_RATINGS", 3))


def nilai(s, user):
    """One row per rating in the period and the reader's scope: sumber, penyedia_id, produk_id, bintang, at."""
    parts = []
    if s.alur in ("semua", "eorder"):
        u = (
            select(
                literal("eorder_produk").label("sumber"),
                Ulasan.penyedia_id.label("penyedia_id"),
                Ulasan.produk_id.label("produk_id"),
                Ulasan.bintang.label("bintang"),
                Ulasan.created_at.label("at"),
            )
            .select_from(Ulasan)
            .outerjoin(Pesanan, Pesanan.id == Ulasan.pesanan_id)
            .where(scoping.visible_clause(Pesanan, user), fakta.dalam(Ulasan.created_at, s))
        )
        u = fakta.organisasi(u, Pesanan.satker_id, s)
        if s.kategori_ids:
            u = u.where(Ulasan.produk_id.in_(select(Produk.id).where(Produk.kategori_id.in_(s.kategori_ids))))
        parts.append(u)
    if s.alur in ("semua", "katalog"):
        k = (
            select(
                (literal("katalog_") + PenilaianKatalog.jenis).label("sumber"),
                PesananKatalog.penyedia_id.label("penyedia_id"),
                literal(None).label("produk_id"),
                PenilaianKatalog.bintang.label("bintang"),
                PenilaianKatalog.created_at.label("at"),
            )
            .select_from(PenilaianKatalog)
            .join(PesananKatalog, PesananKatalog.id == PenilaianKatalog.pesanan_id)
            .where(scoping.visible_clause(PesananKatalog, user), fakta.dalam(PenilaianKatalog.created_at, s))
        )
        k = fakta.organisasi(k, PesananKatalog.satker_id, s)
        if s.kategori_ids:
            k = k.where(
                exists().where(
                    and_(
                        PesananKatalogItem.pesanan_id == PesananKatalog.id,
                        PesananKatalogItem.produk_id.in_(
                            select(Produk.id).where(Produk.kategori_id.in_(s.kategori_ids))
                        ),
                    )
                )
            )
        parts.append(k)
    return union_all(*parts).subquery("nilai")


def _kelompok(n, cols, order=None, having=None):
    q = select(*cols, func.count().label("jumlah"), func.sum(n.c.bintang).label("total")).group_by(*cols)
    if having is not None:
        q = q.having(having)
    rows = [dict(r) for r in db.session.execute(q.order_by(*(order or cols))).mappings()]
    for r in rows:
        r["rata"] = umum.rata(r.pop("total") or 0, r["jumlah"])
        if "sumber" in r:
            r["sumber"] = str(SUMBER.get(r["sumber"], r["sumber"]))
    return rows


def hitung(s, user):
    n = nilai(s, user)
    ringkasan = _kelompok(n, [n.c.sumber])
    dist = {}
    for r in db.session.execute(
        select(n.c.sumber, n.c.bintang, func.count().label("jumlah")).group_by(n.c.sumber, n.c.bintang)
    ).mappings():
        dist.setdefault(r["sumber"], {b: 0 for b in range(1, 6)})[int(r["bintang"])] = r["jumlah"]
    distribusi = [
        {"sumber": str(SUMBER.get(k, k)), **{f"b{b}": v[b] for b in range(1, 6)}, "jumlah": sum(v.values())}
        for k, v in sorted(dist.items())
    ]
    penyedia = _per_penyedia(n)
    produk = _per_produk(n)
    terendah = _terendah(n)
    tren = [r for r in _kelompok(n, [fakta.bulan(n.c.at).label("bulan"), n.c.sumber]) if r["bulan"]]
    total_jumlah = sum(r["jumlah"] for r in ringkasan)
    return {
        "ringkasan": ringkasan,
        "distribusi": distribusi,
        "penyedia": penyedia,
        "produk": produk,
        "terendah": terendah,
        "tren": tren,
        "jumlah": total_jumlah,
        "rata": _rata_semua(n),
        "minimum": minimum(),
    }


def _rata_semua(n):
    row = db.session.execute(select(func.count(), func.sum(n.c.bintang))).one()
    return umum.rata(row[1] or 0, row[0])


def _per_penyedia(n):
    q = (
        select(Penyedia.nama.label("penyedia"), n.c.sumber, func.count().label("jumlah"), func.sum(n.c.bintang))
        .select_from(n.join(Penyedia, Penyedia.id == n.c.penyedia_id))
        .group_by(Penyedia.id, Penyedia.nama, n.c.sumber)
        .order_by(Penyedia.nama, n.c.sumber)
    )
    return [
        {"penyedia": r[0], "sumber": str(SUMBER.get(r[1], r[1])), "jumlah": r[2], "rata": umum.rata(r[3] or 0, r[2])}
        for r in db.session.execute(q)
    ]


def _per_produk(n):
    q = (
        select(Produk.nama, Penyedia.nama, func.count(), func.sum(n.c.bintang))
        .select_from(n.join(Produk, Produk.id == n.c.produk_id).join(Penyedia, Penyedia.id == Produk.penyedia_id))
        .group_by(Produk.id, Produk.nama, Penyedia.nama)
        .order_by(Produk.nama)
    )
    return [
        {"produk": r[0], "penyedia": r[1], "jumlah": r[2], "rata": umum.rata(r[3] or 0, r[2])}
        for r in db.session.execute(q)
    ]


def _terendah(n):
    q = (
        select(Penyedia.nama, func.count(), func.sum(n.c.bintang))
        .select_from(n.join(Penyedia, Penyedia.id == n.c.penyedia_id))
        .group_by(Penyedia.id, Penyedia.nama)
        .having(func.count() >= minimum())
    )
    rows = [{"penyedia": r[0], "jumlah": r[1], "rata": umum.rata(r[2] or 0, r[1])} for r in db.session.execute(q)]
    rows.sort(key=lambda r: (r["rata"], -r["jumlah"], r["penyedia"]))
    for i, r in enumerate(rows[:20], start=1):
        r["peringkat"] = i
    return rows[:20]


KINDS = {"jumlah": "angka", "rata": "desimal", "peringkat": "angka", **{f"b{b}": "angka" for b in range(1, 6)}}


def _lembar(judul, rows, kolom, grafik=(), tanpa_total=True):
    return buku.Lembar(
        str(judul),
        umum.frame(rows, kolom),
        {str(h): KINDS[k] for k, h in kolom if k in KINDS},
        tanpa_total=tanpa_total,
        grafik=list(grafik),
    )


def lembar(h):
    jumlah, rata = ("jumlah", _l("Jumlah Penilaian")), ("rata", _l("Rata-rata"))
    sumber = ("sumber", _l("Jenis Penilaian"))
    total = {str(_l("Jenis Penilaian")): gettext("Jumlah"), str(jumlah[1]): h["jumlah"], str(rata[1]): h["rata"]}
    dist_kolom = [sumber, *[(f"b{b}", _l("%(n)s bintang", n=b)) for b in range(1, 6)], jumlah]
    return [
        buku.Lembar(
            str(_l("Ringkasan")),
            umum.frame(h["ringkasan"], [sumber, jumlah, rata]),
            {str(jumlah[1]): "angka", str(rata[1]): "desimal"},
            total=total,
            grafik=[buku.Grafik("bar", _l("Rata-rata per Jenis Penilaian"), str(sumber[1]), (str(rata[1]),))],
        ),
        _lembar(
            _l("Distribusi"),
            h["distribusi"],
            dist_kolom,
            [
                buku.Grafik(
                    "bar",
                    _l("Distribusi Bintang"),
                    str(sumber[1]),
                    tuple(str(c[1]) for c in dist_kolom[1:6]),
                )
            ],
            tanpa_total=False,
        ),
        _lembar(_l("Per Penyedia"), h["penyedia"], [("penyedia", _l("Penyedia")), sumber, jumlah, rata]),
        _lembar(_l("Per Produk"), h["produk"], [("produk", _l("Produk")), ("penyedia", _l("Penyedia")), jumlah, rata]),
        _lembar(
            _l("Penyedia Terendah"),
            h["terendah"],
            [("peringkat", _l("Peringkat")), ("penyedia", _l("Penyedia")), jumlah, rata],
            [buku.Grafik("bar", _l("Penyedia dengan Rata-rata Terendah"), str(_l("Penyedia")), (str(rata[1]),))],
        ),
        _lembar(
            _l("Tren Bulanan"),
            h["tren"],
            [("bulan", _l("Bulan")), sumber, jumlah, rata],
            [buku.Grafik("line", _l("Jumlah Penilaian per Bulan"), str(_l("Bulan")), (str(jumlah[1]),), 60)],
        ),
    ]


def buku_laporan(s, user):
    definisi = [*DEFINISI, (_l("N"), _l("Paling sedikit %(n)s penilaian.", n=minimum()))]
    return buku.tulis(umum.sampul(JUDUL, s, user, definisi), lembar(hitung(s, user)))
