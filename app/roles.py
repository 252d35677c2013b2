"""The roles of SPEC §1 and what each may open: a leaf module (it imports nothing of the app), so the
services, the security manager and the views can all import it without a cycle.

ROLE_TABLE maps each role to (view regex, permission regex) pairs; FAB checks built-in roles from
config (FAB_ROLES), so this one literal is the whole truth about who may open which page. Which
*row* a role may act on is decided elsewhere: scoping (which organisation) and each workflow's
party rule (which order).
"""

ROLE_ADMIN = "Admin"
ROLE_VERIFIKATOR = "Verifikator"
# The TTE verifier of an instansi (LKPP guide): granted to chosen Verifikator accounts, decides TTE
# activation requests of the instansi of their satker (scoping) and may revoke certificates there.
ROLE_VERIFIKATOR_TTE = "Verifikator TTE"
ROLE_PEMBELI = "Pembeli"
ROLE_PENYEDIA = "Penyedia"
ROLE_PP = "PP"
ROLE_PPK = "PPK"
ROLE_BENDAHARA = "Bendahara"
ROLE_AUDITOR = "Auditor"
ROLE_MANAJEMEN = "Manajemen"
# A registered person before any access is Aktif: may only manage their own account.
ROLE_PENGGUNA = "Pengguna"
# The portal itself (deadline sweeps, the bank's callback); never a login, never in the role table.
ROLE_SISTEM = "Sistem"

ALL_ROLES = (
    ROLE_ADMIN,
    ROLE_VERIFIKATOR,
    ROLE_VERIFIKATOR_TTE,
    ROLE_PEMBELI,
    ROLE_PENYEDIA,
    ROLE_PP,
    ROLE_PPK,
    ROLE_BENDAHARA,
    ROLE_AUDITOR,
    ROLE_MANAJEMEN,
    ROLE_PENGGUNA,
)

# Every signed-in person: their own account, language, home page.
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
# E-Order read-only for oversight (Auditor, Manajemen)
_PESANAN_READ = [
    ["^PesananAdminView$", "^can_(list|show)$"],
    ["^PesananView$", "^can_(detail|dokumen)$"],
    ["^PesananApi$", "^can_(get|dokumen)$"],
]
_TTE = [["^TteView$", "^can_"], ["^(Tanda Tangan Elektronik)$", "^menu_access$"]]
_KATALOG_MENU = ["^(Katalog|Pesanan Katalog)$", "^menu_access$"]
# Laporan and Dasbor: each reader sees the figures of their own scope (app/reports, scoping.py)
_LAPORAN = [["^(LaporanView|DasborView)$", "^can_"], ["^(Laporan|Dasbor|Laporan Excel)$", "^menu_access$"]]

ROLE_TABLE = {
    ROLE_ADMIN: [[".*", ".*"]],
    ROLE_PEMBELI: _COMMON
    + _LAPORAN
    + [
        ["^TokoView$", "^can_(index|produk|tambah|foto)$"],
        ["^(KeranjangView|PesananPembeliView)$", "^can_(list|show)$"],
        ["^PesananView$", "^can_(detail|aksi|item|dokumen)$"],
        ["^AlamatView$", "^can_(list|show|add|edit|delete)$"],
        ["^PesananApi$", "^can_(get|aksi|dokumen)$"],
        ["^(Pesananku|Toko|Keranjang|Riwayat Pesanan|Pengaturan|Alamat)$", "^menu_access$"],
    ],
    ROLE_PENYEDIA: _COMMON
    + _LAPORAN
    + _TTE
    + [
        ["^ProdukPenyediaView$", "^(can_(list|show|add|edit|delete)|ajukan|tarik)$"],
        ["^TokoView$", "^can_foto$"],
        ["^PesananPenyediaView$", "^(can_(list|show)|konfirmasi|kirim)$"],
        ["^PesananView$", "^can_(detail|aksi|dokumen)$"],
        ["^PesananApi$", "^can_(get|aksi|dokumen)$"],
        ["^(Penyedia|Produk Saya|Pesanan Masuk)$", "^menu_access$"],
        # the Penyedia signs the Surat Pesanan, the BAST and addenda, and uploads the faktur pajak
        ["^KatalogView$", "^can_(daftar|detail|aksi|chat|dokumen|adendum|adendum_jawab|ringkasan_nego)$"],
        _KATALOG_MENU,
        ["^PembayaranView$", "^can_(aksi|dokumen)$"],
    ],
    ROLE_VERIFIKATOR: _COMMON + [["^VerifikasiView$", "^can_"], ["^Verifikasi$", "^menu_access$"]],
    ROLE_VERIFIKATOR_TTE: _COMMON
    + [["^VerifikasiTteView$", "^can_"], ["^(Verifikasi|Verifikasi TTE)$", "^menu_access$"]],
    ROLE_PP: _COMMON
    + _LAPORAN
    + [
        ["^KatalogView$", "^can_"],
        _KATALOG_MENU,
        ["^RupView$", "^can_(list|show)$"],
        ["^RUP$", "^menu_access$"],
        # the Katalog shop and cart; addresses (Utama = "Produk dari Daerahmu", shipping)
        ["^(KatalogTokoView|KeranjangKatalogView)$", "^can_"],
        ["^(Belanja Katalog|Keranjang Katalog)$", "^menu_access$"],
        ["^AlamatView$", "^can_(list|show|add|edit|delete)$"],
        ["^(Pengaturan|Alamat)$", "^menu_access$"],
        ["^PembayaranView$", "^can_dokumen$"],
    ],
    ROLE_PPK: _COMMON
    + _LAPORAN
    + _TTE
    + [
        ["^KatalogView$", "^can_(daftar|detail|aksi|dokumen|adendum|adendum_jawab|penilaian)$"],
        _KATALOG_MENU,
        ["^RupView$", "^can_(list|show|add|edit|delete)$"],
        ["^RUP$", "^menu_access$"],
        ["^PembayaranView$", "^can_(ppk|aksi|dokumen|kode)$"],
        ["^Pembayaran Pesanan$", "^menu_access$"],
    ],
    ROLE_BENDAHARA: _COMMON
    + _LAPORAN
    + [
        ["^PembayaranView$", "^can_(antrean|riwayat|detail|aksi|dokumen|kode|simulasi)$"],
        ["^(Pembayaran|Antrean Pembayaran|Riwayat Pembayaran)$", "^menu_access$"],
    ],
    ROLE_AUDITOR: _COMMON
    + _LAPORAN
    + _PESANAN_READ
    + [
        ["^AuditLogView$", "^can_(list|show)$"],
        ["^(Audit|Semua Pesanan E-Order|Log Audit)$", "^menu_access$"],
        ["^KatalogView$", "^can_(daftar|detail|persiapan|dokumen)$"],
        _KATALOG_MENU,
        ["^RupView$", "^can_(list|show)$"],
        ["^RUP$", "^menu_access$"],
        # the payment file's documents, which pihak.boleh_lihat already lets the Auditor read
        ["^PembayaranView$", "^can_dokumen$"],
    ],
    ROLE_MANAJEMEN: _COMMON + _LAPORAN + _PESANAN_READ + [["^(Audit|Semua Pesanan E-Order)$", "^menu_access$"]],
    ROLE_PENGGUNA: _COMMON,
}
