"""Registers every view module, in menu order; create_app calls `register` and then the API's.

View modules import services and `_base`, never each other."""

from flask import g
from flask_appbuilder import IndexView as FabIndexView
from flask_appbuilder import expose

from app.services import beranda as beranda_service
from app.services import clock

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
    """The home page: what waits on this user now, per role (app/services/beranda.py)."""

    index_template = "beranda.html"

    @expose("/")
    def index(self):
        self.update_redirect()
        user = g.user if getattr(g, "user", None) is not None and g.user.is_authenticated else None
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            bagian=beranda_service.beranda(user) if user else [],
            now=clock.now(),
        )


def register(appbuilder):
    for module in MODULES:
        module.register(appbuilder)
