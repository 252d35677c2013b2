"""Identitas Digital (SPEC §2 stage 1): self-registration, emailed password link, phone OTP."""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import AccountToken, OtpChallenge, PortalUser
from app.roles import ROLE_PENGGUNA

from . import audit, clock, notify, otp
from .auth import validate_password
from .errors import Conflict, DomainError, Forbidden, NotFound
from .verifikasi import akses_aktif, profil_terakhir

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{3,29}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
OTP_TTL = timedelta(minutes=5)
OTP_MAX_ATTEMPTS = 5


def _digest(value):
    return hashlib.sha256(value.encode()).hexdigest()


def normalise_phone(raw):
    """Indonesian mobile numbers: `0812-3456-7890`, `+62 812…`, `62812…` -> `081234567890`."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    if not re.fullmatch(r"08\d{8,11}", digits):
        raise DomainError(_l("Nomor handphone tidak valid (contoh: 0812xxxxxxxx)."))
    return digits


def hash_password(password):
    cfg = current_app.config
    return generate_password_hash(
        password,
        method=cfg.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
        salt_length=cfg.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
    )


def _issue_token(user, purpose, ttl):
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(
        AccountToken(user_id=user.id, purpose=purpose, token_hash=_digest(token), created_at=now, expires_at=now + ttl)
    )
    return token


def daftar(username, email, telepon, setuju):
    """Create the account (no usable password yet) and email a single-use link to set it."""
    username = (username or "").strip().lower()
    email = (email or "").strip().lower()
    try:
        if not setuju:
            raise DomainError(_l("Anda harus menyetujui Syarat dan Ketentuan."))
        if not USERNAME_RE.match(username):
            raise DomainError(_l("Nama pengguna 4–30 karakter: huruf kecil, angka, titik, garis bawah, atau strip."))
        if not EMAIL_RE.match(email):
            raise DomainError(_l("Alamat email tidak valid."))
        telepon = normalise_phone(telepon)
        taken = db.session.execute(
            select(PortalUser.id).where(
                (func.lower(PortalUser.username) == username) | (func.lower(PortalUser.email) == email)
            )
        ).first()
        if taken:
            raise Conflict(_l("Nama pengguna atau email sudah terdaftar."))
        now = clock.now()
        role = current_app.appbuilder.sm.find_role(ROLE_PENGGUNA)
        user = PortalUser(
            username=username,
            email=email,
            first_name=username,
            last_name="",
            active=True,
            # Unusable until the emailed link sets a real one.
            password=hash_password(secrets.token_urlsafe(32)),
            telepon=telepon,
            syarat_disetujui_at=now,
            roles=[role],
            created_on=now,
            changed_on=now,
        )
        db.session.add(user)
        db.session.flush()
        token = _issue_token(user, "set_password", timedelta(hours=current_app.config.get("PASSWORD_LINK_HOURS", 24)))
        link = url_for("RegistrasiView.kata_sandi", token=token, _external=True)
        with force_locale("id"):
            notify.queue_email(
                email,
                gettext("Buat kata sandi akun Portal Pengadaan"),
                gettext(
                    "Halo %(username)s,\n\nKlik tautan berikut untuk membuat kata sandi Anda:\n%(link)s\n\n"
                    "Tautan hanya dapat dipakai sekali dan berlaku %(jam)s jam.",
                    username=username,
                    link=link,
                    jam=current_app.config.get("PASSWORD_LINK_HOURS", 24),
                ),
                key=f"set_password:{user.id}:{_digest(token)[:16]}",
            )
        audit.catat("ab_user", user.id, "daftar", user, note=email)
        db.session.commit()
        return user
    except Exception:
        db.session.rollback()
        raise


def _token_row(token, purpose):
    row = db.session.execute(
        select(AccountToken).where(AccountToken.token_hash == _digest(token or ""), AccountToken.purpose == purpose)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(_l("Tautan tidak valid."))
    if row.used_at is not None:
        raise Conflict(_l("Tautan sudah pernah dipakai. Minta tautan baru bila perlu."))
    if clock.now() >= row.expires_at:
        raise DomainError(_l("Tautan sudah kedaluwarsa. Minta tautan baru."), status=410)
    return row


def cek_token(token, purpose="set_password"):
    return _token_row(token, purpose)


def buat_kata_sandi(token, password, password_ulang):
    """Set the password from the emailed link: single use, before it expires; confirms the email."""
    try:
        row = _token_row(token, "set_password")
        user = db.session.get(PortalUser, row.user_id)
        if password != password_ulang:
            raise DomainError(_l("Kedua kata sandi tidak sama."))
        _check_password(password, user)
        # Single use even under a double submit: only the first UPDATE finds used_at empty.
        res = db.session.execute(
            update(AccountToken)
            .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
            .values(used_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            raise Conflict(_l("Tautan sudah pernah dipakai. Minta tautan baru bila perlu."))
        user.password = hash_password(password)
        user.email_terverifikasi_at = user.email_terverifikasi_at or clock.now()
        user.session_version = (user.session_version or 1) + 1
        audit.catat("ab_user", user.id, "buat_kata_sandi", user)
        db.session.commit()
        return user
    except Exception:
        db.session.rollback()
        raise


def _check_password(password, user):
    validate_password(password, username=user.username, email=user.email)


def kirim_otp(user, telepon=None):
    """Send a fresh 6-digit code to the user's phone (replacing any earlier one)."""
    try:
        if telepon:
            user.telepon = normalise_phone(telepon)
        if not user.telepon:
            raise DomainError(_l("Isi nomor handphone terlebih dahulu."))
        now = clock.now()
        recent = db.session.execute(
            select(func.count(OtpChallenge.id)).where(
                OtpChallenge.user_id == user.id, OtpChallenge.created_at > now - timedelta(hours=1)
            )
        ).scalar_one()
        if recent >= current_app.config.get("OTP_MAX_PER_HOUR", 5):
            raise DomainError(_l("Terlalu banyak permintaan OTP. Coba lagi dalam satu jam."), status=429)
        code = f"{secrets.randbelow(10**6):06d}"
        challenge = OtpChallenge(
            user_id=user.id,
            telepon=user.telepon,
            code_hash=_digest(f"{user.id}:{code}"),
            created_at=now,
            expires_at=now + OTP_TTL,
            attempts=0,
        )
        db.session.add(challenge)
        db.session.flush()
        otp.sender().send(user, user.telepon, code, key=f"otp:{challenge.id}")
        db.session.commit()
        return challenge
    except Exception:
        db.session.rollback()
        raise


def verifikasi_otp(user, code):
    """Check the latest code: expires after 5 minutes, at most 5 attempts, then a new code is needed."""
    try:
        challenge = db.session.execute(
            select(OtpChallenge)
            .where(OtpChallenge.user_id == user.id, OtpChallenge.verified_at.is_(None))
            .order_by(OtpChallenge.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if challenge is None:
            raise DomainError(_l("Minta kode OTP terlebih dahulu."))
        if clock.now() >= challenge.expires_at:
            raise DomainError(_l("Kode OTP sudah kedaluwarsa. Minta kode baru."), status=410)
        if challenge.attempts >= OTP_MAX_ATTEMPTS:
            raise Forbidden(_l("Terlalu banyak percobaan. Minta kode OTP baru."))
        # Count the attempt first, in its own commit, so a wrong code still uses one up.
        db.session.execute(
            update(OtpChallenge)
            .where(OtpChallenge.id == challenge.id)
            .values(attempts=OtpChallenge.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        expected = _digest(f"{user.id}:{(code or '').strip()}")
        if not hmac.compare_digest(expected, challenge.code_hash):
            raise DomainError(_l("Kode OTP salah."))
        now = clock.now()
        challenge.verified_at = now
        user.telepon_terverifikasi_at = now
        audit.catat("ab_user", user.id, "verifikasi_telepon", user, note=challenge.telepon)
        db.session.commit()
        return user
    except Exception:
        db.session.rollback()
        raise


def tahap(user):
    """Where the person stands in the three registration stages."""
    profil = profil_terakhir(user)
    roles = {r.name for r in user.roles}
    return {
        # Staff accounts an Admin created directly carry their role without the self-service stages.
        "dibuat_admin": profil is None and bool(roles - {ROLE_PENGGUNA}),
        "identitas": bool(user.email_terverifikasi_at and user.telepon_terverifikasi_at),
        "email": bool(user.email_terverifikasi_at),
        "telepon": bool(user.telepon_terverifikasi_at),
        "profil": profil,
        "profil_ok": bool(profil and profil.status == "terverifikasi"),
        "akses_aktif": akses_aktif(user),
    }
