"""Shared view plumbing: scoped ModelViews and the mapping of domain errors to responses."""

from flask import abort, flash, g
from flask_appbuilder import ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.services import scoping
from app.services.errors import DomainError, NotFound


class PortalModelView(ModelView):
    """FAB builds "Show X"/"Add X" titles in English by concatenation; ours are translated."""

    def _init_titles(self):
        noun = self.list_title or self._prettify_name(self.datamodel.model_name)
        self.show_title = self.show_title or _l("Rincian %(noun)s", noun=noun)
        self.add_title = self.add_title or _l("Tambah %(noun)s", noun=noun)
        self.edit_title = self.edit_title or _l("Ubah %(noun)s", noun=noun)
        super()._init_titles()


class ScopedModelView(PortalModelView):
    """A ModelView whose rows are filtered by the one row-level rule (scoping.OrgFilter).

    FAB applies base_filters to list/show/edit/delete; actions and downloads do not, so
    `scoped_items` re-loads action rows through the same rule (NOTES §1.3).
    """

    base_filters = [["id", scoping.OrgFilter, None]]
    page_size = 25

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename):
        """FAB's download checks only the permission, never the row (NOTES §1.3): closed here.
        Documents are served by PesananView.dokumen, which checks the order's organisation."""
        abort(404)

    def scoped_items(self, items):
        items = items if isinstance(items, list) else [items]
        model = self.datamodel.obj
        out = []
        for item in items:
            if item is None:
                abort(404)
            try:
                out.append(scoping.get_scoped(model, item.id, g.user))
            except NotFound:
                abort(404)
        return out


def datamodel(model):
    return SQLAInterface(model, db.session)


def run_each(items, fn, ok_message):
    """Run fn(item) per item; flash one success line and every refusal's message."""
    done = 0
    for item in items:
        try:
            fn(item)
            done += 1
        except DomainError as e:
            flash(f"{item}: {e}", "danger")
    if done:
        flash(str(ok_message) % {"n": done}, "success")
