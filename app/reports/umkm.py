"""Partisipasi UMKM: active and new UMKM, orders and value to UMKM against non-UMKM, by region and SKPD
pembina, the top UMKM, and UMKM with products on show but no order in the period (SPEC §9)."""

from dataclasses import replace
from datetime import date

import pandas as pd
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import Penyedia, Produk, Satker, Wilayah
from app.services import scoping

from . import buku, fakta, umum

JUDUL = _l("Laporan Partisipasi UMKM")
TOP = 20
MAKS_TANPA_PESANAN = 1000
DEFINISI = [
    (_l("UMKM aktif"), _l("Penyedia UMKM dengan paling sedikit satu pesanan komitmen dalam periode.")),
    (
        _l("UMKM baru"),
        _l("Penyedia UMKM yang pesanan komitmen pertamanya (sepanjang waktu) jatuh pada bulan itu."),
    ),
    (
        _l("Wilayah"),
        _l("Kota, kecamatan dan kelurahan menurut alamat usaha Penyedia UMKM."),
    ),
]


def _kolom_nilai():
    return [
        ("pesanan_komitmen", _l("Pesanan Komitmen")),
        ("komitmen_sebelum", _l("Komitmen Sebelum Pajak")),
        ("komitmen_total", _l("Komitmen Setelah Pajak")),
        ("pesanan_realisasi", _l("Pesanan Realisasi")),
        ("realisasi_sebelum", _l("Realisasi Sebelum Pajak")),
        ("realisasi_total", _l("Realisasi Setelah Pajak")),
    ]


def _umkm(t):
    return t.penyedia.c.is_umkm.is_(True)


def _baru(s, user):
    """UMKM whose first committed order ever falls in each month of the period (one GROUP BY of a GROUP BY)."""
    sepanjang = replace(s, dari=date(2000, 1, 1))
    t = fakta.Tabel(fakta.baris(sepanjang, user))
    first = (
        select(t.b.c.penyedia_id, func.min(t.b.c.komitmen_at).label("pertama"))
        .select_from(t.sumber())
        .where(_umkm(t), fakta.dalam(t.b.c.komitmen_at, sepanjang))
        .group_by(t.b.c.penyedia_id)
        .subquery("pertama")
    )
    q = (
        select(fakta.bulan(first.c.pertama).label("bulan"), func.count().label("umkm_baru"))
        .where(fakta.dalam(first.c.pertama, s))
        .group_by(fakta.bulan(first.c.pertama))
        .order_by(fakta.bulan(first.c.pertama))
    )
    return [dict(r) for r in db.session.execute(q).mappings()]


def _wilayah():
    rows = db.session.execute(select(Wilayah.code, Wilayah.nama, Wilayah.level, Wilayah.parent_code)).all()
    return {r.code: r for r in rows}


def _jalur_wilayah(code, w):
    """(kota, kecamatan, kelurahan) names of a kelurahan code."""
    kel = w.get(code)
    kec = w.get(kel.parent_code) if kel else None
    kota = w.get(kec.parent_code) if kec else None
    tanpa = gettext("Tanpa wilayah")
    return (kota.nama if kota else tanpa, kec.nama if kec else tanpa, kel.nama if kel else tanpa)


def _tambah(slot, row):
    for k in fakta.UKURAN:
        slot[k] = slot.get(k, 0) + row[k]
    slot["umkm"] = slot.get("umkm", 0) + row.get("umkm", 0)


@fakta.dengan_sesi
def hitung(s, user):
    total = fakta.agregat(s, user)[0]
    per_jenis = fakta.agregat(s, user, lambda t: [t.penyedia.c.is_umkm.label("is_umkm")])
    for r in per_jenis:
        r["jenis"] = gettext("UMKM") if r["is_umkm"] else gettext("Non-UMKM")
        r["porsi"] = umum.porsi(r["komitmen_sebelum"], total["komitmen_sebelum"])
    per_umkm = fakta.agregat(
        s,
        user,
        lambda t: [
            t.penyedia.c.id.label("penyedia_id"),
            t.penyedia.c.nama.label("penyedia"),
            t.penyedia.c.kelurahan_code.label("kelurahan_code"),
            t.penyedia.c.skpd_pembina_id.label("pembina_id"),
        ],
        where=_umkm,
    )
    aktif = [r for r in per_umkm if r["pesanan_komitmen"]]
    w = _wilayah()
    levels = []
    for depth in range(3):
        acc = {}
        for r in per_umkm:
            key = _jalur_wilayah(r["kelurahan_code"], w)[: depth + 1]
            _tambah(acc.setdefault(key, {}), {**r, "umkm": 1 if r["pesanan_komitmen"] else 0})
        levels.append(
            sorted(
                [{**{f"w{d + 1}": key[d] for d in range(depth + 1)}, **slot} for key, slot in acc.items()],
                key=lambda x: -x["komitmen_sebelum"],
            )
        )
    pembina_nama = dict(db.session.execute(select(Satker.id, Satker.nama)).all())
    acc = {}
    for r in per_umkm:
        name = pembina_nama.get(r["pembina_id"]) or gettext("Tanpa SKPD pembina")
        _tambah(acc.setdefault(name, {}), {**r, "umkm": 1 if r["pesanan_komitmen"] else 0})
    pembina = sorted([{"pembina": k, **v} for k, v in acc.items()], key=lambda x: -x["komitmen_sebelum"])
    top = sorted(aktif, key=lambda r: -r["komitmen_sebelum"])[:TOP]
    for n, r in enumerate(top, start=1):
        r["peringkat"] = n
        r["porsi"] = umum.porsi(r["komitmen_sebelum"], total["komitmen_sebelum"])
    return {
        "total": total,
        "aktif": len(aktif),
        "baru": _baru(s, user),
        "jenis": per_jenis,
        "wilayah": levels,
        "pembina": pembina,
        "top": top,
        "tanpa_pesanan": _tanpa_pesanan(s, user, {r["penyedia_id"] for r in aktif}),
    }


def _tanpa_pesanan(s, user, aktif_ids):
    """UMKM with products on show and no committed order in the period (a Penyedia sees only itself: the
    product rule of scoping.py gives it its own products)."""
    q = (
        select(Penyedia.id, Penyedia.nama, func.count(Produk.id).label("produk"))
        .join(Produk, Produk.penyedia_id == Penyedia.id)
        .where(Penyedia.is_umkm.is_(True), Produk.status == "tayang", scoping.visible_clause(Produk, user))
        .group_by(Penyedia.id, Penyedia.nama)
        .order_by(Penyedia.nama)
    )
    rows = [dict(r) for r in db.session.execute(q).mappings() if r.id not in aktif_ids]
    return rows[:MAKS_TANPA_PESANAN]


def _jenis(kolom):
    kinds = {}
    for key, header in kolom:
        if key.startswith(("pesanan_", "peringkat", "umkm", "produk")):
            kinds[str(header)] = "angka"
        elif key.startswith(("komitmen", "realisasi")):
            kinds[str(header)] = "rupiah"
        elif key.startswith("porsi"):
            kinds[str(header)] = "persen"
    return kinds


def _lembar(judul, rows, kolom, grafik=(), total=None, tanpa_total=False):
    return buku.Lembar(
        str(judul),
        umum.frame(rows, kolom),
        _jenis(kolom),
        total=total,
        tanpa_total=tanpa_total,
        grafik=list(grafik),
    )


def lembar(h):
    nilai = str(_l("Komitmen Sebelum Pajak"))
    t = h["total"]
    umkm = next((r for r in h["jenis"] if r["is_umkm"]), None)
    ringkasan = pd.DataFrame(
        {
            str(_l("Ukuran")): [
                str(_l("UMKM aktif")),
                str(_l("UMKM baru dalam periode")),
                str(_l("Nilai komitmen kepada UMKM")),
                str(_l("Porsi UMKM")),
                str(_l("UMKM dengan produk tanpa pesanan")),
            ],
            str(_l("Nilai")): [
                h["aktif"],
                sum(r["umkm_baru"] for r in h["baru"]),
                umkm["komitmen_sebelum"] if umkm else 0,
                umkm["porsi"] if umkm else None,
                len(h["tanpa_pesanan"]),
            ],
        }
    )
    jenis_kolom = [("jenis", _l("Jenis Penyedia")), *_kolom_nilai(), ("porsi", _l("Porsi Nilai Komitmen"))]
    jenis_total = {str(h_): t.get(k) for k, h_ in jenis_kolom if k in t}
    jenis_total[str(_l("Jenis Penyedia"))] = gettext("Jumlah")
    jenis_total[str(_l("Porsi Nilai Komitmen"))] = umum.porsi(t["komitmen_sebelum"], t["komitmen_sebelum"])
    sheets = [
        buku.Lembar(
            str(_l("Ringkasan")),
            ringkasan,
            {},
            tanpa_total=True,
            jenis_baris=["angka", "angka", "rupiah", "persen", "angka"],
        ),
        _lembar(
            _l("UMKM dan Non-UMKM"),
            h["jenis"],
            jenis_kolom,
            [buku.Grafik("pie", _l("Nilai Komitmen UMKM dan Non-UMKM"), str(_l("Jenis Penyedia")), (nilai,))],
            total=jenis_total,
        ),
        _lembar(
            _l("UMKM Baru per Bulan"),
            h["baru"],
            [("bulan", _l("Bulan")), ("umkm_baru", _l("UMKM Baru"))],
            [buku.Grafik("bar", _l("UMKM Baru per Bulan"), str(_l("Bulan")), (str(_l("UMKM Baru")),), 60)],
        ),
    ]
    names = [("w1", _l("Kota/Kabupaten")), ("w2", _l("Kecamatan")), ("w3", _l("Kelurahan"))]
    for depth, rows in enumerate(h["wilayah"]):
        kolom = [*names[: depth + 1], ("umkm", _l("UMKM Aktif")), *_kolom_nilai()]
        sheets.append(
            _lembar(
                _l("Per %(wilayah)s", wilayah=names[depth][1]),
                rows,
                kolom,
                [buku.Grafik("bar", _l("Nilai per Wilayah"), str(names[depth][1]), (nilai,), 15)] if depth == 0 else [],
            )
        )
    sheets += [
        _lembar(
            _l("Per SKPD Pembina"),
            h["pembina"],
            [("pembina", _l("SKPD Pembina")), ("umkm", _l("UMKM Aktif")), *_kolom_nilai()],
            [buku.Grafik("bar", _l("Nilai per SKPD Pembina"), str(_l("SKPD Pembina")), (nilai,), 15)],
        ),
        _lembar(
            _l("UMKM Teratas"),
            h["top"],
            [
                ("peringkat", _l("Peringkat")),
                ("penyedia", _l("Penyedia")),
                *_kolom_nilai(),
                ("porsi", _l("Porsi Nilai Komitmen")),
            ],
            [buku.Grafik("bar", _l("UMKM dengan Nilai Terbesar"), str(_l("Penyedia")), (nilai,), 15)],
            total={str(_l("Peringkat")): gettext("Jumlah")}
            | {str(hd): sum(r[k] for r in h["top"]) for k, hd in _kolom_nilai()},
        ),
        _lembar(
            _l("UMKM Tanpa Pesanan"),
            h["tanpa_pesanan"],
            [("nama", _l("Penyedia")), ("produk", _l("Produk Tayang"))],
        ),
    ]
    return sheets


def buku_laporan(s, user):
    return buku.tulis(umum.sampul(JUDUL, s, user, DEFINISI), lembar(hitung(s, user)))
