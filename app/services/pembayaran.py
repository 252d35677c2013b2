"""Pembayaran (SPEC §6 step 9): after the BAST the PPK pays the Penyedia by LS, UP kode bayar or UP KKP.

The steps are rows of the Katalog transition table (app/services/purchasing.py, TRANSITIONS, "Pembayaran"),
so every one of them goes through workflow.apply: role, party, guard, compare-and-set on the order's status,
audit row and outbox email in one commit. This module holds their guards and effects, the Bendahara rule,
the signed bank callback, the KKP payment link and the pages' queries.

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
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AksesPengguna, AuditLog, CallbackPembayaran, KodeBayar, Pembayaran, PesananKatalog, PortalUser
from app.models.payments import JENIS_PPH, JENIS_TAGIHAN, METODE_BAYAR_LABEL
from app.security import ROLE_ADMIN, ROLE_AUDITOR, ROLE_BENDAHARA, ROLE_SISTEM

from . import clock, deadlines, documents, gateway, money, notify, scoping
from .errors import Conflict, DomainError, Forbidden, NotFound
from .workflow import SYSTEM, apply, audit

ENTITY = "pesanan_katalog"
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


def pembayaran_of(p):
    return db.session.execute(select(Pembayaran).where(Pembayaran.pesanan_id == p.id)).scalar_one_or_none()


def bendahara_id(p):
    """The Bendahara the PPK sent the order to (the party of the Bendahara's steps), or None."""
    return db.session.execute(select(Pembayaran.bendahara_id).where(Pembayaran.pesanan_id == p.id)).scalar()


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


def belum_siap(p):
    """Why payment may not start yet (a translated message), or None when it may."""
    from .adendum import pending

    if p.status != "pesanan_tiba":
        return _l("Pembayaran dimulai dari status Pesanan Tiba.")
    if not (p.bast_ttd_ppk_at and p.bast_ttd_penyedia_at):
        return _l("Pembayaran dapat dimulai setelah BAST ditandatangani PPK dan Penyedia.")
    if pending(p) is not None:
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
    from .pembayaran_pdf import invoice_pdf

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
        "satker": {"nama": p.satker.nama, "alamat": p.satker.alamat or "-"},
        "ppk": {"nama": f"{p.ppk.first_name} {p.ppk.last_name}".strip()},
        "penyedia": {"nama": p.penyedia.nama, "npwp": p.penyedia.npwp or "-", "alamat": p.penyedia.alamat or "-"},
        "lines": [
            {"nama": i.nama, "qty": i.qty, "satuan": i.satuan, "harga_satuan": i.harga, "subtotal": i.subtotal,
             "ppn": i.ppn, "ppnbm": i.ppnbm}
            for i in p.items
        ],
        "layanan": [{"nama": x.nama, "harga": x.harga} for x in p.layanan],
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
            from .akun import EMAIL_RE

            nama = (ctx.data.get("nama_pemegang") or "").strip()
            email = (ctx.data.get("email_pemegang") or "").strip().lower()
            if not nama or not EMAIL_RE.match(email) or len(email) > 120:
                raise DomainError(_l("Isi nama dan alamat email pemegang KKP yang valid."))
            ctx.data["_pemegang"] = (nama[:120], email)
    return {"alasan": None, "batas_waktu": None}


def pilih_ls(ctx):
    return _pilih(ctx, LS)


def pilih_up(ctx):
    return _pilih(ctx, UP)


def pilih_kkp(ctx):
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


def simpan_metode(ctx):
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
            row.kkp_nama = f"{actor.first_name} {actor.last_name}".strip()
            row.kkp_email = actor.email
    db.session.flush()


def unggah_faktur(ctx):
    _row(ctx, LS)
    data, kind, name = _berkas(ctx)
    jenis = ctx.data.get("jenis_tagihan") or "faktur_pajak"
    if jenis not in JENIS_TAGIHAN:
        raise DomainError(_l("Pilih jenis dokumen tagihan."))
    ctx.data["_berkas"] = (data, kind, name or f"{jenis}.pdf", jenis)
    return {}


def simpan_faktur(ctx):
    row = pembayaran_of(ctx.obj)
    data, kind, name, jenis = ctx.data["_berkas"]
    doc = documents.simpan(data, "tagihan", name, ctx.actor, kind)
    row.tagihan_dokumen_id, row.tagihan_jenis = doc.id, jenis
    row.tagihan_nomor = (ctx.data.get("nomor_tagihan") or "").strip()[:60] or None
    row.updated_at = clock.now()


def _yes(value):
    return value is True or str(value or "").lower() in ("1", "y", "ya", "on", "true")


def unggah_bukti_potong(ctx):
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


def simpan_bukti_potong(ctx):
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


def lanjutkan_bayar(ctx):
    """The document completeness check of LS: faktur (Penyedia) and bukti potong or its waiver (PPK)."""
    _cek_lengkap(_row(ctx, LS))
    return {}


def ajukan_bendahara(ctx):
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
                    user=f"{user.first_name} {user.last_name}".strip(),
                    satker=p.satker.nama,
                )
            )
        raise DomainError(
            _l(
                "%(user)s bukan BUD satuan kerja %(satker)s. Pilih BUD satker Anda, ganti metode pembayaran, atau "
                "undang BUD satker Anda untuk mendaftar dan mengajukan Verifikasi Akses.",
                user=f"{user.first_name} {user.last_name}".strip(),
                satker=p.satker.nama,
            )
        )
    if akses not in jenis_bendahara(user, p.satker_id):
        raise DomainError(
            _l(
                "%(user)s tidak memiliki akses %(nama)s yang aktif; metode ini memerlukan %(nama)s.",
                user=f"{user.first_name} {user.last_name}".strip(),
                nama=nama,
            )
        )
    ctx.data["_bendahara"] = user
    return {"alasan": None}


def simpan_bendahara(ctx):
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


def konfirmasi_bayar(ctx):
    """The Bendahara confirms after checking the documents; the bank issues the kode bayar."""
    row = pembayaran_of(ctx.obj)
    if not _yes(ctx.data.get("dokumen_diperiksa")):
        raise DomainError(_l("Centang bahwa dokumen pesanan sudah Anda periksa sebelum mengonfirmasi."))
    if row.metode == LS:
        _cek_lengkap(row)
    return _kode_baru(ctx)


def terbitkan_ulang(ctx):
    if kode_aktif(ctx.obj) is not None:
        raise Conflict(_l("Masih ada kode bayar yang aktif."))
    return _kode_baru(ctx)


def simpan_kode(ctx):
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


def kembalikan(ctx):
    alasan = (ctx.data.get("alasan") or "").strip()
    if not alasan:
        raise DomainError(_l("Alasan pengembalian wajib diisi."))
    return {"alasan": alasan[:2000]}


def kode_kedaluwarsa(ctx):
    return {"batas_waktu": None}


def simpan_kedaluwarsa(ctx):
    db.session.execute(
        update(KodeBayar)
        .where(KodeBayar.pesanan_id == ctx.obj.id, KodeBayar.status == "aktif")
        .values(status="kedaluwarsa")
        .execution_options(synchronize_session=False)
    )


def _tagih_kkp(ctx, row, nama, email):
    ref = gateway.gateway().tagih_kkp(
        ctx.obj.nomor, row.total, (nama, email), kunci=f"kkp:{ctx.obj.id}:{row.id}:{row.updated_at.isoformat()}"
    )
    ctx.data["_lunas"] = {"referensi": ref, "oleh": f"{nama} <{email}>", "kode": None}


def bayar_kkp(ctx):
    """The PPK pays as the card holder."""
    row = _row(ctx, KKP)
    if not row.kkp_oleh_ppk:
        raise Forbidden(_l("KKP pesanan ini dibayar oleh pemegang kartu lain melalui tautan yang dikirim ke emailnya."))
    if not _yes(ctx.data.get("setuju")):
        raise DomainError(_l("Centang persetujuan pembayaran dengan KKP."))
    _tagih_kkp(ctx, row, row.kkp_nama, row.kkp_email)
    return {"batas_waktu": None}


def lunas(ctx):
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


def simpan_lunas(ctx):
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


def kirim_ulang_tautan(ctx):
    row = _row(ctx, KKP)
    if row.kkp_oleh_ppk:
        raise Conflict(_l("KKP pesanan ini dibayar oleh PPK sendiri; tidak ada tautan."))
    return {}


def simpan_tautan_baru(ctx):
    p = ctx.obj
    row = pembayaran_of(p)
    row.updated_at = clock.now()
    _email_tautan(p, row, _token_baru(row))


def ganti_metode(ctx):
    _row(ctx)
    return {"alasan": None, "batas_waktu": None}


def simpan_ganti_metode(ctx):
    row = pembayaran_of(ctx.obj)
    row.bendahara_id = None
    row.kkp_token_hash = row.kkp_token_expires_at = None  # an emailed KKP link dies with the method
    row.updated_at = clock.now()


def pihak_berikut(p, status):
    """Who acts next in a payment status (emails and reminders); None: the default recipients."""
    row = pembayaran_of(p)
    bendahara = [row.bendahara.email] if row is not None and row.bendahara is not None else []
    penyedia = notify.penyedia_emails(p.penyedia_id)
    return {
        "ls_dokumen": [p.ppk.email] + penyedia,
        "pilih_bendahara": [p.ppk.email],
        "menunggu_bendahara": bendahara,
        "dikembalikan": [p.ppk.email],
        "kode_bayar_terbit": [p.ppk.email],
        "kode_kedaluwarsa": bendahara + [p.ppk.email],
        "kkp_menunggu": [p.ppk.email],
        "selesai": [p.pp.email, p.ppk.email] + penyedia + bendahara,
    }.get(status)


# --- entry points for views, the callback and jobs ---------------------------------------------------


def jalankan(pesanan_id, action, actor, expected_version=None, note=None, **data):
    """One payment step by a user (FIELDS of purchasing filter what the form may pass)."""
    from . import purchasing

    data = {k: data[k] for k in purchasing.FIELDS.get(action, ()) if k in data}
    return apply(purchasing.KATALOG, pesanan_id, action, actor, expected_version=expected_version, note=note, **data)


def terima_callback(body, headers):
    """A bank/gateway "paid" notification: verified (HMAC, age), processed once per event id.

    Returns {"hasil": "lunas" | "duplikat", ...}; raises CallbackDitolak (401) for a forged or stale one,
    NotFound for an unknown code, Conflict for a code already paid or expired (nothing changes then)."""
    from . import purchasing

    data = gateway.gateway().verifikasi_callback(body, headers)
    seen = db.session.execute(
        select(CallbackPembayaran.id).where(CallbackPembayaran.event_id == data["event_id"])
    ).first()
    if seen:
        return {"hasil": "duplikat", "event_id": data["event_id"]}
    kode = db.session.execute(select(KodeBayar).where(KodeBayar.kode == data["referensi"])).scalar_one_or_none()
    if kode is None:
        _catat_ditolak(data, 0, _l("Kode bayar tidak dikenal."))
        raise NotFound(_l("Kode bayar tidak dikenal."))
    pesanan_id, nomor = kode.pesanan_id, kode.pesanan.nomor
    db.session.add(
        CallbackPembayaran(
            event_id=data["event_id"],
            referensi=data["referensi"],
            jumlah=data["jumlah"],
            diterima_at=clock.now(),
            body=body.decode("utf-8", "replace")[:4000],
        )  # fmt: skip
    )
    try:
        apply(
            purchasing.KATALOG,
            pesanan_id,
            "lunas",
            SYSTEM,
            note=f"kode bayar {data['referensi']}, referensi bank {data['referensi_bank']}",
            kode=data["referensi"],
            jumlah=data["jumlah"],
            referensi=data["referensi_bank"],
            oleh="Bank",
        )
    except IntegrityError:  # the same event processed at this very moment by another worker
        db.session.rollback()
        return {"hasil": "duplikat", "event_id": data["event_id"]}
    except DomainError as e:  # a code paid or expired meanwhile: the money moved at the bank all the same
        db.session.rollback()
        _catat_ditolak(data, pesanan_id, e)
        raise
    return {"hasil": "lunas", "pesanan": nomor, "event_id": data["event_id"]}


def _catat_ditolak(data, pesanan_id, reason):
    """A verified bank callback the portal refused is kept in the audit log in a commit of its own, so a
    payment the bank did take (e.g. on an expired code) can be reconciled and refunded, not lost."""
    note = f"event {data['event_id']}, kode {data['referensi']}, jumlah {data['jumlah']}, "
    note += f"referensi bank {data.get('referensi_bank')}: {reason}"
    audit("pesanan_katalog", pesanan_id, "callback_ditolak", SYSTEM, note=note[:2000], role=ROLE_SISTEM)
    db.session.commit()


def simulasikan_lunas(kode_id, actor):
    """The "Bayar (Simulasi Bank)" button: the simulator builds the bank's signed callback, which then goes
    through terima_callback like any other. Only the order's Bendahara, only while simulation is on."""
    kode = db.session.get(KodeBayar, int(kode_id)) if str(kode_id).isdigit() else None
    if kode is None:
        raise NotFound()
    p = scoping.get_scoped(PesananKatalog, kode.pesanan_id, actor)
    if bendahara_id(p) != actor.id:
        raise Forbidden(_l("Hanya Bendahara pesanan ini yang membayar kode bayarnya."))
    gw = gateway.gateway()
    if not getattr(gw, "simulasi", False):
        raise Forbidden(_l("Simulasi pembayaran tidak aktif."))
    body, headers = gw.simulasikan_lunas(kode.kode, kode.jumlah)
    return terima_callback(body, headers)


def cek_tautan(token):
    """(payment row, order) of a KKP link, or a DomainError saying why it cannot be used."""
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    row = db.session.execute(select(Pembayaran).where(Pembayaran.kkp_token_hash == digest)).scalar_one_or_none()
    if row is None:
        raise NotFound(_l("Tautan pembayaran tidak dikenal."))
    p = db.session.get(PesananKatalog, row.pesanan_id)
    if row.kkp_token_used_at is not None or p.status != "kkp_menunggu":
        raise Conflict(_l("Tautan pembayaran ini sudah dipakai."))
    if row.kkp_token_expires_at <= clock.now():
        raise Conflict(_l("Tautan pembayaran ini sudah kedaluwarsa. Minta PPK mengirim ulang tautan."))
    return row, p


def bayar_dengan_tautan(token, setuju):
    """The other KKP holder pays through the emailed single-use link (no login: the link is the credential)."""
    from . import purchasing

    row, p = cek_tautan(token)
    return apply(
        purchasing.KATALOG,
        p.id,
        "lunas",
        SYSTEM,
        note=f"KKP oleh {row.kkp_nama} <{row.kkp_email}> melalui tautan",
        token=token,
        setuju=setuju,
    )


# --- pages ------------------------------------------------------------------------------------------


def boleh_lihat(p, actor):
    roles = scoping.roles_of(actor)
    if roles & {ROLE_ADMIN, ROLE_AUDITOR}:
        return True
    if actor.id in (p.pp_id, p.ppk_id) or (actor.penyedia_id and actor.penyedia_id == p.penyedia_id):
        return True
    return ROLE_BENDAHARA in roles and bendahara_id(p) == actor.id


def dokumen(pesanan_id, jenis, actor):
    """(Dokumen, filename) of one document of the order's payment file, for its parties; every read audited."""
    from app.models import Dokumen

    p = scoping.get_scoped(PesananKatalog, pesanan_id, actor)
    if jenis not in JENIS_DOKUMEN or not boleh_lihat(p, actor):
        raise Forbidden(_l("Anda bukan pihak yang berwenang atas dokumen ini."))
    row = pembayaran_of(p)
    doc_id = {
        "sp": p.sp_dokumen_id,
        "bast": p.bast_dokumen_id,
        "tagihan": row.tagihan_dokumen_id if row else None,
        "bukti_potong": row.bukti_potong_dokumen_id if row else None,
        "invoice": row.invoice_dokumen_id if row else None,
    }[jenis]
    doc = db.session.get(Dokumen, doc_id) if doc_id else None
    if doc is None:
        raise NotFound()
    audit("dokumen", doc.id, f"unduh_{jenis}", actor, note=p.nomor)
    db.session.commit()
    return doc


def antrean(actor, status=None):
    """A Bendahara's queue: their orders waiting for them, oldest first ([(order, payment, code)])."""
    states = (status,) if status in STATUS_ANTREAN else STATUS_ANTREAN
    stmt = (
        select(PesananKatalog, Pembayaran)
        .join(Pembayaran, Pembayaran.pesanan_id == PesananKatalog.id)
        .where(PesananKatalog.status.in_(states), scoping.visible_clause(PesananKatalog, actor))
        .order_by(PesananKatalog.updated_at, PesananKatalog.id)
    )
    if ROLE_ADMIN not in scoping.roles_of(actor):
        stmt = stmt.where(Pembayaran.bendahara_id == actor.id)
    return [(p, row, kode_aktif(p)) for p, row in db.session.execute(stmt).all()]


def jumlah_antrean(actor):
    counts = {s: 0 for s in STATUS_ANTREAN}
    for p, _, _ in antrean(actor):
        counts[p.status] += 1
    return counts


def riwayat(actor, limit=200):
    """Every kode bayar of the Bendahara's orders, newest first, with the order's payment row."""
    stmt = (
        select(KodeBayar, PesananKatalog, Pembayaran)
        .join(PesananKatalog, PesananKatalog.id == KodeBayar.pesanan_id)
        .join(Pembayaran, Pembayaran.pesanan_id == PesananKatalog.id)
        .where(scoping.visible_clause(PesananKatalog, actor))
        .order_by(KodeBayar.created_at.desc(), KodeBayar.id.desc())
        .limit(limit)
    )
    if ROLE_ADMIN not in scoping.roles_of(actor):
        stmt = stmt.where(Pembayaran.bendahara_id == actor.id)
    return db.session.execute(stmt).all()


def riwayat_pesanan(p, hanya_pembayaran=False):
    """The order's history (audit rows), oldest first; optionally the payment steps only."""
    from . import purchasing

    stmt = select(AuditLog).where(AuditLog.entity == ENTITY, AuditLog.entity_id == p.id).order_by(AuditLog.id)
    rows = db.session.execute(stmt).scalars().all()
    if hanya_pembayaran:
        names = {t.action for t in purchasing.TRANSITIONS if t.source in STATUS_BAYAR or t.target in STATUS_BAYAR}
        rows = [r for r in rows if r.action in names]
    return rows


def pesanan_ppk(actor):
    """The PPK's orders ready for, or in, payment (the method choice list), oldest first."""
    stmt = (
        scoping.scoped_select(PesananKatalog, actor)
        .where(PesananKatalog.ppk_id == actor.id, PesananKatalog.status.in_(("pesanan_tiba",) + STATUS_BAYAR))
        .order_by(PesananKatalog.updated_at, PesananKatalog.id)
    )
    return db.session.execute(stmt).scalars().all()


# --- the kode bayar deadline ------------------------------------------------------------------------


def _deadline_kinds():
    from . import purchasing

    def expire(row):
        apply(purchasing.KATALOG, row.entity_id, "kode_kedaluwarsa", SYSTEM)

    def remind(row):
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

    deadlines.register("kode_bayar", expire, remind, current_app.config.get("DEADLINE_REMINDER_HOURS", (24, 3)))


def init_app(app):
    with app.app_context():
        _deadline_kinds()
