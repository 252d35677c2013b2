"""Who the parties of a Katalog order are: who may take a step (the party rule of the table) and who
must act next in each status (they get the email and the reminders)."""

from flask_appbuilder.security.sqla.models import Role
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.extensions import db
from app.models import Pembayaran, PesananKatalog, PortalUser
from app.models.purchasing import STATUS_KATALOG
from app.roles import ROLE_ADMIN, ROLE_AUDITOR, ROLE_BENDAHARA, ROLE_PENYEDIA, ROLE_PP, ROLE_PPK, ROLE_SISTEM

from .. import notify, predikat, scoping


def pembayaran_of(p):
    return db.session.execute(select(Pembayaran).where(Pembayaran.pesanan_id == p.id)).scalar_one_or_none()


def bendahara_id(p):
    """The Bendahara the PPK sent the order to (the party of the Bendahara's steps), or None; called with the
    model class, the same lookup as a correlated subquery (Workflow.where)."""
    stmt = select(Pembayaran.bendahara_id).where(Pembayaran.pesanan_id == p.id)
    return stmt.scalar_subquery() if predikat.sql_mode(p) else db.session.execute(stmt).scalar()


def is_party(p, actor, transition):
    """The order's own PP, PPK, Penyedia and (once chosen) Bendahara; another official of the same
    satker sees the order but takes none of its steps. Reads a row or builds a clause (predikat)."""
    roles = scoping.roles_of(actor) & transition.roles
    if ROLE_SISTEM in roles:
        return True
    semua = predikat.semua
    return predikat.salah_satu(
        semua(ROLE_PENYEDIA in roles, bool(actor.penyedia_id), p.penyedia_id == actor.penyedia_id),
        semua(ROLE_PP in roles, p.pp_id == actor.id),
        semua(ROLE_BENDAHARA in roles, lambda: bendahara_id(p) == actor.id),
        semua(ROLE_PPK in roles, p.ppk_id == actor.id),
    )


def is_pihak(p, actor):
    """Is the actor one of the order's parties at all (PP, PPK, Penyedia or its Bendahara)?"""
    if actor.id in (p.pp_id, p.ppk_id) or (actor.penyedia_id and actor.penyedia_id == p.penyedia_id):
        return True
    return ROLE_BENDAHARA in scoping.roles_of(actor) and actor.id == bendahara_id(p)


def boleh_lihat(p, actor):
    """May the actor open the order's payment page and read its papers: Admin, the Auditor (oversight) and
    the order's own parties. A same-satker official who is not party sees the order in the list, not this."""
    return bool(scoping.roles_of(actor) & {ROLE_ADMIN, ROLE_AUDITOR}) or is_pihak(p, actor)


def berikut(p, status):
    """Who must act next in this status."""
    penyedia = notify.penyedia_emails(p.penyedia_id)
    row = pembayaran_of(p) if status in _PEMBAYARAN else None
    bendahara = [row.bendahara.email] if row is not None and row.bendahara is not None else []
    return {
        "nego_pp": penyedia,
        "nego_penyedia": [p.pp.email],
        "nego_selesai": [p.pp.email],
        "menunggu_ppk": [p.ppk.email],
        "konfirmasi_penyedia": penyedia,
        "diproses_penyedia": [p.pp.email, p.ppk.email],
        "dalam_pengiriman": [p.pp.email, p.ppk.email],
        "pesanan_tiba": penyedia,
        "ls_dokumen": [p.ppk.email] + penyedia,
        "pilih_bendahara": [p.ppk.email],
        "menunggu_bendahara": bendahara,
        "dikembalikan": [p.ppk.email],
        "kode_bayar_terbit": [p.ppk.email],
        "kode_kedaluwarsa": bendahara + [p.ppk.email],
        "kkp_menunggu": [p.ppk.email],
        "selesai": [p.pp.email, p.ppk.email] + penyedia + bendahara,
    }.get(status)


_PEMBAYARAN = ("menunggu_bendahara", "kode_kedaluwarsa", "selesai")


def beri_tahu(ctx):
    """on_applied of the table: the status email to whoever acts next, in the same commit (outbox)."""
    p, t = ctx.obj, ctx.transition
    next_party = berikut(p, t.target) or [p.pp.email] + notify.penyedia_emails(p.penyedia_id)
    with force_locale("id"):
        subject = gettext("Pesanan %(nomor)s: %(status)s", nomor=p.nomor, status=str(STATUS_KATALOG[t.target]))
        body = gettext(
            "Pesanan %(nomor)s kini berstatus %(status)s setelah aksi %(aksi)s.\n"
            "Buka portal untuk melihat rincian dan langkah berikutnya.",
            nomor=p.nomor,
            status=str(STATUS_KATALOG[t.target]),
            aksi=str(t.label),
        )
    for email in sorted({e for e in next_party if e}):
        notify.queue_email(email, subject, body, key=f"katalog:{p.id}:v{p.version}:{email}")


def pengingat(row):
    """The reminder of a 3x24 h wait (Deadline row): to whoever must act, in Indonesian."""
    p = db.session.get(PesananKatalog, row.entity_id)
    with force_locale("id"):
        subject = gettext("Pengingat: pesanan %(nomor)s menunggu tanggapan Anda", nomor=p.nomor)
        body = gettext(
            "Pesanan %(nomor)s (%(status)s) batal otomatis bila tidak ditanggapi sebelum batas waktu.",
            nomor=p.nomor,
            status=str(p.status_label),
        )
    return [(email, subject, body) for email in berikut(p, p.status) or []]


def ppk_pilihan(satker_id):
    """The active PPKs of a satker (the PP picks one at checkout; the PPK may hand over by addendum)."""
    if not satker_id:
        return []
    stmt = (
        select(PortalUser)
        .where(
            PortalUser.satker_id == satker_id, PortalUser.active.is_(True), PortalUser.roles.any(Role.name == ROLE_PPK)
        )
        .order_by(PortalUser.first_name, PortalUser.last_name)
    )
    return db.session.execute(stmt).scalars().all()
