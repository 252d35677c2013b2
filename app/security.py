"""Roles for every actor of SPEC §1, declared in one place, and the portal's security manager.

ROLE_TABLE maps each role to (view regex, permission regex) pairs; FAB checks built-in
roles from config (FAB_ROLES), so this table is the whole truth about who may open what.
"""

import logging

from flask import has_request_context
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import UserDBModelView, UserStatsChartView
from flask_appbuilder.utils.limit import Limit
from flask_babel import lazy_gettext
from flask_limiter.util import get_remote_address
from sqlalchemy import func, or_, select

from app.models.accounts import PortalUser
from app.services import auth

log = logging.getLogger(__name__)

ROLE_ADMIN = "Admin"
ROLE_VERIFIKATOR = "Verifikator"
ROLE_PEMBELI = "Pembeli"
ROLE_PENYEDIA = "Penyedia"
ROLE_PP = "PP"
ROLE_PPK = "PPK"
ROLE_BENDAHARA = "Bendahara"
ROLE_AUDITOR = "Auditor"
ROLE_MANAJEMEN = "Manajemen"
# A registered person before any access is Aktif: may only manage their own account.
ROLE_PENGGUNA = "Pengguna"
# The portal itself (deadline sweeps); never a login, never in the role table.
ROLE_SISTEM = "Sistem"

ALL_ROLES = (
    ROLE_ADMIN,
    ROLE_VERIFIKATOR,
    ROLE_PEMBELI,
    ROLE_PENYEDIA,
    ROLE_PP,
    ROLE_PPK,
    ROLE_BENDAHARA,
    ROLE_AUDITOR,
    ROLE_MANAJEMEN,
    ROLE_PENGGUNA,
)

_COMMON = [
    ["^UserInfoEditView$", "can_this_form_(get|post)$"],
    ["^(UserDBModelView|PortalUserDBModelView)$", "^(can_userinfo|userinfoedit|resetmypassword)$"],
    ["^ResetMyPasswordView$", "can_this_form_(get|post)$"],
    ["^LocaleView$", "can_index$"],
    ["^Beranda$", "^menu_access$"],
    # Akun Saya: identity, profile, access requests, own TTE status
    ["^AkunView$", "^can_"],
    ["^(Akun|Akun Saya)$", "^menu_access$"],
]

_PESANAN_READ = [
    ["^PesananAdminView$", "^can_(list|show)$"],
    ["^PesananView$", "^can_(detail|dokumen)$"],
    ["^PesananApi$", "^can_get$"],
]

ROLE_TABLE = {
    ROLE_ADMIN: [[".*", ".*"]],
    ROLE_PEMBELI: _COMMON
    + [
        ["^TokoView$", "^can_(index|produk|tambah|foto)$"],
        ["^(KeranjangView|PesananPembeliView)$", "^can_(list|show)$"],
        ["^PesananView$", "^can_(detail|aksi|item|dokumen)$"],
        ["^AlamatView$", "^can_(list|show|add|edit|delete)$"],
        ["^PesananApi$", "^can_(get|aksi)$"],
        ["^(Pesananku|Toko|Keranjang|Riwayat Pesanan|Pengaturan|Alamat)$", "^menu_access$"],
    ],
    ROLE_PENYEDIA: _COMMON
    + [
        ["^ProdukPenyediaView$", "^(can_(list|show|add|edit|delete)|ajukan)$"],
        ["^TokoView$", "^can_foto$"],
        ["^PesananPenyediaView$", "^(can_(list|show)|konfirmasi|kirim)$"],
        ["^PesananView$", "^can_(detail|aksi|dokumen)$"],
        ["^PesananApi$", "^can_(get|aksi)$"],
        ["^(Penyedia|Produk Saya|Pesanan Masuk)$", "^menu_access$"],
        # Penyedia signs the Surat Pesanan and BAST too (Katalog flow)
        ["^TteView$", "^can_"],
        ["^(Tanda Tangan Elektronik)$", "^menu_access$"],
        ["^KatalogView$", "^can_(daftar|detail|aksi|chat)$"],
        ["^(Katalog|Pesanan Katalog)$", "^menu_access$"],
    ],
    ROLE_VERIFIKATOR: _COMMON
    + [
        ["^VerifikasiView$", "^can_"],
        ["^Verifikasi$", "^menu_access$"],
    ],
    ROLE_PP: _COMMON + [["^KatalogView$", "^can_"], ["^(Katalog|Pesanan Katalog)$", "^menu_access$"]],
    ROLE_PPK: _COMMON
    + [["^TteView$", "^can_"], ["^(Tanda Tangan Elektronik)$", "^menu_access$"]]
    + [["^KatalogView$", "^can_(daftar|detail|aksi)$"], ["^(Katalog|Pesanan Katalog)$", "^menu_access$"]],
    ROLE_BENDAHARA: _COMMON,
    ROLE_AUDITOR: _COMMON
    + _PESANAN_READ
    + [
        ["^AuditLogView$", "^can_(list|show)$"],
        ["^(Audit|Semua Pesanan E-Order|Log Audit)$", "^menu_access$"],
        ["^KatalogView$", "^can_(daftar|detail|persiapan)$"],
        ["^(Katalog|Pesanan Katalog)$", "^menu_access$"],
    ],
    ROLE_MANAJEMEN: _COMMON + _PESANAN_READ + [["^(Audit|Semua Pesanan E-Order)$", "^menu_access$"]],
    ROLE_PENGGUNA: _COMMON,
}
# Katalog after the Surat Pesanan (documents, ratings, addenda) and the RUP budget lines
_KATALOG_DOCS = ["^KatalogView$", "^can_(dokumen|adendum|adendum_jawab)$"]
ROLE_TABLE[ROLE_PPK] += [
    _KATALOG_DOCS,
    ["^KatalogView$", "^can_penilaian$"],
    ["^RupView$", "^can_(list|show|add|edit|delete)$"],
    ["^RUP$", "^menu_access$"],
]
ROLE_TABLE[ROLE_PENYEDIA] += [_KATALOG_DOCS]
ROLE_TABLE[ROLE_PP] += [["^RupView$", "^can_(list|show)$"], ["^RUP$", "^menu_access$"]]
ROLE_TABLE[ROLE_AUDITOR] += [
    ["^KatalogView$", "^can_dokumen$"],
    ["^RupView$", "^can_(list|show)$"],
    ["^RUP$", "^menu_access$"],
]
# Katalog shop and cart of the PP; the PP keeps addresses too (Utama = "Produk dari Daerahmu", shipping)
ROLE_TABLE[ROLE_PP] += [
    ["^(KatalogTokoView|KeranjangKatalogView)$", "^can_"],
    ["^(Belanja Katalog|Keranjang Katalog)$", "^menu_access$"],
    ["^AlamatView$", "^can_(list|show|add|edit|delete)$"],
    ["^(Pengaturan|Alamat)$", "^menu_access$"],
]

# Pembayaran (SPEC §6 step 9): the Bendahara's queue, history and order page; the PPK's method choice list;
# payment actions and documents for their parties (app/views/pembayaran.py checks the party of each order).
ROLE_TABLE[ROLE_BENDAHARA] = ROLE_TABLE[ROLE_BENDAHARA] + [
    ["^PembayaranView$", "^can_(antrean|riwayat|detail|aksi|dokumen|kode|simulasi)$"],
    ["^(Pembayaran|Antrean Pembayaran|Riwayat Pembayaran)$", "^menu_access$"],
]
ROLE_TABLE[ROLE_PPK] = ROLE_TABLE[ROLE_PPK] + [
    ["^PembayaranView$", "^can_(ppk|aksi|dokumen|kode)$"],
    ["^Pembayaran Pesanan$", "^menu_access$"],
]
ROLE_TABLE[ROLE_PENYEDIA] = ROLE_TABLE[ROLE_PENYEDIA] + [["^PembayaranView$", "^can_(aksi|dokumen)$"]]
ROLE_TABLE[ROLE_PP] = ROLE_TABLE[ROLE_PP] + [["^PembayaranView$", "^can_dokumen$"]]


class PortalSecurityApi(SecurityApi):
    """FAB's /api/v1/security/login has no rate limit; this one counts POST /login like the HTML form."""

    limits = [
        Limit(
            limit_value=auth.api_login_rate_limit,
            key_func=get_remote_address,
            methods=("POST",),
            exempt_when=auth.api_login_limit_exempt,
            on_breach=auth.api_login_limit_breached,
        )
    ]


class PortalSecurityManager(SecurityManager):
    user_model = PortalUser
    userdbmodelview = None  # set below, once the view class exists
    security_api = PortalSecurityApi

    def find_user_for_login(self, login):
        """Login by username, NRK or email (case-insensitive)."""
        login = (login or "").strip()
        if not login:
            return None
        model = self.user_model
        stmt = select(model).where(
            or_(
                model.username == login,
                func.lower(model.email) == login.lower(),
                model.nrk == login,
            )
        )
        return self.session.execute(stmt).scalars().first()

    def auth_user_db(self, username, password):
        # One lookup for every login (known or not), then FAB's own balanced path: unknown users get
        # a fake hash check, so both failures answer alike and in similar time.
        user = self.find_user_for_login(username)
        if user is not None and auth.is_locked(user):
            auth.balance_locked_attempt(self, user, password)
            return None
        if user is not None:
            username = user.username
        return super().auth_user_db(username, password)

    def create_jwt_manager(self, app):
        """API tokens carry a fingerprint of the password hash: a new password revokes them (refresh tokens too)."""
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(auth.jwt_claims)
        jwt_manager.token_in_blocklist_loader(auth.jwt_revoked)
        return jwt_manager

    # FAB 5.2.1+ hooks: called from update_user_auth_stat and the logout view.
    def on_user_login(self, user):
        auth.record_login_success(user)

    def on_user_login_failed(self, user):
        auth.record_login_failure(user)

    def on_user_logout(self, user):
        auth.record_logout(user)

    def reset_password(self, userid, password):
        """FAB's own and admin reset forms: a new password ends the user's other sessions."""
        from app.services.workflow import audit

        super().reset_password(userid, password)
        user = self.get_user_by_id(userid)
        auth.bump_session_version(user)
        user.locked_until = None
        audit("ab_user", user.id, "ubah_kata_sandi", self.current_user if has_request_context() else None)
        self.session.commit()
        auth.keep_current_session(user)


def _org_fields(columns):
    return columns[:5] + ["nrk", "telepon", "satker", "penyedia"] + columns[5:]


class PortalUserDBModelView(UserDBModelView):
    """FAB's user admin plus NRK and the one organisation (satker/BUMD or Penyedia) of the user."""

    add_columns = _org_fields(UserDBModelView.add_columns)
    edit_columns = _org_fields(UserDBModelView.edit_columns)
    list_columns = ["first_name", "last_name", "username", "email", "nrk", "satker", "penyedia", "active", "roles"]
    search_columns = UserDBModelView.search_columns + ["nrk", "satker", "penyedia"]
    show_fieldsets = [
        (
            lazy_gettext("User info"),
            {"fields": ["username", "nrk", "active", "roles", "satker", "penyedia", "login_count"]},
        ),
        (lazy_gettext("Personal Info"), {"fields": ["first_name", "last_name", "email", "telepon"], "expanded": True}),
    ]
    label_columns = {
        **UserDBModelView.label_columns,
        "nrk": lazy_gettext("NRK"),
        "telepon": lazy_gettext("Telepon"),
        "satker": lazy_gettext("Satker / BUMD"),
        "penyedia": lazy_gettext("Penyedia"),
    }

    def _check_org(self, item):
        roles = {r.name for r in item.roles}
        if item.satker and item.penyedia:
            raise ValueError(str(lazy_gettext("Pengguna hanya boleh terhubung ke satu organisasi.")))
        if ROLE_PENYEDIA in roles and not item.penyedia:
            raise ValueError(str(lazy_gettext("Pengguna berperan Penyedia harus terhubung ke perusahaan Penyedia.")))
        if roles - {ROLE_ADMIN, ROLE_PENYEDIA} and not item.satker:
            raise ValueError(str(lazy_gettext("Pengguna ini harus terhubung ke satker/BUMD.")))

    def pre_add(self, item):
        super().pre_add(item)
        self._check_org(item)

    def pre_update(self, item):
        super().pre_update(item)
        self._check_org(item)


class PortalUserStatsChartView(UserStatsChartView):
    """FAB writes its chart labels as plain English strings; these use FAB's translated msgids."""

    definitions = [
        {"label": lazy_gettext("Login count"), "group": "username", "series": ["login_count"]},
        {"label": lazy_gettext("Failed login count"), "group": "username", "series": ["fail_login_count"]},
    ]


PortalSecurityManager.userdbmodelview = PortalUserDBModelView
PortalSecurityManager.userstatschartview = PortalUserStatsChartView
