"""Registers every view module, in menu order; create_app calls `register` and then the API's.

View modules import services and `_base`, never each other."""

from flask_appbuilder import IndexView as FabIndexView

from . import (
    admin,
    akun,
    katalog,
    katalog_toko,
    laporan,
    operasi,
    pembayaran,
    pembeli,
    penyedia,
    pesanan,
    rup,
    tte,
    tte_verifikasi,
    verifikasi_dokumen,
    verifikator,
)

MODULES = (
    pesanan,
    pembeli,
    penyedia,
    admin,
    akun,
    verifikator,
    tte_verifikasi,
    tte,
    katalog,
    katalog_toko,
    rup,
    laporan,
    operasi,
    pembayaran,
    verifikasi_dokumen,
)


class IndexView(FabIndexView):
    index_template = "beranda.html"


def register(appbuilder):
    for module in MODULES:
        module.register(appbuilder)
