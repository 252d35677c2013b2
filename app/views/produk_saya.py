"""Produk Saya's add/edit page: one form with the product, its photos, variants and additional services,
made for a UMKM owner on a phone. The page only reads what was typed; every rule is
catalog.simpan_produk_lengkap's (which calls produk_baru / ubah_produk, the pending-change rules of
ubah_usulan and simpan_foto), and a refusal draws the form again with the input and the reason."""

import re
from decimal import Decimal, InvalidOperation

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.extensions import db
from app.models import Kategori, Produk
from app.models.catalog import KETERSEDIAAN, STATUS_LISTING
from app.services import catalog, documents
from app.services.errors import DomainError, NotFound

from ._base import load_or_404
from .fields import RupiahField


def angka(n):
    """A whole number as an input shows it, always with Indonesian dots (1.250.000): parse_rupiah reads it
    back in either language, while an English `1,250,000` would read as a fraction."""
    return "" if n is None else f"{int(n):,}".replace(",", ".")


class BilanganField(StringField):
    """A whole number of units, `1.000` or `1000`; a translated message otherwise."""

    def _value(self):
        return angka(self.data) if isinstance(self.data, int) else (self.data or "")

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        # a sign is read, so that the service's rule (not this parser) says what is wrong with -1
        if not re.fullmatch(r"-?(?:[0-9]{1,9}|[0-9]{1,3}(?:\.[0-9]{3}){1,2})", text, re.ASCII):
            self.data = None
            raise ValueError(_l("Tulis bilangan bulat, misalnya 10 atau 1.000."))
        self.data = int(text.replace(".", ""))


class PersenField(StringField):
    """A percentage, `11`, `11,5` or `11.5`."""

    def _value(self):
        if isinstance(self.data, Decimal):
            return format(self.data.normalize(), "f").replace(".", ",")
        return self.data or ""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip().replace(",", ".")
        if not text:
            self.data = None
            return
        try:
            self.data = Decimal(text)
            if not self.data.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Tulis persen sebagai angka, misalnya 11 atau 11,5.")) from None


class ProdukForm(FlaskForm):
    nama = StringField(
        _l("Nama Produk"),
        validators=[InputRequired(), Length(max=200)],
        description=_l("Nama yang dilihat pembeli, misalnya: Nasi Kotak Ayam Bakar."),
    )
    kategori = SelectField(_l("Kategori"), coerce=int, validators=[InputRequired()])
    deskripsi = TextAreaField(
        _l("Deskripsi"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Isi, ukuran, bahan, atau cara penyajian. Wajib diisi sebelum produk diajukan ke Admin."),
    )
    harga = RupiahField(
        _l("Harga Satuan (Rp)"),
        validators=[InputRequired()],
        description=_l("Tulis tanpa sen, boleh dengan titik: 1.250.000."),
    )
    satuan = StringField(
        _l("Satuan"),
        default="pack",
        validators=[InputRequired(), Length(max=30)],
        description=_l("Misalnya: pack, kotak, buah, porsi, kg."),
    )
    stok = BilanganField(_l("Stok"), default=0, validators=[InputRequired()])
    min_pesan = BilanganField(_l("Minimal Pesan"), default=1, validators=[InputRequired()])
    max_pesan = BilanganField(_l("Maksimal Pesan"), default=100, validators=[InputRequired()])
    ketersediaan = SelectField(
        _l("Ketersediaan"),
        choices=list(KETERSEDIAAN.items()),
        default="ready",
        description=_l("Ready Stock: siap kirim. H-1: dipesan sehari sebelumnya. PO: dibuat setelah dipesan."),
    )
    ppn_persen = PersenField(
        _l("PPN (%)"), default=Decimal("11"), validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    ppnbm_persen = PersenField(
        _l("PPnBM (%)"),
        default=Decimal("0"),
        validators=[InputRequired(), NumberRange(min=0, max=200)],
        description=_l("Biasanya 0; hanya untuk barang mewah."),
    )
    tkdn_persen = PersenField(
        _l("TKDN (%)"),
        validators=[Optional(), NumberRange(min=0, max=100)],
        description=_l("Kosongkan bila produk belum bersertifikat TKDN."),
    )
    is_pdn = BooleanField(_l("Produk Dalam Negeri"), default=True)

    # the Produk columns the form writes, by field name (photos, variants and services go to the service apart)
    KOLOM = {"kategori": "kategori_id"}
    KOLOM.update(
        (name, name)
        for name in (
            "nama",
            "deskripsi",
            "harga",
            "satuan",
            "stok",
            "min_pesan",
            "max_pesan",
            "ketersediaan",
            "ppn_persen",
            "ppnbm_persen",
            "tkdn_persen",
            "is_pdn",
        )
    )


def _kategori_choices():
    """Active categories, each labelled with its parents (Makanan › Nasi Kotak) so the list reads on a phone."""
    rows = db.session.execute(select(Kategori).where(Kategori.aktif)).scalars().all()
    by_id = {k.id: k for k in rows}

    def label(k):
        parts, node = [], k
        while node is not None and len(parts) < 3:
            parts.insert(0, node.nama)
            node = by_id.get(node.parent_id)
        return " › ".join(parts)

    choices = sorted(((k.id, label(k)) for k in rows), key=lambda c: c[1].lower())
    return [(0, str(_l("— pilih kategori —")))] + choices


_BARIS = re.compile(r"^(varian|layanan)-(\d{1,3})-(kunci|hapus|nama|harga|stok|ppn_persen|ppnbm_persen|aktif)$")


def _baris_dikirim(form):
    """The variant and service rows as sent (`varian-3-nama`, ...), in the order they appear."""
    rows = {"varian": {}, "layanan": {}}
    for key in form:
        m = _BARIS.match(key)
        if m:
            rows[m.group(1)].setdefault(int(m.group(2)), {})[m.group(3)] = form.get(key, "")
    return {jenis: [dict(r, idx=i) for i, r in sorted(found.items())] for jenis, found in rows.items()}


def _baris_tersimpan(produk):
    """The rows of a stored product as the form shows them: values after the pending change."""
    usulan = catalog.rincian_usulan(produk)
    out = {}
    for jenis in ("varian", "layanan"):
        out[jenis] = []
        for i, x in enumerate(getattr(usulan, jenis)):
            v = x.nilai
            row = {
                "idx": i,
                "kunci": x.kunci,
                "nama": v["nama"],
                "harga": angka(v["harga"]),
                "aktif": "1" if v["aktif"] else "",
                "hapus": "1" if x.perubahan == "hapus" else "",
                "label": x.label,
                "perubahan": x.perubahan,
                "dipakai": x.dipakai,
            }
            if jenis == "varian":
                row["stok"] = "" if v["stok"] is None else angka(v["stok"])
            else:
                row["ppn_persen"] = format(v["ppn_persen"].normalize(), "f").replace(".", ",")
                row["ppnbm_persen"] = format(v["ppnbm_persen"].normalize(), "f").replace(".", ",")
            out[jenis].append(row)
    return out


def _foto_dikirim():
    # "gambar_file" is the name of FAB's former single-photo field (clients and tests still post it)
    files = request.files.getlist("foto") + request.files.getlist("gambar_file")
    return [(f.filename, f.read()) for f in files if f and f.filename]


def _halaman(view, form, produk, rows, rincian=None, status=200, foto_dipilih=False):
    rincian = rincian or {}
    for jenis, items in rows.items():
        for row in items:
            row["galat"] = rincian.get((jenis, row["idx"]))
    foto = catalog.foto_tersimpan(produk) if produk is not None and produk.id else []
    return view.render_template(
        "penyedia/produk_form.html",
        form=form,
        produk=produk,
        rows=rows,
        foto=foto,
        foto_hapus=set(request.form.getlist("foto_hapus")) if request.method == "POST" else set(),
        galat_produk=rincian.get("produk"),
        galat_foto=rincian.get("foto"),
        foto_dipilih=foto_dipilih,
        foto_maks=catalog.FOTO_MAKS,
        status_label=STATUS_LISTING.get(produk.status, produk.status) if produk is not None and produk.id else None,
    ), status


def _petakan(rincian, rows):
    """The service's places (("varian", position), ...) as the form's row indexes."""
    return {(k[0], rows[k[0]][k[1]]["idx"]) if isinstance(k, tuple) else k: v for k, v in rincian.items()}


def _kirim(view, form, produk, baru):
    """POST: read the form, hand everything to the service, draw the form again on a refusal."""
    rows = _baris_dikirim(request.form)
    foto_baru = _foto_dikirim()
    form_ok = form.validate()
    if form.kategori.data is not None and db.session.get(Kategori, form.kategori.data or 0) is None:
        form.kategori.errors = list(form.kategori.errors) + [str(_l("Pilih kategori produk."))]
        form_ok = False
    if not form_ok:
        # the product's fields can't be read: say so, and what is wrong in the rows too, all at once
        db.session.rollback()
        salah = "; ".join(f"{form[name].label.text}: {' '.join(map(str, e))}" for name, e in form.errors.items())
        if form.kategori.errors and "kategori" not in form.errors:
            salah = "; ".join(filter(None, [salah, f"{form.kategori.label.text}: {form.kategori.errors[0]}"]))
        rincian = _petakan(catalog.periksa_baris(rows["varian"], rows["layanan"])[1], rows)
        rincian["produk"] = salah
        return _halaman(view, form, produk, rows, rincian, 400, bool(foto_baru))
    target = Produk() if baru else produk
    for name, column in ProdukForm.KOLOM.items():
        setattr(target, column, form[name].data)
    try:
        saved = catalog.simpan_produk_lengkap(
            g.user,
            target,
            varian=rows["varian"],
            layanan=rows["layanan"],
            foto_baru=foto_baru,
            foto_hapus=request.form.getlist("foto_hapus"),
            baru=baru,
            expected_version=None if baru else request.form.get("version"),
        )
    except catalog.IsianProduk as e:
        flash(str(e), "danger")
        rincian = _petakan(e.rincian, rows)
        return _halaman(
            view, form, None if baru else load_or_404(Produk, produk.id), rows, rincian, 400, bool(foto_baru)
        )
    except NotFound:
        abort(404)
    except DomainError as e:
        db.session.rollback()
        flash(str(e), "danger")
        return _halaman(
            view, form, None if baru else load_or_404(Produk, produk.id), rows, {}, e.status, bool(foto_baru)
        )
    flash(
        _l("Produk %(nama)s disimpan sebagai %(status)s.", nama=saved.nama, status=STATUS_LISTING[saved.status]),
        "success",
    )
    return redirect(url_for("ProdukPenyediaView.show", pk=saved.id))


def tambah(view):
    form = ProdukForm()
    form.kategori.choices = _kategori_choices()
    if request.method == "POST":
        return _kirim(view, form, None, baru=True)
    return _halaman(view, form, None, {"varian": [], "layanan": []})


def ubah(view, pk):
    produk = load_or_404(Produk, pk)
    if produk.status not in catalog.BOLEH_UBAH:
        flash(_l("Produk hanya dapat diubah saat berstatus Draft atau Ditolak."), "warning")
        return redirect(url_for("ProdukPenyediaView.show", pk=pk))
    form = ProdukForm() if request.method == "POST" else ProdukForm(obj=produk)
    form.kategori.choices = _kategori_choices()
    if request.method != "POST":
        form.kategori.data = produk.kategori_id  # obj gives the relationship; the choice is its id
    if request.method == "POST":
        return _kirim(view, form, produk, baru=False)
    return _halaman(view, form, produk, _baris_tersimpan(produk))


def foto(pk, kunci):
    """One stored photo of the Penyedia's own product (the form's previews), by its key."""
    produk = load_or_404(Produk, pk)
    name = dict(catalog.foto_tersimpan(produk)).get(kunci)
    if name is None:
        abort(404)
    data = documents.read(name)
    return Response(data, mimetype=documents.sniff(data), headers={"X-Content-Type-Options": "nosniff"})
