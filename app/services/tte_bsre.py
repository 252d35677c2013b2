"""The seam where BSrE (Balai Sertifikasi Elektronik, BSSN) plugs in, like the payment gateway's (gateway.py).

What the portal needs from a certificate provider, and nothing else:
1. `terbitkan(user, nik, passphrase)`: issue a certificate for the user, after their instansi's TTE verifier
   approved the request (tte_aktivasi); returns the certificate and, when the provider leaves the key with
   the portal, the key wrapped under the passphrase;
2. `tandatangani_digest(sert, passphrase, digest, md_algorithm)`: sign a digest (the CMS signed attributes'
   hash, computed by pyHanko) with the user's key, which only the passphrase opens; PassphraseDitolak when
   it does not;
3. `cabut(sert, alasan)`: revoke a certificate; and for verification `akar()` (the trust roots) plus the
   portal's own revocation list (tte.py).

The PDF is always signed by pyHanko in the portal (tte.sign_pdf): only who holds the key changes.
SimulatorBsre is the default (TTE_PROVIDER): the portal's own CA (tte_ca) holds nothing but the CA key, the
user's key is stored wrapped with scrypt under their passphrase. BsreClient speaks JSON over HTTPS to the
service at TTE_BSRE_URL with TTE_BSRE_CLIENT_ID/TTE_BSRE_CLIENT_SECRET; the key never leaves BSrE.
Production refuses to start with the simulator unless TTE_SIMULATOR_ALLOWED says so (production_problems).

Timestamps (RFC 3161) come from TTE_TSA_URL when set, else from the simulator's own TSA (tte_ca).
"""

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import import_module

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from flask import current_app
from flask_babel import lazy_gettext as _l
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import clock, tte_ca
from .errors import DomainError

DEFAULT_PROVIDER = "app.services.tte_bsre.SimulatorBsre"


class PenyediaTteError(DomainError):
    """The certificate provider refused or is not reachable; nothing was signed or changed."""

    status = 502


class PassphraseDitolak(Exception):
    """The provider says the passphrase does not open the user's key (tte.sign_pdf counts the attempt)."""


@dataclass(frozen=True)
class Terbitan:
    """What a provider hands back for a new certificate."""

    cert_pem: str
    key_blob: str | None  # the key wrapped under the passphrase (simulator); None: the provider holds it
    chain_pem: tuple = ()  # issuing CA certificates to embed in signatures, leaf's issuer first


@dataclass(frozen=True)
class KunciPengguna:
    """A plain copy of a SertifikatTte row: what the provider reads while pyHanko signs, possibly in a worker
    thread without the app context or the database session."""

    id: int
    serial: str
    cert_pem: str
    key_pem: str | None

    @classmethod
    def dari(cls, sert):
        return cls(id=sert.id, serial=sert.serial, cert_pem=sert.cert_pem, key_pem=sert.key_pem)


class PenyediaTte:
    """What the portal needs from BSrE; subclass it and name it in TTE_PROVIDER."""

    simulasi = False

    def __init__(self, config):
        self.config = config

    def terbitkan(self, user, nik, passphrase):
        raise NotImplementedError

    def tandatangani_digest(self, sert, passphrase, digest, md_algorithm):
        """The raw signature (DER ECDSA/RSA PKCS#1 value) over `digest`; PassphraseDitolak on a wrong one."""
        raise NotImplementedError

    def periksa_passphrase(self, sert, passphrase):
        """Before pyHanko builds the signature: PassphraseDitolak when the provider can tell already (the
        simulator can; BSrE says so when asked to sign)."""

    def kunci_baru(self, sert, passphrase):
        """After a correct passphrase: the key re-wrapped with today's parameters, or None (nothing to do)."""
        return None

    def cabut(self, sert, alasan):
        raise NotImplementedError

    def akar(self):
        """The trust roots (PEM) signatures of this provider chain to."""
        raise NotImplementedError

    def rantai(self):
        """CA certificates (PEM) to embed in each signature so any verifier can build the chain."""
        return tuple(self.akar())


class SimulatorBsre(PenyediaTte):
    """Stands in for BSrE until the real service is configured: the portal's own CA issues the certificate
    and the user's key is kept wrapped under their passphrase (scrypt, tte_ca.bungkus)."""

    simulasi = True

    def terbitkan(self, user, nik, passphrase):
        key = tte_ca.new_user_key()
        cert = tte_ca.issue_user_cert(user, key.public_key())
        return Terbitan(cert_pem=tte_ca._pem(cert), key_blob=tte_ca.bungkus(key, passphrase), chain_pem=self.rantai())

    def _key(self, sert, passphrase):
        # One scrypt per signature: the key opened by periksa_passphrase serves this provider object's
        # later calls for the same certificate and passphrase.
        cached = getattr(self, "_terbuka", None)
        if cached is not None and cached[0] == (sert.id, sert.serial, passphrase):
            return cached[1]
        if not sert.key_pem:
            raise PassphraseDitolak()
        try:
            key = tte_ca.buka(sert.key_pem, passphrase)
        except tte_ca.KunciTerkunci:
            raise PassphraseDitolak() from None
        self._terbuka = ((sert.id, sert.serial, passphrase), key)
        return key

    def periksa_passphrase(self, sert, passphrase):
        self._key(sert, passphrase)

    def tandatangani_digest(self, sert, passphrase, digest, md_algorithm):
        key = self._key(sert, passphrase)
        algo = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[md_algorithm]
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(digest, ec.ECDSA(utils.Prehashed(algo)))
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(digest, padding.PKCS1v15(), utils.Prehashed(algo))
        raise PenyediaTteError(_l("Jenis kunci TTE tidak didukung."))

    def kunci_baru(self, sert, passphrase):
        if sert.key_pem and tte_ca.perlu_dibungkus_ulang(sert.key_pem):
            return tte_ca.bungkus(self._key(sert, passphrase), passphrase)
        return None

    def cabut(self, sert, alasan):
        """The simulator's revocation is the portal's list (tte.cabut writes it); nothing else to tell."""

    def akar(self):
        return (tte_ca.get_ca().cert_pem,)


class BsreClient(PenyediaTte):
    """The real BSrE over HTTPS (JSON, HTTP Basic with the portal's client id and secret). The endpoints are
    the portal's contract with the integration: POST /sertifikat {nik, nama, email} -> {cert_pem, chain_pem};
    POST /tanda-tangan {serial, passphrase, digest (base64), md} -> {signature (base64)}, 401 on a wrong
    passphrase; POST /cabut {serial, alasan}. TTE_BSRE_AKAR names the PEM file of BSrE's root CA."""

    def _post(self, path, payload):
        url = (self.config.get("TTE_BSRE_URL") or "").rstrip("/")
        if not url:
            raise PenyediaTteError(_l("Layanan BSrE belum dikonfigurasi. Hubungi Admin."), status=503)
        creds = f"{self.config.get('TTE_BSRE_CLIENT_ID', '')}:{self.config.get('TTE_BSRE_CLIENT_SECRET', '')}"
        req = urllib.request.Request(
            url + path,
            data=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": "Basic " + base64.b64encode(creds.encode()).decode(),
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=int(self.config.get("TTE_BSRE_TIMEOUT", 15))) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            if e.code == 401 and path == "/tanda-tangan":
                raise PassphraseDitolak() from None
            raise PenyediaTteError(_l("BSrE menolak permintaan (HTTP %(kode)s).", kode=e.code)) from None
        except (urllib.error.URLError, TimeoutError, ValueError):
            raise PenyediaTteError(_l("Layanan BSrE tidak dapat dihubungi. Coba lagi nanti.")) from None

    def terbitkan(self, user, nik, passphrase):
        out = self._post(
            "/sertifikat",
            {"nik": nik, "nama": f"{user.first_name} {user.last_name}".strip(), "email": user.email,
             "passphrase": passphrase},
        )  # fmt: skip
        return Terbitan(cert_pem=out["cert_pem"], key_blob=None, chain_pem=tuple(out.get("chain_pem") or ()))

    def tandatangani_digest(self, sert, passphrase, digest, md_algorithm):
        out = self._post(
            "/tanda-tangan",
            {"serial": sert.serial, "passphrase": passphrase, "digest": base64.b64encode(digest).decode(),
             "md": md_algorithm},
        )  # fmt: skip
        return base64.b64decode(out["signature"])

    def cabut(self, sert, alasan):
        self._post("/cabut", {"serial": sert.serial, "alasan": alasan})

    def akar(self):
        path = self.config.get("TTE_BSRE_AKAR") or ""
        if not path:
            raise PenyediaTteError(_l("Sertifikat akar BSrE belum dikonfigurasi. Hubungi Admin."), status=503)
        with open(path, encoding="ascii") as fh:
            return (fh.read(),)


def provider():
    """The configured provider (TTE_PROVIDER, a dotted class path)."""
    path = current_app.config.get("TTE_PROVIDER") or DEFAULT_PROVIDER
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)(current_app.config)


# --- timestamps -----------------------------------------------------------------------------------------


class HttpTimeStamper(TimeStamper):
    """An RFC 3161 TSA over HTTP(S) (TTE_TSA_URL; TTE_TSA_AUTH is sent as the Authorization header)."""

    def __init__(self, url, auth=None, timeout=10):
        super().__init__()
        self.url, self.auth, self.timeout = url, auth, timeout

    async def async_request_tsa_response(self, req):
        headers = {"Content-Type": "application/timestamp-query"}
        if self.auth:
            headers["Authorization"] = self.auth
        request = urllib.request.Request(self.url, data=req.dump(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                return tsp.TimeStampResp.load(resp.read())
        except (urllib.error.URLError, TimeoutError, ValueError):
            raise PenyediaTteError(_l("Layanan cap waktu (TSA) tidak dapat dihubungi. Coba lagi nanti.")) from None


def timestamper():
    """The TSA of this signature: TTE_TSA_URL, else the simulator's TSA at the portal's clock."""
    url = current_app.config.get("TTE_TSA_URL")
    if url:
        return HttpTimeStamper(url, auth=current_app.config.get("TTE_TSA_AUTH") or None)
    tsa = tte_ca.get_tsa()
    key = tte_ca.tsa_key(tsa)
    return DummyTimeStamper(
        tsa_cert=tte_ca.asn1_cert(tsa.cert_pem),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        certs_to_embed=SimpleCertificateStore.from_certs([tte_ca.asn1_cert(tte_ca.get_ca().cert_pem)]),
        fixed_dt=tte_ca._aware(clock.now()),
    )


def tsa_akar():
    """Trust roots of the timestamps: the simulator CA unless a TSA URL is set (then TTE_TSA_AKAR's PEM)."""
    if current_app.config.get("TTE_TSA_URL"):
        path = current_app.config.get("TTE_TSA_AKAR") or ""
        if not path:
            return ()
        with open(path, encoding="ascii") as fh:
            return (fh.read(),)
    return (tte_ca.get_ca().cert_pem,)


def production_problems(config):
    """Unsafe TTE settings for create_app("production")."""
    problems = []
    path = config.get("TTE_PROVIDER") or DEFAULT_PROVIDER
    allowed = bool(config.get("TTE_SIMULATOR_ALLOWED"))
    if path == DEFAULT_PROVIDER and not allowed:
        problems.append(
            "TTE_PROVIDER is the BSrE simulator (the portal's own CA): set TTE_PROVIDER=app.services.tte_bsre."
            "BsreClient with TTE_BSRE_URL, or TTE_SIMULATOR_ALLOWED=true to accept unrecognised signatures"
        )
    if path.endswith(".BsreClient") and not (config.get("TTE_BSRE_URL") and config.get("TTE_BSRE_AKAR")):
        problems.append("TTE_BSRE_URL and TTE_BSRE_AKAR must be set for the BSrE client")
    if not config.get("TTE_TSA_URL") and not allowed:
        problems.append("TTE_TSA_URL must name an RFC 3161 timestamp authority (or TTE_SIMULATOR_ALLOWED=true)")
    return problems
