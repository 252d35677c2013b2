"""Registers every view; one module per actor."""

from flask_appbuilder import IndexView as FabIndexView


class IndexView(FabIndexView):
    index_template = "beranda.html"


def register(appbuilder):
    from . import admin, akun, katalog, pembeli, penyedia, pesanan, tte, verifikator

    pesanan.register(appbuilder)
    pembeli.register(appbuilder)
    penyedia.register(appbuilder)
    admin.register(appbuilder)
    akun.register(appbuilder)
    verifikator.register(appbuilder)
    tte.register(appbuilder)
    katalog.register(appbuilder)
    __import__("app.views.katalog_toko", fromlist=["register"]).register(appbuilder)  # PP shop and cart
    __import__("app.views.rup", fromlist=["register"]).register(appbuilder)  # RUP budget lines
    __import__("app.views.operasi", fromlist=["register"]).register(appbuilder)  # Operasional (issue 6)
    __import__("app.views.pembayaran", fromlist=["register"]).register(appbuilder)  # Pembayaran (SPEC §6.9)

    from app import api

    api.register(appbuilder)
