"""Who may read a stored document: one rule, used by every download route and the API.

A document belongs to a record (its owner): an E-Order order, a Katalog order (SP, BAST, preparation
document, payment papers), an addendum of a Katalog order, or an identity request (KTP, selfie, Surat
Tugas). The rule, in order:

1. the owner must be visible to the reader through scoping (another organisation's: 404, never shown);
2. Admin reads every document; the Auditor reads every document of the orders it audits;
3. E-Order papers (invoice, kwitansi) are read by whoever the order belongs to: the buying BUMD's users
   and the Penyedia company, the parties of the E-Order table;
4. Katalog papers are read by the order's own parties only — its PP, its PPK, the Penyedia's users and
   the Bendahara the payment was sent to. Another PP or PPK of the same satker sees the order in the
   satker's list but not its signed letters, prices and tax papers (403): they are not party to it;
5. the preparation document of e-purchasing is for the Auditor only, not even Admin (SPEC §6);
6. identity papers are for the person and the verifiers who may see the request (scoping; never the
   Auditor or Manajemen).

`unduh()` applies the rule and writes the read to the audit log in the same transaction.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.extensions import db
from app.models import Adendum, AksesPengguna, Dokumen, Pesanan, PesananKatalog, ProfilPengguna
from app.roles import ROLE_ADMIN, ROLE_AUDITOR

from . import audit, documents, scoping
from .errors import Forbidden, NotFound
from .katalog import pihak

# kind: (owner model, the owner's column holding the Dokumen id, or None when it is found another way)
JENIS = {
    "eorder": (Pesanan, None),  # Dokumen.pesanan_id
    "sp": (PesananKatalog, "sp_dokumen_id"),
    "bast": (PesananKatalog, "bast_dokumen_id"),
    "persiapan": (PesananKatalog, "dokumen_persiapan_id"),
    "adendum": (Adendum, "dokumen_id"),
    "tagihan": (PesananKatalog, "tagihan_dokumen_id"),  # on the order's Pembayaran row
    "bukti_potong": (PesananKatalog, "bukti_potong_dokumen_id"),
    "invoice": (PesananKatalog, "invoice_dokumen_id"),
    "identitas": (None, None),  # ProfilPengguna.ktp_id / selfie_id, AksesPengguna.surat_tugas_id
}
PEMBAYARAN = ("tagihan", "bukti_potong", "invoice")
_MESSAGE = _l("Anda bukan pihak yang berwenang atas dokumen ini.")


def boleh_baca(jenis, owner, actor):
    """May the actor read a document of this kind of this (already scoped) owner? Rules 2-5 above."""
    roles = scoping.roles_of(actor)
    if jenis == "persiapan":
        return ROLE_AUDITOR in roles  # rule 5, before rule 2: not even Admin
    if ROLE_ADMIN in roles:
        return True
    if jenis == "eorder":
        return True  # rule 3: scoping already limits the order to its BUMD and its Penyedia
    if jenis == "identitas":
        return True  # rule 6: scoping of the request is the whole rule
    return pihak.boleh_lihat(owner.pesanan if isinstance(owner, Adendum) else owner, actor)


def _identitas(doc_id, actor):
    """The identity request a KTP/selfie/Surat Tugas belongs to, if the actor may see it."""
    owners = [
        *db.session.execute(
            select(ProfilPengguna).where(or_(ProfilPengguna.selfie_id == doc_id, ProfilPengguna.ktp_id == doc_id))
        ).scalars(),
        *db.session.execute(select(AksesPengguna).where(AksesPengguna.surat_tugas_id == doc_id)).scalars(),
    ]
    for owner in owners:
        try:
            return scoping.get_scoped(type(owner), owner.id, actor)
        except NotFound:
            continue
    raise NotFound()


def _doc_id(jenis, owner, doc_id):
    if jenis == "eorder":
        doc = db.session.get(Dokumen, doc_id) if doc_id else None
        return doc.id if doc is not None and doc.pesanan_id == owner.id else None
    column = JENIS[jenis][1]
    if jenis in PEMBAYARAN:
        row = pihak.pembayaran_of(owner)
        return getattr(row, column) if row is not None else None
    return getattr(owner, column)


def cari(jenis, owner_id, actor, doc_id=None):
    """(Dokumen, owner) the actor may read, or NotFound (404: not there, or not theirs to know of) /
    Forbidden (403: they see the record but are not party to its papers)."""
    if jenis not in JENIS:
        raise NotFound()
    if jenis == "identitas":
        doc_id = scoping.as_id(doc_id)
        owner = _identitas(doc_id, actor) if doc_id else None
        if owner is None:
            raise NotFound()
    else:
        owner = scoping.get_scoped(JENIS[jenis][0], owner_id, actor)
        if not boleh_baca(jenis, owner, actor):
            raise Forbidden(_MESSAGE)
        doc_id = _doc_id(jenis, owner, scoping.as_id(doc_id))
    doc = db.session.get(Dokumen, doc_id) if doc_id else None
    if doc is None:
        raise NotFound()
    return doc, owner


def unduh(jenis, owner_id, actor, doc_id=None):
    """(Dokumen, bytes) of a document the actor may read; the read is audited and committed with it."""
    doc, owner = cari(jenis, owner_id, actor, doc_id)
    body = documents.read(doc.stored_name)
    nomor = getattr(owner, "nomor", None) or f"{type(owner).__tablename__}:{owner.id}"
    action = {"eorder": "unduh", "identitas": "lihat"}.get(jenis, f"unduh_{jenis}")
    note = f"{doc.jenis} {nomor}" if jenis in ("eorder", "identitas") else nomor
    audit.catat("dokumen", doc.id, action, actor, note=note)
    db.session.commit()
    return doc, body
