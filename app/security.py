"""Roles for every actor of SPEC §1, declared in one place, and the portal's security manager.

ROLE_TABLE maps each role to (view regex, permission regex) pairs; FAB checks built-in
roles from config (FAB_ROLES), so this table is the whole truth about who may open what.
"""

from flask_appbuilder.security.sqla.manager import SecurityManager
from sqlalchemy import func, or_, select

from app.models.accounts import PortalUser

ROLE_ADMIN = "Admin"
ROLE_VERIFIKATOR = "Verifikator"
ROLE_PEMBELI = "Pembeli"
ROLE_PENYEDIA = "Penyedia"
ROLE_PP = "PP"
ROLE_PPK = "PPK"
ROLE_BENDAHARA = "Bendahara"
ROLE_AUDITOR = "Auditor"
ROLE_MANAJEMEN = "Manajemen"

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
)

_COMMON = [
    ["^UserInfoEditView$", "can_this_form_(get|post)$"],
    ["^UserDBModelView$", "^(can_userinfo|userinfoedit|resetmypassword)$"],
    ["^ResetMyPasswordView$", "can_this_form_(get|post)$"],
    ["^LocaleView$", "can_index$"],
    ["^Beranda$", "^menu_access$"],
]

ROLE_TABLE = {
    ROLE_ADMIN: [[".*", ".*"]],
    ROLE_PEMBELI: _COMMON
    + [
        ["^TokoView$", "^can_"],
        ["^PesananPembeliView$", "^can_(list|show|get|post)$"],
        ["^PesananView$", "^can_"],
        ["^AlamatView$", "^can_(list|show|add|edit|delete)$"],
        ["^WilayahApi$", "^can_"],
        ["^(Toko|Pesananku|Keranjang|Riwayat Pesanan|Alamat|Pengaturan)$", "^menu_access$"],
    ],
    ROLE_PENYEDIA: _COMMON
    + [
        ["^ProdukPenyediaView$", "^(can_(list|show|add|edit|delete)|ajukan)$"],
        ["^PesananPenyediaView$", "^(can_(list|show)|konfirmasi|kirim)$"],
        ["^PesananView$", "^can_"],
        ["^(Produk Saya|Pesanan Masuk|Penyedia)$", "^menu_access$"],
    ],
    ROLE_VERIFIKATOR: _COMMON,
    ROLE_PP: _COMMON,
    ROLE_PPK: _COMMON,
    ROLE_BENDAHARA: _COMMON,
    ROLE_AUDITOR: _COMMON
    + [
        ["^PesananAuditorView$", "^can_(list|show)$"],
        ["^PesananView$", "^can_(show|unduh)$"],
        ["^AuditLogView$", "^can_(list|show)$"],
        ["^(Audit|Semua Pesanan E-Order|Log Audit)$", "^menu_access$"],
    ],
    ROLE_MANAJEMEN: _COMMON,
}


class PortalSecurityManager(SecurityManager):
    user_model = PortalUser

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
        user = self.find_user_for_login(username)
        if user is not None:
            username = user.username
        return super().auth_user_db(username, password)
