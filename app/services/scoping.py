"""Row-level separation, in one place: which rows of a model a user may see.

Every list, show, edit, delete, action, download and API lookup goes through
`visible_clause`/`get_scoped`; FAB views get it as a base filter (`OrgFilter`).
Another organisation's row is simply not found (404), never shown.
"""

import re

from flask import g
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import and_, false, or_, select, true

from app.extensions import db
from app.models import (
    Adendum,
    AksesPengguna,
    Alamat,
    Dokumen,
    Instansi,
    LaporanBerkas,
    PermohonanTte,
    Pesanan,
    PesananKatalog,
    Produk,
    ProfilPengguna,
    Rup,
    Satker,
    Ulasan,
)
from app.roles import (
    ROLE_ADMIN,
    ROLE_AUDITOR,
    ROLE_MANAJEMEN,
    ROLE_PENYEDIA,
    ROLE_SISTEM,
    ROLE_VERIFIKATOR,
    ROLE_VERIFIKATOR_TTE,
)

from .errors import NotFound

SEE_ALL = {ROLE_ADMIN, ROLE_AUDITOR, ROLE_MANAJEMEN, ROLE_SISTEM}


def roles_of(user):
    if user is None or not getattr(user, "is_authenticated", True):
        return set()
    return {r.name for r in user.roles}


def _pesanan(user, roles):
    if ROLE_PENYEDIA in roles and user.penyedia_id:
        # A buyer's cart (Draft) is not the supplier's business until it is ordered.
        return and_(Pesanan.penyedia_id == user.penyedia_id, Pesanan.status != "draft")
    if user.satker_id:
        # a Draft (the cart) is its buyer's own; colleagues of the BUMD see the order from Dipesan on
        return and_(Pesanan.satker_id == user.satker_id, or_(Pesanan.status != "draft", Pesanan.pembeli_id == user.id))
    return false()


def _produk(user, roles):
    if ROLE_PENYEDIA in roles and user.penyedia_id:
        return Produk.penyedia_id == user.penyedia_id
    return Produk.status == "tayang"


def _alamat(user, roles):
    return Alamat.user_id == user.id


def _dokumen(user, roles):
    return Dokumen.pesanan_id.in_(select(Pesanan.id).where(_pesanan(user, roles)))


def _ulasan(user, roles):
    return true()


def _katalog(user, roles):
    if ROLE_PENYEDIA in roles and user.penyedia_id:
        return PesananKatalog.penyedia_id == user.penyedia_id
    if user.satker_id:
        return PesananKatalog.satker_id == user.satker_id
    return false()


def _rup(user, roles):
    return Rup.satker_id == user.satker_id if user.satker_id else false()


def _satker(user, roles):
    """A person of a satker sees their own; a Penyedia the satker it has sold to (its own sales' buyers)."""
    if ROLE_PENYEDIA in roles and user.penyedia_id:
        return or_(
            Satker.id.in_(select(Pesanan.satker_id).where(_pesanan(user, roles))),
            Satker.id.in_(select(PesananKatalog.satker_id).where(_katalog(user, roles))),
        )
    return Satker.id == user.satker_id if user.satker_id else false()


def _instansi(user, roles):
    return Instansi.id.in_(select(Satker.instansi_id).where(_satker(user, roles)))


def _verification(model, verifier_role=ROLE_VERIFIKATOR):
    """Own requests; a verifier also sees those addressed to the instansi of their satker."""

    def rule(user, roles):
        own = model.user_id == user.id
        if verifier_role in roles and user.satker_id:
            instansi = select(Satker.instansi_id).where(Satker.id == user.satker_id).scalar_subquery()
            return or_(own, model.instansi_id == instansi)
        return own

    return rule


RULES = {
    Pesanan: _pesanan,
    Produk: _produk,
    Alamat: _alamat,
    Dokumen: _dokumen,
    Ulasan: _ulasan,
    PesananKatalog: _katalog,
    Rup: _rup,
    Satker: _satker,
    # a report job is its asker's, or made for one of the reader's roles (the monthly one for Manajemen)
    LaporanBerkas: lambda user, roles: or_(LaporanBerkas.user_id == user.id, LaporanBerkas.peran.in_(sorted(roles))),
    Instansi: _instansi,
    Adendum: lambda user, roles: Adendum.pesanan_id.in_(select(PesananKatalog.id).where(_katalog(user, roles))),
    ProfilPengguna: _verification(ProfilPengguna),
    AksesPengguna: _verification(AksesPengguna),
    # TTE activation: the instansi's TTE verifier (a permission of chosen Verifikator accounts), not every one
    PermohonanTte: _verification(PermohonanTte, ROLE_VERIFIKATOR_TTE),
}
# Identity documents are for the person and their verifiers only, never for Auditor/Manajemen; nor is
# another person's report job.
ADMIN_ONLY_SEE_ALL = {Alamat, ProfilPengguna, AksesPengguna, LaporanBerkas, PermohonanTte}


def lihat_semua(user):
    """Whether the user sees every organisation's rows (Admin, Auditor, Manajemen): e.g. for counts that
    name no one, such as the verification SLA in the reports."""
    return bool(roles_of(user) & SEE_ALL)


def visible_clause(model, user):
    roles = roles_of(user)
    if not roles:
        return false()
    if roles & SEE_ALL and (roles & {ROLE_ADMIN, ROLE_SISTEM} or model not in ADMIN_ONLY_SEE_ALL):
        return true()
    rule = RULES.get(model)
    if rule is None:
        return false()
    return rule(user, roles)


def scoped_select(model, user):
    return select(model).where(visible_clause(model, user))


_ID = re.compile(r"[0-9]{1,10}")


def as_id(value):
    """An id from a form or URL as an int, or None: ASCII digits only (no "²", "1e3", "-1"), within
    the 32-bit integer keys, so a huge or odd value is simply not found instead of a database error."""
    if isinstance(value, bool):
        return None
    text = str(value).strip() if value is not None else ""
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None


def get_scoped(model, pk, user, message=None):
    pk = as_id(pk)
    if pk is None:
        raise NotFound(message)
    obj = db.session.execute(scoped_select(model, user).where(model.id == pk)).scalar_one_or_none()
    if obj is None:
        raise NotFound(message)
    return obj


class OrgFilter(BaseFilter):
    """FAB base filter evaluated per request on the current user (base_filters = [["id", OrgFilter, None]])."""

    name = "Org"
    arg_name = "org"

    def apply(self, query, value):
        return query.filter(visible_clause(self.model, g.user))
