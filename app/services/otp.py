"""Pluggable OTP senders. Email is the default; an SMS/WhatsApp gateway plugs in by OTP_SENDER."""

from importlib import import_module

from flask import current_app
from flask_babel import force_locale, gettext

from . import notify


class OtpSender:
    """Interface: deliver `code` to the person behind `telepon` (user given for fallbacks)."""

    def send(self, user, telepon, code, key):  # pragma: no cover - interface
        raise NotImplementedError


class EmailOtpSender(OtpSender):
    """Until a gateway is contracted, the code goes to the user's verified personal email."""

    def send(self, user, telepon, code, key):
        with force_locale("id"):
            subject = gettext("Kode OTP Portal Pengadaan")
            body = gettext(
                "Kode OTP untuk verifikasi nomor %(telepon)s: %(code)s\n"
                "Kode berlaku 5 menit. Jangan berikan kode ini kepada siapa pun.",
                telepon=telepon,
                code=code,
            )
        notify.queue_email(user.email, subject, body, key=key)


def sender():
    path = current_app.config.get("OTP_SENDER", "app.services.otp.EmailOtpSender")
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)()
