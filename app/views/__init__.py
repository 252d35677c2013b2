"""Registers every view; one module per actor."""

from flask_appbuilder import IndexView as FabIndexView


class IndexView(FabIndexView):
    index_template = "beranda.html"


def register(appbuilder):
    from . import admin, akun, pembeli, penyedia, pesanan, tte, verifikator

    pesanan.register(appbuilder)
    pembeli.register(appbuilder)
    penyedia.register(appbuilder)
    admin.register(appbuilder)
    akun.register(appbuilder)
    verifikator.register(appbuilder)
    tte.register(appbuilder)

    from app import api

    api.register(appbuilder)
