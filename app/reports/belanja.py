"""Belanja: committed and realised spending by satker, category, month, flow, payment method and supplier;
the PDN, TKDN and UMKM shares; each satker against its targets (SPEC §9)."""

import pandas as pd
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import Kategori
from app.models.eorder import METODE_BAYAR
from app.models.organisations import JENIS_SATKER
from app.models.payments import METODE_BAYAR_LABEL

from . import buku, fakta, umum
from .saringan import ALUR

JUDUL = _l("Laporan Belanja")
TARGET_UMKM, TARGET_PDN, MARGIN = "REPORT_TARGET_UMKM_PERSEN", "REPORT_TARGET_PDN_PERSEN", "REPORT_TARGET_MARGIN_POIN"
DEFINISI = [
    (
        _l("Target"),
        _l(
            "Setiap satker dibandingkan dengan target: UMK-K paling sedikit 40 % dari nilai (Perpres 12/2021 "
            "pasal 65) dan PDN 80 % (target P3DN DKI per perangkat daerah), dapat diatur. Hijau: mencapai "
            "target; Kuning: kurang dari selisih yang diatur; Merah: di bawahnya."
        ),
    ),
    (
        _l("Kategori"),
        _l("Nilai per kategori dihitung dari baris produk; ongkos kirim tercatat tanpa kategori."),
    ),
]


def _ukuran_kolom():
    return [
        ("pesanan_komitmen", _l("Pesanan Komitmen")),
        ("komitmen_sebelum", _l("Komitmen Sebelum Pajak")),
        ("komitmen_pajak", _l("Komitmen Pajak")),
        ("komitmen_total", _l("Komitmen Setelah Pajak")),
        ("pesanan_realisasi", _l("Pesanan Realisasi")),
        ("realisasi_sebelum", _l("Realisasi Sebelum Pajak")),
        ("realisasi_pajak", _l("Realisasi Pajak")),
        ("realisasi_total", _l("Realisasi Setelah Pajak")),
    ]


def _porsi_kolom():
    return [
        ("porsi_umkm", _l("Porsi UMKM")),
        ("porsi_pdn", _l("Porsi PDN")),
        ("porsi_tkdn25", _l("Porsi TKDN ≥ 25 %")),
        ("porsi_tkdn40", _l("Porsi TKDN ≥ 40 %")),
    ]


def _porsi(row):
    row["porsi_umkm"] = umum.porsi(row["umkm_sebelum"], row["komitmen_sebelum"])
    row["porsi_pdn"] = umum.porsi(row["pdn_sebelum"], row["produk_sebelum"])
    row["porsi_tkdn25"] = umum.porsi(row["tkdn25_sebelum"], row["produk_sebelum"])
    row["porsi_tkdn40"] = umum.porsi(row["tkdn40_sebelum"], row["produk_sebelum"])
    return row


def _urut(rows):
    return sorted(rows, key=lambda r: (-r["komitmen_sebelum"], -r["realisasi_sebelum"]))


def _jalur_kategori():
    """id -> (level 1, level 2, level 3) names; categories are a small table, read once."""
    rows = {r.id: r for r in db.session.execute(select(Kategori.id, Kategori.nama, Kategori.parent_id, Kategori.level))}
    out = {}
    for kid, r in rows.items():
        path, cur = [], r
        while cur is not None:
            path.append(cur.nama)
            cur = rows.get(cur.parent_id)
        path.reverse()
        out[kid] = tuple(path + [None] * (3 - len(path)))[:3]
    return out


def _kategori(s, user):
    """One GROUP BY product category in the database, then rolled up to each level (a few hundred rows)."""
    rows = fakta.agregat(s, user, lambda t: [t.produk.c.kategori_id.label("kategori_id")])
    jalur = _jalur_kategori()
    tanpa = gettext("Ongkos kirim (tanpa kategori)")
    levels = []
    for depth in range(3):
        acc = {}
        for r in rows:
            path = jalur.get(r["kategori_id"]) if r["kategori_id"] is not None else (tanpa, None, None)
            if r["kategori_id"] is not None and path[depth] is None:
                continue  # a product filed at a higher level has no row at this depth
            key = tuple(p or "" for p in path[: depth + 1])
            slot = acc.setdefault(key, {k: 0 for k in fakta.UKURAN})
            for k in fakta.UKURAN:
                slot[k] += r[k]
        out = []
        for key, slot in acc.items():
            row = {f"l{d + 1}": key[d] if d < len(key) else "" for d in range(depth + 1)}
            out.append(_porsi({**row, **slot}))
        levels.append(_urut(out))
    return levels


def _bulan(s, user):
    """Committed by the month of commitment, realised by the month of realisation (two GROUP BYs)."""
    k = fakta.agregat(s, user, lambda t: [fakta.bulan(t.b.c.komitmen_at).label("bulan")])
    r = fakta.agregat(s, user, lambda t: [fakta.bulan(t.b.c.realisasi_at).label("bulan")])
    months = {}
    lo, hi = s.dari.strftime("%Y-%m"), s.sampai.strftime("%Y-%m")
    for row in k:
        if row["bulan"] and lo <= row["bulan"] <= hi:
            slot = months.setdefault(row["bulan"], {key: 0 for key in fakta.UKURAN})
            for key in fakta.UKURAN:
                if not key.startswith(("realisasi", "pesanan_realisasi")):
                    slot[key] = row[key]
    for row in r:
        if row["bulan"] and lo <= row["bulan"] <= hi:
            slot = months.setdefault(row["bulan"], {key: 0 for key in fakta.UKURAN})
            for key in ("pesanan_realisasi", "realisasi_sebelum", "realisasi_pajak", "realisasi_total"):
                slot[key] = row[key]
    return [_porsi({"bulan": m, **months[m]}) for m in sorted(months)]


def hitung(s, user):
    """Every figure of the report: dicts of whole Rupiah and Decimal shares (the dashboard reads these)."""
    cfg = (
        umum.persen_cfg(TARGET_UMKM, "40"),
        umum.persen_cfg(TARGET_PDN, "80"),
        umum.persen_cfg(MARGIN, "10"),
    )
    total = _porsi(fakta.agregat(s, user)[0])
    satker = [
        _porsi(r)
        for r in fakta.agregat(
            s,
            user,
            lambda t: [
                t.satker.c.id.label("satker_id"),
                t.instansi.c.nama.label("instansi"),
                t.satker.c.nama.label("satker"),
                t.satker.c.jenis.label("jenis"),
            ],
        )
    ]
    for r in satker:
        r["jenis"] = str(JENIS_SATKER.get(r["jenis"], r["jenis"]))
        r["target_umkm"], r["target_pdn"] = cfg[0] / 100, cfg[1] / 100
        for key, porsi, target in (("umkm", r["porsi_umkm"], cfg[0]), ("pdn", r["porsi_pdn"], cfg[1])):
            r[f"kode_{key}"] = umum.status_target(porsi, target, cfg[2])
            r[f"status_{key}"] = str(umum.STATUS_TARGET[r[f"kode_{key}"]])
    peringkat = sorted(satker, key=lambda r: (-(r["porsi_umkm"] or -1), -(r["porsi_pdn"] or -1), r["satker"]))
    for n, r in enumerate(peringkat, start=1):
        r["peringkat"] = n
    alur = [_porsi(r) for r in fakta.agregat(s, user, lambda t: [t.b.c.alur.label("alur")])]
    for r in alur:
        r["alur"] = str(ALUR.get(r["alur"], r["alur"]))
    metode = [
        _porsi(r) for r in fakta.agregat(s, user, lambda t: [t.b.c.alur.label("alur"), t.b.c.metode.label("metode")])
    ]
    for r in metode:
        labels = METODE_BAYAR if r["alur"] == "eorder" else METODE_BAYAR_LABEL
        r["metode"] = str(labels.get(r["metode"], r["metode"])) if r["metode"] else gettext("Belum dipilih")
        r["alur"] = str(ALUR.get(r["alur"], r["alur"]))
    penyedia = [
        _porsi(r)
        for r in fakta.agregat(
            s,
            user,
            lambda t: [
                t.penyedia.c.id.label("penyedia_id"),
                t.penyedia.c.nama.label("penyedia"),
                t.penyedia.c.is_umkm.label("is_umkm"),
            ],
        )
    ]
    for r in penyedia:
        r["umkm"] = gettext("Ya") if r["is_umkm"] else gettext("Tidak")
    kategori = _kategori(s, user)
    return {
        "total": total,
        "satker": _urut(satker),
        "peringkat": peringkat,
        "kategori": kategori,
        "bulan": _bulan(s, user),
        "alur": _urut(alur),
        "metode": _urut(metode),
        "penyedia": _urut(penyedia),
        "target": {"umkm": cfg[0], "pdn": cfg[1], "margin": cfg[2]},
    }


def _jenis(kolom):
    kinds = {}
    for key, header in kolom:
        if key.startswith("pesanan_") or key == "peringkat":
            kinds[str(header)] = "angka"
        elif key.startswith(("komitmen", "realisasi")):
            kinds[str(header)] = "rupiah"
        elif key.startswith(("porsi", "target")):
            kinds[str(header)] = "persen"
    return kinds


def _lembar(judul, rows, awal, total, grafik=(), porsi=True, catatan=None):
    kolom = [*awal, *_ukuran_kolom(), *(_porsi_kolom() if porsi else [])]
    totals = {str(h): total.get(k) for k, h in kolom if k in total}
    totals[str(kolom[0][1])] = gettext("Jumlah")
    return buku.Lembar(
        judul=str(judul),
        df=umum.frame(rows, kolom),
        jenis_kolom=_jenis(kolom),
        total=totals,
        grafik=list(grafik),
        catatan=catatan,
    )


def lembar(h):
    t = h["total"]
    nilai = (str(_l("Komitmen Sebelum Pajak")), str(_l("Realisasi Sebelum Pajak")))
    ringkasan = pd.DataFrame(
        {
            str(_l("Ukuran")): [str(header) for _, header in (*_ukuran_kolom(), *_porsi_kolom())],
            str(_l("Nilai")): [t[key] for key, _ in (*_ukuran_kolom(), *_porsi_kolom())],
        }
    )
    sheets = [
        buku.Lembar(
            str(_l("Ringkasan")),
            ringkasan,
            {},
            tanpa_total=True,
            jenis_baris=[*_jenis(_ukuran_kolom()).values(), *["persen"] * len(_porsi_kolom())],
        ),
        _lembar(
            _l("Per Satker"),
            h["satker"],
            [("instansi", _l("Instansi")), ("satker", _l("Satker")), ("jenis", _l("Jenis"))],
            t,
            [buku.Grafik("bar", _l("Nilai per Satker"), str(_l("Satker")), nilai)],
        ),
    ]
    kolom_target = [
        ("peringkat", _l("Peringkat")),
        ("instansi", _l("Instansi")),
        ("satker", _l("Satker")),
        ("komitmen_sebelum", _l("Komitmen Sebelum Pajak")),
        ("porsi_umkm", _l("Porsi UMKM")),
        ("target_umkm", _l("Target UMK-K")),
        ("status_umkm", _l("Status UMK-K")),
        ("porsi_pdn", _l("Porsi PDN")),
        ("target_pdn", _l("Target PDN")),
        ("status_pdn", _l("Status PDN")),
    ]
    sheets.append(
        buku.Lembar(
            str(_l("Target Satker")),
            umum.frame(h["peringkat"], kolom_target),
            _jenis(kolom_target),
            total={
                str(_l("Peringkat")): gettext("Jumlah"),
                str(_l("Komitmen Sebelum Pajak")): t["komitmen_sebelum"],
                str(_l("Porsi UMKM")): t["porsi_umkm"],
                str(_l("Porsi PDN")): t["porsi_pdn"],
            },  # fmt: skip
            catatan=_l("Diurutkan menurut porsi UMKM, lalu porsi PDN."),
        )
    )
    names = [("l1", _l("Kategori Level 1")), ("l2", _l("Kategori Level 2")), ("l3", _l("Kategori Level 3"))]
    for depth, rows in enumerate(h["kategori"]):
        sheets.append(
            _lembar(
                _l("Kategori Level %(n)s", n=depth + 1),
                rows,
                names[: depth + 1],
                t,
                [
                    buku.Grafik(
                        "pie" if depth == 0 else "bar", _l("Nilai per Kategori"), str(names[depth][1]), nilai[:1]
                    )
                ],
            )
        )
    sheets += [
        _lembar(
            _l("Per Bulan"),
            h["bulan"],
            [("bulan", _l("Bulan"))],
            t,
            [buku.Grafik("line", _l("Komitmen dan Realisasi per Bulan"), str(_l("Bulan")), nilai, baris_maks=60)],
        ),
        _lembar(_l("Per Alur"), h["alur"], [("alur", _l("Alur"))], t),
        _lembar(_l("Per Metode Bayar"), h["metode"], [("alur", _l("Alur")), ("metode", _l("Metode Bayar"))], t),
        _lembar(
            _l("Per Penyedia"),
            h["penyedia"],
            [("penyedia", _l("Penyedia")), ("umkm", _l("UMKM"))],
            t,
            [buku.Grafik("bar", _l("Penyedia dengan Nilai Terbesar"), str(_l("Penyedia")), nilai[:1], baris_maks=15)],
        ),
    ]
    return sheets


def buku_laporan(s, user):
    h = hitung(s, user)
    return buku.tulis(umum.sampul(JUDUL, s, user, DEFINISI), lembar(h))
