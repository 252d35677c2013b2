"""Password policy, lock-out, timing balance and the production start-up check (app/services/auth.py)."""

import statistics
import time
from datetime import timedelta

import pytest
from flask import current_app
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from app.seed import DEMO_PASSWORD
from app.services import auth, clock
from app.services.errors import DomainError
from tests.conftest import PASSWORD


def _audit(user, action):
    return (
        db.session.execute(
            select(AuditLog).where(
                AuditLog.entity == "ab_user", AuditLog.entity_id == user.id, AuditLog.action == action
            )
        )
        .scalars()
        .all()
    )


# --- password policy ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        DEMO_PASSWORD,
        PASSWORD,
        "kopi tubruk di pagi hari",  # a passphrase: spaces, lowercase only, no digits
        "correcthorsebatterystaple",
        "Ätsch-Bätsch-ÜberAll",  # any Unicode
        "x" * 7 + "y",  # 8 characters, no composition rule
        "a1" * 32,  # 64 characters
        "b2" * 64,  # 128 characters
    ],
)
def test_good_passwords_are_accepted(password):
    auth.validate_password(password, username="budi.santoso", email="budi@bppbj.jakarta.go.id")


@pytest.mark.parametrize("password", ["", "1234567", "Ab1!xyz"])
def test_short_passwords_are_refused_with_the_recommendation(password):
    with pytest.raises(DomainError) as err:
        auth.validate_password(password)
    assert "8" in str(err.value) and "15" in str(err.value)


def test_passwords_over_128_characters_are_refused():
    with pytest.raises(DomainError):
        auth.validate_password("a" + "b" * 128)


@pytest.mark.parametrize(
    "password",
    ["password", "12345678", "iloveyou", "qwertyuiop", "bismillah", "indonesia", "jakarta123", "Rahasia123",
     "SAYANG123", "cintaku123", "anjing123", "Password1", "aaaaaaaaaaaa"],
)  # fmt: skip
def test_common_and_breached_passwords_are_refused_whatever_the_case(password):
    with pytest.raises(DomainError) as err:
        auth.validate_password(password)
    assert "umum" in str(err.value)


def test_the_list_is_large_lowercase_and_keeps_the_documented_passwords_valid():
    words = auth.common_passwords()
    assert len(words) >= 1000
    assert all(w == w.lower() for w in words)
    assert {"123456", "password", "qwerty", "rahasia", "bismillah", "sayang", "cinta", "jakarta123"} <= words
    assert DEMO_PASSWORD.lower() not in words and PASSWORD.lower() not in words


@pytest.mark.parametrize(
    "password,username,email",
    [
        ("budisantoso", "budisantoso", None),
        ("Budisantoso-2026", "budisantoso", None),
        ("siti.rahma.rahasia", None, "siti.rahma@jakarta.go.id"),
        ("pembeli12pembeli12", "pembeli12", "pembeli12@uji.local"),
    ],
)
def test_passwords_with_the_username_or_email_are_refused(password, username, email):
    with pytest.raises(DomainError) as err:
        auth.validate_password(password, username=username, email=email)
    assert "nama pengguna" in str(err.value)


def test_the_message_is_indonesian_by_default(app):
    with app.test_request_context("/"):
        with pytest.raises(DomainError) as err:
            auth.validate_password("password")
        assert str(err.value) == "Kata sandi ini terlalu umum atau pernah bocor. Pilih kata sandi lain."


def test_fab_uses_the_policy_for_its_own_forms(app):
    assert app.config["FAB_PASSWORD_COMPLEXITY_ENABLED"] is True
    validator = app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"]
    with app.test_request_context("/users/add", method="POST", data={"username": "andi.w", "email": "a@x.id"}):
        validator(PASSWORD)
        with pytest.raises(PasswordComplexityValidationError):
            validator("qwerty123")
        with pytest.raises(PasswordComplexityValidationError):
            validator("andi.w-kantor-2026")
        # FAB's (not our) composition rules would refuse this passphrase; ours accepts it.
        validator("kopi tubruk di pagi hari")


def test_fab_reset_form_checks_against_the_target_user(app, f):
    user = f.pembeli(username="wulandari")
    validator = app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"]
    with app.test_request_context(f"/resetpassword/form?pk={user.id}", method="POST", data={"password": "x"}):
        with pytest.raises(PasswordComplexityValidationError):
            validator("Wulandari-Kantor-2026")


# --- lock-out ----------------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_for_the_right_password(app, f):
    sm = current_app.appbuilder.sm
    user = f.pembeli(nrk="19870001")
    for _ in range(4):
        assert sm.auth_user_db(user.username, "salah-sekali-2026") is None
    assert user.locked_until is None
    assert sm.auth_user_db(user.nrk, "salah-sekali-2026") is None  # 5th, by NRK
    assert abs(user.locked_until - (clock.now() + timedelta(minutes=15))) < timedelta(seconds=5)
    assert len(_audit(user, "kunci_akun")) == 1
    assert len(_audit(user, "login_gagal")) == 5

    assert sm.auth_user_db(user.username, PASSWORD) is None
    clock.advance(timedelta(minutes=14))
    assert sm.auth_user_db(user.email, PASSWORD) is None
    assert user.fail_login_count == 5  # attempts while locked are not counted again

    clock.advance(timedelta(minutes=2))
    assert sm.auth_user_db(user.username, PASSWORD) is user
    assert user.locked_until is None and user.fail_login_count == 0
    assert len(_audit(user, "login")) == 1


def test_lockout_settings_are_configurable_and_relock_after_expiry(app, f):
    sm = current_app.appbuilder.sm
    user = f.pembeli()
    old = app.config["AUTH_LOCKOUT_THRESHOLD"], app.config["AUTH_LOCKOUT_MINUTES"]
    app.config.update(AUTH_LOCKOUT_THRESHOLD=2, AUTH_LOCKOUT_MINUTES=60)
    try:
        sm.auth_user_db(user.username, "salah")
        sm.auth_user_db(user.username, "salah")
        assert auth.is_locked(user)
        clock.advance(timedelta(minutes=61))
        assert not auth.is_locked(user)
        sm.auth_user_db(user.username, "salah")
        assert not auth.is_locked(user)  # a fresh allowance after the lock expired
        sm.auth_user_db(user.username, "salah")
        assert auth.is_locked(user)
        assert len(_audit(user, "kunci_akun")) == 2
    finally:
        app.config.update(AUTH_LOCKOUT_THRESHOLD=old[0], AUTH_LOCKOUT_MINUTES=old[1])


def test_inactive_and_unknown_users_fail_alike(app, f):
    sm = current_app.appbuilder.sm
    user = f.pembeli()
    user.active = False
    db.session.commit()
    assert sm.auth_user_db(user.username, PASSWORD) is None
    assert sm.auth_user_db("tidak-ada-orangnya", PASSWORD) is None
    assert sm.auth_user_db("", PASSWORD) is None


def test_unknown_user_and_wrong_password_take_similar_time(app, f):
    sm = current_app.appbuilder.sm
    user = f.pembeli()

    def timed(login):
        t = time.perf_counter()
        assert sm.auth_user_db(login, "salah-sekali-2026") is None
        return time.perf_counter() - t

    sm.auth_user_db("pemanasan", "x")
    wrong, unknown, locked = [], [], []
    for _ in range(4):  # stays under the lock-out threshold
        wrong.append(timed(user.username))
        unknown.append(timed("orang-tak-dikenal"))
    sm.auth_user_db(user.username, "salah-sekali-2026")  # 5th: locked now
    for _ in range(4):
        locked.append(timed(user.username))
    w, u, lk = statistics.median(wrong), statistics.median(unknown), statistics.median(locked)
    # Each path does exactly one scrypt check, which dominates: all within a factor of two.
    assert 0.5 < w / u < 2, (w, u)
    assert 0.5 < lk / u < 2, (lk, u)


def test_password_reset_bumps_the_session_version_and_unlocks(app, f):
    sm = current_app.appbuilder.sm
    user = f.pembeli()
    user.locked_until = clock.now() + timedelta(minutes=10)
    db.session.commit()
    version = user.session_version
    with app.test_request_context("/"):
        sm.reset_password(user.id, "Kopi-Tubruk-Pagi-2026")
    assert user.session_version == version + 1
    assert user.locked_until is None
    assert sm.auth_user_db(user.username, "Kopi-Tubruk-Pagi-2026") is user
    assert len(_audit(user, "ubah_kata_sandi")) == 1


# --- redirects and headers (pure functions) ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url,safe",
    [
        ("/", True),
        ("/pesanan/list/?q=1", True),
        ("http://localhost/users/list/", True),
        ("//evil.example", False),
        ("///evil.example", False),
        ("/\\evil.example", False),
        ("\\\\evil.example", False),
        ("/\t/evil.example", False),
        ("https://evil.example", False),
        ("https://evil.example/localhost", False),
        ("http://localhost.evil.example/", False),
        ("javascript:alert(1)", False),
        ("http:evil.example", False),
        (" //evil.example", False),
        ("", False),
    ],
)
def test_is_safe_redirect(app, url, safe):
    with app.test_request_context("/", base_url="http://localhost"):
        assert auth.is_safe_redirect(url) is safe


def test_csp_allows_the_map_tiles_and_nothing_inline_for_scripts(app):
    with app.test_request_context("/"):
        csp = auth.content_security_policy("abc")
    assert "script-src 'self' 'nonce-abc'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "img-src 'self' data: https://tile.openstreetmap.org" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert auth._tile_source("https://{s}.tile.example.id/{z}/{x}/{y}.png") == "https://*.tile.example.id"
    assert auth._tile_source("") is None


# the production start-up check: tests/test_produksi.py
