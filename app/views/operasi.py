"""Operasional (Admin): the email outbox by status with a resend action, deadlines and job runs (issue 6)."""

from flask import flash, g, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

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
