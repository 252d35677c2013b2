"""Registers every view; one module per actor."""

from flask_appbuilder import IndexView as FabIndexView


class IndexView(FabIndexView):
    index_template = "beranda.html"


def register(appbuilder):
    from . import admin, pembeli, penyedia, pesanan

    pesanan.register(appbuilder)
    pembeli.register(appbuilder)
    penyedia.register(appbuilder)
    admin.register(appbuilder)

    from app import api

    api.register(appbuilder)
