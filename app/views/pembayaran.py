"""Pembayaran pages (SPEC §6 step 9): the PPK's method choice list, the Bendahara's queue, order page,
kode bayar instruction page and history, the payment panel of the Katalog order page, the KKP holder's
link page and the bank's signed callback. Thin: every change is a step of app/services/pembayaran.py."""

from flask import abort, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.extensions import csrf, db
from app.models import KodeBayar, PesananKatalog
from app.models.payments import METODE_BAYAR_LABEL
from app.models.purchasing import STATUS_KATALOG
from app.roles import ROLE_BENDAHARA
from app.services import clock, daftar, gateway, katalog, scoping
from app.services.errors import DomainError, NotFound
from app.services.katalog import antrean, bank, pembayaran, pihak

from ._base import domain_error, kirim_dokumen, load_or_404


def _load(pk):
    return load_or_404(PesananKatalog, pk)


def _umur(since, now=None):
    """(days, hours) an order has waited in its status."""
    if since is None:
        return (0, 0)
    seconds = max(0, int(((now or clock.now()) - since).total_seconds()))
    return (seconds // 86400, (seconds % 86400) // 3600)


def _data(action):
    """The fields the action's row accepts, from the form; `berkas` is the uploaded file."""
    fields = katalog.KATALOG.fields_for(action)
    data = {k: request.form.get(k) for k in fields if request.form.get(k) is not None}
    if "berkas" in fields:
        berkas = request.files.get("berkas")
        data["berkas"] = berkas.read() if berkas else b""
        data["nama_berkas"] = berkas.filename if berkas else ""
    return data


class PembayaranView(BaseView):
    route_base = "/pembayaran"
    default_view = "antrean"

    # --- Bendahara ------------------------------------------------------------------------------

    @expose("/")
    @has_access
    def antrean(self):
        s = daftar.saringan(request.args, pembayaran.STATUS_ANTREAN)
        now = clock.now()
        h = antrean.antrean(g.user, s.status, saringan=s)
        h.items = [(p, row, kode, _umur(p.updated_at or p.created_at, now)) for p, row, kode in h.items]
        return self.render_template(
            "pembayaran/antrean.html",
            h=h,
            status=s.status,
            counts=antrean.jumlah_antrean(g.user),
            statuses=[(code, STATUS_KATALOG[code]) for code in pembayaran.STATUS_ANTREAN],
            metode_label=METODE_BAYAR_LABEL,
            now=now,
        )

    @expose("/riwayat")
    @has_access
    def riwayat(self):
        return self.render_template("pembayaran/riwayat.html", rows=antrean.riwayat(g.user))

    def _render_detail(self, p, status=200):
        if not pihak.boleh_lihat(p, g.user):
            abort(403)
        row = pihak.pembayaran_of(p)
        actions = katalog.KATALOG.panels(p, g.user).get("bendahara", {})
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
                kode_sisa=clock.sisa(kode.berlaku_sampai) if kode else None,
                kode_list=list(pembayaran.daftar_kode(p)),
                riwayat=antrean.riwayat_pesanan(p),
                labels=katalog.halaman.labels(katalog.KATALOG),
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
        if not pihak.boleh_lihat(p, g.user):
            abort(403)
        gw = gateway.gateway()
        is_bendahara = pihak.bendahara_id(p) == g.user.id
        return self.render_template(
            "pembayaran/kode.html",
            p=p,
            kode=kode,
            sisa=clock.sisa(kode.berlaku_sampai) if kode.status == "aktif" else None,
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
            hasil = katalog.simulasikan_lunas(kode.id, g.user)
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
        """The PPK's orders ready for or in payment, with the method choice (UP/KKP disabled above 200 juta);
        one page, its payments and pending addenda looked up for the whole page."""
        states = ("pesanan_tiba",) + pembayaran.STATUS_BAYAR
        s = daftar.saringan(request.args, states)
        h = antrean.pesanan_ppk(g.user, saringan=s)
        rows = []
        for p, row, ada_adendum in h.items:
            belum = pembayaran.belum_siap(p, ada_adendum) if p.status == "pesanan_tiba" else None
            pilihan = pembayaran.pilihan_metode(p) if p.status == "pesanan_tiba" and not belum else []
            rows.append((p, row, belum, pilihan))
        h.items = rows
        return self.render_template(
            "pembayaran/ppk.html",
            h=h,
            rows=rows,
            tabs=[(code, STATUS_KATALOG[code]) for code in states],
            metode_label=METODE_BAYAR_LABEL,
            aksi_metode=pembayaran.AKSI_METODE,
        )

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
        # the Katalog order page, drawn from the same page model as KatalogView (no view imports another)
        context = katalog.halaman_detail(p, g.user)
        context.update(pratinjau=None, adendum_form=MultiDict())
        return self.render_template("katalog/detail.html", **context), status

    @expose("/katalog/<int:pk>/<action>", methods=["POST"])
    @has_access
    def aksi(self, pk, action):
        """A payment step (a row of katalog/pembayaran.py with a panel); the row decides who, when, which fields."""
        if action not in pembayaran.AKSI:
            abort(404)
        p = _load(pk)
        asal = request.form.get("asal") or ("bendahara" if ROLE_BENDAHARA in scoping.roles_of(g.user) else "katalog")
        try:
            katalog.jalankan(p.id, action, g.user, expected_version=request.form.get("version"), **_data(action))
        except DomainError as e:
            return domain_error(e, lambda status: self._rerender(_load(pk), asal, status))
        flash(_l("Berhasil: %(aksi)s.", aksi=katalog.KATALOG.label(action)), "success")
        return redirect(self._back(p, asal))

    @expose("/katalog/<int:pk>/dokumen/<jenis>")
    @has_access
    def dokumen(self, pk, jenis):
        """One document of the payment file, by the one document-access rule; `?inline=1` to show it beside
        the others."""
        if jenis not in pembayaran.JENIS_DOKUMEN:
            abort(404)
        _load(pk)
        return kirim_dokumen(jenis, pk, filename=f"{jenis}-{pk}", inline=request.args.get("inline") == "1")


class KkpView(BaseView):
    """The other KKP holder's page, reached from the emailed single-use link (no login: the link is the key)."""

    route_base = "/kkp"
    default_view = "bayar"

    @expose("/<token>", methods=["GET", "POST"])
    def bayar(self, token):
        status = 200
        selesai = False
        try:
            row, p = bank.cek_tautan(token)
        except NotFound:
            abort(404)
        except DomainError as e:
            return self.render_template("pembayaran/kkp.html", error=str(e), row=None, p=None), e.status
        if request.method == "POST":
            try:
                katalog.bayar_dengan_tautan(token, request.form.get("setuju"))
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
            hasil = katalog.terima_callback(request.get_data(), request.headers)
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
