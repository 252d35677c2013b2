"""Laporan (Excel workbooks) and Dasbor (the same figures as charts). Stable URLs other tools call:

    GET /laporan/                         the page: filters, one button per workbook, "Laporan Saya"
    GET /laporan/<jenis>.xlsx?dari=&sampai=&instansi=&satker=&kategori=&alur=
                                          200 with the workbook, or 202 + Location when it runs as a job
    GET /laporan/tugas/<id>               202 with progress while the job runs, then 303 to the file
    GET /laporan/berkas/<id>              the finished file
    GET /dasbor/                          the dashboard for the same filters

The figures come from app/reports; scope from app/services/scoping.py (through saringan.baca)."""

import json
from calendar import monthrange
from datetime import date

from flask import Response, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.formatting import tanggal
from app.reports import JENIS, belanja, fakta, kinerja, penilaian, saringan, tugas, umkm
from app.services import clock
from app.services.errors import DomainError, NotFound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DESKRIPSI = {
    "belanja": _l(
        "Nilai komitmen dan realisasi per satker, kategori, bulan, alur, metode bayar dan Penyedia; "
        "porsi PDN, TKDN dan UMKM; target tiap satker."
    ),  # fmt: skip
    "umkm": _l(
        "UMKM aktif dan baru, nilai kepada UMKM per wilayah dan SKPD pembina, UMKM teratas, UMKM tanpa pesanan."
    ),  # fmt: skip
    "penilaian": _l(
        "Rata-rata dan jumlah penilaian per Penyedia dan produk, distribusi bintang, Penyedia terendah, tren bulanan."
    ),  # fmt: skip
    "kinerja": _l("Hari per tahap, pembatalan menurut sebabnya, hari dari BAST sampai dibayar, SLA verifikasi."),
    "rincian": _l("Setiap baris pesanan dalam periode, satu baris per baris pesanan (dibuat sebagai tugas)."),
}


def _json_wanted():
    return request.args.get("format") == "json" or request.accept_mimetypes.best == "application/json"


class LaporanView(BaseView):
    route_base = "/laporan"
    default_view = "index"

    def _halaman(self, status=200, error=None, s=None):
        try:
            s = s or saringan.baca(request.args, g.user)
        except DomainError as e:
            error, s = error or str(e), saringan.baca({}, g.user)
            status = e.status if status == 200 else status
        return (
            self.render_template(
                "laporan/index.html",
                s=s,
                pilihan=saringan.pilihan(g.user),
                jenis=[(j, tugas.NAMA[j], DESKRIPSI[j]) for j in JENIS],
                saya=tugas.laporan_saya(g.user),
                error=error,
                now=clock.now(),
                jenis_nama=lambda j: tugas.NAMA.get(j, j),
                saringan_teks=_saringan_teks,
            ),
            status,
        )

    @expose("/")
    @has_access
    def index(self):
        return self._halaman()

    @expose("/<string:nama>")
    @has_access
    def unduh(self, nama):
        jenis, _, ext = nama.partition(".")
        if ext != "xlsx" or jenis not in JENIS:
            return self._halaman(404, gettext("Laporan tidak dikenal."))
        try:
            s = saringan.baca(request.args, g.user)
            if request.args.get("tugas") == "1" or tugas.besar(jenis, s, g.user):
                row = tugas.buat(jenis, s, g.user)
                return self._diterima(row)
            data = tugas.langsung(jenis, s, g.user)
        except DomainError as e:
            return self._halaman(e.status, str(e))
        return Response(
            data,
            mimetype=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{tugas.nama_berkas(jenis, s)}"'},
        )

    def _diterima(self, row):
        location = url_for("LaporanView.tugas_status", pk=row.id)
        if request.args.get("kembali") == "1":
            # the page's own button: back to the page, where the job's progress bar runs (no 202 dead end)
            args = {k: v for k, v in request.args.items() if k not in ("tugas", "kembali")}
            return redirect(url_for("LaporanView.index", _anchor=f"laporan-{row.id}", **args), code=303)
        resp = jsonify(self._keadaan(row))
        resp.status_code = 202
        resp.headers["Location"] = location
        return resp

    @staticmethod
    def _keadaan(row):
        return {
            "id": row.id,
            "jenis": row.jenis,
            "status": row.status,
            "status_label": str(row.status_label),
            "progres": row.progres,
            "baris": row.baris,
            "pesan": row.pesan,
            "berkas": url_for("LaporanView.berkas", pk=row.id) if row.status == "selesai" else None,
        }

    @expose("/tugas/<int:pk>")
    @has_access
    def tugas_status(self, pk):
        try:
            row = tugas.milik(pk, g.user)
        except NotFound as e:
            return self._halaman(404, str(e))
        if row.status == "selesai":
            return redirect(url_for("LaporanView.berkas", pk=row.id), code=303)
        if row.status == "gagal":
            if _json_wanted():
                return jsonify(self._keadaan(row)), 409
            return self._halaman(409, row.pesan or gettext("Laporan gagal dibuat."))
        resp = jsonify(self._keadaan(row))
        resp.status_code = 202
        resp.headers["Location"] = url_for("LaporanView.tugas_status", pk=row.id)
        resp.headers["Retry-After"] = "2"
        return resp

    @expose("/berkas/<int:pk>")
    @has_access
    def berkas(self, pk):
        try:
            row = tugas.milik(pk, g.user)
        except NotFound as e:
            return self._halaman(404, str(e))
        if row.status != "selesai" or not row.stored_name:
            return redirect(url_for("LaporanView.tugas_status", pk=row.id), code=303)
        s = saringan.Saringan(*_periode(row))
        try:
            return send_file(
                tugas.path_of(row.stored_name),
                mimetype=XLSX,
                as_attachment=True,
                download_name=tugas.nama_berkas(row.jenis, s),
            )
        except FileNotFoundError:
            return self._halaman(404, gettext("Berkas laporan sudah tidak tersedia; buat ulang."))


def _saringan_teks(row):
    args = json.loads(row.saringan)
    dari, sampai = _periode(row)
    text = f"{tanggal(dari)} – {tanggal(sampai)}"
    alur = args.get("alur", "semua")
    if alur != "semua":
        text += f" · {saringan.ALUR.get(alur, alur)}"
    return text


def _periode(row):

    args = json.loads(row.saringan)
    return date.fromisoformat(args["dari"]), date.fromisoformat(args["sampai"])


class DasborView(BaseView):
    route_base = "/dasbor"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        error = None
        status = 200
        try:
            s = saringan.baca(request.args, g.user)
        except DomainError as e:
            error, status, s = str(e), e.status, saringan.baca({}, g.user)
        data = dasbor(s, g.user)
        pilihan = saringan.pilihan(g.user)
        return (
            self.render_template(
                "laporan/dasbor.html",
                s=s,
                pilihan=pilihan,
                d=data,
                grafik=grafik(data, s, pilihan),
                error=error,
            ),
            status,
        )


@fakta.dengan_sesi
def dasbor(s, user):
    """The dashboard's figures: read from the same report functions as the workbooks (one set of counted lines
    for all four)."""
    b = belanja.hitung(s, user)
    u = umkm.hitung(s, user)
    p = penilaian.hitung(s, user)
    k = kinerja.hitung(s, user)
    return {"belanja": b, "umkm": u, "penilaian": p, "kinerja": k}


def _bulan_rentang(ym, s):

    y, m = int(ym[:4]), int(ym[5:7])
    return max(date(y, m, 1), s.dari), min(date(y, m, monthrange(y, m)[1]), s.sampai)


def _rincian(s, **override):
    args = {**s.query_args(), **override}
    return url_for("LaporanView.unduh", nama="rincian.xlsx", **args)


def grafik(d, s, pilihan):
    """The charts' data, JSON-ready: labels, values, and where a click on each bar or slice leads."""
    b, u, p, k = d["belanja"], d["umkm"], d["penilaian"], d["kinerja"]
    kategori_id = {r.nama: r.id for r in pilihan["kategori"]}
    bulan = []
    for r in b["bulan"]:
        dari, sampai = _bulan_rentang(r["bulan"], s)
        bulan.append(
            {
                "label": r["bulan"],
                "komitmen": r["komitmen_sebelum"],
                "realisasi": r["realisasi_sebelum"],
                "tautan": _rincian(s, dari=dari.isoformat(), sampai=sampai.isoformat()),
            }  # fmt: skip
        )
    satker = [
        {
            "label": r["satker"],
            "nilai": r["komitmen_sebelum"],
            "realisasi": r["realisasi_sebelum"],
            "tautan": _rincian(s, satker=r["satker_id"]),
        }  # fmt: skip
        for r in b["satker"][:10]
    ]
    kategori = [
        {
            "label": r["l1"],
            "nilai": r["komitmen_sebelum"],
            "tautan": _rincian(s, kategori=kategori_id[r["l1"]]) if r["l1"] in kategori_id else None,
        }  # fmt: skip
        for r in b["kategori"][0]
    ]
    umkm_pie = [{"label": r["jenis"], "nilai": r["komitmen_sebelum"]} for r in u["jenis"]]
    bintang = [{"label": r["sumber"], "nilai": [r[f"b{n}"] for n in range(1, 6)]} for r in p["distribusi"]]
    tahap = [
        {
            "label": r["tahap"],
            "median": str(r["median"]) if r["median"] is not None else None,
            "p90": str(r["p90"]) if r["p90"] is not None else None,
        }  # fmt: skip
        for r in (*k["eorder"], *k["katalog"])
    ]
    wb = {j: url_for("LaporanView.unduh", nama=f"{j}.xlsx", **s.query_args()) for j in JENIS}
    return {
        "bulan": bulan,
        "satker": satker,
        "kategori": kategori,
        "umkm": umkm_pie,
        "bintang": bintang,
        "tahap": tahap,
        "workbook": wb,
        "label": {
            "komitmen": gettext("Komitmen sebelum pajak"),
            "realisasi": gettext("Realisasi sebelum pajak"),
            "median": gettext("Median (hari)"),
            "p90": gettext("p90 (hari)"),
            "bintang": [gettext("%(n)s bintang", n=n) for n in range(1, 6)],
        },
    }


def register(appbuilder):
    appbuilder.add_view(
        DasborView, "Dasbor", label=_l("Dasbor"), icon="fa-area-chart", category="Laporan", category_label=_l("Laporan")
    )
    appbuilder.add_view(
        LaporanView,
        "Laporan Excel",
        label=_l("Laporan Excel"),
        icon="fa-file-excel-o",
        category="Laporan",
        category_label=_l("Laporan"),
    )
