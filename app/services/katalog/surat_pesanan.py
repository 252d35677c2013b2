"""The PPK's decision and the Surat Pesanan (SPEC §6 step 4): the PPK rejects or builds the SP with its
clauses and signs it with TTE; the Penyedia countersigns (its Ready Stock is taken then) or, unsigned
for 3x24 h, the order is cancelled by the portal."""

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Dokumen, PesananKatalog

from .. import clock, documents, dokumen_pdf, tte, verifikasi_dokumen
from ..workflow import wajib_alasan
from . import angka, bersama, pratinjau_ttd
from .bersama import PENYEDIA, PPK, SISTEM

LABELS = {
    "tolak_ppk": _l("Tolak"),
    "buat_pesanan": _l("Buat Pesanan"),
    "ttd_sp": _l("Tanda Tangani Surat Pesanan"),
    "batal_otomatis": _l("Batal Otomatis"),
}
STYLES = {"tolak_ppk": "danger", "batal_otomatis": "danger"}


def sp_nomor(p, now):
    return bersama.nomor_dokumen(
        p, PesananKatalog.sp_nomor, PesananKatalog.sp_ttd_ppk_at, "SP_NOMOR_FORMAT", "SP/{satker}/{year}/{seq:05d}", now
    )


def sp_data(p, nomor, now, klausul=None):
    lines = [
        {
            "nama": i.nama,
            "qty": i.qty,
            "satuan": i.satuan,
            "harga_satuan": i.harga,
            "subtotal": i.subtotal,
            "ppn": i.ppn,
            "ppnbm": i.ppnbm,
        }
        for i in p.items
    ]
    layanan = [{"nama": x.nama, "harga": x.harga, "ppn": x.ppn, "ppnbm": x.ppnbm} for x in p.layanan]
    lines_subtotal = sum(i.subtotal for i in p.items)
    return {
        "nomor": nomor,
        "tanggal": clock.to_local(now).date(),
        "pesanan_nomor": p.nomor,
        **bersama.pihak_surat(p),
        **verifikasi_dokumen.data_surat("sp", p, nomor),
        "rup": {"kode": p.rup.kode, "nama": p.rup.nama},
        "alamat_kirim": p.alamat_kirim,
        "lines": lines,
        "layanan": layanan,
        "ongkir": p.ongkir,
        "ongkir_pajak": {"ppn": p.ongkir_ppn, "ppnbm": p.ongkir_ppnbm},
        "totals": {
            "subtotal": lines_subtotal,
            "layanan": p.subtotal - lines_subtotal,
            "ppn": p.ppn,
            "ppnbm": p.ppnbm,
            "ongkir": p.ongkir,
            "total": p.total,
        },
        "klausul": [c.strip() for c in ((p.klausul if klausul is None else klausul) or "").splitlines() if c.strip()],
        "jadwal": {"tanggal_kirim": p.tanggal_tiba_diminta},
    }


def _klausul(raw):
    return (raw or "").strip()[:4000]


def _surat(p, klausul, now):
    """The SP as it is signed: (number, unsigned PDF bytes). The preview and Buat Pesanan both make it here,
    so the letter the PPK reads is byte for byte the one it signs."""
    nomor = sp_nomor(p, now)
    return nomor, dokumen_pdf.surat_pesanan_pdf(sp_data(p, nomor, now, klausul=klausul))


def pratinjau_sp(p, klausul):
    """(filename, unsigned SP bytes) with these clauses, as Buat Pesanan would sign it now. Changes nothing:
    no number is kept (the signing step counts again, and refuses when that changed the letter)."""
    nomor, pdf = _surat(p, _klausul(klausul), clock.now())
    return f"{nomor}.pdf", pdf


def _buat_sp(ctx):
    """Guard of Buat Pesanan: build the SP with the PPK's clauses and sign it with the PPK's TTE, when it is
    the letter the PPK previewed (pratinjau_ttd).

    Signing happens before the compare-and-set on purpose: tte.sign_pdf commits its own attempt
    counter, and a wrong passphrase must leave the order exactly as it was."""
    p, actor, now = ctx.obj, ctx.actor, clock.now()
    klausul = _klausul(ctx.data.get("klausul"))
    # the clauses reach the order only through the returned changes: a wrong passphrase keeps none of them
    nomor, pdf = _surat(p, klausul, now)
    pratinjau_ttd.cocokkan(
        ctx.data.get(pratinjau_ttd.KUNCI), pdf, _l("Surat Pesanan berubah sejak pratinjau; periksa kembali.")
    )
    ctx.data["_signed"] = tte.sign_pdf(actor, pdf, ctx.data.get("passphrase"), reason=f"Surat Pesanan {nomor}")
    ctx.data["_nomor"] = nomor
    return {"sp_nomor": nomor, "sp_ttd_ppk_at": now, "klausul": klausul or None}


def _simpan_sp(ctx):
    p = ctx.obj
    doc = documents.simpan(ctx.data["_signed"], "surat_pesanan", f"{ctx.data['_nomor']}.pdf", ctx.actor, documents.PDF)
    verifikasi_dokumen.tandai(doc, "sp", p, ctx.data["_nomor"])
    p.sp_dokumen_id = doc.id
    bersama.selesai_tunggu(ctx)
    bersama.tunggu(ctx, "ttd_sp")


def _ttd_penyedia(ctx):
    p = ctx.obj
    angka.cek_stok(angka.kebutuhan_stok(p.items))  # before signing: a refusal signs nothing
    doc = db.session.get(Dokumen, p.sp_dokumen_id)
    pdf = documents.read(doc.stored_name)
    ctx.data["_signed"] = tte.sign_pdf(ctx.actor, pdf, ctx.data.get("passphrase"), reason=f"Surat Pesanan {p.sp_nomor}")
    return {"sp_ttd_penyedia_at": clock.now()}


def _simpan_sp_penyedia(ctx):
    p = ctx.obj
    angka.ambil_stok(angka.kebutuhan_stok(p.items))
    doc = documents.simpan(ctx.data["_signed"], "surat_pesanan", f"{p.sp_nomor}.pdf", ctx.actor, documents.PDF)
    verifikasi_dokumen.tandai(doc, "sp", p, p.sp_nomor)
    p.sp_dokumen_id = doc.id
    bersama.selesai_tunggu(ctx)


BUAT = ("klausul", "passphrase", pratinjau_ttd.KUNCI)
TTD = ("passphrase",)
_t = bersama.baris(LABELS, STYLES)
# fmt: off
ROWS = (
    _t("menunggu_ppk",        "tolak_ppk",      "ditolak_ppk",         PPK,      wajib_alasan(), bersama.lepas_anggaran, ("alasan",), "alasan"),
    _t("menunggu_ppk",        "buat_pesanan",   "konfirmasi_penyedia", PPK,      _buat_sp,      _simpan_sp,            BUAT, "ttd"),
    _t("konfirmasi_penyedia", "ttd_sp",         "diproses_penyedia",   PENYEDIA, _ttd_penyedia, _simpan_sp_penyedia,   TTD,  "ttd"),
    _t("menunggu_ppk",        "batal_otomatis", "batal_otomatis",      SISTEM,   bersama.otomatis, bersama.lepas_anggaran, panel=None, effect_many=bersama.lepas_anggaran_many),
    _t("konfirmasi_penyedia", "batal_otomatis", "batal_otomatis",      SISTEM,   bersama.otomatis, bersama.lepas_anggaran, panel=None, effect_many=bersama.lepas_anggaran_many),
)
# fmt: on
