"""Pembayaran pages (SPEC §6 step 9): the PPK's method choice list, the Bendahara's queue, order page,
kode bayar instruction page and history, the payment panel of the Katalog order page, the KKP holder's
link page and the bank's signed callback. Thin: every change is a step of app/services/pembayaran.py."""

from flask import Response, abort, current_app, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.extensions import csrf, db
from app.models import KodeBayar, PesananKatalog
from app.models.payments import JENIS_PPH, JENIS_TAGIHAN, METODE_BAYAR_LABEL
from app.models.purchasing import STATUS_KATALOG
from app.security import ROLE_BENDAHARA, ROLE_PPK
from app.services import clock, documents, gateway, money, pembayaran, purchasing, scoping
from app.services.errors import DomainError, NotFound

# The steps a person takes from a page (the portal's own steps, `lunas` and `kode_kedaluwarsa`, are not here).
AKSI = (
    "pilih_ls",
    "pilih_up",
    "pilih_kkp",
    "unggah_faktur",
    "unggah_bukti_potong",
    "lanjutkan_bayar",
    "ajukan_bendahara",
    "konfirmasi_bayar",
    "kembalikan",
    "terbitkan_ulang",
    "bayar_kkp",
    "kirim_ulang_tautan",
    "ganti_metode",
)
FORM_FIELDS = {
    "pilih_kkp": ("pemegang", "nama_pemegang", "email_pemegang"),
    "unggah_faktur": ("jenis_tagihan", "nomor_tagihan"),
    "unggah_bukti_potong": ("jenis_pph", "jumlah_pph", "tanpa_bukti_potong"),
    "ajukan_bendahara": ("bendahara_id",),
    "konfirmasi_bayar": ("dokumen_diperiksa",),
    "kembalikan": ("alasan",),
    "bayar_kkp": ("setuju",),
}
UPLOADS = ("unggah_faktur", "unggah_bukti_potong")


def _load(pk):
    try:
        return scoping.get_scoped(PesananKatalog, pk, g.user)
    except NotFound:
        abort(404)


def _umur(since, now=None):
    """(days, hours) an order has waited in its status."""
    if since is None:
        return (0, 0)
    seconds = max(0, int(((now or clock.now()) - since).total_seconds()))
    return (seconds // 86400, (seconds % 86400) // 3600)


def _sisa(batas):
    if batas is None:
        return None
    seconds = int((batas - clock.now()).total_seconds())
    return (max(0, seconds) // 3600, (max(0, seconds) % 3600) // 60)


def _data(action):
    form = request.form
    data = {k: form.get(k) for k in FORM_FIELDS.get(action, ()) if form.get(k) is not None}
    if action in UPLOADS:
        berkas = request.files.get("berkas")
        data["berkas"] = berkas.read() if berkas else b""
        data["nama_berkas"] = berkas.filename if berkas else ""
    return data


def panel_pembayaran(p, user):
    """The payment panel of the Katalog order page (katalog/_pembayaran.html); None before Pesanan Tiba."""
    if p.status not in ("pesanan_tiba",) + pembayaran.STATUS_BAYAR:
        return None
    roles = scoping.roles_of(user)
    row = pembayaran.pembayaran_of(p)
    actions = {t.action: t for t in purchasing.KATALOG.available(p, user) if t.action in AKSI}
    belum = pembayaran.belum_siap(p) if p.status == "pesanan_tiba" else None
    if belum:
        actions = {k: v for k, v in actions.items() if not k.startswith("pilih_")}
    is_ppk = ROLE_PPK in roles and user.id == p.ppk_id
    is_penyedia = bool(user.penyedia_id) and user.penyedia_id == p.penyedia_id
    kode = pembayaran.kode_aktif(p)
    return {
        "row": row,
        "belum_siap": belum if p.status == "pesanan_tiba" and (is_ppk or is_penyedia) else None,
        "metode": pembayaran.pilihan_metode(p) if "pilih_ls" in actions else [],
        "actions": actions,
        "is_ppk": is_ppk,
        "is_penyedia": is_penyedia,
        "bendahara": pembayaran.pilihan_bendahara(p, row.metode) if row and "ajukan_bendahara" in actions else [],
        "kurang": pembayaran.dokumen_kurang(row) if row and row.metode == money.METODE_LS else [],
        "kode": kode,
        "kode_sisa": _sisa(kode.berlaku_sampai) if kode else None,
        "riwayat": pembayaran.riwayat_pesanan(p, hanya_pembayaran=True),
        "jenis_pph": JENIS_PPH,
        "jenis_tagihan": JENIS_TAGIHAN,
        "metode_label": METODE_BAYAR_LABEL,
        "labels": purchasing.LABELS,
        "statuses": STATUS_KATALOG,
        "batas_up": money.BATAS_UP,
    }


class PembayaranView(BaseView):
    route_base = "/pembayaran"
    default_view = "antrean"

    # --- Bendahara ------------------------------------------------------------------------------

    @expose("/")
    @has_access
    def antrean(self):
        status = request.args.get("status") or None
        if status not in pembayaran.STATUS_ANTREAN:
            status = None
        now = clock.now()
        rows = [(p, row, kode, _umur(p.updated_at or p.created_at, now)) for p, row, kode in
                pembayaran.antrean(g.user, status)]  # fmt: skip
        return self.render_template(
            "pembayaran/antrean.html",
            rows=rows,
            status=status,
            counts=pembayaran.jumlah_antrean(g.user),
            statuses=[(s, STATUS_KATALOG[s]) for s in pembayaran.STATUS_ANTREAN],
            metode_label=METODE_BAYAR_LABEL,
        )

    @expose("/riwayat")
    @has_access
    def riwayat(self):
        return self.render_template("pembayaran/riwayat.html", rows=pembayaran.riwayat(g.user))

    def _render_detail(self, p, status=200):
        if not pembayaran.boleh_lihat(p, g.user):
            abort(403)
        row = pembayaran.pembayaran_of(p)
        actions = {t.action: t for t in purchasing.KATALOG.available(p, g.user) if t.action in AKSI}
        docs = [
            (jenis, label)
            for jenis, label, present in (
                ("sp", _l("Surat Pesanan"), p.sp_dokumen_id),
                ("bast", _l("BAST"), p.bast_dokumen_id),
                ("tagihan", _l("Faktur Pajak / Dokumen Tagihan"), row and row.tagihan_dokumen_id),
                ("bukti_potong", _l("Bukti Potong PPh"), row and row.bukti_potong_dokumen_id),
                ("invoice", _l("Invoice (dipersamakan dengan Faktur Pajak)"), row and row.invoice_dokumen_id),
            )
            if present
        ]
        kode = pembayaran.kode_aktif(p)
        return (
            self.render_template(
                "pembayaran/detail.html",
                p=p,
                row=row,
                actions=actions,
                docs=docs,
                kode=kode,
                kode_sisa=_sisa(kode.berlaku_sampai) if kode else None,
                kode_list=list(pembayaran.daftar_kode(p)),
                riwayat=pembayaran.riwayat_pesanan(p),
                labels=purchasing.LABELS,
                statuses=STATUS_KATALOG,
                umur=_umur(p.updated_at or p.created_at),
            ),
            status,
        )

    @expose("/<int:pk>")
    @has_access
    def detail(self, pk):
        return self._render_detail(_load(pk))

    @expose("/kode/<int:kode_id>")
    @has_access
    def kode(self, kode_id):
        """The kode bayar's instruction page: the code, the amount, its expiry and how to pay it."""
        kode = db.session.get(KodeBayar, kode_id)
        if kode is None:
            abort(404)
        p = _load(kode.pesanan_id)
        if not pembayaran.boleh_lihat(p, g.user):
            abort(403)
        gw = gateway.gateway()
        is_bendahara = pembayaran.bendahara_id(p) == g.user.id
        return self.render_template(
            "pembayaran/kode.html",
            p=p,
            kode=kode,
            sisa=_sisa(kode.berlaku_sampai) if kode.status == "aktif" else None,
            simulasi=getattr(gw, "simulasi", False) and is_bendahara,
            kembali=url_for("PembayaranView.detail", pk=p.id)
            if is_bendahara
            else url_for("KatalogView.detail", pk=p.id) + "#pembayaran",
        )

    @expose("/kode/<int:kode_id>/simulasi", methods=["POST"])
    @has_access
    def simulasi(self, kode_id):
        """Stand-in for paying at the bank: the simulator's signed callback goes through the real check."""
        kode = db.session.get(KodeBayar, kode_id)
        if kode is None:
            abort(404)
        _load(kode.pesanan_id)
        try:
            hasil = pembayaran.simulasikan_lunas(kode.id, g.user)
        except NotFound:
            abort(404)
        except DomainError as e:
            flash(str(e), "danger")
            db.session.rollback()
            return redirect(url_for("PembayaranView.kode", kode_id=kode_id)), 303
        if hasil["hasil"] == "lunas":
            flash(_l("Pembayaran kode bayar %(kode)s diterima; pesanan selesai.", kode=kode.kode), "success")
        return redirect(url_for("PembayaranView.detail", pk=kode.pesanan_id))

    # --- PPK ----------------------------------------------------------------------------------------

    @expose("/ppk")
    @has_access
    def ppk(self):
        """The PPK's orders ready for or in payment, with the method choice (UP/KKP disabled above 200 juta)."""
        rows = []
        for p in pembayaran.pesanan_ppk(g.user):
            belum = pembayaran.belum_siap(p) if p.status == "pesanan_tiba" else None
            pilihan = pembayaran.pilihan_metode(p) if p.status == "pesanan_tiba" and not belum else []
            rows.append((p, pembayaran.pembayaran_of(p), belum, pilihan))
        return self.render_template("pembayaran/ppk.html", rows=rows, metode_label=METODE_BAYAR_LABEL)

    # --- every party's steps --------------------------------------------------------------------------

    def _back(self, p, asal):
        if asal == "bendahara":
            return url_for("PembayaranView.detail", pk=p.id)
        if asal == "ppk":
            return url_for("PembayaranView.ppk")
        return url_for("KatalogView.detail", pk=p.id) + "#pembayaran"

    def _rerender(self, p, asal, status):
        if asal == "bendahara":
            return self._render_detail(p, status)
        if asal == "ppk":
            return self.ppk(), status
        katalog = next((v for v in current_app.appbuilder.baseviews if type(v).__name__ == "KatalogView"), None)
        if katalog is None:
            return redirect(self._back(p, asal))
        return katalog._render(p, status)

    @expose("/katalog/<int:pk>/<action>", methods=["POST"])
    @has_access
    def aksi(self, pk, action):
        if action not in AKSI:
            abort(404)
        p = _load(pk)
        asal = request.form.get("asal") or ("bendahara" if ROLE_BENDAHARA in scoping.roles_of(g.user) else "katalog")
        try:
            pembayaran.jalankan(p.id, action, g.user, expected_version=request.form.get("version"), **_data(action))
        except NotFound:
            abort(404)
        except DomainError as e:
            flash(str(e), "danger")
            db.session.expire_all()
            return self._rerender(_load(pk), asal, e.status)
        flash(_l("Berhasil: %(aksi)s.", aksi=purchasing.LABELS.get(action, action)), "success")
        return redirect(self._back(p, asal))

    @expose("/katalog/<int:pk>/dokumen/<jenis>")
    @has_access
    def dokumen(self, pk, jenis):
        """One document of the payment file, for the order's parties; `?inline=1` to show it beside the others."""
        _load(pk)
        try:
            doc = pembayaran.dokumen(pk, jenis, g.user)
        except NotFound:
            abort(404)
        except DomainError:
            abort(403)
        body = documents.read(doc.stored_name)
        inline = request.args.get("inline") == "1"
        ext = {documents.PDF: "pdf", documents.JPEG: "jpg", documents.PNG: "png"}.get(doc.content_type, "bin")
        headers = {
            "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{jenis}-{pk}.{ext}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        }
        if inline:  # shown in a frame of the portal's own pages, never of another site
            headers["X-Frame-Options"] = "SAMEORIGIN"
            headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        return Response(body, mimetype=doc.content_type, headers=headers)


class KkpView(BaseView):
    """The other KKP holder's page, reached from the emailed single-use link (no login: the link is the key)."""

    route_base = "/kkp"
    default_view = "bayar"

    @expose("/<token>", methods=["GET", "POST"])
    def bayar(self, token):
        status = 200
        selesai = False
        try:
            row, p = pembayaran.cek_tautan(token)
        except NotFound:
            abort(404)
        except DomainError as e:
            return self.render_template("pembayaran/kkp.html", error=str(e), row=None, p=None), e.status
        if request.method == "POST":
            try:
                pembayaran.bayar_dengan_tautan(token, request.form.get("setuju"))
                selesai = True
            except DomainError as e:
                flash(str(e), "danger")
                db.session.rollback()
                status = e.status
        return self.render_template("pembayaran/kkp.html", row=row, p=p, selesai=selesai, error=None), status


class PembayaranCallbackView(BaseView):
    """POST /api/pembayaran/callback: the bank's or gateway's signed "paid" notification (JSON in, JSON out)."""

    route_base = "/api/pembayaran"
    default_view = "callback"

    @expose("/callback", methods=["POST"])
    def callback(self):
        try:
            hasil = pembayaran.terima_callback(request.get_data(), request.headers)
        except DomainError as e:
            db.session.rollback()
            return jsonify(hasil="ditolak", pesan=str(e)), e.status
        return jsonify(**hasil), 200


def register(appbuilder):
    appbuilder.add_view(
        PembayaranView,
        "Antrean Pembayaran",
        label=_l("Antrean Pembayaran"),
        icon="fa-money-check-alt",
        category="Pembayaran",
        category_label=_l("Pembayaran"),
        category_icon="fa-money-bill-wave",
    )
    appbuilder.add_link(
        "Riwayat Pembayaran",
        href="/pembayaran/riwayat",
        label=_l("Riwayat Pembayaran"),
        icon="fa-history",
        category="Pembayaran",
    )
    appbuilder.add_link(
        "Pembayaran Pesanan",
        href="/pembayaran/ppk",
        label=_l("Pembayaran Pesanan"),
        icon="fa-money-check-alt",
        category="Katalog",
    )
    appbuilder.add_view_no_menu(KkpView)
    callback = appbuilder.add_view_no_menu(PembayaranCallbackView)
    # The bank posts without a session or CSRF token; its HMAC signature is the proof (gateway.py).
    csrf.exempt(callback.blueprint)
