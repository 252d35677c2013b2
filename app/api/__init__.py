"""REST API: scoped reads plus `POST /api/v1/pesanan/<pk>/<action>` calling the same service as the pages."""

from flask import Response, g, request
from flask_appbuilder.api import ModelRestApi, expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.extensions import db
from app.models import Pesanan
from app.services import akses_dokumen, eorder, scoping
from app.services.errors import DomainError, NotFound


class PesananApi(ModelRestApi):
    resource_name = "pesanan"
    datamodel = SQLAInterface(Pesanan, db.session)
    base_filters = [["id", scoping.OrgFilter, None]]
    # No `_info`: FAB would list every related row (all addresses, users, satker) unfiltered.
    base_permissions = ["can_get", "can_aksi", "can_dokumen"]
    add_columns = edit_columns = ["nomor"]
    allow_browser_login = False
    list_columns = ["id", "nomor", "status", "version", "penyedia.nama", "satker.nama", "total", "tanggal_kegiatan"]
    show_columns = list_columns + ["subtotal", "ppn", "ppnbm", "metode_bayar", "nama_kegiatan", "catatan"]
    search_columns = ["nomor", "status"]
    order_columns = ["id", "nomor", "total"]

    @expose("/<int:pk>/<string:action>", methods=["POST"])
    @protect()
    @safe
    def aksi(self, pk, action):
        """Apply an E-Order action. Body (JSON): the action's fields, optional `version`."""
        if action == "upload_dokumen":
            return self.response_400(message="upload_dokumen: use the order page (multipart)")
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        try:
            pesanan = eorder.jalankan(
                pk, action, g.user, expected_version=body.get("version"), **eorder.EORDER.input(action, body)
            )
        except DomainError as e:
            return self.response(e.status, message=str(e))
        return self.response(200, id=pesanan.id, status=pesanan.status, version=pesanan.version)

    @expose("/<int:pk>/dokumen/<int:doc_id>", methods=["GET"])
    @protect()
    @safe
    def dokumen(self, pk, doc_id):
        """An invoice or kwitansi of the order, by the same document-access rule as the pages (read audited)."""
        try:
            doc, body = akses_dokumen.unduh("eorder", pk, g.user, doc_id)
        except NotFound:
            return self.response_404()
        except DomainError as e:
            return self.response(e.status, message=str(e))
        headers = {
            "Content-Disposition": f'attachment; filename="{doc.jenis}-{pk}"',
            "X-Content-Type-Options": "nosniff",
        }
        return Response(body, mimetype=doc.content_type, headers=headers)


def register(appbuilder):
    appbuilder.add_api(PesananApi)
