"""Reports made by a Huey job ("Laporan Saya"): large workbooks, the detail export, the monthly Belanja
workbook for Manajemen. The row in `laporan_berkas` is the job's truth; the Huey task only wakes it up.

    antre --claim (compare-and-set)--> berjalan --written--> selesai --expiry--> (row and file deleted)
                                                '--error----> gagal

A job re-reads its filters against the asker's scope when it runs, so a scope lost meanwhile makes nothing."""

import json
import logging
import os
import uuid
from datetime import date, timedelta

from flask import current_app
from flask_appbuilder.security.sqla.models import Role
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy import delete, or_, select, update

from app import tasks
from app.extensions import db, huey
from app.models import LaporanBerkas, PortalUser
from app.roles import ROLE_MANAJEMEN
from app.services import clock, notify, scoping
from app.services.errors import DomainError, NotFound
from app.services.workflow import SYSTEM

from . import JENIS, belanja, kinerja, penilaian, rincian, saringan, umkm

log = logging.getLogger(__name__)
FOLDER = "laporan"
NAMA = {
    "belanja": _l("Laporan Belanja"),
    "umkm": _l("Laporan Partisipasi UMKM"),
    "penilaian": _l("Laporan Penilaian"),
    "kinerja": _l("Laporan Kinerja Proses"),
    "rincian": _l("Rincian Baris Pesanan"),
}


def _cfg(name, default):
    return int(current_app.config.get(name, default))


def simpan_hari():
    return _cfg("REPORT_KEEP_DAYS", 7)


def nama_berkas(jenis, s):
    return f"laporan-{jenis}-{s.dari.isoformat()}-{s.sampai.isoformat()}.xlsx"


def path_of(stored_name):
    return os.path.join(current_app.config["UPLOAD_DIR"], FOLDER, stored_name)


def besar(jenis, s, user):
    """Whether the report should run as a job: the lines it reads, counted in the database, over a limit."""
    lines = rincian.perkiraan(s, user)
    if jenis == "rincian":
        return lines > _cfg("REPORT_DIRECT_MAX_LINES", 20_000)
    return lines > _cfg("REPORT_DIRECT_MAX_LINES_AGGREGATE", 200_000)


def langsung(jenis, s, user):
    """The workbook's bytes, made in this request."""
    return modul(jenis).buku_laporan(s, user)


def buat(jenis, s, user, peran=None):
    """A queued job for `jenis` with the filters `s` (committed, then enqueued)."""
    if jenis not in JENIS:
        raise NotFound()
    now = clock.now()
    row = LaporanBerkas(
        user_id=getattr(user, "id", None),
        peran=peran,
        jenis=jenis,
        saringan=json.dumps(s.query_args(), sort_keys=True),
        status="antre",
        progres=0,
        baris=0,
        created_at=now,
        expires_at=now + timedelta(days=simpan_hari()),
    )
    db.session.add(row)
    db.session.commit()
    jalankan_laporan(row.id)
    db.session.expire(row)  # a job run in-process (immediate mode) wrote through its own session
    return row


def milik(berkas_id, user):
    """The job row if the user may see it (the one scoping rule), else 404."""
    return scoping.get_scoped(LaporanBerkas, berkas_id, user, _l("Laporan tidak ditemukan."))


def laporan_saya(user, limit=50):
    """The user's own jobs and those made for one of their roles, newest first (unexpired)."""
    roles = sorted(scoping.roles_of(user))
    q = (
        select(LaporanBerkas)
        .where(
            scoping.visible_clause(LaporanBerkas, user),
            or_(LaporanBerkas.user_id == user.id, LaporanBerkas.peran.in_(roles)),
            LaporanBerkas.expires_at > clock.now(),
        )
        .order_by(LaporanBerkas.created_at.desc(), LaporanBerkas.id.desc())
        .limit(limit)
    )
    return db.session.execute(q).scalars().all()


def _klaim(berkas_id):
    won = db.session.execute(
        update(LaporanBerkas)
        .where(LaporanBerkas.id == berkas_id, LaporanBerkas.status == "antre")
        .values(status="berjalan", started_at=clock.now(), progres=1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return won == 1


def _kemajuan(berkas_id):
    def report(done, total, rows):
        db.session.execute(
            update(LaporanBerkas)
            .where(LaporanBerkas.id == berkas_id)
            .values(progres=max(1, min(99, done * 100 // max(total, 1))), baris=rows)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()

    return report


def _penanya(row):
    if row.user_id is None:
        return SYSTEM
    user = db.session.get(PortalUser, row.user_id)
    if user is None or not user.active:
        raise DomainError(_l("Akun yang meminta laporan ini tidak aktif lagi."))
    return user


def jalankan(berkas_id):
    """Make the workbook of a queued job (idempotent: a job already claimed is left alone)."""
    if not _klaim(berkas_id):
        return False
    row = db.session.get(LaporanBerkas, berkas_id)
    stored = f"{uuid.uuid4().hex}.xlsx"
    path = path_of(stored)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        user = _penanya(row)
        with force_locale(getattr(user, "locale", None) or "id"):
            s = saringan.baca(json.loads(row.saringan), user)
            if row.jenis == "rincian":
                rows = rincian.tulis(s, user, path, _kemajuan(berkas_id))
            else:
                data = modul(row.jenis).buku_laporan(s, user)
                with open(path, "wb") as f:
                    f.write(data)
                rows = 0
    except DomainError as e:
        db.session.rollback()
        _gagal(berkas_id, str(e))
        return False
    except Exception as e:  # a job must record its failure for the asker, whatever it was
        log.exception("report job %s failed", berkas_id)
        db.session.rollback()
        _gagal(berkas_id, gettext("Laporan gagal dibuat (%(jenis)s).", jenis=type(e).__name__))
        return False
    db.session.execute(
        update(LaporanBerkas)
        .where(LaporanBerkas.id == berkas_id)
        .values(
            status="selesai",
            progres=100,
            baris=rows,
            stored_name=stored,
            ukuran=os.path.getsize(path),
            finished_at=clock.now(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return True


def _gagal(berkas_id, pesan):
    db.session.execute(
        update(LaporanBerkas)
        .where(LaporanBerkas.id == berkas_id)
        .values(status="gagal", pesan=pesan[:250], finished_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def hapus_kedaluwarsa(now=None):
    """Delete the files and rows of expired jobs."""
    now = now or clock.now()
    rows = db.session.execute(select(LaporanBerkas).where(LaporanBerkas.expires_at <= now)).scalars().all()
    for row in rows:
        if row.stored_name:
            try:
                os.unlink(path_of(row.stored_name))
            except FileNotFoundError:
                pass
    db.session.execute(delete(LaporanBerkas).where(LaporanBerkas.id.in_([r.id for r in rows])))
    db.session.commit()
    return len(rows)


def bulan_lalu(today=None):
    today = today or clock.today_local()
    first = date(today.year, today.month, 1)
    last = first - timedelta(days=1)
    return date(last.year, last.month, 1), last


def kirim_bulanan(today=None):
    """The previous month's Belanja workbook for Manajemen, and an email to each of them with its link."""
    dari, sampai = bulan_lalu(today)
    s = saringan.Saringan(dari, sampai)
    row = buat("belanja", s, SYSTEM, peran=ROLE_MANAJEMEN)
    if row.status != "selesai":  # the job runs at once in immediate mode; in a consumer, the link still works
        log.info("monthly report %s queued", row.id)
    emails = db.session.execute(
        select(PortalUser.email).join(PortalUser.roles).where(Role.name == ROLE_MANAJEMEN, PortalUser.active.is_(True))
    ).scalars()
    link = notify.tautan("LaporanView.berkas", pk=row.id)
    periode = dari.strftime("%Y-%m")
    with force_locale("id"):
        subject = gettext("Laporan Belanja bulan %(bulan)s", bulan=periode)
        body = gettext(
            "Laporan Belanja bulan %(bulan)s sudah dibuat. Unduh di portal (masuk dengan akun Anda): %(tautan)s\n"
            "Tautan berlaku %(hari)s hari.",
            bulan=periode,
            tautan=link,
            hari=simpan_hari(),
        )
    for email in sorted({e for e in emails if e}):
        notify.queue_email(email, subject, body, key=f"laporan-bulanan:{periode}:{email}")
    db.session.commit()
    return row.id


def modul(jenis):
    return {"belanja": belanja, "umkm": umkm, "penilaian": penilaian, "kinerja": kinerja, "rincian": rincian}[jenis]


# --- Huey ------------------------------------------------------------------------------------------------


def _context():
    return tasks._context()


@huey.task(retries=1, retry_delay=30)
def jalankan_laporan(berkas_id):
    with _context():
        return jalankan(berkas_id)


@huey.periodic_task(crontab(minute="17", hour="*"))
def hapus_laporan_kedaluwarsa():
    with _context():
        return hapus_kedaluwarsa()


# 01:00 UTC on the 1st = 08:00 WIB (Huey's cron is UTC)
@huey.periodic_task(crontab(minute="0", hour="1", day="1"))
@huey.lock_task("laporan-bulanan")
def laporan_bulanan():
    with _context():
        return kirim_bulanan()
