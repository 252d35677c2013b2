"""Aktivasi TTE (LKPP guide): a PA/KPA/PPK or a Penyedia's signer asks with their verified NIK; a TTE verifier
of their instansi (ROLE_VERIFIKATOR_TTE; a Penyedia's signer: of PENYEDIA_INSTANSI_KODE) approves or
rejects with a reason, within the verification SLA (VERIFIKASI_SLA_HOURS, reminders, escalation to Admin,
like the account verification queues). Only after Disetujui may tte.aktifkan() issue the certificate.

The decision is a transition table on the shared engine: role-, party- and state-checked, compare-and-set,
audited and emailed in one commit.
"""

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import PermohonanTte, Satker
from app.models.tte import STATUS_PERMOHONAN_TTE
from app.roles import ROLE_ADMIN, ROLE_PENYEDIA, ROLE_PPK, ROLE_VERIFIKATOR_TTE

from . import audit, clock, deadlines, notify, scoping, tte, verifikasi
from .errors import Conflict, DomainError
from .workflow import SYSTEM, T, Workflow, apply

KIND = "verifikasi_tte"
ENTITY = "permohonan_tte"
VERIFIERS = {ROLE_VERIFIKATOR_TTE, ROLE_ADMIN}
PENANDATANGAN = {ROLE_PPK, ROLE_PENYEDIA}


def instansi_tujuan(user):
    """Whose TTE verifier decides: the instansi of the official's satker; for a Penyedia's signer, the
    platform operator's (PENYEDIA_INSTANSI_KODE), like their profile verification."""
    if user.penyedia_id:
        return verifikasi.penyedia_instansi()
    if user.satker_id:
        return db.session.get(Satker, user.satker_id).instansi
    raise DomainError(_l("Akun Anda belum terhubung ke satuan kerja atau perusahaan Penyedia."))


def ajukan(user, nik):
    """Request TTE activation with the NIK of the user's verified profile."""
    try:
        if not scoping.roles_of(user) & PENANDATANGAN:
            raise DomainError(_l("Aktivasi TTE hanya untuk PA/KPA/PPK dan penandatangan Penyedia."))
        profil = verifikasi.profil_terakhir(user)
        if profil is None or profil.status != "terverifikasi":
            raise DomainError(_l("Profil Anda (NIK) harus terverifikasi sebelum mengajukan aktivasi TTE."))
        nik = "".join(ch for ch in str(nik or "") if not ch.isspace())
        if len(nik) != 16 or not nik.isascii() or not nik.isdigit():
            raise DomainError(_l("NIK harus 16 angka."))
        if nik != profil.nik:
            raise DomainError(_l("NIK tidak sama dengan NIK pada profil Anda yang terverifikasi."))
        last = tte.permohonan_terakhir(user)
        if last is not None and last.status == "menunggu":
            raise Conflict(_l("Permohonan aktivasi TTE Anda sedang menunggu verifikasi."))
        if tte.boleh_aktifkan(user):
            raise Conflict(_l("Aktivasi TTE Anda sudah disetujui; buat passphrase untuk menerbitkan sertifikat."))
        instansi = instansi_tujuan(user)
        now = clock.now()
        row = PermohonanTte(
            user_id=user.id,
            instansi_id=instansi.id,
            nik=nik,
            status="menunggu",
            version=1,
            submitted_at=now,
            batas_waktu=verifikasi._deadline(now),
            updated_at=now,
        )
        db.session.add(row)
        db.session.flush()
        deadlines.mulai(KIND, ENTITY, row.id, row.batas_waktu)
        audit.catat(ENTITY, row.id, "ajukan", user, None, "menunggu")
        db.session.commit()
        return row
    except Exception:
        db.session.rollback()
        raise


def _is_verifier_party(obj, actor, transition):
    if obj.user_id == actor.id:
        return False  # nobody verifies themselves
    roles = scoping.roles_of(actor)
    if ROLE_ADMIN in roles:
        return True
    # the request is visible to this verifier (scoping: the instansi of their satker)
    stmt = scoping.scoped_select(PermohonanTte, actor).where(PermohonanTte.id == obj.id)
    return ROLE_VERIFIKATOR_TTE in roles and db.session.execute(stmt).first() is not None


def _nik_masih_sama(ctx):
    """Approve only the NIK the verified profile still carries."""
    profil = verifikasi.profil_terakhir(ctx.obj.user)
    if profil is None or profil.status != "terverifikasi" or profil.nik != ctx.obj.nik:
        raise Conflict(_l("NIK pada permohonan tidak lagi sama dengan profil terverifikasi pemohon."))
    return {"alasan": None, "batas_waktu": None}


def _alasan(ctx):
    alasan = (ctx.data.get("alasan") or "").strip()
    if not alasan:
        raise DomainError(_l("Alasan penolakan wajib diisi."))
    return {"alasan": alasan[:2000], "batas_waktu": None}


def _email(ctx):
    p = ctx.obj
    deadlines.tutup(KIND, ENTITY, p.id)
    with force_locale("id"):
        if p.status == "disetujui":
            subject = gettext("Aktivasi TTE Anda disetujui")
            body = gettext(
                "Permohonan aktivasi TTE Anda telah disetujui verifikator TTE instansi. Buat passphrase di menu "
                "Akun › Tanda Tangan Elektronik untuk menerbitkan sertifikat elektronik Anda."
            )
        else:
            subject = gettext("Aktivasi TTE Anda ditolak")
            body = gettext("Permohonan aktivasi TTE Anda ditolak dengan alasan: %(alasan)s", alasan=p.alasan)
    notify.queue_email(p.user.email, subject, body, key=f"tte:{p.id}:{p.status}")


PERMOHONAN = Workflow(
    entity=ENTITY,
    model=PermohonanTte,
    transitions=(
        T("menunggu", "setujui", "disetujui", VERIFIERS, _nik_masih_sama, None, _l("Setujui")),
        T("menunggu", "tolak", "ditolak", VERIFIERS, _alasan, None, _l("Tolak"), "danger",
          fields=("alasan",), panel="alasan"),
    ),
    labels=STATUS_PERMOHONAN_TTE,
    party=_is_verifier_party,
    noun=_l("Permohonan TTE"),
    on_applied=_email,
)  # fmt: skip


def putuskan(permohonan_id, action, actor, expected_version=None, **data):
    return apply(
        PERMOHONAN, permohonan_id, action, actor, expected_version=expected_version, **PERMOHONAN.input(action, data)
    )


def antrean(actor, status="menunggu", overdue_only=False):
    """A TTE verifier's queue: own instansi only (Admin: all), oldest first."""
    stmt = scoping.scoped_select(PermohonanTte, actor).where(PermohonanTte.user_id != actor.id)
    if status:
        stmt = stmt.where(PermohonanTte.status == status)
    if overdue_only:
        stmt = stmt.where(PermohonanTte.batas_waktu <= clock.now())
    return db.session.execute(stmt.order_by(PermohonanTte.submitted_at, PermohonanTte.id)).scalars().all()


def tercatat_disetujui(user, nik, actor=SYSTEM, note=None):
    """An approved request recorded without the queue (demo seed, test factories): what a TTE verifier's
    Setujui leaves behind."""
    now = clock.now()
    row = PermohonanTte(user_id=user.id, instansi_id=instansi_tujuan(user).id, nik=nik, status="disetujui",
                        version=1, submitted_at=now, updated_at=now)  # fmt: skip
    db.session.add(row)
    db.session.flush()
    audit.catat(ENTITY, row.id, "setujui", actor, "menunggu", "disetujui", note=note)
    db.session.commit()
    return row


# --- SLA: reminders to the instansi's TTE verifiers, escalation to Admin ------------------------------


def _pengingat(row):
    req = db.session.get(PermohonanTte, row.entity_id)
    jam = max(0, int(deadlines.sisa(row).total_seconds() // 3600))
    with force_locale("id"):
        subject = gettext("Pengingat: aktivasi TTE menunggu verifikasi (batas %(jam)s jam)", jam=jam)
        body = gettext(
            "Permohonan aktivasi TTE dari %(user)s menunggu keputusan Anda di Antrean Verifikasi TTE.",
            user=req.user.username,
        )
    return [(email, subject, body) for _, email, _ in notify.penerima_peran(ROLE_VERIFIKATOR_TTE, [req.instansi_id])]


def _eskalasi(row):
    req = db.session.get(PermohonanTte, row.entity_id)
    if req.status != "menunggu":
        raise DomainError(gettext("Permintaan sudah diputuskan."))
    with force_locale("id"):
        subject = gettext("Eskalasi: aktivasi TTE melewati batas waktu verifikasi")
        body = gettext(
            "Permohonan aktivasi TTE dari %(user)s (%(instansi)s) belum diputuskan dalam batas waktu. "
            "Mohon tindak lanjuti di Antrean Verifikasi TTE.",
            user=req.user.username,
            instansi=req.instansi.nama,
        )
    for admin_id, email, _ in notify.penerima_peran(ROLE_ADMIN):
        notify.queue_email(email, subject, body, key=f"eskalasi-tte:{row.id}:{admin_id}")
    audit.catat(ENTITY, req.id, "eskalasi", SYSTEM, note=gettext("Melewati batas waktu verifikasi"))


def init_app(app):
    with app.app_context():
        deadlines.register(KIND, _eskalasi, _pengingat, current_app.config.get("DEADLINE_REMINDER_HOURS", (24, 3)))
