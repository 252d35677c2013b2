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
    row = pembayaran_of(p) if status in _PEMBAYARAN else None
    bendahara = [row.bendahara.email] if row is not None and row.bendahara is not None else []
    return _berikut(status, p.pp.email, p.ppk.email, notify.penyedia_emails(p.penyedia_id), bendahara)


def _berikut(status, pp, ppk, penyedia, bendahara):
    """The table of who acts next, from the parties' emails (berikut loads them per order, beri_tahu_many
    for a set)."""
    return {
        "nego_pp": penyedia,
        "nego_penyedia": [pp],
        "nego_selesai": [pp],
        "menunggu_ppk": [ppk],
        "konfirmasi_penyedia": penyedia,
        "diproses_penyedia": [pp, ppk],
        "dalam_pengiriman": [pp, ppk],
        "pesanan_tiba": penyedia,
        "ls_dokumen": [ppk] + penyedia,
        "pilih_bendahara": [ppk],
        "menunggu_bendahara": bendahara,
        "dikembalikan": [ppk],
        "kode_bayar_terbit": [ppk],
        "kode_kedaluwarsa": bendahara + [ppk],
        "kkp_menunggu": [ppk],
        "selesai": [pp, ppk] + penyedia + bendahara,
    }.get(status)


_PEMBAYARAN = ("menunggu_bendahara", "kode_kedaluwarsa", "selesai")


def beri_tahu(ctx):
    """on_applied of the table: the status email to whoever acts next, in the same commit (outbox)."""
    p, t = ctx.obj, ctx.transition
    next_party = berikut(p, t.target) or [p.pp.email] + notify.penyedia_emails(p.penyedia_id)
    for email, subject, body, key in _surat_status(p, t, next_party):
        notify.queue_email(email, subject, body, key=key)


def _alamat(orders, bayar):
    """The parties' emails of a set of orders by one query per kind of party: {user id: email} of the PPs and
    PPKs, {penyedia id: [emails]} of the companies, {order id: email} of the Bendahara of the orders `bayar`."""
    users = dict(
        db.session.execute(
            select(PortalUser.id, PortalUser.email).where(
                PortalUser.id.in_({p.pp_id for p in orders} | {p.ppk_id for p in orders})
            )
        ).all()
    )
    penyedia = {}
    for pid, email in db.session.execute(
        select(PortalUser.penyedia_id, PortalUser.email)
        .where(PortalUser.penyedia_id.in_({p.penyedia_id for p in orders}))
        .order_by(PortalUser.id)
    ):
        if email:
            penyedia.setdefault(pid, []).append(email)
    bendahara = {}
    if bayar:
        bendahara = dict(
            db.session.execute(
                select(Pembayaran.pesanan_id, PortalUser.email)
                .join(PortalUser, PortalUser.id == Pembayaran.bendahara_id)
                .where(Pembayaran.pesanan_id.in_(bayar))
            ).all()
        )
    return users, penyedia, bendahara


def _berikut_dari(p, status, alamat):
    users, penyedia, bendahara = alamat
    kas = [bendahara[p.id]] if p.id in bendahara else []
    return _berikut(status, users.get(p.pp_id), users.get(p.ppk_id), penyedia.get(p.penyedia_id, []), kas)


def beri_tahu_many(ctxs):
    """beri_tahu for a set of orders (the sweep): the parties' emails by one query per kind of party
    (users, Penyedia companies, Bendahara), the outbox rows by one insert."""
    if not ctxs:
        return
    alamat = _alamat([c.obj for c in ctxs], [c.obj.id for c in ctxs if c.transition.target in _PEMBAYARAN])
    users, penyedia, _ = alamat
    rows = []
    for c in ctxs:
        p, t = c.obj, c.transition
        next_party = _berikut_dari(p, t.target, alamat) or [users.get(p.pp_id)] + penyedia.get(p.penyedia_id, [])
        rows += [dict(to_addr=e, subject=s, body=b, key=k) for e, s, b, k in _surat_status(p, t, next_party)]
    notify.queue_emails(rows)


def _surat_status(p, t, next_party):
    """[(email, subject, body, key)] of the status email of order p after row t, one per recipient."""
    with force_locale("id"):
        subject = gettext("Pesanan %(nomor)s: %(status)s", nomor=p.nomor, status=str(STATUS_KATALOG[t.target]))
        body = gettext(
            "Pesanan %(nomor)s kini berstatus %(status)s setelah aksi %(aksi)s.\n"
            "Buka portal untuk melihat rincian dan langkah berikutnya.",
            nomor=p.nomor,
            status=str(STATUS_KATALOG[t.target]),
            aksi=str(t.label),
        )
    return [(e, subject, body, f"katalog:{p.id}:v{p.version}:{e}") for e in sorted({e for e in next_party if e})]


def pengingat(row):
    """The reminder of a 3x24 h wait (Deadline row): to whoever must act, in Indonesian."""
    return pengingat_many([row])[row.id]


def pengingat_many(rows):
    """{deadline id: [(email, subject, body)]}: the reminders of a set of waits (the sweep), the orders by one
    query and their parties' emails by one query per kind of party."""
    ids = {r.entity_id for r in rows}
    orders = {p.id: p for p in db.session.execute(select(PesananKatalog).where(PesananKatalog.id.in_(ids))).scalars()}
    alamat = _alamat(list(orders.values()), [p.id for p in orders.values() if p.status in _PEMBAYARAN])
    out = {}
    for row in rows:
        p = orders.get(row.entity_id)
        if p is None:
            out[row.id] = []
            continue
        with force_locale("id"):
            subject = gettext("Pengingat: pesanan %(nomor)s menunggu tanggapan Anda", nomor=p.nomor)
            body = gettext(
                "Pesanan %(nomor)s (%(status)s) batal otomatis bila tidak ditanggapi sebelum batas waktu.",
                nomor=p.nomor,
                status=str(p.status_label),
            )
        out[row.id] = [(email, subject, body) for email in _berikut_dari(p, p.status, alamat) or []]
    return out


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
