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

_PESANAN_READ = [
    ["^PesananAdminView$", "^can_(list|show)$"],
    ["^PesananView$", "^can_(detail|dokumen)$"],
]

ROLE_TABLE = {
    ROLE_ADMIN: [[".*", ".*"]],
    ROLE_PEMBELI: _COMMON
    + [
        ["^TokoView$", "^can_(index|produk|tambah)$"],
        ["^(KeranjangView|PesananPembeliView)$", "^can_(list|show)$"],
        ["^PesananView$", "^can_(detail|aksi|item|dokumen)$"],
        ["^AlamatView$", "^can_(list|show|add|edit|delete)$"],
        ["^(Pesananku|Toko|Keranjang|Riwayat Pesanan|Pengaturan|Alamat)$", "^menu_access$"],
    ],
    ROLE_PENYEDIA: _COMMON
    + [
        ["^ProdukPenyediaView$", "^(can_(list|show|add|edit|delete)|ajukan)$"],
        ["^PesananPenyediaView$", "^(can_(list|show)|konfirmasi|kirim)$"],
        ["^PesananView$", "^can_(detail|aksi|dokumen)$"],
        ["^(Penyedia|Produk Saya|Pesanan Masuk)$", "^menu_access$"],
    ],
    ROLE_VERIFIKATOR: _COMMON,
    ROLE_PP: _COMMON,
    ROLE_PPK: _COMMON,
    ROLE_BENDAHARA: _COMMON,
    ROLE_AUDITOR: _COMMON
    + _PESANAN_READ
    + [
        ["^AuditLogView$", "^can_(list|show)$"],
        ["^(Audit|Semua Pesanan E-Order|Log Audit)$", "^menu_access$"],
    ],
    ROLE_MANAJEMEN: _COMMON + _PESANAN_READ + [["^(Audit|Semua Pesanan E-Order)$", "^menu_access$"]],
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
