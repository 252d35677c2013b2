"""RUP budget lines: Admin keeps every satker's, a PPK their own satker's, a PP looks them up."""

from flask import g
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import InputRequired

from app.extensions import db
from app.formatting import rupiah
from app.models import Rup, Satker
from app.roles import ROLE_ADMIN
from app.services import anggaran, audit, scoping
from app.services.errors import DomainError

from ._base import ScopedModelView, datamodel
from .fields import RupiahField


def _rupiah(value):
    return rupiah(value)


class SatkerSendiri(BaseFilter):
    """The satker choices of the form: all for Admin, the user's own for a PPK."""

    name = "SatkerSendiri"
    arg_name = "satker_sendiri"

    def apply(self, query, value):
        if ROLE_ADMIN in scoping.roles_of(g.user):
            return query
        return query.filter(Satker.id == (g.user.satker_id or 0))


class RupView(ScopedModelView):
    datamodel = datamodel(Rup)
    route_base = "/rup"
    list_title = _l("RUP")
    list_columns = ["kode", "nama", "tahun", "satker", "pagu", "terpakai", "sisa"]
    show_columns = list_columns
    add_columns = edit_columns = ["kode", "nama", "tahun", "satker", "pagu"]
    search_columns = ["kode", "nama", "tahun"]
    order_columns = ["kode", "nama", "tahun", "pagu", "terpakai"]
    base_order = ("kode", "asc")
    label_columns = {
        "kode": _l("Kode RUP"),
        "nama": _l("Nama Paket"),
        "tahun": _l("Tahun Anggaran"),
        "satker": _l("Satuan Kerja"),
        "pagu": _l("Pagu"),
        "terpakai": _l("Terpakai"),
        "sisa": _l("Sisa"),
    }
    description_columns = {
        "satker": _l("PPK hanya dapat menambah RUP satuan kerjanya sendiri."),
        "pagu": _l("Tidak boleh kurang dari anggaran yang sudah terpakai pesanan."),
    }
    add_form_extra_fields = {
        "pagu": RupiahField(_l("Pagu (Rp)"), validators=[InputRequired()]),
        "tahun": IntegerField(_l("Tahun Anggaran"), validators=[InputRequired()], widget=BS3TextFieldWidget()),
    }
    edit_form_extra_fields = add_form_extra_fields
    add_form_query_rel_fields = edit_form_query_rel_fields = {"satker": [["id", SatkerSendiri, None]]}
    formatters_columns = {"pagu": _rupiah, "terpakai": _rupiah, "sisa": _rupiah}

    def pre_add(self, item):
        try:
            anggaran.rup_baru(item, g.user)
        except DomainError as e:
            raise ValueError(str(e)) from e

    def pre_update(self, item):
        try:
            anggaran.ubah_rup(item, g.user)
        except DomainError as e:
            raise ValueError(str(e)) from e

    def pre_delete(self, item):
        try:
            anggaran.hapus_rup(item)
        except DomainError as e:
            raise ValueError(str(e)) from e

    # FAB commits add/edit itself, so these audit rows follow in a second commit (DESIGN, FAB gaps)
    def post_add(self, item):
        self._audit(item, "tambah_rup")

    def post_update(self, item):
        self._audit(item, "ubah_rup")

    def post_delete(self, item):
        self._audit(item, "hapus_rup")

    @staticmethod
    def _audit(item, action):
        audit.catat("rup", item.id, action, g.user, note=f"{item.kode} pagu {item.pagu}")
        db.session.commit()


def register(appbuilder):
    appbuilder.add_view(
        RupView,
        "RUP",
        label=_l("RUP"),
        icon="fa-wallet",
        category="Katalog",
        category_label=_l("Katalog"),
        category_icon="fa-book",
    )
