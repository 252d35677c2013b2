"""Katalog e-purchasing pages (SPEC §6 steps 1–8): the PP's checkout against a RUP, the order page
shared by PP, Penyedia and PPK (negotiation, chat, PPK approval, Surat Pesanan and BAST signing,
shipping and Lacak Pengiriman, ratings, addenda), their signed PDFs and the Auditor-only
preparation document."""

import secrets
from decimal import Decimal, InvalidOperation

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Adendum, PesananKatalog, Produk
from app.models.purchasing import OPSI_KIRIM, STATUS_KATALOG
from app.roles import ROLE_PENYEDIA, ROLE_PP, ROLE_PPK
from app.services import anggaran, clock, katalog, money, scoping
from app.services import daftar as daftar_service
from app.services import keranjang_katalog as keranjang
from app.services.errors import DomainError, NotFound
from app.services.katalog import adendum, negosiasi, penilaian, pihak, pratinjau_ttd

from ._base import domain_error, kirim_dokumen, load_or_404

# Suggestions for "Jenis Pengiriman" (free text: the PP may write another)
CHECKOUT_JENIS_PENGIRIMAN = (
    _l("Dikirim ke alamat satuan kerja"),
    _l("Dikirim ke lokasi kegiatan"),
    _l("Diambil di lokasi Penyedia"),
)


def _load(pk):
    return load_or_404(PesananKatalog, pk)


# the list's status tabs: the steps people look for (any other status is reached by its link)
DAFTAR_TABS = ("menunggu_negosiasi", "nego_pp", "nego_penyedia", "menunggu_ppk", "konfirmasi_penyedia",
               "diproses_penyedia", "dalam_pengiriman", "pesanan_tiba", "selesai", "dibatalkan")  # fmt: skip


def _rupiah(value, nama):
    """A price as typed (`Rp 90.000`, `90.000`, `90000`), or a DomainError naming the field."""
    try:
        return money.parse_rupiah(value)
    except ValueError:
        raise DomainError(
            _l("%(nama)s tidak valid: tulis angka Rupiah tanpa desimal, misalnya Rp 90.000.", nama=nama)
        ) from None


def _harga(form, prefix, rows):
    """{row id: price} of the price inputs `<prefix>_<id>` that were filled in."""
    out = {}
    for row in rows:
        value = (form.get(f"{prefix}_{row.id}") or "").strip()
        if value:
            out[row.id] = _rupiah(value, _l("Harga %(nama)s", nama=row.nama))
    return out


def _aksi_data(p, action, form):
    """The service's keyword arguments for one action: the fields its row accepts, read from the form.
    Prices, shipping cost and the BAST inspection are per line; every other field is one input."""
    fields = katalog.KATALOG.fields_for(action)
    data = {k: form.get(k) for k in fields if form.get(k) is not None}
    if "harga" in fields:
        data["harga"] = {
            i.id: _rupiah(v, _l("Harga %(nama)s", nama=i.nama))
            for i in p.items
            if (v := form.get(f"harga_{i.id}", "").strip())
        }
    if "harga_layanan" in fields:
        data["harga_layanan"] = {
            x.id: _rupiah(v, _l("Harga %(nama)s", nama=x.nama))
            for x in p.layanan
            if (v := form.get(f"layanan_{x.id}", "").strip())
        }
    if "ongkir" in fields:
        ongkir = (form.get("ongkir") or "").strip()
        data.pop("ongkir", None)
        if ongkir:
            data["ongkir"] = _rupiah(ongkir, _l("Ongkos kirim"))
    if "periksa" in fields:
        data["periksa"] = {
            item.id: {
                "qty_diterima": (form.get(f"qty_diterima_{item.id}") or "").strip(),
                "kondisi": form.get(f"kondisi_{item.id}"),
                "sesuai": form.get(f"sesuai_{item.id}") == "1",
                "catatan": form.get(f"catatan_{item.id}"),
            }
            for item in p.items
        }
    if pratinjau_ttd.KUNCI in fields:  # a person signs what the preview showed: the key always goes along
        data.setdefault(pratinjau_ttd.KUNCI, "")
    return data


def _adendum_changes(p, form):
    """The changes an addendum form asks for: only the fields that differ from the signed SP."""
    changes = {}
    for item in p.items:
        for field, current in (("qty", item.qty), ("ppn", item.ppn_persen), ("ppnbm", item.ppnbm_persen)):
            value = (form.get(f"{field}_{item.id}") or "").strip().replace(",", ".")
            if not value:
                continue
            try:
                same = Decimal(value) == Decimal(str(current))
            except InvalidOperation:
                same = False  # the service refuses it with its own message
            if not same:
                changes.setdefault(field, {})[item.id] = value
    # a service's and the Kurir Penyedia shipping's own PPN / PPnBM
    pajak = [(f"{t}_layanan", svc.id, f"{t}_layanan_{svc.id}", getattr(svc, f"{t}_persen"))
             for svc in p.layanan for t in ("ppn", "ppnbm")]  # fmt: skip
    if p.opsi_kirim == "kurir_penyedia":
        pajak += [(f"{t}_ongkir", None, f"{t}_ongkir", getattr(p, f"ongkir_{t}_persen")) for t in ("ppn", "ppnbm")]
    for key, row_id, name, current in pajak:
        value = (form.get(name) or "").strip().replace(",", ".")
        if not value:
            continue
        try:
            same = Decimal(value) == Decimal(str(current))
        except InvalidOperation:
            same = False  # the service refuses it with its own message
        if not same and row_id is None:
            changes[key] = value
        elif not same:
            changes.setdefault(key, {})[row_id] = value
    ongkir = (form.get("ongkir") or "").strip()
    if ongkir and p.opsi_kirim == "kurir_penyedia":
        value = _rupiah(ongkir, _l("Ongkos kirim"))
        if value != p.ongkir:
            changes["ongkir"] = value
    klausul = (form.get("klausul") or "").strip()
    if klausul != (p.klausul or "").strip():
        changes["klausul"] = klausul
    tanggal = (form.get("tanggal_tiba_diminta") or "").strip()
    if tanggal and tanggal != p.tanggal_tiba_diminta.isoformat():
        changes["tanggal_tiba_diminta"] = tanggal
    for key in ("tambah_layanan", "hapus_layanan"):
        ids = sorted({scoping.as_id(x) for x in form.getlist(key)} - {None})
        if ids:
            changes[key] = ids
    ppk_id = (form.get("ppk_id") or "").strip()
    if scoping.as_id(ppk_id) and scoping.as_id(ppk_id) != p.ppk_id:
        changes["ppk_id"] = ppk_id
    return changes


def _checkout_langsung(user, pairs):
    """Posted `produk_id`/`qty` rows (checkout without the cart) as (Produk, qty) for showing them again."""
    out = []
    for pid, qty in pairs:
        if pid.strip():
            try:
                out.append((scoping.get_scoped(Produk, pid.strip(), user), qty))
            except NotFound:
                continue
    return out


# --- the order page's tabs (issue 16): which one is open -----------------------------------------------

TAB_URUTAN = ("ringkasan", "negosiasi", "sp", "pengiriman", "bast", "adendum", "pembayaran", "riwayat", "chat")
TAB_STATUS = {
    "menunggu_negosiasi": "negosiasi",
    "nego_pp": "negosiasi",
    "nego_penyedia": "negosiasi",
    "nego_selesai": "negosiasi",
    "menunggu_ppk": "sp",
    "konfirmasi_penyedia": "sp",
    "diproses_penyedia": "pengiriman",
    "dalam_pengiriman": "pengiriman",
    "pesanan_tiba": "bast",
}
TAB_TTD = {"buat_pesanan": "sp", "ttd_sp": "sp", "terima_barang": "bast", "ttd_bast": "bast"}


def tab_pesanan(ctx, surat, adendum_diisi):
    """The tab of the step this order is at (by its status), or the one where this user has a step to take
    now; a letter being previewed or an addendum being written keeps its own tab open."""
    p, panels = ctx["p"], ctx["panels"]
    aksi = set()
    if panels.get("harga"):
        aksi.add("negosiasi")
    aksi.update(TAB_TTD.get(name, "sp") for name in panels.get("ttd", {}))
    if panels.get("event"):
        aksi.add("pengiriman")
    if ctx["jawab_adendum"]:
        aksi.add("adendum")
    if ctx["pembayaran"] and (ctx["pembayaran"]["actions"] or ctx["pembayaran"]["metode"]):
        aksi.add("pembayaran")
    langkah = TAB_STATUS.get(p.status)
    if p.status == "pesanan_tiba" and p.bast_ttd_penyedia_at:
        langkah = "pembayaran"
    elif langkah is None:
        langkah = "pembayaran" if ctx["pembayaran"] and p.status != "selesai" else "ringkasan"
    if surat:
        aktif = TAB_TTD.get(katalog.PRATINJAU.get(surat["jenis"]), "adendum")
    elif adendum_diisi:
        aktif = "adendum"
    elif "adendum" in aksi:  # an addendum waits for this user's answer, on its own deadline
        aktif = "adendum"
    elif langkah in aksi or not aksi:
        aktif = langkah
    else:
        aktif = next(t for t in TAB_URUTAN if t in aksi)
    return {"tab_urutan": TAB_URUTAN, "tab_aktif": aktif, "tab_langkah": langkah, "tab_aksi": aksi}


class KatalogView(BaseView):
    route_base = "/katalog"
    default_view = "daftar"
    # previewing a letter is part of the step that signs it: who may take steps may preview (the service
    # then asks the step's own role, party and state)
    method_permission_name = {"pratinjau": "aksi", "lihat_pratinjau": "aksi"}

    # --- list -------------------------------------------------------------------------------

    @expose("/")
    @has_access
    def daftar(self):
        """The Katalog orders the user may see: status tabs, search, date range, pages; supplier and satker
        joined (a page costs the same statements at any size: app/services/daftar.py)."""
        roles = scoping.roles_of(g.user)
        tabs = [(code, STATUS_KATALOG[code]) for code in DAFTAR_TABS]
        s = daftar_service.saringan(request.args, list(STATUS_KATALOG))
        if s.status and s.status not in DAFTAR_TABS:  # a status reached by link keeps its own tab
            tabs.append((s.status, STATUS_KATALOG[s.status]))
        return self.render_template(
            "katalog/daftar.html",
            h=daftar_service.pesanan_katalog(g.user, s),
            tabs=tabs,
            status=s.status,
            is_ppk=ROLE_PPK in roles,
            is_pp=ROLE_PP in roles,
            is_penyedia=ROLE_PENYEDIA in roles,
            now=clock.now(),
        )

    # --- checkout -----------------------------------------------------------------------------

    def _render_checkout(self, form, ticked=(), langsung=(), status=200):
        """The checkout page: the PP's cart lines (of the ticked lines' Penyedia, or all of them) to tick,
        rows posted without the cart (`langsung`), the RUPs (searchable, pagu and sisa), PPKs and addresses."""
        lines, dipilih = keranjang.baris_checkout(g.user, ticked)
        ringkasan = keranjang.ringkasan([x for x in lines if x.id in dipilih])
        return (
            self.render_template(
                "katalog/checkout.html",
                form=form,
                grup=keranjang.per_penyedia(lines),
                ringkasan=ringkasan,
                dipilih=dipilih,
                langsung=langsung,
                rups=anggaran.pilihan_rup(g.user),
                ppks=pihak.ppk_pilihan(g.user.satker_id),
                alamat=keranjang.alamat_pengiriman(g.user),
                jenis_pengiriman=CHECKOUT_JENIS_PENGIRIMAN,
                opsi_kirim=OPSI_KIRIM,
            ),
            status,
        )

    @expose("/checkout", methods=["GET", "POST"])
    @has_access
    def checkout(self):
        """GET ?keranjang=<id>&…: the ticked cart lines (another user's → 404). POST: `keranjang_id` ticks
        (the order and the removal of those lines are one commit), or `produk_id`/`qty` rows without the cart."""
        if request.method == "GET":
            ticked = request.args.getlist("keranjang")
            if ticked:
                try:
                    keranjang.pilihan(g.user, ticked)  # another user's line: 404
                except NotFound:
                    abort(404)
                except DomainError:
                    abort(403)  # not a PP: no cart
            alamat = keranjang.alamat_pengiriman(g.user)
            # a one-time token: the same form posted twice (double click, a retry) makes one order
            form = {"tahapan_pengiriman": "1", "opsi_kirim": "kurir_penyedia", "token": secrets.token_urlsafe(24)}
            form["alamat_kirim"] = alamat[0][1] if alamat and alamat[0][0].jenis == "utama" else ""
            return self._render_checkout(form, ticked)
        form = {name: request.form.get(name, "") for name in katalog.checkout.ISIAN + ("token",)}
        ticked = [x for x in request.form.getlist("keranjang_id") if x.strip()]
        pairs = list(zip(request.form.getlist("produk_id"), request.form.getlist("qty"), strict=False))
        try:
            berkas = request.files.get("dokumen_persiapan")
            estimasi = form["estimasi_hari"].strip()
            if estimasi and (not estimasi.isascii() or not estimasi.isdigit() or len(estimasi) > 3):
                raise DomainError(_l("Estimasi hari pengiriman tidak valid."))
            ongkir = form["ongkir_estimasi"].strip()
            detail = dict(
                dokumen_persiapan=(berkas.filename if berkas else None, berkas.read() if berkas else b""),
                rup_id=form["rup_id"],
                ppk_id=form["ppk_id"],
                alamat_kirim=form["alamat_kirim"],
                jenis_pengiriman=form["jenis_pengiriman"],
                tanggal_tiba_diminta=form["tanggal_tiba_diminta"],
                opsi_kirim=form["opsi_kirim"],
                tahapan_pengiriman=form["tahapan_pengiriman"] or 1,
                kurir_nama=form["kurir_nama"],
                ongkir_estimasi=_rupiah(ongkir, _l("Estimasi ongkos kirim")) if ongkir else 0,
                estimasi_hari=int(estimasi) if estimasi else None,
                token=form["token"].strip() or None,
            )
            if ticked:  # ticked cart lines (another user's line is not found: 404)
                p = keranjang.checkout(g.user, ticked, **detail)
            else:
                chosen = [{"produk_id": pid.strip(), "qty": (qty or "").strip()} for pid, qty in pairs if pid.strip()]
                p = katalog.checkout.checkout(g.user, lines=chosen, **detail)
        except DomainError as e:
            return domain_error(
                e, lambda status: self._render_checkout(form, ticked, _checkout_langsung(g.user, pairs), status)
            )
        if getattr(p, "sudah_ada", False):
            flash(_l("Formulir ini sudah dikirim: pesanan %(nomor)s sudah dibuat.", nomor=p.nomor), "info")
        else:
            flash(_l("Pesanan %(nomor)s dibuat; menunggu negosiasi.", nomor=p.nomor), "success")
        return redirect(url_for("KatalogView.detail", pk=p.id))

    # --- the order page -----------------------------------------------------------------------

    def _render(self, p, status=200, pratinjau=None, adendum_form=None, surat=None, isian=None):
        """The order page; `surat` is a letter previewed for signing (its frame URL and fingerprint) and
        `isian` the form it was made from, drawn again so the signer can change it."""
        context = katalog.halaman_detail(p, g.user)
        context.update(pratinjau=pratinjau, adendum_form=adendum_form or MultiDict())
        context.update(surat=surat, isian=isian or MultiDict())
        context.update(tab_pesanan(context, surat, pratinjau or adendum_form))
        return self.render_template("katalog/detail.html", **context), status

    def _surat(self, p, jenis, nama, pdf):
        """Keep a previewed letter for the page's frame: its URL and the fingerprint the signing form carries."""
        token = pratinjau_ttd.simpan(g.user, p.id, jenis, nama, pdf)
        url = url_for("KatalogView.lihat_pratinjau", pk=p.id, jenis=jenis, token=token)
        return {"jenis": jenis, "url": url, "sidik": pratinjau_ttd.sidik(pdf), "nama": nama}

    def _again(self, pk, **kw):
        return lambda status: self._render(_load(pk), status, **kw)

    def _again_ttd(self, pk, action, form):
        """A refused step drawn again; a refused signing of a previewed letter shows the letter as it would
        be signed now (a wrong passphrase, or a letter that changed: read it again) with the form as typed."""
        jenis = next((j for j, a in katalog.PRATINJAU.items() if a == action), None)

        def rerender(status):
            p = _load(pk)
            if jenis is None:
                return self._render(p, status)
            try:
                surat = self._surat(
                    p, jenis, *katalog.pratinjau_dokumen(p.id, jenis, g.user, _aksi_data(p, action, form))
                )
            except DomainError:
                db.session.rollback()
                surat = None
            return self._render(p, status, surat=surat, isian=form)

        return rerender

    @expose("/<int:pk>")
    @has_access
    def detail(self, pk):
        return self._render(_load(pk))

    @expose("/<int:pk>/aksi/<action>", methods=["POST"])
    @has_access
    def aksi(self, pk, action):
        """Any step of the order's table; the row decides who, when and which fields (apply)."""
        p = _load(pk)
        try:
            data = _aksi_data(p, action, request.form)
            katalog.jalankan(p.id, action, g.user, expected_version=request.form.get("version"), **data)
        except DomainError as e:
            return domain_error(e, self._again_ttd(pk, action, request.form))
        flash(_l("Berhasil: %(aksi)s.", aksi=katalog.KATALOG.label(action)), "success")
        return redirect(url_for("KatalogView.detail", pk=pk))

    @expose("/<int:pk>/ringkasan-nego/<action>", methods=["POST"])
    @has_access
    def ringkasan_nego(self, pk, action):
        """The live Ringkasan Harga Nego of the proposal being typed (fetched by the page as the PP or the
        Penyedia types): the service's figures, nothing stored; a bad price answers 422 with its message."""
        p = _load(pk)
        if action not in ("ajukan_nego", "tawar"):
            abort(404)
        try:
            r = negosiasi.ringkasan_nego(p.id, g.user, _aksi_data(p, action, request.form))
        except DomainError as e:
            if e.status in (403, 404):
                abort(e.status)
            return render_template("katalog/_ringkasan_nego.html", p=p, r=None, pesan=str(e)), 422
        return render_template("katalog/_ringkasan_nego.html", p=p, r=r, pesan=None)

    @expose("/<int:pk>/pratinjau/<jenis>", methods=["POST"])
    @has_access
    def pratinjau(self, pk, jenis):
        """Before Buat Pesanan or the BAST: the letter made from the posted form, unsigned and shown in the page
        with the form still editable; only then the passphrase (the signing step refuses another letter)."""
        p = _load(pk)
        action = katalog.PRATINJAU.get(jenis)
        if action is None:
            abort(404)
        form = request.form
        try:
            nama, pdf = katalog.pratinjau_dokumen(p.id, jenis, g.user, _aksi_data(p, action, form))
        except DomainError as e:
            return domain_error(e, self._again(pk, isian=form))
        return self._render(p, surat=self._surat(p, jenis, nama, pdf), isian=form)

    @expose("/<int:pk>/pratinjau/<jenis>/<token>")
    @has_access
    def lihat_pratinjau(self, pk, jenis, token):
        """The previewed letter for the page's frame: only its maker's, for this order, for a short while."""
        p = _load(pk)
        try:
            nama, pdf = pratinjau_ttd.baca(token, g.user, p.id, jenis)
        except NotFound:
            abort(404)
        name = "".join(c if c.isalnum() or c in "-_." else "-" for c in f"pratinjau-{nama}")
        headers = {
            "Content-Disposition": f'inline; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "X-Frame-Options": "SAMEORIGIN",
            "Content-Security-Policy": "frame-ancestors 'self'",
        }
        return Response(pdf, mimetype="application/pdf", headers=headers)

    @expose("/<int:pk>/chat", methods=["POST"])
    @has_access
    def chat(self, pk):
        p = _load(pk)
        try:
            negosiasi.kirim_chat(p.id, g.user, request.form.get("teks"))
        except DomainError as e:
            return domain_error(e, self._again(pk))
        flash(_l("Pesan terkirim."), "success")
        return redirect(url_for("KatalogView.detail", pk=pk) + "#chat")

    @expose("/<int:pk>/dokumen/<jenis>")
    @expose("/<int:pk>/dokumen/<jenis>/<int:adendum_id>")
    @has_access
    def dokumen(self, pk, jenis, adendum_id=None):
        """The signed Surat Pesanan, BAST or addendum letter, by the one document-access rule; `?inline=1`
        for the frame beside a countersigning passphrase."""
        p = _load(pk)
        inline = request.args.get("inline") == "1"
        if jenis == "adendum":
            a = load_or_404(Adendum, adendum_id)
            if a.pesanan_id != p.id:
                abort(404)
            return kirim_dokumen("adendum", a.id, filename=a.nomor, inline=inline)
        if jenis not in ("sp", "bast"):
            abort(404)
        return kirim_dokumen(jenis, p.id, filename=p.sp_nomor if jenis == "sp" else p.bast_nomor, inline=inline)

    @expose("/<int:pk>/penilaian", methods=["POST"])
    @has_access
    def penilaian(self, pk):
        p = _load(pk)
        form = request.form
        try:
            penilaian.beri_penilaian(p.id, g.user, form.get("jenis"), form.get("bintang"), form.get("ulasan"))
        except DomainError as e:
            return domain_error(e, self._again(pk))
        flash(_l("Terima kasih, penilaian tersimpan."), "success")
        return redirect(url_for("KatalogView.detail", pk=pk) + "#penilaian")

    @expose("/<int:pk>/adendum", methods=["POST"])
    @has_access
    def adendum(self, pk):
        """Preview (the before/after table and the letter, unsigned; changes nothing) or propose the addendum
        previewed, signed with the proposer's TTE."""
        p = _load(pk)
        form = request.form
        try:
            changes = _adendum_changes(p, form)
            if form.get("mode") == "ajukan":
                sidik = form.get(pratinjau_ttd.KUNCI) or ""
                a = adendum.ajukan(p.id, g.user, changes, form.get("passphrase"), sidik=sidik)
                flash(_l("Adendum %(nomor)s diajukan; menunggu jawaban pihak lain.", nomor=a.nomor), "success")
                return redirect(url_for("KatalogView.detail", pk=pk) + "#adendum")
            preview = adendum.pratinjau(p.id, g.user, changes)
        except DomainError as e:
            return domain_error(e, self._again_adendum(pk, form, form.get("mode") == "ajukan"))
        return self._render_adendum(p, preview, form)

    def _render_adendum(self, p, preview, form, status=200):
        surat = self._surat(p, "adendum", *preview["surat"]) if preview["surat"] else None
        return self._render(p, status, pratinjau=preview, adendum_form=form, surat=surat)

    def _again_adendum(self, pk, form, ditandatangani):
        """A refused addendum drawn again; a refused signing shows the preview as it stands now."""

        def rerender(status):
            p = _load(pk)
            if ditandatangani:
                try:
                    return self._render_adendum(
                        p, adendum.pratinjau(p.id, g.user, _adendum_changes(p, form)), form, status
                    )
                except DomainError:
                    db.session.rollback()
            return self._render(p, status, adendum_form=form)

        return rerender

    @expose("/<int:pk>/adendum/<int:adendum_id>/<action>", methods=["POST"])
    @has_access
    def adendum_jawab(self, pk, adendum_id, action):
        p = _load(pk)
        a = load_or_404(Adendum, adendum_id)
        if a.pesanan_id != p.id:
            abort(404)
        fields = adendum.ADENDUM.fields_for(action)
        data = {k: request.form.get(k) for k in fields if request.form.get(k) is not None}
        try:
            adendum.jawab(a.id, action, g.user, expected_version=request.form.get("version"), **data)
        except DomainError as e:
            return domain_error(e, self._again(pk))
        flash(_l("Berhasil: %(aksi)s.", aksi=adendum.ADENDUM.label(action)), "success")
        return redirect(url_for("KatalogView.detail", pk=pk) + "#adendum")

    @expose("/<int:pk>/persiapan")
    @has_access
    def persiapan(self, pk):
        """The e-purchasing preparation document: Auditor only, by the document-access rule."""
        p = _load(pk)
        return kirim_dokumen("persiapan", p.id, filename=f"persiapan-{p.id}")


def register(appbuilder):
    appbuilder.add_view(
        KatalogView,
        "Pesanan Katalog",
        label=_l("Pesanan Katalog"),
        icon="fa-file-invoice",
        category="Katalog",
        category_label=_l("Katalog"),
        category_icon="fa-book",
    )
