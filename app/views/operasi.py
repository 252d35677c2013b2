"""Operasional (Admin): the email outbox by status with a resend action, deadlines and job runs (issue 6).

In demo mode (no MAIL_SERVER: nothing is sent, every email only goes to the log) the page also shows the
latest emails in full, their links clickable, so a newcomer can follow a registration in the browser."""

import re

from flask import current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import func, select

from app.extensions import db
from app.models import Deadline, EmailOutbox, SweepRun
from app.services import clock, mailer
from app.services.errors import DomainError

LIST_CAP = 100

STATUS_EMAIL = {
    "queued": _l("Antre"),
    "sending": _l("Sedang Dikirim"),
    "sent": _l("Terkirim"),
    "failed": _l("Gagal"),
}
STATUS_STYLE = {"queued": "info", "sending": "warning", "sent": "success", "failed": "danger"}
DEMO_PAGE_SIZE = 10
# http(s) only: a stored body can never become a javascript: link
LINK = re.compile(r"https?://[^\s<>\"']+")


def linkify(text):
    """The email body as HTML: escaped, every http(s) address a link that opens in a new tab."""
    text = text or ""
    parts, pos = [], 0
    for match in LINK.finditer(text):
        url = match.group(0).rstrip(".,;:)!?")
        parts.append(escape(text[pos : match.start()]))
        parts.append(Markup('<a href="{0}" target="_blank" rel="noopener noreferrer">{0}</a>').format(url))
        pos = match.start() + len(url)
    parts.append(escape(text[pos:]))
    return Markup("").join(parts)


def _page_number(value):
    try:
        return max(1, min(int(value or 1), 10**6))
    except (TypeError, ValueError):
        return 1


def demo_mailbox(page):
    """(emails of the page, page, pages): every email newest first, whatever its status."""
    total = db.session.execute(select(func.count()).select_from(EmailOutbox)).scalar_one()
    pages = max(1, -(-total // DEMO_PAGE_SIZE))
    page = min(page, pages)
    rows = db.session.execute(
        select(EmailOutbox)
        .order_by(EmailOutbox.created_at.desc(), EmailOutbox.id.desc())
        .offset((page - 1) * DEMO_PAGE_SIZE)
        .limit(DEMO_PAGE_SIZE)
    ).scalars()
    return rows.all(), page, pages


class OperasiView(BaseView):
    route_base = "/operasi"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        now = clock.now()
        emails = {
            status: db.session.execute(
                select(EmailOutbox)
                .where(EmailOutbox.status == status)
                .order_by(EmailOutbox.created_at.desc(), EmailOutbox.id.desc())
                .limit(LIST_CAP)
            )
            .scalars()
            .all()
            for status in mailer.STATUSES
        }
        aktif = select(Deadline).where(Deadline.status == "aktif")
        upcoming = db.session.execute(
            aktif.where(Deadline.due_at > now).order_by(Deadline.due_at, Deadline.id).limit(LIST_CAP)
        ).scalars()
        overdue = db.session.execute(
            aktif.where(Deadline.due_at <= now).order_by(Deadline.due_at, Deadline.id).limit(LIST_CAP)
        ).scalars()
        demo = not current_app.config.get("MAIL_SERVER")
        kotak, halaman, halaman_total = demo_mailbox(_page_number(request.args.get("halaman"))) if demo else ([], 1, 1)
        return self.render_template(
            "operasi/index.html",
            now=now,
            counts=mailer.counts_by_status(),
            emails=emails,
            status_label=STATUS_EMAIL,
            status_style=STATUS_STYLE,
            cap=LIST_CAP,
            upcoming=upcoming.all(),
            overdue=overdue.all(),
            runs=db.session.execute(select(SweepRun).order_by(SweepRun.name)).scalars().all(),
            demo=demo,
            kotak=kotak,
            halaman=halaman,
            halaman_total=halaman_total,
            linkify=linkify,
        )

    @expose("/kirim-ulang/<int:pk>", methods=["POST"])
    @has_access
    def kirim_ulang(self, pk):
        try:
            mailer.resend(pk, g.user)
        except DomainError as e:
            flash(str(e), "danger")
            return redirect(url_for("OperasiView.index", _anchor="email-failed"))
        flash(_l("Email dimasukkan kembali ke antrean dan akan dikirim pada putaran berikutnya."), "success")
        return redirect(url_for("OperasiView.index", _anchor="email-failed"))


def register(appbuilder):
    appbuilder.add_view(
        OperasiView,
        "Operasional",
        label=_l("Operasional"),
        icon="fa-cogs",
        category="Admin Sistem",
        category_label=_l("Admin Sistem"),
        category_icon="fa-server",
    )
