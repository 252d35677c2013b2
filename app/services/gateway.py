"""The seam where a real bank (CMS Bank Daerah) or payment gateway plugs in (SPEC §6 step 9).

The portal needs three things from the outside world, and nothing else:
1. `terbitkan_kode_bayar(referensi, jumlah, berlaku_sampai)`: a payment code for an amount, valid until a time;
2. `tagih_kkp(referensi, jumlah, pemegang, kunci)`: charge a government credit card (KKP) once; `kunci` is an
   idempotency key, so a retried or raced charge is never taken twice;
3. a signed "paid" notification for a code or a KKP charge, posted to POST /api/pembayaran/callback.

Callbacks are the portal's own format: JSON {"event_id", "jenis": "pembayaran.lunas", "referensi", "jumlah",
"referensi_bank"} with the headers X-Pembayaran-Timestamp (Unix seconds) and X-Pembayaran-Signature
(`sha256=` + hex HMAC-SHA256 of "<timestamp>.<raw body>" under PEMBAYARAN_CALLBACK_SECRET). A callback older or
newer than PEMBAYARAN_CALLBACK_TOLERANCE seconds is refused, and an event id already processed is never
processed again (table callback_pembayaran), so a captured callback cannot be replayed. An adapter for a bank
with another format translates it in its own endpoint and calls the same service function.

SimulatedGateway is the default (PEMBAYARAN_GATEWAY): it issues codes itself, approves KKP charges at once and,
while PEMBAYARAN_SIMULASI is on (never in production), builds signed callbacks for the "Bayar (Simulasi
Bank)" button, which go through exactly the same verification as a bank's.
"""

import hashlib
import hmac
import json
import secrets
import uuid
from datetime import UTC
from importlib import import_module

from flask import current_app
from flask_babel import lazy_gettext as _l

from config import DEV_CALLBACK_SECRET

from . import clock, money
from .errors import DomainError

SIGNATURE_HEADER = "X-Pembayaran-Signature"
TIMESTAMP_HEADER = "X-Pembayaran-Timestamp"
JENIS_LUNAS = "pembayaran.lunas"
DEFAULT_GATEWAY = "app.services.gateway.SimulatedGateway"


class GatewayError(DomainError):
    """The bank or gateway refused or is not reachable; nothing was changed."""

    status = 502


class CallbackDitolak(DomainError):
    """A callback that is not provably from the bank (bad signature, stale timestamp): 401, nothing changes."""

    status = 401


def _epoch(dt):
    return int(dt.replace(tzinfo=UTC).timestamp())


def tanda_tangan(secret, timestamp, body):
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class PaymentGateway:
    """What the portal needs from a bank or payment gateway; subclass it and name it in PEMBAYARAN_GATEWAY."""

    simulasi = False

    def __init__(self, config):
        self.config = config

    # --- outbound ----------------------------------------------------------------------------

    def terbitkan_kode_bayar(self, referensi, jumlah, berlaku_sampai):
        """Return a new payment code (str, unique at the bank) for `jumlah` Rupiah."""
        raise NotImplementedError

    def tagih_kkp(self, referensi, jumlah, pemegang, kunci):
        """Charge the KKP of `pemegang` (name, email); return the charge reference or raise GatewayError."""
        raise NotImplementedError

    # --- inbound -----------------------------------------------------------------------------

    def _secret(self):
        secret = self.config.get("PEMBAYARAN_CALLBACK_SECRET") or ""
        if not secret:
            raise DomainError(_l("Callback pembayaran belum diaktifkan di portal ini."), status=503)
        return secret

    def verifikasi_callback(self, body, headers):
        """The callback's fields after checking its signature and age; CallbackDitolak otherwise."""
        secret = self._secret()
        ts = (headers.get(TIMESTAMP_HEADER) or "").strip()
        given = (headers.get(SIGNATURE_HEADER) or "").strip()
        if not (ts.isascii() and ts.isdigit() and len(ts) <= 12) or not given:
            raise CallbackDitolak(_l("Callback tanpa tanda tangan yang sah."))
        # bytes: compare_digest refuses non-ASCII str, and a forged header must read as "not valid"
        if not hmac.compare_digest(given.encode("utf-8", "replace"), tanda_tangan(secret, ts, body).encode()):
            raise CallbackDitolak(_l("Tanda tangan callback tidak sah."))
        tolerance = int(self.config.get("PEMBAYARAN_CALLBACK_TOLERANCE", 300))
        if abs(_epoch(clock.now()) - int(ts)) > tolerance:
            raise CallbackDitolak(_l("Callback kedaluwarsa (di luar batas waktu); dianggap pengulangan."))
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise DomainError(_l("Isi callback tidak valid.")) from None
        if not isinstance(data, dict):
            raise DomainError(_l("Isi callback tidak valid."))
        event_id, referensi, jumlah = data.get("event_id"), data.get("referensi"), data.get("jumlah")
        if (
            data.get("jenis") != JENIS_LUNAS
            or not isinstance(event_id, str)
            or not 0 < len(event_id) <= 64
            or not isinstance(referensi, str)
            or not 0 < len(referensi) <= 64
            or isinstance(jumlah, bool)
            or not isinstance(jumlah, int)
            or not 0 < jumlah <= money.ANGKA_MAKS
        ):
            raise DomainError(_l("Isi callback tidak valid."))
        bank = data.get("referensi_bank")
        return {
            "event_id": event_id,
            "referensi": referensi,
            "jumlah": jumlah,
            "referensi_bank": str(bank)[:64] if bank else event_id,
        }

    def tandatangani(self, body, timestamp=None):
        """Headers a sender puts on `body` (what the bank does; the simulator and tests use it too)."""
        ts = str(timestamp if timestamp is not None else _epoch(clock.now()))
        return {TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: tanda_tangan(self._secret(), ts, body)}


class SimulatedGateway(PaymentGateway):
    """Stands in for the bank and the payment gateway until a real adapter is configured."""

    @property
    def simulasi(self):
        return bool(self.config.get("PEMBAYARAN_SIMULASI"))

    def terbitkan_kode_bayar(self, referensi, jumlah, berlaku_sampai):
        # 16 digits, like a bank's billing code; the database's unique constraint is the last word.
        return "9" + f"{secrets.randbelow(10**15):015d}"

    def tagih_kkp(self, referensi, jumlah, pemegang, kunci):
        if not self.simulasi:
            raise GatewayError(_l("Pembayaran KKP belum tersambung ke gateway pembayaran."), status=503)
        # Deterministic per idempotency key: the same charge asked twice is the same charge.
        return "KKP-SIM-" + hashlib.sha256(kunci.encode()).hexdigest()[:16].upper()

    def simulasikan_lunas(self, referensi, jumlah):
        """(body, headers) of the callback the bank would send once `referensi` is paid."""
        if not self.simulasi:
            raise DomainError(_l("Simulasi pembayaran tidak aktif."), status=403)
        body = json.dumps(
            {
                "event_id": uuid.uuid4().hex,
                "jenis": JENIS_LUNAS,
                "referensi": referensi,
                "jumlah": int(jumlah),
                "referensi_bank": "SIM-" + secrets.token_hex(6).upper(),
            }
        ).encode()
        return body, self.tandatangani(body)


def gateway():
    """The configured adapter (PEMBAYARAN_GATEWAY, a dotted class path)."""
    path = current_app.config.get("PEMBAYARAN_GATEWAY") or DEFAULT_GATEWAY
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)(current_app.config)


def production_problems(config):
    """Unsafe payment settings for create_app("production")."""
    problems = []
    if config.get("PEMBAYARAN_SIMULASI"):
        problems.append("PEMBAYARAN_SIMULASI must be off: it lets a user mark a payment paid without a bank")
    secret = config.get("PEMBAYARAN_CALLBACK_SECRET") or ""
    if secret and (secret == DEV_CALLBACK_SECRET or len(secret) < 32):
        problems.append(
            "PEMBAYARAN_CALLBACK_SECRET must be a random secret of at least 32 characters shared with the bank "
            "(unset: the payment callback answers 503)"
        )
    return problems
