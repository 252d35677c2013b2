"""Verifikasi Profil and Verifikasi Akses (SPEC §2 stages 2 and 3), decided by a Verifikator.

Both are small transition tables on the shared engine, so a decision is role-, party- and
state-checked, compare-and-set, audited and emailed in one commit like every other change.
Only an Aktif access grants the FAB role and the organisation link; revoking removes them.
"""

import re
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import AksesPengguna, Instansi, Penyedia, ProfilPengguna, Satker, Wilayah
from app.models.accounts import JENIS_AKSES, STATUS_AKSES, STATUS_VERIFIKASI
from app.roles import ROLE_ADMIN, ROLE_BENDAHARA, ROLE_PENYEDIA, ROLE_PP, ROLE_PPK, ROLE_VERIFIKATOR

from . import audit, clock, deadlines, documents, notify, scoping, tte
from .errors import Conflict, DomainError
from .workflow import T, Workflow, apply

AKSES_ROLE = {
    "pp": ROLE_PP,
    "ppk": ROLE_PPK,
    "bendahara_pengeluaran": ROLE_BENDAHARA,
    "bud": ROLE_BENDAHARA,
    "admin_utama": ROLE_PENYEDIA,
    "anggota_perusahaan": ROLE_PENYEDIA,
}
AKSES_SATKER = {"pp", "ppk", "bendahara_pengeluaran", "bud"}
AKSES_PENYEDIA = {"admin_utama", "anggota_perusahaan"}
VERIFIERS = {ROLE_VERIFIKATOR, ROLE_ADMIN}


# --- identity numbers -------------------------------------------------------------------------


def normalise_nrp(raw):
    """NRP (TNI/POLRI): letters dropped, left-padded with 0 to 18 (`24565` -> `000000000000024565`)."""
    digits = re.sub(r"\D", "", raw or "")
    if not digits or len(digits) > 18:
        raise DomainError(_l("NRP tidak valid."))
    return digits.zfill(18)


def _date_or_none(y, m, d):
    try:
        return date(y, m, d)
    except ValueError:
        return None


def validate_nip(nip, tanggal_lahir):
    """NIP ASN: 18 digits = birth date (yyyymmdd) + appointment (yyyymm) + sex (1/2) + sequence."""
    nip = (nip or "").strip()
    if not re.fullmatch(r"\d{18}", nip):
        raise DomainError(_l("NIP harus 18 angka."))
    born = _date_or_none(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    if born is None or not 1 <= int(nip[12:14]) <= 12 or nip[14] not in "12":
        raise DomainError(_l("NIP tidak valid."))
    if tanggal_lahir and born != tanggal_lahir:
        raise DomainError(_l("Tanggal lahir pada NIP tidak sama dengan tanggal lahir yang diisi."))
    return nip


def validate_nik(nik, tanggal_lahir):
    """NIK: 16 digits = province/kabupaten/kecamatan + birth date (day + 40 for women) + sequence."""
    nik = (nik or "").strip()
    if not re.fullmatch(r"\d{16}", nik):
        raise DomainError(_l("NIK harus 16 angka."))
    provinsi = db.session.execute(
        select(Wilayah.code).where(Wilayah.level == "provinsi", Wilayah.code == nik[:2])
    ).scalar_one_or_none()
    if provinsi is None or nik[2:4] == "00" or nik[4:6] == "00":
        raise DomainError(_l("Kode wilayah pada NIK tidak valid."))
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    if not tanggal_lahir or (day, month, year2) != (tanggal_lahir.day, tanggal_lahir.month, tanggal_lahir.year % 100):
        raise DomainError(_l("Tanggal lahir pada NIK tidak sama dengan tanggal lahir yang diisi."))
    if nik[12:] == "0000":
        raise DomainError(_l("NIK tidak valid."))
    return nik


# --- scoping helpers --------------------------------------------------------------------------


def _verifier_instansi(actor):
    return actor.satker.instansi_id if actor.satker else None


def _is_verifier_party(obj, actor, transition):
    roles = scoping.roles_of(actor)
    if obj.user_id == actor.id:
        return False  # nobody verifies themselves
    if ROLE_ADMIN in roles:
        return True
    return ROLE_VERIFIKATOR in roles and obj.instansi_id == _verifier_instansi(actor)


def penyedia_instansi():
    """Penyedia profiles and company access go to the verifiers of the platform operator's instansi."""
    kode = current_app.config.get("PENYEDIA_INSTANSI_KODE", "PEMPROV-DKI")
    instansi = db.session.execute(select(Instansi).where(Instansi.kode == kode)).scalar_one_or_none()
    if instansi is None:
        raise DomainError(_l("Instansi verifikator Penyedia belum dikonfigurasi. Hubungi Admin."))
    return instansi


def _deadline(start):
    return start + timedelta(hours=current_app.config.get("VERIFIKASI_SLA_HOURS", 72))


def _store(data, jenis, filename, user, allowed):
    kind = documents.check_upload(data, allowed=allowed)
    return documents.simpan(data, jenis, filename, user, kind)


def _email(user, subject, body, key):
    notify.queue_email(user.email, subject, body, key=key)


# --- Verifikasi Profil --------------------------------------------------------------------------


def profil_terakhir(user):
    return db.session.execute(
        select(ProfilPengguna).where(ProfilPengguna.user_id == user.id).order_by(ProfilPengguna.id.desc()).limit(1)
    ).scalar_one_or_none()


def ajukan_profil(user, jenis_profil, nik, nama_ktp, tanggal_lahir, selfie, ktp, status_kepegawaian=None,
                  nip=None, instansi_id=None):  # fmt: skip
    """Submit (or, after Ditolak, resubmit) the profile; selfie and KTP are (filename, bytes)."""
    try:
        if not (user.email_terverifikasi_at and user.telepon_terverifikasi_at):
            raise DomainError(_l("Selesaikan verifikasi email dan nomor handphone terlebih dahulu."))
        last = profil_terakhir(user)
        if last is not None and last.status in ("menunggu", "terverifikasi"):
            raise Conflict(_l("Profil Anda sudah berstatus %(status)s.", status=STATUS_VERIFIKASI[last.status]))
        if jenis_profil not in ("penyedia", "non_penyedia"):
            raise DomainError(_l("Pilih tipe profil: Penyedia atau Non Penyedia."))
        nama_ktp = (nama_ktp or "").strip()
        if len(nama_ktp) < 2:
            raise DomainError(_l("Nama lengkap sesuai KTP wajib diisi."))
        if not isinstance(tanggal_lahir, date) or tanggal_lahir >= clock.today_local():
            raise DomainError(_l("Tanggal lahir tidak valid."))
        nik = validate_nik(nik, tanggal_lahir)
        if jenis_profil == "non_penyedia":
            if status_kepegawaian not in ("ASN", "TNI", "POLRI"):
                raise DomainError(_l("Pilih status kepegawaian: ASN, TNI, atau POLRI."))
            nip = validate_nip(nip, tanggal_lahir) if status_kepegawaian == "ASN" else normalise_nrp(nip)
            instansi = db.session.get(Instansi, int(instansi_id)) if instansi_id else None
            if instansi is None:
                raise DomainError(_l("Pilih instansi Anda."))
        else:
            status_kepegawaian, nip = None, None
            instansi = penyedia_instansi()
        images = (documents.JPEG, documents.PNG)
        for label, (_name, blob) in ((_l("Swafoto"), selfie), (_l("Foto KTP"), ktp)):
            try:
                documents.check_upload(blob, allowed=images)
            except DomainError as e:
                raise DomainError(f"{label}: {e}", status=e.status) from None
        now = clock.now()
        profil = ProfilPengguna(
            user_id=user.id,
            instansi_id=instansi.id,
            jenis_profil=jenis_profil,
            status_kepegawaian=status_kepegawaian,
            nip=nip,
            nik=nik,
            nama_ktp=nama_ktp,
            tanggal_lahir=tanggal_lahir,
            selfie_id=_store(selfie[1], "selfie", selfie[0], user, images).id,
            ktp_id=_store(ktp[1], "ktp", ktp[0], user, images).id,
            status="menunggu",
            version=1,
            submitted_at=now,
            batas_waktu=_deadline(now),
            updated_at=now,
        )
        db.session.add(profil)
        db.session.flush()
        deadlines.mulai("verifikasi_profil", "profil_pengguna", profil.id, profil.batas_waktu)
        audit.catat("profil_pengguna", profil.id, "ajukan", user, None, "menunggu")
        db.session.commit()
        return profil
    except Exception:
        db.session.rollback()
        raise


ALASAN = ("alasan",)


def _alasan(ctx):
    alasan = (ctx.data.get("alasan") or "").strip()
    if not alasan:
        raise DomainError(_l("Alasan penolakan wajib diisi."))
    return {"alasan": alasan, "batas_waktu": None}


def _selesai(ctx):
    return {"alasan": None, "batas_waktu": None}


def _nama_resmi(ctx):
    """A verified profile gives the account its name as on the KTP (signatures and letters use it)."""
    first, _, last = ctx.obj.nama_ktp.partition(" ")
    ctx.obj.user.first_name, ctx.obj.user.last_name = first, last


def _email_profil(ctx):
    p = ctx.obj
    deadlines.tutup("verifikasi_profil", "profil_pengguna", p.id)
    with force_locale("id"):
        if p.status == "terverifikasi":
            subject = gettext("Profil Anda terverifikasi")
            body = gettext("Profil Anda telah terverifikasi. Lanjutkan ke Verifikasi Akses.")
        else:
            subject = gettext("Verifikasi profil Anda ditolak")
            body = gettext(
                "Verifikasi profil Anda ditolak dengan alasan: %(alasan)s\nPerbaiki data lalu ajukan kembali.",
                alasan=p.alasan,
            )
    _email(p.user, subject, body, key=f"profil:{p.id}:{p.status}")


PROFIL = Workflow(
    entity="profil_pengguna",
    model=ProfilPengguna,
    # fmt: off
    transitions=(
        T("menunggu", "setujui", "terverifikasi", VERIFIERS, _selesai, _nama_resmi, _l("Setujui")),
        T(
            "menunggu",
            "tolak",
            "ditolak",
            VERIFIERS,
            _alasan,
            None,
            _l("Tolak"),
            "danger",
            fields=ALASAN,
            panel="alasan",
        ),
    ),
    # fmt: on
    labels=STATUS_VERIFIKASI,
    party=_is_verifier_party,
    noun=_l("Profil"),
    on_applied=_email_profil,
)


def putuskan_profil(profil_id, action, actor, expected_version=None, **data):
    return apply(PROFIL, profil_id, action, actor, expected_version=expected_version, **PROFIL.input(action, data))


# --- Verifikasi Akses ---------------------------------------------------------------------------


def akses_aktif(user):
    return (
        db.session.execute(
            select(AksesPengguna).where(AksesPengguna.user_id == user.id, AksesPengguna.status == "aktif")
        )
        .scalars()
        .all()
    )


def _perusahaan_baru(data):
    nama = (data.get("nama") or "").strip()
    npwp = re.sub(r"\D", "", data.get("npwp") or "")
    nib = re.sub(r"\D", "", data.get("nib") or "")
    if len(nama) < 3:
        raise DomainError(_l("Nama perusahaan wajib diisi."))
    if len(npwp) not in (15, 16):
        raise DomainError(_l("NPWP harus 15 atau 16 angka."))
    if len(nib) != 13:
        raise DomainError(_l("NIB harus 13 angka."))
    dup = db.session.execute(select(Penyedia.id).where((Penyedia.npwp == npwp) | (Penyedia.nib == nib))).first()
    if dup:
        raise Conflict(_l("Perusahaan dengan NPWP atau NIB ini sudah terdaftar; ajukan akses ke perusahaan itu."))
    kelurahan = data.get("kelurahan_code")
    if kelurahan and db.session.get(Wilayah, kelurahan) is None:
        raise DomainError(_l("Kelurahan tidak dikenal."))
    penyedia = Penyedia(
        nama=nama,
        npwp=npwp,
        nib=nib,
        is_umkm=bool(data.get("is_umkm")),
        alamat=(data.get("alamat") or "").strip() or None,
        telepon=data.get("telepon") or None,
        email=data.get("email") or None,
        kelurahan_code=kelurahan or None,
    )
    db.session.add(penyedia)
    db.session.flush()
    return penyedia


def ajukan_akses(user, akses, surat_tugas, satker_id=None, penyedia_id=None, perusahaan_baru=None):
    """Request access to a satker or a Penyedia company with a Surat Tugas PDF ((filename, bytes))."""
    try:
        profil = profil_terakhir(user)
        if profil is None or profil.status != "terverifikasi":
            raise DomainError(_l("Profil Anda harus terverifikasi sebelum mengajukan akses."))
        if akses not in JENIS_AKSES:
            raise DomainError(_l("Pilih jenis akses."))
        if akses in AKSES_SATKER:
            if profil.jenis_profil != "non_penyedia":
                raise DomainError(_l("Akses instansi hanya untuk profil Non Penyedia."))
            satker = db.session.get(Satker, int(satker_id)) if satker_id else None
            if satker is None:
                raise DomainError(_l("Pilih satuan kerja."))
            org = dict(satker_id=satker.id, instansi_id=satker.instansi_id)
        else:
            if profil.jenis_profil != "penyedia":
                raise DomainError(_l("Akses perusahaan hanya untuk profil Penyedia."))
            if perusahaan_baru:
                if akses != "admin_utama":
                    raise DomainError(_l("Perusahaan baru hanya dapat didaftarkan oleh Admin Utama."))
            else:
                if not (penyedia_id and db.session.get(Penyedia, int(penyedia_id))):
                    raise DomainError(_l("Pilih perusahaan Penyedia."))
            org = dict(instansi_id=penyedia_instansi().id)
        open_or_active = db.session.execute(
            select(AksesPengguna).where(
                AksesPengguna.user_id == user.id, AksesPengguna.status.in_(("menunggu", "aktif"))
            )
        ).scalars()
        for row in open_or_active:
            same_org = (akses in AKSES_SATKER and row.satker_id == org.get("satker_id")) or (
                akses in AKSES_PENYEDIA and row.penyedia_id and str(row.penyedia_id) == str(penyedia_id)
            )
            if row.akses == akses and same_org:
                raise Conflict(_l("Akses ini sudah diajukan atau sudah aktif."))
            if not same_org:
                raise Conflict(_l("Satu akun hanya boleh terhubung ke satu organisasi."))
        try:
            documents.check_upload(surat_tugas[1], allowed=(documents.PDF,))
        except DomainError as e:
            raise DomainError(f"{_l('Surat Tugas')}: {e}", status=e.status) from None
        if akses in AKSES_PENYEDIA:
            penyedia = (
                _perusahaan_baru(perusahaan_baru) if perusahaan_baru else db.session.get(Penyedia, int(penyedia_id))
            )
            org["penyedia_id"] = penyedia.id
        now = clock.now()
        row = AksesPengguna(
            user_id=user.id,
            akses=akses,
            surat_tugas_id=_store(surat_tugas[1], "surat_tugas", surat_tugas[0], user, (documents.PDF,)).id,
            status="menunggu",
            version=1,
            submitted_at=now,
            batas_waktu=_deadline(now),
            updated_at=now,
            **org,
        )
        db.session.add(row)
        db.session.flush()
        deadlines.mulai("verifikasi_akses", "akses_pengguna", row.id, row.batas_waktu)
        audit.catat("akses_pengguna", row.id, "ajukan", user, None, "menunggu", note=str(JENIS_AKSES[akses]))
        db.session.commit()
        return row
    except Exception:
        db.session.rollback()
        raise


def _boleh_aktif(ctx):
    row = ctx.obj
    user = row.user
    other_org = (row.satker_id and user.satker_id not in (None, row.satker_id)) or (
        row.penyedia_id and user.penyedia_id not in (None, row.penyedia_id)
    )
    if other_org or (row.satker_id and user.penyedia_id) or (row.penyedia_id and user.satker_id):
        raise Conflict(_l("Pengguna sudah terhubung ke organisasi lain."))
    return {"alasan": None, "batas_waktu": None}


def _beri_peran(ctx):
    row, actor = ctx.obj, ctx.actor
    user = row.user
    sm = current_app.appbuilder.sm
    role = sm.find_role(AKSES_ROLE[row.akses])
    if role not in user.roles:
        user.roles.append(role)
    if row.satker_id:
        user.satker_id = row.satker_id
    else:
        user.penyedia_id = row.penyedia_id
    audit.catat("ab_user", user.id, "beri_peran", actor, note=f"{role.name} ({JENIS_AKSES[row.akses]})")


def _cabut_peran(ctx):
    row, actor = ctx.obj, ctx.actor
    user = row.user
    remaining = [a for a in akses_aktif(user) if a.id != row.id]
    role_name = AKSES_ROLE[row.akses]
    if not any(AKSES_ROLE[a.akses] == role_name for a in remaining):
        user.roles = [r for r in user.roles if r.name != role_name]
        if role_name in (ROLE_PPK, ROLE_PENYEDIA):
            tte.cabut_karena_akses(user, actor)  # no more letters signed in that office
    if not remaining:
        user.satker_id = None
        user.penyedia_id = None
    user.session_version = (user.session_version or 1) + 1  # the next request sees the narrower rights
    audit.catat("ab_user", user.id, "cabut_peran", actor, note=role_name)


def _email_akses(ctx):
    row = ctx.obj
    deadlines.tutup("verifikasi_akses", "akses_pengguna", row.id)
    with force_locale("id"):
        label = str(STATUS_AKSES[row.status])
        subject = gettext("Status akses Anda: %(status)s", status=label)
        alasan = gettext("Alasan: %(alasan)s", alasan=row.alasan) if row.alasan else ""
        body = gettext(
            "Akses %(akses)s Anda kini berstatus %(status)s.", akses=str(JENIS_AKSES[row.akses]), status=label
        )
        body = f"{body}\n{alasan}".strip()
    _email(row.user, subject, body, key=f"akses:{row.id}:{row.status}")


AKSES = Workflow(
    entity="akses_pengguna",
    model=AksesPengguna,
    transitions=(
        T("menunggu", "setujui", "aktif",   VERIFIERS, _boleh_aktif, _beri_peran,  _l("Setujui")),
        T("menunggu", "tolak",   "ditolak", VERIFIERS, _alasan,      None,         _l("Tolak"), "danger",
          fields=ALASAN, panel="alasan"),
        T("aktif",    "cabut",   "dicabut", VERIFIERS, _alasan,      _cabut_peran, _l("Cabut Akses"), "danger",
          fields=ALASAN, panel="alasan"),
    ),
    labels=STATUS_AKSES,
    party=_is_verifier_party,
    noun=_l("Akses"),
    on_applied=_email_akses,
)  # fmt: skip


def putuskan_akses(akses_id, action, actor, expected_version=None, **data):
    return apply(AKSES, akses_id, action, actor, expected_version=expected_version, **AKSES.input(action, data))


# --- the Verifikator's queues ------------------------------------------------------------------


def antrean(model, actor, status="menunggu", overdue_only=False):
    """A verifier's queue: own instansi only (Admin: all), oldest first."""
    stmt = scoping.scoped_select(model, actor).where(model.user_id != actor.id)
    if status:
        stmt = stmt.where(model.status == status)
    if overdue_only:
        stmt = stmt.where(model.batas_waktu <= clock.now())
    return db.session.execute(stmt.order_by(model.submitted_at, model.id)).scalars().all()
