"""Katalog e-purchasing pages (SPEC §6 steps 1–8): the PP's checkout against a RUP, the order page
shared by PP, Penyedia and PPK (negotiation, chat, PPK approval, Surat Pesanan and BAST signing,
shipping and Lacak Pengiriman, ratings, addenda), their signed PDFs and the Auditor-only
preparation document."""

import json
from decimal import Decimal, InvalidOperation

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.models import Role
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Adendum, Dokumen, PesananKatalog, PesanChat, PortalUser, Produk, Rup
from app.models.purchasing import OPSI_KIRIM, STATUS_KATALOG
from app.security import ROLE_AUDITOR, ROLE_PP, ROLE_PPK
from app.services import adendum as adendum_svc
from app.services import clock, deadlines, documents, money, purchasing, scoping, tte
from app.services import keranjang_katalog as keranjang
from app.services.errors import DomainError, NotFound
from app.services.workflow import audit

from .pembayaran import panel_pembayaran

PRICE_ACTIONS = ("ajukan_nego", "tawar")
REASON_ACTIONS = ("batalkan", "tolak_ppk")
BUTTON_ACTIONS = ("terima", "ajukan_ppk", "minta_pickup")
# actions signed with the actor's TTE: each has its own panel with a passphrase field
SIGN_ACTIONS = ("buat_pesanan", "ttd_sp", "terima_barang", "ttd_bast")
EVENT_ACTIONS = ("kirim", "catat_pengiriman")
# Suggestions for "Jenis Pengiriman" (free text: the PP may write another)
CHECKOUT_JENIS_PENGIRIMAN = (
    _l("Dikirim ke alamat satuan kerja"),
    _l("Dikirim ke lokasi kegiatan"),
    _l("Diambil di lokasi Penyedia"),
)
CHECKOUT_FIELDS = (
    "rup_id",
    "ppk_id",
    "alamat_kirim",
    "jenis_pengiriman",
    "tahapan_pengiriman",
    "tanggal_tiba_diminta",
    "opsi_kirim",
    "kurir_nama",
    "ongkir_estimasi",
    "estimasi_hari",
)


def _load(pk):
    try:
        return scoping.get_scoped(PesananKatalog, pk, g.user)
    except NotFound:
        abort(404)


def _rupiah(value, nama):
    """A price as typed (`Rp 90.000`, `90.000`, `90000`), or a DomainError naming the field."""
    try:
        return money.parse_rupiah(value)
    except ValueError:
        raise DomainError(
            _l("%(nama)s tidak valid: tulis angka Rupiah tanpa desimal, misalnya Rp 90.000.", nama=nama)
        ) from None


def _aksi_data(p, action, form):
    """The service's keyword arguments for one action, read from the posted form."""
    if action in PRICE_ACTIONS:
        harga, layanan = {}, {}
        for item in p.items:
            value = (form.get(f"harga_{item.id}") or "").strip()
            if value:
                harga[item.id] = _rupiah(value, _l("Harga %(nama)s", nama=item.nama))
        for svc in p.layanan:
            value = (form.get(f"layanan_{svc.id}") or "").strip()
            if value:
                layanan[svc.id] = _rupiah(value, _l("Harga %(nama)s", nama=svc.nama))
        data = {"harga": harga, "harga_layanan": layanan, "catatan": form.get("catatan")}
        ongkir = (form.get("ongkir") or "").strip()
        if ongkir:
            data["ongkir"] = _rupiah(ongkir, _l("Ongkos kirim"))
        return data
    if action in REASON_ACTIONS:
        return {"alasan": form.get("alasan")}
    if action in EVENT_ACTIONS:
        return {k: form.get(k) for k in ("waktu", "lokasi", "status", "catatan") if form.get(k)}
    data = {"passphrase": form.get("passphrase")} if action in SIGN_ACTIONS else {}
    if action == "buat_pesanan":
        data["klausul"] = form.get("klausul")
    if action == "terima_barang":
        data["bast_nomor"] = form.get("bast_nomor")
        data["periksa"] = {
            item.id: {
                "qty_diterima": (form.get(f"qty_diterima_{item.id}") or "").strip(),
                "kondisi": form.get(f"kondisi_{item.id}"),
                "sesuai": form.get(f"sesuai_{item.id}") == "1",
                "catatan": form.get(f"catatan_{item.id}"),
            }
            for item in p.items
        }
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


def _sisa_waktu(batas):
    """(hours, minutes) left until the deadline, or None when there is none or it has passed."""
    if batas is None:
        return None
    seconds = int((batas - clock.now()).total_seconds())
    if seconds <= 0:
        return (0, 0)
    return (seconds // 3600, (seconds % 3600) // 60)


def _rup_options(user):
    if not user.satker_id:
        return []
    stmt = select(Rup).where(Rup.satker_id == user.satker_id).order_by(Rup.tahun.desc(), Rup.kode)
    return db.session.execute(stmt).scalars().all()


def _ppk_options(user):
    if not user.satker_id:
        return []
    stmt = (
        select(PortalUser)
        .where(
            PortalUser.satker_id == user.satker_id,
            PortalUser.active.is_(True),
            PortalUser.roles.any(Role.name == ROLE_PPK),
        )
        .order_by(PortalUser.first_name, PortalUser.last_name)
    )
    return db.session.execute(stmt).scalars().all()


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


def _tombol(p, action):
    """A pickup request only makes sense once, and only for a third-party courier."""
    return action != "minta_pickup" or (p.opsi_kirim == "pihak_ketiga" and not p.pickup_diminta_at)


def _tahap_lanjut(p, user, roles):
    """What the order page shows after the negotiation: supplier info, Lacak Pengiriman, BAST,
    ratings and addenda, and which of their forms this user may use now."""
    from app.models import PenilaianKatalog
    from app.models.purchasing import JENIS_PENILAIAN

    is_ppk = ROLE_PPK in roles and user.id == p.ppk_id
    is_penyedia = bool(user.penyedia_id) and user.penyedia_id == p.penyedia_id
    dinilai = {
        r.jenis: r
        for r in db.session.execute(select(PenilaianKatalog).where(PenilaianKatalog.pesanan_id == p.id)).scalars()
    }
    jenis_nilai = [j for j in JENIS_PENILAIAN if j != "kurir" or p.opsi_kirim == "kurir_penyedia"]
    adenda = db.session.execute(select(Adendum).where(Adendum.pesanan_id == p.id).order_by(Adendum.id)).scalars().all()
    pending = next((a for a in adenda if a.status == "diajukan"), None)
    boleh_adendum = (
        (is_ppk or is_penyedia)
        and p.status in adendum_svc.OPEN_STATES
        and not p.bast_ttd_ppk_at
        and not (p.opsi_kirim == "pihak_ketiga" and p.pickup_diminta_at)
        and pending is None
    )
    jawab = {t.action: t for t in adendum_svc.ADENDUM.available(pending, user)} if pending else {}
    on_order = {x.layanan_id for x in p.layanan}
    # two variants of one product offer its services once
    tambah = list(
        {
            lay.id: lay
            for item in p.items
            for lay in (item.produk.layanan_tambahan if item.produk else [])
            if lay.id not in on_order
        }.values()
    )
    return {
        "lacak": purchasing.lacak(p),
        "adenda": [(a, json.loads(a.ringkasan or "[]")) for a in adenda],
        "adendum_pending": pending,
        "adendum_sisa": _sisa_waktu(deadlines.batas("adendum", "adendum", pending.id)) if pending else None,
        "boleh_adendum": boleh_adendum,
        "jawab_adendum": jawab,
        "layanan_tambah": tambah,
        "adendum_ppks": _ppk_options(user) if boleh_adendum and is_ppk else [],
        "dinilai": dinilai,
        "jenis_nilai": [(j, JENIS_PENILAIAN[j]) for j in jenis_nilai],
        "boleh_nilai": is_ppk and p.bast_ttd_ppk_at is not None,
        "bast_nomor_usul": purchasing.bast_nomor(p, clock.now()) if p.status == "dalam_pengiriman" and is_ppk else "",
        "bast_items": {b.item_id: b for b in _bast_items(p)},
        "tte_aktif": tte.status(user) == tte.AKTIF if (is_ppk or is_penyedia) else False,
    }


def _bast_items(p):
    from app.models import BastItem

    return db.session.execute(select(BastItem).where(BastItem.pesanan_id == p.id)).scalars().all()


class KatalogView(BaseView):
    route_base = "/katalog"
    default_view = "daftar"

    # --- list -------------------------------------------------------------------------------

    @expose("/")
    @has_access
    def daftar(self):
        status = request.args.get("status") or None
        stmt = scoping.scoped_select(PesananKatalog, g.user)
        if status in STATUS_KATALOG:
            stmt = stmt.where(PesananKatalog.status == status)
        else:
            status = None
        rows = db.session.execute(stmt.order_by(PesananKatalog.created_at.desc(), PesananKatalog.id.desc()))
        roles = scoping.roles_of(g.user)
        return self.render_template(
            "katalog/daftar.html",
            pesanan=rows.scalars().all(),
            status=status,
            is_ppk=ROLE_PPK in roles,
            is_pp=ROLE_PP in roles,
        )

    # --- checkout -----------------------------------------------------------------------------

    def _render_checkout(self, form, ticked=(), langsung=(), status=200):
        """The checkout page: the PP's cart lines (of the ticked lines' Penyedia, or all of them) to tick,
        rows posted without the cart (`langsung`), the RUPs (searchable, pagu and sisa), PPKs and addresses."""
        lines, dipilih = keranjang.baris_checkout(g.user, ticked)
        return (
            self.render_template(
                "katalog/checkout.html",
                form=form,
                grup=keranjang.per_penyedia(lines),
                dipilih=dipilih,
                langsung=langsung,
                rups=_rup_options(g.user),
                ppks=_ppk_options(g.user),
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
            form = {"tahapan_pengiriman": "1", "opsi_kirim": "kurir_penyedia"}
            form["alamat_kirim"] = alamat[0][1] if alamat and alamat[0][0].jenis == "utama" else ""
            return self._render_checkout(form, ticked)
        form = {name: request.form.get(name, "") for name in CHECKOUT_FIELDS}
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
            )
            if ticked:  # ticked cart lines (another user's line is not found: 404)
                p = keranjang.checkout(g.user, ticked, **detail)
            else:
                chosen = [{"produk_id": pid.strip(), "qty": (qty or "").strip()} for pid, qty in pairs if pid.strip()]
                p = purchasing.checkout(g.user, lines=chosen, **detail)
        except DomainError as e:
            flash(str(e), "danger")
            db.session.expire_all()
            return self._render_checkout(form, ticked, _checkout_langsung(g.user, pairs), e.status)
        flash(_l("Pesanan %(nomor)s dibuat; menunggu negosiasi.", nomor=p.nomor), "success")
        return redirect(url_for("KatalogView.detail", pk=p.id))

    # --- the order page -----------------------------------------------------------------------

    def _render(self, p, status=200, pratinjau=None, adendum_form=None):
        user = g.user
        roles = scoping.roles_of(user)
        extra = _tahap_lanjut(p, user, roles)
        actions = {t.action: t for t in purchasing.KATALOG.available(p, user)}
        nama = {("item", i.id): i.nama for i in p.items}
        nama.update({("layanan", x.id): x.nama for x in p.layanan})
        riwayat = []
        for r in purchasing.riwayat_negosiasi(p):
            harga = [
                (nama.get(("item", h.item_id) if h.item_id else ("layanan", h.layanan_id), "-"), h.harga)
                for h in r.harga
            ]
            riwayat.append((r, harga))
        chat = (
            db.session.execute(select(PesanChat).where(PesanChat.pesanan_id == p.id).order_by(PesanChat.id))
            .scalars()
            .all()
        )
        terendah = {}
        if ROLE_PP in roles:
            terendah = {i.produk_id: purchasing.harga_terendah(i.produk_id) for i in p.items}
        return (
            self.render_template(
                "katalog/detail.html",
                p=p,
                actions=actions,
                price_actions=[a for a in PRICE_ACTIONS if a in actions],
                button_actions=[a for a in BUTTON_ACTIONS if a in actions and _tombol(p, a)],
                reason_actions=[a for a in REASON_ACTIONS if a in actions],
                riwayat=riwayat,
                chat=chat,
                boleh_chat=(user.id == p.pp_id or (user.penyedia_id and user.penyedia_id == p.penyedia_id)),
                terendah=terendah,
                sisa_waktu=_sisa_waktu(p.batas_waktu),
                opsi_kirim=OPSI_KIRIM,
                is_auditor=ROLE_AUDITOR in roles,
                pembayaran=panel_pembayaran(p, user),
                sign_actions=[a for a in SIGN_ACTIONS if a in actions],
                event_actions=[a for a in EVENT_ACTIONS if a in actions],
                pratinjau=pratinjau,
                adendum_form=adendum_form or MultiDict(),
                **extra,
            ),
            status,
        )

    @expose("/<int:pk>")
    @has_access
    def detail(self, pk):
        return self._render(_load(pk))

    @expose("/<int:pk>/aksi/<action>", methods=["POST"])
    @has_access
    def aksi(self, pk, action):
        p = _load(pk)
        try:
            data = _aksi_data(p, action, request.form)
            purchasing.jalankan(p.id, action, g.user, expected_version=request.form.get("version"), **data)
        except NotFound:
            abort(404)
        except DomainError as e:
            flash(str(e), "danger")
            db.session.expire_all()
            return self._render(_load(pk), e.status)
        flash(_l("Berhasil: %(aksi)s.", aksi=purchasing.LABELS.get(action, action)), "success")
        return redirect(url_for("KatalogView.detail", pk=pk))

    @expose("/<int:pk>/chat", methods=["POST"])
    @has_access
    def chat(self, pk):
        p = _load(pk)
        try:
            purchasing.kirim_chat(p.id, g.user, request.form.get("teks"))
        except NotFound:
            abort(404)
        except DomainError as e:
            flash(str(e), "danger")
            return self._render(_load(pk), e.status)
        flash(_l("Pesan terkirim."), "success")
        return redirect(url_for("KatalogView.detail", pk=pk) + "#chat")

    @expose("/<int:pk>/dokumen/<jenis>")
    @expose("/<int:pk>/dokumen/<jenis>/<int:adendum_id>")
    @has_access
    def dokumen(self, pk, jenis, adendum_id=None):
        """The signed Surat Pesanan, BAST or addendum letter, for whoever may see the order."""
        p = _load(pk)
        if jenis == "sp":
            doc_id, name = p.sp_dokumen_id, p.sp_nomor
        elif jenis == "bast":
            doc_id, name = p.bast_dokumen_id, p.bast_nomor
        elif jenis == "adendum":
            a = db.session.get(Adendum, scoping.as_id(adendum_id)) if scoping.as_id(adendum_id) else None
            if a is None or a.pesanan_id != p.id:
                abort(404)
            doc_id, name = a.dokumen_id, a.nomor
        else:
            abort(404)
        doc = db.session.get(Dokumen, doc_id) if doc_id else None
        if doc is None:
            abort(404)
        body = documents.read(doc.stored_name)
        audit("dokumen", doc.id, f"unduh_{jenis}", g.user, note=name)
        db.session.commit()
        filename = "".join(c if c.isalnum() or c in "-_" else "-" for c in name) + ".pdf"
        return Response(
            body,
            mimetype="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
            },
        )

    @expose("/<int:pk>/penilaian", methods=["POST"])
    @has_access
    def penilaian(self, pk):
        p = _load(pk)
        try:
            purchasing.beri_penilaian(
                p.id, g.user, request.form.get("jenis"), request.form.get("bintang"), request.form.get("ulasan")
            )
        except NotFound:
            abort(404)
        except DomainError as e:
            flash(str(e), "danger")
            db.session.expire_all()
            return self._render(_load(pk), e.status)
        flash(_l("Terima kasih, penilaian tersimpan."), "success")
        return redirect(url_for("KatalogView.detail", pk=pk) + "#penilaian")

    @expose("/<int:pk>/adendum", methods=["POST"])
    @has_access
    def adendum(self, pk):
        """Preview (changes nothing) or propose an addendum signed with the proposer's TTE."""
        p = _load(pk)
        form = request.form
        try:
            changes = _adendum_changes(p, form)
            if form.get("mode") == "ajukan":
                a = adendum_svc.ajukan(p.id, g.user, changes, form.get("passphrase"))
                flash(_l("Adendum %(nomor)s diajukan; menunggu jawaban pihak lain.", nomor=a.nomor), "success")
                return redirect(url_for("KatalogView.detail", pk=pk) + "#adendum")
            preview = adendum_svc.pratinjau(p.id, g.user, changes)
        except NotFound:
            abort(404)
        except DomainError as e:
            flash(str(e), "danger")
            db.session.expire_all()
            return self._render(_load(pk), e.status, adendum_form=form)
        return self._render(p, pratinjau=preview, adendum_form=form)

    @expose("/<int:pk>/adendum/<int:adendum_id>/<action>", methods=["POST"])
    @has_access
    def adendum_jawab(self, pk, adendum_id, action):
        p = _load(pk)
        a = db.session.get(Adendum, scoping.as_id(adendum_id)) if scoping.as_id(adendum_id) else None
        if a is None or a.pesanan_id != p.id:
            abort(404)
        try:
            adendum_svc.jawab(
                a.id,
                action,
                g.user,
                expected_version=request.form.get("version"),
                passphrase=request.form.get("passphrase"),
                alasan=request.form.get("alasan"),
            )
        except NotFound:
            abort(404)
        except DomainError as e:
            flash(str(e), "danger")
            db.session.expire_all()
            return self._render(_load(pk), e.status)
        flash(_l("Berhasil: %(aksi)s.", aksi=adendum_svc.ADENDUM.find("diajukan", action).label), "success")
        return redirect(url_for("KatalogView.detail", pk=pk) + "#adendum")

    @expose("/<int:pk>/persiapan")
    @has_access
    def persiapan(self, pk):
        """The e-purchasing preparation document: Auditor only (SPEC), every read audited."""
        p = _load(pk)
        if ROLE_AUDITOR not in scoping.roles_of(g.user):
            abort(403)
        doc = db.session.get(Dokumen, p.dokumen_persiapan_id)
        if doc is None:
            abort(404)
        body = documents.read(doc.stored_name)
        audit("dokumen", doc.id, "unduh_persiapan", g.user, note=p.nomor)
        db.session.commit()
        return Response(
            body,
            mimetype=doc.content_type,
            headers={
                "Content-Disposition": f'attachment; filename="persiapan-{p.id}.pdf"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
            },
        )


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
