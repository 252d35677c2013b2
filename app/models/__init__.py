"""Every table; importing this module registers them all on FAB's metadata."""

from .accounts import (
    AccountToken,
    AksesPengguna,
    OtpChallenge,
    PortalUser,
    ProfilPengguna,
    SertifikatTte,
    TteCa,
)
from .addresses import Alamat
from .audit import AuditLog
from .catalog import Kategori, LayananTambahan, Produk, ProdukVarian, Ulasan
from .deadlines import Deadline, DeadlineReminder, SweepRun
from .eorder import Dokumen, Pesanan, PesananItem
from .keranjang import KeranjangKatalog, KeranjangKatalogLayanan
from .laporan import LaporanBerkas
from .organisations import Instansi, Penyedia, Satker
from .outbox import EmailOutbox
from .payments import CallbackPembayaran, KodeBayar, Pembayaran
from .purchasing import (
    Adendum,
    BastItem,
    NegosiasiHarga,
    NegosiasiRonde,
    PengirimanEvent,
    PenilaianKatalog,
    PesananKatalog,
    PesananKatalogItem,
    PesananKatalogLayanan,
    PesanChat,
    Rup,
)
from .regions import Wilayah
from .tte import PencabutanTte, PermohonanTte, TteTsa
from .usulan_produk import UsulanVarianLayanan

__all__ = [
    "Adendum",
    "BastItem",
    "PengirimanEvent",
    "PenilaianKatalog",
    "NegosiasiHarga",
    "NegosiasiRonde",
    "PesanChat",
    "PesananKatalog",
    "PesananKatalogItem",
    "PesananKatalogLayanan",
    "Rup",
    "CallbackPembayaran",
    "KodeBayar",
    "Pembayaran",
    "Deadline",
    "DeadlineReminder",
    "SweepRun",
    "AccountToken",
    "AksesPengguna",
    "OtpChallenge",
    "ProfilPengguna",
    "SertifikatTte",
    "TteCa",
    "PencabutanTte",
    "PermohonanTte",
    "TteTsa",
    "Alamat",
    "AuditLog",
    "Dokumen",
    "EmailOutbox",
    "Instansi",
    "Kategori",
    "KeranjangKatalog",
    "KeranjangKatalogLayanan",
    "LaporanBerkas",
    "LayananTambahan",
    "Penyedia",
    "Pesanan",
    "PesananItem",
    "PortalUser",
    "Produk",
    "ProdukVarian",
    "Satker",
    "Ulasan",
    "UsulanVarianLayanan",
    "Wilayah",
]
