"""Adendum (SPEC §6 step 8): a change to a signed Surat Pesanan before the BAST; a workflow of its own.

One side proposes (and signs the addendum letter); the other accepts (countersigns: the order
changes) or rejects (the SP stays as it was); unanswered for 3x24 h it is rejected by the portal.
A quantity change that moves the total by more than 10 % is refused (money.ADENDUM_QTY_MAX_PERSEN).

Accepting an addendum is the one change of a Katalog order outside its own table: `_simpan` changes the
order's lines, totals and RUP commitment with its own compare-and-set on the order's version, so a step
taken on the order meanwhile (BAST, pickup) makes the acceptance lose."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.extensions import db
from app.formatting import persen1
from app.models import Adendum, Dokumen, LayananTambahan, PesananKatalog, PesananKatalogLayanan, PortalUser
from app.models.purchasing import STATUS_ADENDUM
from app.roles import ROLE_PENYEDIA, ROLE_PPK, ROLE_SISTEM

from .. import (
    audit,
    catalog,
    clock,
    deadlines,
    documents,
    dokumen_pdf,
    money,
    notify,
    predikat,
    scoping,
    tte,
    verifikasi_dokumen,
)
from ..errors import Conflict, DomainError, Forbidden, NotFound
from ..workflow import SYSTEM, Workflow, apply, wajib_alasan
from . import angka, bersama, pratinjau_ttd

OPEN_STATES = ("diproses_penyedia", "dalam_pengiriman")


def pending(p):
    return db.session.execute(
        select(Adendum).where(Adendum.pesanan_id == p.id, Adendum.status == "diajukan")
    ).scalar_one_or_none()


def tanpa_pending(p):
    """No addendum waits for an answer: a row test, or (model class) a correlated NOT EXISTS."""
    if predikat.sql_mode(p):
        return ~select(Adendum.id).where(Adendum.pesanan_id == p.id, Adendum.status == "diajukan").exists()
    return pending(p) is None


def _qty(value):
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,7}", text, re.ASCII) or int(text) < 1:
        raise DomainError(_l("Jumlah tidak valid: tulis bilangan bulat, misalnya 12."))
    return int(text)


def _simulate(p, changes):
    """Apply `changes` to plain copies of the order's figures; return (new figures, before/after rows)."""
    items = {i.id: {"nama": i.nama, "qty": i.qty, "harga": i.harga, "ppn": i.ppn_persen, "ppnbm": i.ppnbm_persen}
             for i in p.items}  # fmt: skip
    layanan = {x.id: {"nama": x.nama, "harga": x.harga, "ppn": x.ppn_persen, "ppnbm": x.ppnbm_persen}
               for x in p.layanan}  # fmt: skip
    rows = []

    def row(what, before, after):
        rows.append({"perubahan": what, "sebelum": str(before), "sesudah": str(after)})

    for key, qty in (changes.get("qty") or {}).items():
        item = items.get(scoping.as_id(key))
        if item is None:
            raise DomainError(_l("Baris pesanan tidak dikenal."))
        qty = _qty(qty)
        row(gettext("Jumlah %(nama)s", nama=item["nama"]), item["qty"], qty)
        item["qty"] = qty
    for field, label in (("ppn", "PPN"), ("ppnbm", "PPnBM")):
        for key, value in (changes.get(field) or {}).items():
            item = items.get(scoping.as_id(key))
            if item is None:
                raise DomainError(_l("Baris pesanan tidak dikenal."))
            new = catalog.persen_pajak(value)
            row(f"{label} {item['nama']} (%)", item[field], new)
            item[field] = new
        # a service's own PPN / PPnBM (taxed like a line, LKPP guide)
        for key, value in (changes.get(f"{field}_layanan") or {}).items():
            svc = layanan.get(scoping.as_id(key))
            if svc is None:
                raise DomainError(_l("Layanan tambahan tidak dikenal."))
            new = catalog.persen_pajak(value)
            row(f"{label} {svc['nama']} (%)", svc[field], new)
            svc[field] = new
    ongkir = {"harga": p.ongkir, "ppn": p.ongkir_ppn_persen, "ppnbm": p.ongkir_ppnbm_persen}
    if changes.get("ongkir") not in (None, ""):
        if p.opsi_kirim != "kurir_penyedia":
            raise DomainError(_l("Ongkos kirim hanya diubah untuk Kurir Penyedia."))
        ongkir["harga"] = angka.bulat(changes["ongkir"], _l("Ongkos kirim tidak valid."))
        row(gettext("Ongkos kirim"), money.format_rupiah(p.ongkir), money.format_rupiah(ongkir["harga"]))
    for field, label in (("ppn", "PPN"), ("ppnbm", "PPnBM")):
        if changes.get(f"{field}_ongkir") not in (None, ""):
            if p.opsi_kirim != "kurir_penyedia":
                raise DomainError(_l("Pajak ongkos kirim hanya untuk Kurir Penyedia."))
            new = catalog.persen_pajak(changes[f"{field}_ongkir"])
            row(gettext("%(pajak)s ongkos kirim (%%)", pajak=label), ongkir[field], new)
            ongkir[field] = new
    for lid in dict.fromkeys(changes.get("hapus_layanan") or []):
        svc = layanan.pop(scoping.as_id(lid), None)
        if svc is None:
            raise DomainError(_l("Layanan tambahan tidak dikenal."))
        row(gettext("Hapus layanan %(nama)s", nama=svc["nama"]), money.format_rupiah(svc["harga"]), "-")
    tambah = []
    # the price signed in the letter is kept with the proposal: a later catalogue change can't alter it
    harga_tetap = changes.get("_harga_layanan") or {}
    pajak_tetap = changes.get("_pajak_layanan") or {}
    on_order = {x.layanan_id for x in p.layanan}
    for lid in dict.fromkeys(changes.get("tambah_layanan") or []):
        lay = db.session.get(LayananTambahan, scoping.as_id(lid)) if scoping.as_id(lid) else None
        # an inactive (withdrawn) service is not offered any more, on a new order or an addendum
        if lay is None or not lay.aktif or lay.produk_id not in {i.produk_id for i in p.items}:
            raise DomainError(_l("Layanan tambahan tidak dikenal untuk produk ini."))
        if lay.id in on_order:
            raise DomainError(_l("Layanan %(nama)s sudah ada di pesanan.", nama=lay.nama))
        harga = int(harga_tetap.get(str(lay.id), lay.harga))
        # the service's tax too, as proposed: {id: [ppn %, ppnbm %]} kept with the proposal
        ppn, ppnbm = (Decimal(str(x)) for x in pajak_tetap.get(str(lay.id), (lay.ppn_persen, lay.ppnbm_persen)))
        tambah.append({"layanan": lay, "harga": harga, "ppn": ppn, "ppnbm": ppnbm})
        row(gettext("Tambah layanan %(nama)s", nama=lay.nama), "-", money.format_rupiah(harga))
    if changes.get("klausul") is not None:
        row(gettext("Klausul Surat Pesanan"), p.klausul or "-", changes["klausul"].strip() or "-")
    if changes.get("tanggal_tiba_diminta"):
        try:
            tanggal = date.fromisoformat(str(changes["tanggal_tiba_diminta"]))
        except ValueError:
            raise DomainError(_l("Tanggal tiba tidak valid.")) from None
        row(gettext("Tanggal tiba yang diminta"), p.tanggal_tiba_diminta, tanggal)
    if changes.get("ppk_id"):
        ppk_id = scoping.as_id(changes["ppk_id"])
        ppk = db.session.get(PortalUser, ppk_id) if ppk_id else None
        if ppk is None or not ppk.active or ppk.satker_id != p.satker_id or ROLE_PPK not in {r.name for r in ppk.roles}:
            raise DomainError(_l("Pilih PPK dari satuan kerja yang sama."))
        row(gettext("Penandatangan (PPK)"), p.ppk.username, ppk.username)
    if not rows:
        raise DomainError(_l("Ajukan minimal satu perubahan."))

    def total(qty_only):
        """The new total; with `qty_only`, only the quantity changes applied, everything else as signed."""
        lama = {i.id: i for i in p.items}
        barang = [
            (i["harga"], i["qty"], lama[k].ppn_persen, lama[k].ppnbm_persen)
            if qty_only
            else (i["harga"], i["qty"], i["ppn"], i["ppnbm"])
            for k, i in items.items()
        ]
        if qty_only:
            svc = [(x.harga, x.ppn_persen, x.ppnbm_persen) for x in p.layanan]
            kirim = (p.ongkir, p.ongkir_ppn_persen, p.ongkir_ppnbm_persen)
        else:
            svc = [(x["harga"], x["ppn"], x["ppnbm"]) for x in layanan.values()]
            svc += [(t["harga"], t["ppn"], t["ppnbm"]) for t in tambah]
            kirim = (ongkir["harga"], ongkir["ppn"], ongkir["ppnbm"])
        return money.rincian(barang, svc, kirim).total

    figures = {
        "items": items,
        "ongkir": ongkir,
        "layanan": layanan,
        "tambah": tambah,
        # only the quantity changes, everything else as signed: the 10 % rule looks at this one
        "total_qty_only": total(True),
        "total": total(False),
    }
    return figures, rows


def boleh_diajukan(p, actor):
    """May the actor propose an addendum to this order now (the page's "Ajukan Adendum" form)?"""
    try:
        _boleh_diajukan(p, actor)
    except DomainError:
        return False
    return True


def pratinjau(pesanan_id, actor, changes):
    """The before/after preview of a proposed addendum, with the new total and — for a quantity change —
    how far it moves the total since the SP (the 10 % rule), before any passphrase is asked; changes nothing.
    `ditolak` says why it could not be proposed as it stands (then the page offers no signing); otherwise
    `surat` is (filename, unsigned letter) exactly as `ajukan` would sign it now (pratinjau_ttd)."""
    p = scoping.get_scoped(PesananKatalog, pesanan_id, actor)
    _boleh_diajukan(p, actor)
    figures, rows = _simulate(p, changes)
    out = {"rows": rows, "total_lama": p.total, "total_baru": figures["total"], "geser_persen": None, "ditolak": None}
    out["surat"] = None
    if changes.get("qty"):
        out["geser_persen"] = _geser_qty(p, figures["total_qty_only"] - p.total)
        if out["geser_persen"] > money.ADENDUM_QTY_MAX_PERSEN:
            out["ditolak"] = _pesan_batas(out["geser_persen"])
    if out["ditolak"] is None:
        try:
            out["surat"] = pratinjau_surat(p.id, actor, changes)
        except NotFound:
            raise
        except DomainError as e:  # e.g. the RUP cannot carry the new total: named here, nothing to sign
            out["ditolak"] = e.message
    return out


def _boleh_diajukan(p, actor):
    """Who may propose, and when (SPEC §6.8); returns the proposer's side."""
    pengusul = _pengusul(p, actor)
    _masih_terbuka(p)
    if pending(p):
        raise Conflict(_l("Masih ada adendum yang menunggu jawaban."))
    return pengusul


def _geser_qty(p, geser):
    """The 10 % rule counts every quantity change since the SP was signed, not each addendum alone,
    so three +9 % addenda in a row are refused like one +27 %: the shift in % of the SP's total."""
    adenda = db.session.execute(select(Adendum).where(Adendum.pesanan_id == p.id).order_by(Adendum.id)).scalars().all()
    dasar = adenda[0].total_lama if adenda else p.total  # the total as the SP was signed
    sebelumnya = sum(int(json.loads(a.perubahan).get("_geser_qty", 0)) for a in adenda if a.status == "diterima")
    return money.geser_persen(dasar, dasar + sebelumnya + geser)


def _pesan_batas(shift):
    return _l("Perubahan jumlah menggeser total %(pct)s%%, melebihi batas 10%%.", pct=persen1(shift))


def _batas_jumlah(p, geser):
    shift = _geser_qty(p, geser)
    if shift > money.ADENDUM_QTY_MAX_PERSEN:
        raise DomainError(_pesan_batas(shift))


def _cukup_anggaran(p, total_baru):
    """Refuse before anything is signed when the RUP can't carry the new total."""
    rup = p.rup
    db.session.refresh(rup)
    if total_baru > rup.pagu - rup.terpakai + (p.anggaran_terpakai or 0):
        raise angka.anggaran_kurang(rup, total_baru)


def _masih_terbuka(p):
    if p.status not in OPEN_STATES or p.bast_ttd_ppk_at:
        raise Conflict(_l("Adendum hanya dapat diajukan sebelum BAST dan pembayaran."))
    if p.opsi_kirim == "pihak_ketiga" and p.pickup_diminta_at:
        raise Conflict(_l("Untuk kurir pihak ketiga, adendum hanya sebelum permintaan pickup."))


def _pengusul(p, actor):
    roles = scoping.roles_of(actor)
    if ROLE_PPK in roles and actor.id == p.ppk_id:
        return "ppk"
    if ROLE_PENYEDIA in roles and actor.penyedia_id == p.penyedia_id:
        return "penyedia"
    raise Forbidden(_l("Adendum diajukan oleh PPK atau Penyedia pesanan ini."))


def _surat(p, actor, changes):
    """Everything `ajukan` checks, signs and keeps, made the same way for the letter's preview: the
    proposer's side, the changes with the portal's own keys, figures, rows, number, time and the unsigned
    letter. Raises (before anything is signed) when the addendum cannot be proposed as it stands."""
    pengusul = _boleh_diajukan(p, actor)
    changes = {k: v for k, v in changes.items() if not str(k).startswith("_")}  # ours, not the caller's
    if changes.get("ppk_id") and pengusul != "ppk":
        raise Forbidden(_l("Penandatangan (PPK) hanya dapat diubah oleh PPK."))
    figures, rows = _simulate(p, changes)
    if changes.get("qty"):
        _batas_jumlah(p, figures["total_qty_only"] - p.total)
        changes["_geser_qty"] = figures["total_qty_only"] - p.total
    changes["_harga_layanan"] = {str(t["layanan"].id): t["harga"] for t in figures["tambah"]}
    changes["_pajak_layanan"] = {str(t["layanan"].id): [str(t["ppn"]), str(t["ppnbm"])] for t in figures["tambah"]}
    _cukup_anggaran(p, figures["total"])
    now = clock.now()
    count = db.session.execute(select(func.count(Adendum.id)).where(Adendum.pesanan_id == p.id)).scalar_one()
    nomor = f"{p.sp_nomor}/ADD-{count + 1}"
    pdf = dokumen_pdf.adendum_pdf({
        "nomor": nomor,
        "tanggal": clock.to_local(now).date(),
        "pesanan_nomor": p.nomor,
        **bersama.pihak_surat(p),
        **verifikasi_dokumen.data_surat("adendum", p, nomor),
        "sp_nomor": p.sp_nomor,
        "sp_tanggal": clock.to_local(p.sp_ttd_ppk_at).date() if p.sp_ttd_ppk_at else None,
        "pengusul": {"nama": actor.nama_lengkap, "peran": pengusul.upper()},
        "perubahan": rows,
        "total_lama": p.total,
        "total_baru": figures["total"],
    })  # fmt: skip
    return {"pengusul": pengusul, "changes": changes, "figures": figures, "rows": rows, "nomor": nomor, "now": now,
            "pdf": pdf}  # fmt: skip


def pratinjau_surat(pesanan_id, actor, changes):
    """(filename, unsigned addendum letter) as `ajukan` would sign it now; changes nothing."""
    p = scoping.get_scoped(PesananKatalog, pesanan_id, actor)
    s = _surat(p, actor, changes)
    return f"{s['nomor'].replace('/', '-')}.pdf", s["pdf"]


def ajukan(pesanan_id, actor, changes, passphrase, sidik=None):
    """Propose an addendum: checks, before/after, the letter signed with the proposer's TTE. `sidik` is the
    fingerprint of the letter the proposer previewed (pratinjau_ttd; the order page always sends it)."""
    try:
        p = scoping.get_scoped(PesananKatalog, pesanan_id, actor)
        s = _surat(p, actor, changes)
        pengusul, changes, figures, rows, nomor, now, pdf = (
            s[k] for k in ("pengusul", "changes", "figures", "rows", "nomor", "now", "pdf")
        )
        pratinjau_ttd.cocokkan(sidik, pdf, _l("Surat adendum berubah sejak pratinjau; periksa kembali."))
        signed = tte.sign_pdf(actor, pdf, passphrase, reason=f"Adendum {nomor}")
        doc = documents.simpan(signed, "adendum", f"{nomor.replace('/', '-')}.pdf", actor, documents.PDF)
        verifikasi_dokumen.tandai(doc, "adendum", p, nomor)
        row = Adendum(
            pesanan_id=p.id,
            nomor=nomor,
            status="diajukan",
            version=1,
            pengusul=pengusul,
            user_id=actor.id,
            perubahan=json.dumps(changes, default=str),
            ringkasan=json.dumps(rows, default=str),
            total_lama=p.total,
            total_baru=figures["total"],
            dokumen_id=doc.id,
            created_at=now,
            updated_at=now,
        )
        db.session.add(row)
        db.session.flush()
        hours = current_app.config.get("KATALOG_RESPONSE_HOURS", 72)
        deadlines.mulai("adendum", "adendum", row.id, now + timedelta(hours=hours))
        audit.catat("adendum", row.id, "ajukan", actor, None, "diajukan", note=nomor, role=pengusul.upper())
        _email(row, p)
        db.session.commit()
        return row
    except Exception:
        db.session.rollback()
        raise


def _terapkan(ctx):
    """Accepting countersigns the letter and changes the order (totals, RUP commitment)."""
    a = ctx.obj
    p = a.pesanan
    # everything is checked before the countersignature, so a refusal signs (and audits) nothing
    _masih_terbuka(p)
    figures, _rows = _simulate(p, json.loads(a.perubahan))
    if figures["total"] != a.total_baru:
        raise Conflict(_l("Pesanan berubah sejak adendum ini diajukan; tolak dan ajukan adendum baru."))
    _cukup_anggaran(p, figures["total"])
    doc = db.session.get(Dokumen, a.dokumen_id)
    pdf = documents.read(doc.stored_name)
    ctx.data["_signed"] = tte.sign_pdf(ctx.actor, pdf, ctx.data.get("passphrase"), reason=f"Adendum {a.nomor}")
    ctx.data["_figures"] = figures
    ctx.data["_version"] = p.version
    return {}


def _simpan(ctx):
    a = ctx.obj
    p = a.pesanan
    f = ctx.data["_figures"]
    changes = json.loads(a.perubahan)
    lama = angka.kebutuhan_stok(p.items)
    with db.session.no_autoflush:
        for item in p.items:
            new = f["items"][item.id]
            item.qty, item.ppn_persen, item.ppnbm_persen = new["qty"], new["ppn"], new["ppnbm"]
        p.ongkir, p.ongkir_ppn_persen, p.ongkir_ppnbm_persen = (f["ongkir"][k] for k in ("harga", "ppn", "ppnbm"))
        for svc in list(p.layanan):
            if svc.id not in f["layanan"]:
                p.layanan.remove(svc)
            else:
                svc.ppn_persen, svc.ppnbm_persen = f["layanan"][svc.id]["ppn"], f["layanan"][svc.id]["ppnbm"]
        for t in f["tambah"]:
            lay = t["layanan"]
            p.layanan.append(
                PesananKatalogLayanan(layanan_id=lay.id, nama=lay.nama, harga_katalog=t["harga"], harga=t["harga"],
                                      ppn_persen=t["ppn"], ppnbm_persen=t["ppnbm"])
            )  # fmt: skip
        if changes.get("klausul") is not None:
            p.klausul = changes["klausul"].strip() or None
        if changes.get("tanggal_tiba_diminta"):
            p.tanggal_tiba_diminta = date.fromisoformat(str(changes["tanggal_tiba_diminta"]))
        if changes.get("ppk_id"):
            p.ppk_id = int(changes["ppk_id"])
        angka.hitung(p)
    baru = angka.kebutuhan_stok(p.items)
    angka.ambil_stok({k: baru[k] - lama.get(k, 0) for k in baru})
    angka.pakai_anggaran(p, p.total)
    # compare-and-set on the order too: a step taken on it meanwhile (BAST, pickup) makes this one lose
    won = db.session.execute(
        update(PesananKatalog)
        .where(PesananKatalog.id == p.id, PesananKatalog.version == ctx.data["_version"],
               PesananKatalog.status.in_(OPEN_STATES), PesananKatalog.bast_ttd_ppk_at.is_(None))
        .values(version=ctx.data["_version"] + 1)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    if won != 1:
        raise Conflict(_l("Pesanan berubah sejak adendum ini diajukan; tolak dan ajukan adendum baru."))
    p.version = ctx.data["_version"] + 1
    name = f"{a.nomor.replace('/', '-')}.pdf"
    doc = documents.simpan(ctx.data["_signed"], "adendum", name, ctx.actor, documents.PDF)
    verifikasi_dokumen.tandai(doc, "adendum", p, a.nomor)
    a.dokumen_id = doc.id
    deadlines.tutup("adendum", "adendum", a.id)


def _tutup(ctx):
    deadlines.tutup("adendum", "adendum", ctx.obj.id)


def _otomatis(ctx):
    return {"alasan": str(_l("Tidak dijawab dalam 3x24 jam; Surat Pesanan tetap."))}


def _pihak_lain(a, actor, transition):
    """The side that did not propose; a row test or (model class: the query joins PesananKatalog) a clause."""
    roles = scoping.roles_of(actor) & transition.roles
    if ROLE_SISTEM in roles:
        return True
    p = PesananKatalog if predikat.sql_mode(a) else a.pesanan
    semua = predikat.semua
    return predikat.salah_satu(
        semua(a.pengusul == "ppk", ROLE_PENYEDIA in roles, bool(actor.penyedia_id), p.penyedia_id == actor.penyedia_id),
        semua(a.pengusul != "ppk", ROLE_PPK in roles, p.ppk_id == actor.id),
    )


def _email(a, p):
    to = [p.ppk.email] if a.pengusul == "penyedia" else notify.penyedia_emails(p.penyedia_id)
    to += [p.pp.email]
    with force_locale("id"):
        subject = gettext("Adendum %(nomor)s: %(status)s", nomor=a.nomor, status=str(STATUS_ADENDUM[a.status]))
        body = gettext("Adendum %(nomor)s untuk pesanan %(pesanan)s kini berstatus %(status)s.",
                       nomor=a.nomor, pesanan=p.nomor, status=str(STATUS_ADENDUM[a.status]))  # fmt: skip
    for email in sorted(set(filter(None, to))):
        notify.queue_email(email, subject, body, key=f"adendum:{a.id}:{a.status}:{email}")


def _notify(ctx):
    db.session.flush()
    db.session.refresh(ctx.obj)
    _email(ctx.obj, ctx.obj.pesanan)


OTHER, SISTEM = {ROLE_PPK, ROLE_PENYEDIA}, {ROLE_SISTEM}
LABELS = {
    "terima": _l("Terima dan Tanda Tangani"),
    "tolak": _l("Tolak Adendum"),
    "tolak_otomatis": _l("Ditolak Otomatis"),
}
_t = bersama.baris(LABELS, {"tolak": "danger"})
# fmt: off
ROWS = (
    _t("diajukan", "terima",         "diterima", OTHER,  _terapkan,      _simpan, ("passphrase",), "ttd"),
    _t("diajukan", "tolak",          "ditolak",  OTHER,  wajib_alasan(), _tutup,  ("alasan",),     "alasan"),
    _t("diajukan", "tolak_otomatis", "ditolak",  SISTEM, _otomatis,      _tutup,  panel=None),
)
# fmt: on
ADENDUM = Workflow(
    entity="adendum",
    model=Adendum,
    transitions=ROWS,
    labels=STATUS_ADENDUM,
    party=_pihak_lain,
    noun=_l("Adendum"),
    on_applied=_notify,
)


def jawab(adendum_id, action, actor, expected_version=None, **data):
    """The other side accepts (countersigns) or rejects the addendum; apply keeps only the row's fields."""
    return apply(ADENDUM, adendum_id, action, actor, expected_version=expected_version, **ADENDUM.input(action, data))


def daftar(p):
    """The order's addenda, oldest first."""
    return db.session.execute(select(Adendum).where(Adendum.pesanan_id == p.id).order_by(Adendum.id)).scalars().all()


def init_app(app):
    def expire(row):
        apply(ADENDUM, row.entity_id, "tolak_otomatis", SYSTEM)

    def remind(row):
        a = db.session.get(Adendum, row.entity_id)
        p = a.pesanan
        to = [p.ppk.email] if a.pengusul == "penyedia" else notify.penyedia_emails(p.penyedia_id)
        with force_locale("id"):
            subject = gettext("Pengingat: adendum %(nomor)s menunggu jawaban Anda", nomor=a.nomor)
            body = gettext("Adendum yang tidak dijawab sebelum batas waktu ditolak otomatis; Surat Pesanan tetap.")
        return [(e, subject, body) for e in to]

    with app.app_context():
        deadlines.register("adendum", expire, remind, app.config.get("DEADLINE_REMINDER_HOURS", (24, 3)))
