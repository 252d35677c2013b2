"""The BSrE simulator's key material: its root CA, its timestamp authority (TSA), and the wrapping of a
user's private key under their passphrase.

- The CA (table tte_ca, one row) certifies users' keys; the TSA (table tte_tsa, one row) is an RSA key the CA
  certified for timeStamping only (critical EKU), answering RFC 3161 requests in-process (pyHanko's
  DummyTimeStamper) at the portal's clock. Both keys are encrypted with a key derived from SECRET_KEY
  (HKDF-SHA256), so a database dump alone does not reveal them; rotating SECRET_KEY needs them re-encrypted.
- A user's private key is stored only encrypted under their passphrase with scrypt + AES-256-GCM
  (`bungkus`/`buka`; parameters in KDF_* and README "Tanda Tangan Elektronik"): one guess at an 8-character
  passphrase costs an attacker holding the database 128 MiB of memory and a few hundred milliseconds.
  Keys written before (PKCS#8 PEM with the library's own, weaker, PBKDF2) still open and are re-wrapped
  with scrypt at their owner's next correct passphrase.

Transactions: get_ca() and get_tsa() commit when they create their row.
"""

import base64
import os
from datetime import UTC, timedelta

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import TteCa, TteTsa

from . import clock

CA_ID = TSA_ID = 1  # exactly one of each; a fixed primary key makes a second concurrent insert fail
CA_SUBJECT = x509.Name(
    [
        x509.NameAttribute(NameOID.COMMON_NAME, "Portal Pengadaan Root CA TTE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Portal Pengadaan"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
    ]
)
TSA_SUBJECT = x509.Name(
    [
        x509.NameAttribute(NameOID.COMMON_NAME, "Portal Pengadaan Timestamp Authority"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Portal Pengadaan"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
    ]
)
CA_YEARS = 10
TSA_YEARS = 10
USER_YEARS = 2
# Certificates start a little in the past (as public CAs do), so a verifier whose clock lags slightly still
# finds them valid.
BACKDATE = timedelta(hours=1)
_CA_KEY_INFO = b"portal-pengadaan/tte-ca-key/v1"
_TSA_KEY_INFO = b"portal-pengadaan/tte-tsa-key/v1"

# scrypt (RFC 7914) for the users' keys: N = 2**17, r = 8, p = 1 is OWASP's minimum (128 MiB per guess).
KDF_LOG_N = 17
KDF_R = 8
KDF_P = 1
_WRAP = "scrypt-aes256gcm"
_AAD = b"portal-pengadaan/tte-user-key/v1"


class KunciTerkunci(ValueError):
    """The passphrase does not open the key."""


# --- helpers ----------------------------------------------------------------------------------------------


def _aware(dt):
    return dt.replace(tzinfo=UTC)


def _naive(dt):
    return dt.astimezone(UTC).replace(tzinfo=None)


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _password(info):
    """The CA/TSA key's password: HKDF-SHA256 of SECRET_KEY."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return base64.b64encode(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret))


def _pem_key(key, password):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(password)
    ).decode()


def _key_usage(**on):
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    flags.update(on)
    return x509.KeyUsage(**flags)


def new_user_key():
    # EC P-256: fast to generate, accepted by pyHanko, poppler and Adobe.
    return ec.generate_private_key(ec.SECP256R1())


# --- the CA -----------------------------------------------------------------------------------------------


def _new_ca_row():
    key = new_user_key()
    now = clock.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(CA_SUBJECT)
        .issuer_name(CA_SUBJECT)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_aware(now - BACKDATE))
        .not_valid_after(_aware(now + timedelta(days=365 * CA_YEARS)))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return TteCa(id=CA_ID, cert_pem=_pem(cert), key_pem=_pem_key(key, _password(_CA_KEY_INFO)), created_at=now)


def _get_or_create(model, pk, build):
    row = db.session.get(model, pk)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            db.session.add(build())
    except IntegrityError:
        # Someone else created it at the same moment; theirs wins.
        return db.session.execute(select(model).where(model.id == pk)).scalar_one()
    db.session.commit()
    return db.session.get(model, pk)


def get_ca():
    """The simulator CA row, created (and committed) on first use."""
    return _get_or_create(TteCa, CA_ID, _new_ca_row)


def ca_cert(ca=None):
    return x509.load_pem_x509_certificate((ca or get_ca()).cert_pem.encode())


def _ca_key(ca):
    return serialization.load_pem_private_key(ca.key_pem.encode(), password=_password(_CA_KEY_INFO))


def _user_subject(user):
    attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, f"{user.first_name} {user.last_name}".strip() or user.username),
        x509.NameAttribute(NameOID.USER_ID, user.username),
    ]
    org = user.organisation
    if org is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org.nama))
    attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"))
    return x509.Name(attrs)


def issue_user_cert(user, public_key):
    """A two-year signing certificate for `public_key` (digitalSignature + nonRepudiation)."""
    ca = get_ca()
    issuer, ca_key = ca_cert(ca), _ca_key(ca)
    now = clock.now()
    return (
        x509.CertificateBuilder()
        .subject_name(_user_subject(user))
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_aware(now - BACKDATE))
        .not_valid_after(_aware(now + timedelta(days=365 * USER_YEARS)))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


# --- the TSA ----------------------------------------------------------------------------------------------


def _new_tsa_row():
    ca = get_ca()
    issuer, ca_key = ca_cert(ca), _ca_key(ca)
    # RSA: pyHanko's in-process timestamper signs with PKCS#1 v1.5 only.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = clock.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(TSA_SUBJECT)
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_aware(now - BACKDATE))
        # never beyond the CA: a timestamp must stay verifiable as long as its issuer
        .not_valid_after(min(_aware(now + timedelta(days=365 * TSA_YEARS)), issuer.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return TteTsa(id=TSA_ID, cert_pem=_pem(cert), key_pem=_pem_key(key, _password(_TSA_KEY_INFO)), created_at=now)


def get_tsa():
    """The simulator TSA row, created (and committed) on first use."""
    return _get_or_create(TteTsa, TSA_ID, _new_tsa_row)


def tsa_key(tsa):
    return serialization.load_pem_private_key(tsa.key_pem.encode(), password=_password(_TSA_KEY_INFO))


# --- users' keys under their passphrase ----------------------------------------------------------------


def _kdf_params():
    cfg = current_app.config
    return int(cfg.get("TTE_KDF_LOG_N", KDF_LOG_N)), int(cfg.get("TTE_KDF_R", KDF_R)), int(cfg.get("TTE_KDF_P", KDF_P))


def _derive(passphrase, salt, log_n, r, p):
    return Scrypt(salt=salt, length=32, n=2**log_n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _b64(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def bungkus(key, passphrase):
    """The private key encrypted under the passphrase:
    `scrypt-aes256gcm$<log2 N>$<r>$<p>$<salt>$<nonce>$<ciphertext>` (base64url; the key is PKCS#8 DER)."""
    log_n, r, p = _kdf_params()
    salt, nonce = os.urandom(16), os.urandom(12)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    ct = AESGCM(_derive(passphrase, salt, log_n, r, p)).encrypt(nonce, der, _AAD)
    return "$".join((_WRAP, str(log_n), str(r), str(p), _b64(salt), _b64(nonce), _b64(ct)))


def perlu_dibungkus_ulang(blob):
    """A key stored before scrypt, or with weaker parameters than configured now."""
    if not blob.startswith(_WRAP + "$"):
        return True
    _, log_n, r, p, *_rest = blob.split("$")
    return (int(log_n), int(r), int(p)) < _kdf_params()


def buka(blob, passphrase):
    """The private key, or KunciTerkunci when the passphrase does not open it."""
    passphrase = passphrase or ""
    if blob.startswith("-----BEGIN"):
        try:
            return serialization.load_pem_private_key(blob.encode(), password=passphrase.encode())
        except (ValueError, TypeError):
            raise KunciTerkunci() from None
    try:
        wrap, log_n, r, p, salt, nonce, ct = blob.split("$")
        if wrap != _WRAP:
            raise ValueError(wrap)
        key = _derive(passphrase, _unb64(salt), int(log_n), int(r), int(p))
        der = AESGCM(key).decrypt(_unb64(nonce), _unb64(ct), _AAD)
    except (InvalidTag, ValueError):
        raise KunciTerkunci() from None
    return serialization.load_der_private_key(der, password=None)


def asn1_cert(pem):
    """pyHanko speaks asn1crypto; the PEMs are written by cryptography."""
    return asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    )
