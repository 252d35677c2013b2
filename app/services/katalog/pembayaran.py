"""Pembayaran (SPEC §6 step 9): after the BAST the PPK pays the Penyedia by LS, UP kode bayar or UP KKP.

The steps are rows of the Katalog transition table (ROWS below, assembled in katalog/__init__.py), so every
one of them goes through workflow.apply: role, party, guard, compare-and-set on the order's status, audit
row and outbox email in one commit. This module holds those rows with their guards and effects, and the
Bendahara rule; the bank's callback is in katalog/bank.py, the pages' queries in katalog/antrean.py.

Rules chosen (README "Pembayaran"):
- payment may start once the BAST is signed by the PPK and the Penyedia and no addendum is pending;
- the figures (tax regime, who deducts the tax, fee, payout) come from money.rincian_bayar; UP and KKP only
  up to money.BATAS_UP (200.000.000 allowed, 200.000.001 refused);
- LS goes to a BUD, UP kode bayar to a Bendahara Pengeluaran; which one a "Bendahara" user is comes from
  their active Verifikasi Akses row (`bud` or `bendahara_pengeluaran`) for the order's satker;
- a kode bayar is valid KODE_BAYAR_HOURS (7x24 h), a deadline of kind `kode_bayar` swept like the others;
  paid only while active and unexpired, for its exact amount, once;
- the KKP link for another card holder is single-use; only its SHA-256 is stored.
"""

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.extensions import db
from app.models import AksesPengguna, KodeBayar, Pembayaran, PesananKatalog, PortalUser
from app.models.payments import JENIS_PPH, JENIS_TAGIHAN, METODE_BAYAR_LABEL
from app.roles import ROLE_BENDAHARA

from .. import clock, deadlines, documents, gateway, money, notify, predikat, scoping
from ..akun import EMAIL_RE
from ..errors import Conflict, DomainError, Forbidden, NotFound
from ..pembayaran_pdf import invoice_pdf
from ..workflow import wajib_alasan
from . import adendum, bersama
from .bersama import BENDAHARA, ENTITY, PENYEDIA, PPK, SISTEM
from .pihak import pembayaran_of

LS, UP, KKP = money.METODE_LS, money.METODE_UP_KODE_BAYAR, money.METODE_UP_KKP
# The statuses of the payment step, in their usual order.
STATUS_BAYAR = (
    "ls_dokumen",
    "pilih_bendahara",
    "menunggu_bendahara",
    "dikembalikan",
    "kode_bayar_terbit",
    "kode_kedaluwarsa",
    "kkp_menunggu",
    "selesai",
)
# What a Bendahara sees in the queue (their work), oldest first.
STATUS_ANTREAN = ("menunggu_bendahara", "kode_kedaluwarsa", "kode_bayar_terbit")
# Which Verifikasi Akses a method's Bendahara must hold.
AKSES_BENDAHARA = {LS: "bud", UP: "bendahara_pengeluaran"}
NAMA_AKSES = {"bud": _l("BUD"), "bendahara_pengeluaran": _l("Bendahara Pengeluaran")}
JENIS_DOKUMEN = ("sp", "bast", "tagihan", "bukti_potong", "invoice")
KODE_BAYAR_HOURS = 7 * 24
KKP_TAUTAN_HOURS = 72


# --- lookups ----------------------------------------------------------------------------------------


def kode_aktif(p):
    return db.session.execute(
        select(KodeBayar).where(KodeBayar.pesanan_id == p.id, KodeBayar.status == "aktif")
    ).scalar_one_or_none()


def daftar_kode(p):
    return db.session.execute(select(KodeBayar).where(KodeBayar.pesanan_id == p.id).order_by(KodeBayar.id)).scalars()


def jenis_bendahara(user, satker_id=None):
    """{"bud", "bendahara_pengeluaran"}: what the user's active Verifikasi Akses rows make them, for a satker."""
    satker_id = satker_id or user.satker_id
    if not satker_id:
        return set()
    rows = db.session.execute(
        select(AksesPengguna.akses).where(
            AksesPengguna.user_id == user.id,
            AksesPengguna.status == "aktif",
            AksesPengguna.satker_id == satker_id,
            AksesPengguna.akses.in_(tuple(AKSES_BENDAHARA.values())),
        )
    ).scalars()
    return set(rows)


def pilihan_bendahara(p, metode):
    """The active Bendahara users of the order's satker holding the access the method needs."""
    akses = AKSES_BENDAHARA.get(metode)
    if akses is None:
        return []
    stmt = (
        select(PortalUser)
        .join(AksesPengguna, AksesPengguna.user_id == PortalUser.id)
        .where(
            PortalUser.satker_id == p.satker_id,
            PortalUser.active.is_(True),
            AksesPengguna.status == "aktif",
            AksesPengguna.akses == akses,
            AksesPengguna.satker_id == p.satker_id,
        )
        .order_by(PortalUser.first_name, PortalUser.last_name, PortalUser.id)
        .distinct()
    )
    return [u for u in db.session.execute(stmt).scalars() if ROLE_BENDAHARA in u.role_names]


def belum_siap(p, ada_adendum=None):
    """Why payment may not start yet (a translated message), or None when it may. `ada_adendum`: whether an
    addendum is pending, when a list already looked it up for a whole page (else it is looked up here)."""
    if p.status != "pesanan_tiba":
        return _l("Pembayaran dimulai dari status Pesanan Tiba.")
    if not (p.bast_ttd_ppk_at and p.bast_ttd_penyedia_at):
        return _l("Pembayaran dapat dimulai setelah BAST ditandatangani PPK dan Penyedia.")
    if ada_adendum if ada_adendum is not None else adendum.pending(p) is not None:
        return _l("Selesaikan adendum yang menunggu jawaban sebelum pembayaran.")
    return None


def _biaya():
    cfg = current_app.config
    try:
        persen = Decimal(str(cfg.get("PEMBAYARAN_BIAYA_PERSEN", "0")))
    except InvalidOperation:
        raise DomainError(_l("Pengaturan biaya transaksi tidak valid.")) from None
    return persen, int(cfg.get("PEMBAYARAN_BIAYA_TETAP", 0))


def rincian(p, metode):
    return money.rincian_bayar(metode, p.total, *_biaya())


def _alasan_ditolak(metode, r):
    if r.diizinkan:
        return None
    return _l(
        "%(metode)s hanya untuk total paling banyak %(batas)s; total pesanan ini %(total)s. Gunakan LS.",
        metode=METODE_BAYAR_LABEL[metode],
        batas=money.format_rupiah(money.BATAS_UP),
        total=money.format_rupiah(r.total),
    )


def pilihan_metode(p):
    """[(metode, label, rincian, reason-or-None)] for the three methods: what the PPK may pick and why not."""
    out = []
    for metode in money.METODE_BAYAR:
        r = rincian(p, metode)
        out.append((metode, METODE_BAYAR_LABEL[metode], r, _alasan_ditolak(metode, r)))
    return out


# --- documents ----------------------------------------------------------------------------------------


def dokumen_kurang(row):
    """What the LS payment still misses before Lanjutkan Pembayaran (translated strings)."""
    missing = []
    if row is None or not row.tagihan_dokumen_id:
        missing.append(gettext("faktur pajak atau dokumen tagihan dari Penyedia belum diunggah"))
    if row is None or not (row.bukti_potong_dokumen_id or row.tanpa_bukti_potong):
        missing.append(
            gettext("bukti potong PPh belum diunggah (atau centang \u201ctidak memerlukan bukti potong\u201d)")
        )
    return missing


def _cek_lengkap(row):
    missing = dokumen_kurang(row)
    if missing:
        raise DomainError(
            _l("Dokumen pembayaran LS belum lengkap: %(kurang)s.", kurang="; ".join(missing)),
        )


def _berkas(ctx):
    data = ctx.data.get("berkas") or b""
    kind = documents.check_upload(data, allowed=(documents.PDF, documents.JPEG, documents.PNG))
    return data, kind, (ctx.data.get("nama_berkas") or "").strip()[:200]


def _row(ctx, metode=None):
    row = pembayaran_of(ctx.obj)
    if row is None or (metode and row.metode != metode):
        raise Conflict(_l("Langkah ini tidak berlaku untuk metode pembayaran pesanan ini."))
    return row


def _invoice(p, row, actor):
    """The platform's invoice for UP, which counts as the faktur pajak (PMK 58/2023); built each time UP or
    KKP is picked, so it always names the method being paid (earlier copies stay as Dokumen rows)."""
    nomor = f"INV/{p.nomor}"
    now = clock.now()
    data = {
        "nomor": nomor,
        "tanggal": clock.to_local(now).date(),
        "pesanan": p.nomor,
        "sp_nomor": p.sp_nomor,
        "bast_nomor": p.bast_nomor,
        "metode": str(METODE_BAYAR_LABEL[row.metode]),
        "rezim": row.rezim_pajak,
        **bersama.pihak_surat(p),
        "lines": [
            {"nama": i.nama, "qty": i.qty, "satuan": i.satuan, "harga_satuan": i.harga, "subtotal": i.subtotal,
             "ppn": i.ppn, "ppnbm": i.ppnbm}
            for i in p.items
        ],
        "layanan": [{"nama": x.nama, "harga": x.harga, "ppn": x.ppn, "ppnbm": x.ppnbm} for x in p.layanan],
        "ongkir_pajak": {"ppn": p.ongkir_ppn, "ppnbm": p.ongkir_ppnbm},
        "totals": {"subtotal": p.subtotal, "ppn": p.ppn, "ppnbm": p.ppnbm, "ongkir": p.ongkir, "total": p.total},
    }  # fmt: skip
    doc = documents.simpan(invoice_pdf(data), "invoice", nomor.replace("/", "-") + ".pdf", actor, documents.PDF)
    row.invoice_nomor, row.invoice_dokumen_id = nomor, doc.id


# --- guards and effects of the transition table ----------------------------------------------------


def _pilih(ctx, metode):
    p = ctx.obj
    reason = belum_siap(p)
    if reason:
        raise Conflict(reason)
    r = rincian(p, metode)
    if not r.diizinkan:
        raise DomainError(_alasan_ditolak(metode, r))
    ctx.data["_rincian"] = r
    if metode == KKP:
        pemegang = ctx.data.get("pemegang") or "ppk"
        if pemegang not in ("ppk", "lain"):
            raise DomainError(_l("Pilih pemegang KKP."))
        if pemegang == "lain":
            nama = (ctx.data.get("nama_pemegang") or "").strip()
            email = (ctx.data.get("email_pemegang") or "").strip().lower()
            if not nama or not EMAIL_RE.match(email) or len(email) > 120:
                raise DomainError(_l("Isi nama dan alamat email pemegang KKP yang valid."))
            ctx.data["_pemegang"] = (nama[:120], email)
    return {"alasan": None, "batas_waktu": None}


def _pilih_ls(ctx):
    return _pilih(ctx, LS)


def _pilih_up(ctx):
    return _pilih(ctx, UP)


def _pilih_kkp(ctx):
    return _pilih(ctx, KKP)


def _token_baru(row):
    token = secrets.token_urlsafe(32)
    row.kkp_token_hash = hashlib.sha256(token.encode()).hexdigest()
    hours = current_app.config.get("KKP_TAUTAN_HOURS", KKP_TAUTAN_HOURS)
    row.kkp_token_expires_at = clock.now() + timedelta(hours=hours)
    row.kkp_token_used_at = None
    return token


def _email_tautan(p, row, token):
    link = notify.tautan("KkpView.bayar", token=token)
    subject = _l("Tautan pembayaran KKP pesanan %(nomor)s", nomor=p.nomor)
    context = {
        "nama": row.kkp_nama,
        "nomor": p.nomor,
        "satker": p.satker.nama,
        "penyedia": p.penyedia.nama,
        "jumlah": money.format_rupiah(row.total),
        "berlaku": clock.to_local(row.kkp_token_expires_at).strftime("%d-%m-%Y %H:%M"),
        "tautan": link,
    }
    notify.kirim_template(row.kkp_email, "kkp_tautan", context, f"kkp:{row.id}:{row.kkp_token_hash[:16]}", subject)


def _simpan_metode(ctx):
    """Effect of pilih_ls / pilih_up / pilih_kkp: the payment row with the method's figures (and documents)."""
    p, actor, r = ctx.obj, ctx.actor, ctx.data["_rincian"]
    now = clock.now()
    row = pembayaran_of(p)
    if row is None:
        row = Pembayaran(pesanan_id=p.id, created_at=now)
        db.session.add(row)
    row.metode, row.rezim_pajak = r.metode, r.rezim
    row.total, row.biaya_transaksi, row.diterima_penyedia = r.total, r.biaya, r.diterima
    row.bendahara_id = None
    row.kkp_oleh_ppk, row.kkp_nama, row.kkp_email = False, None, None
    row.kkp_token_hash = row.kkp_token_expires_at = row.kkp_token_used_at = None
    row.updated_at = now
    # a method's tax documents belong to it alone: after Ganti Metode the other regime's papers are detached
    # (the Dokumen rows and their audit stay), so no Bendahara sees an UP invoice beside an LS faktur
    if r.metode == LS:
        row.invoice_nomor = row.invoice_dokumen_id = None
    else:
        row.tagihan_dokumen_id = row.tagihan_jenis = row.tagihan_nomor = None
        row.bukti_potong_dokumen_id = row.pph_jenis = row.pph_jumlah = None
        row.tanpa_bukti_potong = False
        _invoice(p, row, actor)
    if r.metode == KKP:
        if ctx.data.get("_pemegang"):
            row.kkp_nama, row.kkp_email = ctx.data["_pemegang"]
            db.session.flush()
            _email_tautan(p, row, _token_baru(row))
        else:
            row.kkp_oleh_ppk = True
            row.kkp_nama = actor.nama_lengkap
            row.kkp_email = actor.email
    db.session.flush()


def _unggah_faktur(ctx):
    _row(ctx, LS)
    data, kind, name = _berkas(ctx)
    jenis = ctx.data.get("jenis_tagihan") or "faktur_pajak"
    if jenis not in JENIS_TAGIHAN:
        raise DomainError(_l("Pilih jenis dokumen tagihan."))
    ctx.data["_berkas"] = (data, kind, name or f"{jenis}.pdf", jenis)
    return {}


def _simpan_faktur(ctx):
    row = pembayaran_of(ctx.obj)
    data, kind, name, jenis = ctx.data["_berkas"]
    doc = documents.simpan(data, "tagihan", name, ctx.actor, kind)
    row.tagihan_dokumen_id, row.tagihan_jenis = doc.id, jenis
    row.tagihan_nomor = (ctx.data.get("nomor_tagihan") or "").strip()[:60] or None
    row.updated_at = clock.now()


def _yes(value):
    return value is True or str(value or "").lower() in ("1", "y", "ya", "on", "true")


def _unggah_bukti_potong(ctx):
    row = _row(ctx, LS)
    if _yes(ctx.data.get("tanpa_bukti_potong")):
        if ctx.data.get("berkas"):
            raise DomainError(_l("Pilih salah satu: unggah bukti potong, atau centang tidak memerlukan bukti potong."))
        ctx.data["_bukti"] = None
        return {}
    jenis = ctx.data.get("jenis_pph")
    if jenis not in JENIS_PPH:
        raise DomainError(_l("Pilih jenis PPh bukti potong."))
    jumlah = ctx.data.get("jumlah_pph")
    try:
        jumlah = jumlah if isinstance(jumlah, int) and not isinstance(jumlah, bool) else money.parse_rupiah(jumlah)
    except (TypeError, ValueError):
        raise DomainError(_l("Jumlah PPh tidak valid: tulis angka Rupiah tanpa desimal.")) from None
    if jumlah <= 0 or jumlah > row.total:
        raise DomainError(_l("Jumlah PPh harus lebih dari nol dan tidak melebihi total pesanan."))
    data, kind, name = _berkas(ctx)
    ctx.data["_bukti"] = (data, kind, name or "bukti-potong.pdf", jenis, jumlah)
    return {}


def _simpan_bukti_potong(ctx):
    row = pembayaran_of(ctx.obj)
    if ctx.data["_bukti"] is None:
        row.tanpa_bukti_potong = True
        row.bukti_potong_dokumen_id, row.pph_jenis, row.pph_jumlah = None, None, None
    else:
        data, kind, name, jenis, jumlah = ctx.data["_bukti"]
        doc = documents.simpan(data, "bukti_potong", name, ctx.actor, kind)
        row.tanpa_bukti_potong = False
        row.bukti_potong_dokumen_id, row.pph_jenis, row.pph_jumlah = doc.id, jenis, jumlah
    row.updated_at = clock.now()


def _lanjutkan_bayar(ctx):
    """The document completeness check of LS: faktur (Penyedia) and bukti potong or its waiver (PPK)."""
    _cek_lengkap(_row(ctx, LS))
    return {}


def _ajukan_bendahara(ctx):
    p = ctx.obj
    row = pembayaran_of(p)
    if row is None or row.metode not in AKSES_BENDAHARA:
        raise Conflict(_l("Metode pembayaran ini tidak melalui Bendahara."))
    if row.metode == LS:
        _cek_lengkap(row)
    akses = AKSES_BENDAHARA[row.metode]
    nama = NAMA_AKSES[akses]
    raw = str(ctx.data.get("bendahara_id") or "")
    user = db.session.get(PortalUser, scoping.as_id(raw)) if scoping.as_id(raw) else None
    if user is None or not user.active or ROLE_BENDAHARA not in user.role_names:
        raise DomainError(_l("Pilih %(nama)s.", nama=nama))
    if user.satker_id != p.satker_id:
        if row.metode == UP:
            raise DomainError(
                _l(
                    "%(user)s bukan Bendahara Pengeluaran satuan kerja %(satker)s. Pembayaran UP hanya melalui "
                    "Bendahara Pengeluaran satker yang sama: pilih Bendahara Pengeluaran satker Anda, ganti "
                    "metode pembayaran (misalnya LS), atau undang Bendahara Pengeluaran satker Anda untuk mendaftar "
                    "dan mengajukan Verifikasi Akses.",
                    user=user.nama_lengkap,
                    satker=p.satker.nama,
                )
            )
        raise DomainError(
            _l(
                "%(user)s bukan BUD satuan kerja %(satker)s. Pilih BUD satker Anda, ganti metode pembayaran, atau "
                "undang BUD satker Anda untuk mendaftar dan mengajukan Verifikasi Akses.",
                user=user.nama_lengkap,
                satker=p.satker.nama,
            )
        )
    if akses not in jenis_bendahara(user, p.satker_id):
        raise DomainError(
            _l(
                "%(user)s tidak memiliki akses %(nama)s yang aktif; metode ini memerlukan %(nama)s.",
                user=user.nama_lengkap,
                nama=nama,
            )
        )
    ctx.data["_bendahara"] = user
    return {"alasan": None}


def _simpan_bendahara(ctx):
    row = pembayaran_of(ctx.obj)
    row.bendahara_id = ctx.data["_bendahara"].id
    row.updated_at = clock.now()


def _kode_baru(ctx):
    """Ask the bank for a new code (before the compare-and-set: a refusal leaves the order as it was)."""
    p = ctx.obj
    row = pembayaran_of(p)
    hours = current_app.config.get("KODE_BAYAR_HOURS", KODE_BAYAR_HOURS)
    now = clock.now()
    berlaku = now + timedelta(hours=hours)
    gw = gateway.gateway()
    for _ in range(5):
        kode = gw.terbitkan_kode_bayar(p.nomor, row.total, berlaku)
        if not db.session.execute(select(KodeBayar.id).where(KodeBayar.kode == kode)).first():
            break
    else:
        raise gateway.GatewayError(_l("Bank tidak dapat menerbitkan kode bayar. Coba lagi."))
    ctx.data["_kode"] = (kode, row.total, now, berlaku)
    return {"batas_waktu": berlaku}


def _konfirmasi_bayar(ctx):
    """The Bendahara confirms after checking the documents; the bank issues the kode bayar."""
    row = pembayaran_of(ctx.obj)
    if not _yes(ctx.data.get("dokumen_diperiksa")):
        raise DomainError(_l("Centang bahwa dokumen pesanan sudah Anda periksa sebelum mengonfirmasi."))
    if row.metode == LS:
        _cek_lengkap(row)
    return _kode_baru(ctx)


def _terbitkan_ulang(ctx):
    if kode_aktif(ctx.obj) is not None:
        raise Conflict(_l("Masih ada kode bayar yang aktif."))
    return _kode_baru(ctx)


def _simpan_kode(ctx):
    p, actor = ctx.obj, ctx.actor
    kode, jumlah, now, berlaku = ctx.data["_kode"]
    row = KodeBayar(pesanan_id=p.id, kode=kode, jumlah=jumlah, status="aktif", diterbitkan_oleh_id=actor.id,
                    created_at=now, berlaku_sampai=berlaku)  # fmt: skip
    db.session.add(row)
    db.session.flush()
    deadlines.mulai("kode_bayar", ENTITY, p.id, berlaku, note=kode)
    link = notify.tautan("PembayaranView.kode", kode_id=row.id)
    with force_locale("id"):
        subject = gettext("Kode bayar pesanan %(nomor)s: %(kode)s", nomor=p.nomor, kode=kode)
        body = gettext(
            "Kode bayar %(kode)s untuk pesanan %(nomor)s sebesar %(jumlah)s berlaku sampai %(batas)s WIB.\n"
            "Bayar melalui CMS Bank Daerah, teller, atau ATM dengan kode tersebut sebelum batas waktu.",
            kode=kode,
            nomor=p.nomor,
            jumlah=money.format_rupiah(jumlah),
            batas=clock.to_local(berlaku).strftime("%d-%m-%Y %H:%M"),
        )
    if link:
        body += "\n" + link
    # the Bendahara who confirmed pays it (the PPK hears of it through the status email)
    notify.queue_email(actor.email, subject, body, key=f"kode_bayar:{row.id}:{actor.email}")


_kembalikan = wajib_alasan(_l("Alasan pengembalian wajib diisi."))


def _kode_kedaluwarsa(ctx):
    return {"batas_waktu": None}


def _simpan_kedaluwarsa(ctx):
    db.session.execute(
        update(KodeBayar)
        .where(KodeBayar.pesanan_id == ctx.obj.id, KodeBayar.status == "aktif")
        .values(status="kedaluwarsa")
        .execution_options(synchronize_session=False)
    )


def _simpan_kedaluwarsa_many(ctxs):
    """_simpan_kedaluwarsa for a set of orders (the sweep): one UPDATE of their active codes."""
    db.session.execute(
        update(KodeBayar)
        .where(KodeBayar.pesanan_id.in_([c.obj.id for c in ctxs]), KodeBayar.status == "aktif")
        .values(status="kedaluwarsa")
        .execution_options(synchronize_session=False)
    )


def _tagih_kkp(ctx, row, nama, email):
    ref = gateway.gateway().tagih_kkp(
        ctx.obj.nomor, row.total, (nama, email), kunci=f"kkp:{ctx.obj.id}:{row.id}:{row.updated_at.isoformat()}"
    )
    ctx.data["_lunas"] = {"referensi": ref, "oleh": f"{nama} <{email}>", "kode": None}


def _bayar_kkp(ctx):
    """The PPK pays as the card holder."""
    row = _row(ctx, KKP)
    if not row.kkp_oleh_ppk:
        raise Forbidden(_l("KKP pesanan ini dibayar oleh pemegang kartu lain melalui tautan yang dikirim ke emailnya."))
    if not _yes(ctx.data.get("setuju")):
        raise DomainError(_l("Centang persetujuan pembayaran dengan KKP."))
    _tagih_kkp(ctx, row, row.kkp_nama, row.kkp_email)
    return {"batas_waktu": None}


def _lunas(ctx):
    """Paid: a kode bayar by the bank's signed callback, or the KKP by its holder's link (the portal acts)."""
    p, d = ctx.obj, ctx.data
    row = pembayaran_of(p)
    if p.status == "kkp_menunggu":
        token = d.get("token") or ""
        if (
            row is None
            or row.metode != KKP
            or not row.kkp_token_hash
            or row.kkp_token_hash != hashlib.sha256(token.encode()).hexdigest()
        ):
            raise NotFound(_l("Tautan pembayaran tidak dikenal."))
        if row.kkp_token_used_at is not None or row.kkp_token_expires_at <= clock.now():
            raise Conflict(_l("Tautan pembayaran ini sudah dipakai atau kedaluwarsa."))
        if not _yes(d.get("setuju")):
            raise DomainError(_l("Centang persetujuan pembayaran dengan KKP."))
        _tagih_kkp(ctx, row, row.kkp_nama, row.kkp_email)
        ctx.data["_token"] = True
        return {"batas_waktu": None}
    kode = db.session.execute(
        select(KodeBayar).where(KodeBayar.pesanan_id == p.id, KodeBayar.kode == str(d.get("kode") or ""))
    ).scalar_one_or_none()
    if kode is None:
        raise NotFound(_l("Kode bayar tidak dikenal."))
    if kode.status != "aktif":
        raise Conflict(_l("Kode bayar %(kode)s sudah %(status)s; tidak dapat dibayar lagi.", kode=kode.kode,
                          status=str(kode.status_label).lower()))  # fmt: skip
    if kode.berlaku_sampai <= clock.now():
        raise Conflict(_l("Kode bayar %(kode)s sudah kedaluwarsa; Bendahara dapat menerbitkan kode baru.",
                          kode=kode.kode))  # fmt: skip
    if d.get("jumlah") != kode.jumlah:
        raise DomainError(_l("Jumlah yang dibayar tidak sama dengan jumlah kode bayar."))
    ctx.data["_lunas"] = {"referensi": str(d.get("referensi") or "")[:64], "oleh": str(d.get("oleh") or "Bank"),
                          "kode": kode}  # fmt: skip
    return {"batas_waktu": None}


def _simpan_lunas(ctx):
    p, info = ctx.obj, ctx.data["_lunas"]
    now = clock.now()
    row = pembayaran_of(p)
    kode = info.get("kode")
    if kode is not None:
        won = db.session.execute(
            update(KodeBayar)
            .where(KodeBayar.id == kode.id, KodeBayar.status == "aktif")
            .values(status="dibayar", dibayar_at=now, referensi=info["referensi"])
            .execution_options(synchronize_session=False)
        ).rowcount
        if won != 1:
            raise Conflict(_l("Kode bayar ini baru saja diproses."))
        deadlines.tutup("kode_bayar", ENTITY, p.id)
    if ctx.data.get("_token"):  # the link is single-use: exactly one payment consumes it
        won = db.session.execute(
            update(Pembayaran)
            .where(Pembayaran.id == row.id, Pembayaran.kkp_token_used_at.is_(None))
            .values(kkp_token_used_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won != 1:
            raise Conflict(_l("Tautan pembayaran ini sudah dipakai atau kedaluwarsa."))
        db.session.refresh(row)
    row.dibayar_at, row.referensi, row.dibayar_oleh = now, info["referensi"], info["oleh"][:200]
    row.updated_at = now
    with force_locale("id"):
        subject = gettext("Pembayaran pesanan %(nomor)s diterima", nomor=p.nomor)
        body = gettext(
            "Pembayaran pesanan %(nomor)s sebesar %(total)s telah diterima (%(metode)s, referensi %(ref)s).\n"
            "Dana yang diterima Penyedia: %(diterima)s (total dikurangi biaya transaksi %(biaya)s).",
            nomor=p.nomor,
            total=money.format_rupiah(row.total),
            metode=str(METODE_BAYAR_LABEL[row.metode]),
            ref=row.referensi,
            diterima=money.format_rupiah(row.diterima_penyedia),
            biaya=money.format_rupiah(row.biaya_transaksi),
        )
    for email in notify.penyedia_emails(p.penyedia_id):
        notify.queue_email(email, subject, body, key=f"pembayaran:{p.id}:lunas:{email}")


def _kirim_ulang_tautan(ctx):
    row = _row(ctx, KKP)
    if row.kkp_oleh_ppk:
        raise Conflict(_l("KKP pesanan ini dibayar oleh PPK sendiri; tidak ada tautan."))
    return {}


def _simpan_tautan_baru(ctx):
    p = ctx.obj
    row = pembayaran_of(p)
    row.updated_at = clock.now()
    _email_tautan(p, row, _token_baru(row))


def _ganti_metode(ctx):
    _row(ctx)
    return {"alasan": None, "batas_waktu": None}


def _simpan_ganti_metode(ctx):
    row = pembayaran_of(ctx.obj)
    row.bendahara_id = None
    row.kkp_token_hash = row.kkp_token_expires_at = None  # an emailed KKP link dies with the method
    row.updated_at = clock.now()


def _siap(p, actor):
    """The method buttons show once payment may start (BAST signed by both, no addendum pending): belum_siap's
    checks, as a row test or a clause (Workflow.where)."""
    if not predikat.sql_mode(p):
        return belum_siap(p) is None
    return predikat.semua(
        p.status == "pesanan_tiba",
        predikat.ada(p.bast_ttd_ppk_at),
        predikat.ada(p.bast_ttd_penyedia_at),
        adendum.tanpa_pending(p),
    )


LABELS = {
    "pilih_ls": _l("Bayar dengan LS"),
    "pilih_up": _l("Bayar dengan UP Kode Bayar"),
    "pilih_kkp": _l("Bayar dengan UP KKP"),
    "unggah_faktur": _l("Unggah Faktur Pajak"),
    "unggah_bukti_potong": _l("Simpan Bukti Potong PPh"),
    "lanjutkan_bayar": _l("Lanjutkan Pembayaran"),
    "ajukan_bendahara": _l("Ajukan ke Bendahara"),
    "konfirmasi_bayar": _l("Konfirmasi dan Terbitkan Kode Bayar"),
    "kembalikan": _l("Kembalikan ke PPK"),
    "lunas": _l("Pembayaran Diterima"),
    "kode_kedaluwarsa": _l("Kode Bayar Kedaluwarsa"),
    "terbitkan_ulang": _l("Terbitkan Kode Bayar Baru"),
    "bayar_kkp": _l("Bayar dengan KKP"),
    "kirim_ulang_tautan": _l("Kirim Ulang Tautan KKP"),
    "ganti_metode": _l("Ganti Metode Pembayaran"),
}
STYLES = {"kembalikan": "danger", "kode_kedaluwarsa": "danger", "ganti_metode": "default"}
KKP_PEMEGANG = ("pemegang", "nama_pemegang", "email_pemegang")
FAKTUR = ("berkas", "nama_berkas", "jenis_tagihan", "nomor_tagihan")
BUKTI = ("berkas", "nama_berkas", "jenis_pph", "jumlah_pph", "tanpa_bukti_potong")
LUNAS_KODE = ("kode", "jumlah", "referensi", "oleh")  # the bank's verified callback
LUNAS_TAUTAN = ("token", "setuju")  # the other KKP holder's single-use link
_t = bersama.baris(LABELS, STYLES)
# Panels: "metode" the PPK's method choice, "pembayaran" the order page's payment panel, "bendahara" the
# Bendahara's order page; None: the portal's own steps (bank callback, expiry).
# fmt: off
ROWS = (
    _t("pesanan_tiba",       "pilih_ls",            "ls_dokumen",         PPK,       _pilih_ls,            _simpan_metode,       (),                 "metode", _siap),
    _t("pesanan_tiba",       "pilih_up",            "pilih_bendahara",    PPK,       _pilih_up,            _simpan_metode,       (),                 "metode", _siap),
    _t("pesanan_tiba",       "pilih_kkp",           "kkp_menunggu",       PPK,       _pilih_kkp,           _simpan_metode,       KKP_PEMEGANG,       "metode", _siap),
    _t("ls_dokumen",         "unggah_faktur",       "ls_dokumen",         PENYEDIA,  _unggah_faktur,       _simpan_faktur,       FAKTUR,             "pembayaran"),
    _t("dikembalikan",       "unggah_faktur",       "dikembalikan",       PENYEDIA,  _unggah_faktur,       _simpan_faktur,       FAKTUR,             "pembayaran"),
    _t("ls_dokumen",         "unggah_bukti_potong", "ls_dokumen",         PPK,       _unggah_bukti_potong, _simpan_bukti_potong, BUKTI,              "pembayaran"),
    _t("dikembalikan",       "unggah_bukti_potong", "dikembalikan",       PPK,       _unggah_bukti_potong, _simpan_bukti_potong, BUKTI,              "pembayaran"),
    _t("ls_dokumen",         "lanjutkan_bayar",     "pilih_bendahara",    PPK,       _lanjutkan_bayar,     None,                 (),                 "pembayaran"),
    _t("pilih_bendahara",    "ajukan_bendahara",    "menunggu_bendahara", PPK,       _ajukan_bendahara,    _simpan_bendahara,    ("bendahara_id",),  "pembayaran"),
    _t("dikembalikan",       "ajukan_bendahara",    "menunggu_bendahara", PPK,       _ajukan_bendahara,    _simpan_bendahara,    ("bendahara_id",),  "pembayaran"),
    _t("menunggu_bendahara", "konfirmasi_bayar",    "kode_bayar_terbit",  BENDAHARA, _konfirmasi_bayar,    _simpan_kode,         ("dokumen_diperiksa",), "bendahara"),
    _t("menunggu_bendahara", "kembalikan",          "dikembalikan",       BENDAHARA, _kembalikan,          None,                 ("alasan",),        "bendahara"),
    _t("kode_bayar_terbit",  "lunas",               "selesai",            SISTEM,    _lunas,               _simpan_lunas,        LUNAS_KODE,         None),
    _t("kode_bayar_terbit",  "kode_kedaluwarsa",    "kode_kedaluwarsa",   SISTEM,    _kode_kedaluwarsa,    _simpan_kedaluwarsa,  (),                 None,
       effect_many=_simpan_kedaluwarsa_many),
    _t("kode_kedaluwarsa",   "terbitkan_ulang",     "kode_bayar_terbit",  BENDAHARA, _terbitkan_ulang,     _simpan_kode,         (),                 "bendahara"),
    _t("kkp_menunggu",       "bayar_kkp",           "selesai",            PPK,       _bayar_kkp,           _simpan_lunas,        ("setuju",),        "pembayaran"),
    _t("kkp_menunggu",       "lunas",               "selesai",            SISTEM,    _lunas,               _simpan_lunas,        LUNAS_TAUTAN,       None),
    _t("kkp_menunggu",       "kirim_ulang_tautan",  "kkp_menunggu",       PPK,       _kirim_ulang_tautan,  _simpan_tautan_baru,  (),                 "pembayaran"),
) + tuple(
    _t(state,                "ganti_metode",        "pesanan_tiba",       PPK,       _ganti_metode,        _simpan_ganti_metode, (),                 "pembayaran")
    for state in ("ls_dokumen", "pilih_bendahara", "dikembalikan", "kkp_menunggu")
)
# fmt: on
# The method each "metode" row picks (the page draws one choice per method, with its figures).
AKSI_METODE = {LS: "pilih_ls", UP: "pilih_up", KKP: "pilih_kkp"}
assert set(AKSI_METODE.values()) == {t.action for t in ROWS if t.panel == "metode"}
# The payment steps a person takes from a page (the route /pembayaran/katalog/<pk>/<action> accepts these).
AKSI = frozenset(t.action for t in ROWS if t.panel)


def pengingat_kode(row):
    """The reminder before a kode bayar expires, to the Bendahara who issued it."""
    p = db.session.get(PesananKatalog, row.entity_id)
    pay = pembayaran_of(p)
    if pay is None or pay.bendahara is None:
        return []
    with force_locale("id"):
        subject = gettext("Pengingat: kode bayar pesanan %(nomor)s segera kedaluwarsa", nomor=p.nomor)
        body = gettext(
            "Kode bayar %(kode)s pesanan %(nomor)s kedaluwarsa pada %(batas)s WIB bila belum dibayar.",
            kode=row.note or "-",
            nomor=p.nomor,
            batas=clock.to_local(row.due_at).strftime("%d-%m-%Y %H:%M"),
        )
    return [(pay.bendahara.email, subject, body)]
