"""BAST (SPEC §6 step 6): the PPK inspects every line (received quantity, condition, fit for purpose),
numbers the BAST and signs it (Pesanan Tiba); then the Penyedia countersigns. An addendum waiting for
an answer holds the BAST back."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import BastItem, Dokumen, PesananKatalog

from .. import clock, documents, dokumen_pdf, predikat, tte, verifikasi_dokumen
from ..errors import Conflict, DomainError
from . import adendum, angka, bersama, pratinjau_ttd
from .bersama import PENYEDIA, PPK

LABELS = {"terima_barang": _l("Periksa dan Tanda Tangani BAST"), "ttd_bast": _l("Tanda Tangani BAST")}
BAST_NOMOR_FORMAT = "BAST/{satker}/{year}/{seq:05d}"


def bast_nomor(p, now):
    return bersama.nomor_dokumen(
        p, PesananKatalog.bast_nomor, PesananKatalog.bast_ttd_ppk_at, "BAST_NOMOR_FORMAT", BAST_NOMOR_FORMAT, now
    )


def _surat(p, d, now):
    """The PPK's inspection + BAST number (auto unless typed, unique) made into the BAST as it is signed:
    (rows, number, unsigned PDF bytes). The preview and the signing step both make it here."""
    if adendum.pending(p):
        raise Conflict(_l("Selesaikan adendum yang menunggu jawaban sebelum BAST."))
    periksa = d.get("periksa") or {}
    rows = []
    for item in p.items:
        row = periksa.get(item.id) or periksa.get(str(item.id))
        if not row:
            raise DomainError(_l("Isi pemeriksaan untuk setiap barang."))
        qty = angka.bulat(row.get("qty_diterima"), _l("Jumlah diterima tidak valid."))
        if qty > item.qty:
            raise DomainError(_l("Jumlah diterima %(nama)s melebihi jumlah pesanan.", nama=item.nama))
        kondisi = (row.get("kondisi") or "").strip() or str(_l("Baik"))
        rows.append((item, qty, kondisi[:40], row.get("sesuai") is True, (row.get("catatan") or "").strip() or None))
    nomor = (d.get("bast_nomor") or "").strip() or bast_nomor(p, now)
    if len(nomor) > 60:
        raise DomainError(_l("Nomor BAST paling panjang 60 karakter."))
    taken = db.session.execute(
        select(PesananKatalog.id).where(PesananKatalog.bast_nomor == nomor, PesananKatalog.id != p.id)
    ).first()
    if taken:
        raise Conflict(_l("Nomor BAST %(nomor)s sudah dipakai.", nomor=nomor))
    data = {
        "nomor": nomor,
        "tanggal": clock.to_local(now).date(),
        "pesanan_nomor": p.nomor,
        **bersama.pihak_surat(p),
        **verifikasi_dokumen.data_surat("bast", p, nomor),
        "sp_nomor": p.sp_nomor,
        "sp_tanggal": clock.to_local(p.sp_ttd_ppk_at).date() if p.sp_ttd_ppk_at else None,
        # the SP as changed: every accepted addendum, by its number and the date of its letter
        "adendum": [{"nomor": a.nomor, "tanggal": clock.to_local(a.created_at).date()}
                    for a in adendum.daftar(p) if a.status == "diterima"],
        "lines": [
            {"nama": i.nama, "satuan": i.satuan, "qty_dipesan": i.qty, "qty_diterima": q, "kondisi": k,
             "sesuai": s, "catatan": c}
            for i, q, k, s, c in rows
        ],
        "total": p.total,
    }  # fmt: skip
    return rows, nomor, dokumen_pdf.bast_pdf(data)


def pratinjau_bast(p, periksa, bast_nomor):
    """(filename, unsigned BAST bytes) of this inspection, as Pesanan Tiba would sign it now; changes nothing."""
    _rows, nomor, pdf = _surat(p, {"periksa": periksa, "bast_nomor": bast_nomor}, clock.now())
    return f"{nomor}.pdf", pdf


def _periksa(ctx):
    """The BAST signed by the PPK, when it is the letter the PPK previewed (pratinjau_ttd)."""
    p, d, now = ctx.obj, ctx.data, clock.now()
    rows, nomor, pdf = _surat(p, d, now)
    pratinjau_ttd.cocokkan(d.get(pratinjau_ttd.KUNCI), pdf, _l("BAST berubah sejak pratinjau; periksa kembali."))
    ctx.data["_signed"] = tte.sign_pdf(ctx.actor, pdf, d.get("passphrase"), reason=f"BAST {nomor}")
    ctx.data["_rows"] = rows
    return {"bast_nomor": nomor, "bast_ttd_ppk_at": now}


def _simpan_bast(ctx):
    p = ctx.obj
    for item, qty, kondisi, sesuai, catatan in ctx.data["_rows"]:
        db.session.add(BastItem(pesanan_id=p.id, item_id=item.id, qty_diterima=qty, kondisi=kondisi,
                                sesuai=1 if sesuai else 0, catatan=catatan))  # fmt: skip
    doc = documents.simpan(ctx.data["_signed"], "bast", f"{p.bast_nomor}.pdf", ctx.actor, documents.PDF)
    verifikasi_dokumen.tandai(doc, "bast", p, p.bast_nomor)
    p.bast_dokumen_id = doc.id


def _ttd_bast(ctx):
    p = ctx.obj
    if p.bast_ttd_penyedia_at:
        raise Conflict(_l("BAST sudah ditandatangani Penyedia."))
    doc = db.session.get(Dokumen, p.bast_dokumen_id)
    ctx.data["_signed"] = tte.sign_pdf(ctx.actor, documents.read(doc.stored_name), ctx.data.get("passphrase"),
                                       reason=f"BAST {p.bast_nomor}")  # fmt: skip
    return {"bast_ttd_penyedia_at": clock.now()}


def _simpan_bast_penyedia(ctx):
    p = ctx.obj
    doc = documents.simpan(ctx.data["_signed"], "bast", f"{p.bast_nomor}.pdf", ctx.actor, documents.PDF)
    verifikasi_dokumen.tandai(doc, "bast", p, p.bast_nomor)
    p.bast_dokumen_id = doc.id


def bast_items(p):
    return db.session.execute(select(BastItem).where(BastItem.pesanan_id == p.id)).scalars().all()


def _belum_ttd_penyedia(p, actor):
    return predikat.kosong(p.bast_ttd_penyedia_at)  # a row or a clause (Workflow.where)


PERIKSA = ("periksa", "bast_nomor", "passphrase", pratinjau_ttd.KUNCI)
_t = bersama.baris(LABELS)
# fmt: off
ROWS = (
    _t("dalam_pengiriman", "terima_barang", "pesanan_tiba", PPK,      _periksa, _simpan_bast,          PERIKSA,         "ttd"),
    _t("pesanan_tiba",     "ttd_bast",      "pesanan_tiba", PENYEDIA, _ttd_bast, _simpan_bast_penyedia, ("passphrase",), "ttd", _belum_ttd_penyedia),
)
# fmt: on
