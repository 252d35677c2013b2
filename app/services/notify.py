"""Notifications go to the outbox in the caller's transaction; a Huey job sends them (issue 6).

Emails are Indonesian whatever the reader's UI language: bodies come from app/templates/email/<name>.txt
and .html rendered under force_locale("id"); app/services/mailer.py sends them.
"""

from flask import current_app, render_template, url_for
from flask_appbuilder.security.sqla.models import Role
from flask_babel import force_locale, gettext
from flask_babel.speaklater import LazyString
from sqlalchemy import insert, select
from werkzeug.routing import BuildError

from app.extensions import db
from app.models import EmailOutbox, PortalUser, Satker

from . import clock, mailer


def penerima_peran(role_name, instansi_ids=None):
    """The active users of a role who have an email, as (id, email, instansi_id) rows by one joined query;
    with `instansi_ids`, only those whose satker belongs to one of them (a Verifikator's or TTE verifier's
    instansi). Reminders and escalations find their recipients here, never by loading every user."""
    stmt = (
        select(PortalUser.id, PortalUser.email, Satker.instansi_id)
        .outerjoin(Satker, PortalUser.satker_id == Satker.id)
        .where(PortalUser.active.is_(True), PortalUser.roles.any(Role.name == role_name), PortalUser.email.isnot(None))
    )
    if instansi_ids is not None:
        stmt = stmt.where(Satker.instansi_id.in_(list(instansi_ids)))
    return db.session.execute(stmt.order_by(PortalUser.id)).all()


def penyedia_emails(penyedia_id):
    """Every user of a Penyedia company (they share its orders, so they share its notifications)."""
    rows = db.session.execute(select(PortalUser.email).where(PortalUser.penyedia_id == penyedia_id)).scalars()
    return [e for e in rows if e]


def queue_email(to_addr, subject, body, key, body_html=None):
    """Queue one email in the caller's transaction; a second call with the same key adds nothing."""
    if not to_addr:
        return
    if db.session.query(EmailOutbox.id).filter_by(idempotency_key=key).first():
        return
    now = clock.now()
    db.session.add(
        EmailOutbox(
            idempotency_key=key,
            to_addr=to_addr,
            subject=str(subject),
            body_text=body,
            body_html=body_html,
            status="queued",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
    )


def queue_emails(rows):
    """queue_email for a set: `rows` are dicts (to_addr, subject, body, key, optional body_html). One lookup
    of the keys already queued, one insert of the new rows; a key seen twice is queued once."""
    new = {}
    for r in rows:
        if r["to_addr"] and r["key"] not in new:
            new[r["key"]] = r
    if not new:
        return
    seen = db.session.execute(select(EmailOutbox.idempotency_key).where(EmailOutbox.idempotency_key.in_(list(new))))
    for key in seen.scalars():
        new.pop(key, None)
    if not new:
        return
    now = clock.now()
    db.session.execute(
        insert(EmailOutbox),
        [
            dict(idempotency_key=k, to_addr=r["to_addr"], subject=str(r["subject"]), body_text=r["body"],
                 body_html=r.get("body_html"), status="queued", attempts=0, created_at=now, next_attempt_at=now)
            for k, r in new.items()
        ],
    )  # fmt: skip
    mailer.wake_after_commit()  # a Core insert adds no object for app/tasks.py's after_flush to notice


def render_email(name, **context):
    """(text, html) of email/<name>.txt and email/<name>.html, in Indonesian. Works without a request."""
    with force_locale("id"):
        context = {k: (str(v) if isinstance(v, LazyString) else v) for k, v in context.items()}
        return render_template(f"email/{name}.txt", **context), render_template(f"email/{name}.html", **context)


def kirim_template(to_addr, name, context, key, subject):
    """Queue a templated email (text + HTML) to one address; `subject` may be a lazy string."""
    with force_locale("id"):
        subject = str(subject)
    text, html = render_email(name, subject=subject, **context)
    queue_email(to_addr, subject, text, key, body_html=html)


def tautan(endpoint, **values):
    """An absolute link for an email: from the request, else from SERVER_NAME, else from PORTAL_URL."""
    try:
        return url_for(endpoint, _external=True, **values)
    except BuildError:
        return None
    except RuntimeError:  # a job outside any request and no SERVER_NAME
        base = current_app.config.get("PORTAL_URL") or "http://127.0.0.1:5000"
        try:
            path = current_app.url_map.bind("localhost").build(endpoint, values)
        except BuildError:
            return None
        return base.rstrip("/") + path


def pesanan_berubah(pesanan, recipients, action_label, status_label):
    """E-Order: tell the buyer of every step and the party who must act next (SPEC §8)."""
    with force_locale("id"):
        subject = gettext("Pesanan %(nomor)s: %(status)s", nomor=pesanan.nomor, status=str(status_label))
        status, aksi = str(status_label), str(action_label)
    text, html = render_email(
        "pesanan_berubah",
        subject=subject,
        nomor=pesanan.nomor,
        status=status,
        aksi=aksi,
        tautan=tautan("PesananView.detail", pk=pesanan.id),
    )
    for email in sorted({r for r in recipients if r}):
        queue_email(email, subject, text, key=f"pesanan:{pesanan.id}:v{pesanan.version}:{email}", body_html=html)
