"""`flask portal seed-scale --orders N`: a province-sized data set for the benchmarks (bench/).

The shape of issue 14 at the default N = 300,000 E-Order orders: 100,000 products, 5,000 suppliers,
500 satker, ~1,000,000 E-Order lines and 50,000 Katalog orders; every count scales with N (small N for CI).
Rows go in by bulk inserts (COPY on PostgreSQL, executemany elsewhere) with ids assigned here, so no
row is read back. Deterministic: one `random.Random(seed)` drives everything, and times are anchored
on the portal clock's "now". Each order's status is reached by a path of the workflow's own transitions,
and the audit log holds exactly that path; figures come from money.py; deadlines run only for the states
that wait. Demo passwords: never for production.
"""

import csv
import hashlib
import io
import random
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import bindparam, func, select, text
from werkzeug.security import generate_password_hash

from .extensions import db
from .models import (
    AksesPengguna,
    Alamat,
    AuditLog,
    BastItem,
    Deadline,
    Dokumen,
    Instansi,
    Kategori,
    KodeBayar,
    NegosiasiRonde,
    Pembayaran,
    PengirimanEvent,
    PenilaianKatalog,
    Penyedia,
    Pesanan,
    PesananItem,
    PesananKatalog,
    PesananKatalogItem,
    PortalUser,
    Produk,
    ProfilPengguna,
    Rup,
    Satker,
    Ulasan,
    Wilayah,
)
from .roles import (
    ROLE_ADMIN,
    ROLE_AUDITOR,
    ROLE_BENDAHARA,
    ROLE_PEMBELI,
    ROLE_PENGGUNA,
    ROLE_PENYEDIA,
    ROLE_PP,
    ROLE_PPK,
    ROLE_SISTEM,
    ROLE_VERIFIKATOR,
)
from .services import clock, money

PASSWORD = "Demo12345!"  # the documented demo credential (seed.DEMO_PASSWORD)
DOMAIN = "scale.portal.local"
BASE_ORDERS = 300_000
MARKER = "SCALE-0001"  # the first instansi's kode: present = already seeded

# E-Order: the path of transitions to each status (audit actions from the table, who takes each)
EORDER_PATHS = {
    "draft": [],
    "dipesan": [("konfirmasi_pesanan", "draft", "dipesan", "b")],
    "diproses": [("konfirmasi_pesanan", "draft", "dipesan", "b"), ("konfirmasi", "dipesan", "diproses", "s")],
}
EORDER_PATHS["dikirim"] = EORDER_PATHS["diproses"] + [("kirim", "diproses", "dikirim", "s")]
EORDER_PATHS["diterima"] = EORDER_PATHS["dikirim"] + [("konfirmasi_penerimaan", "dikirim", "diterima", "b")]
EORDER_PATHS["selesai"] = EORDER_PATHS["diterima"] + [("beri_penilaian", "diterima", "selesai", "b")]
EORDER_CANCEL = {
    "batalkan": [("batalkan", "draft", "dibatalkan", "b")],
    "tolak": EORDER_PATHS["dipesan"] + [("tolak", "dipesan", "dibatalkan", "s")],
    "setujui": EORDER_PATHS["diproses"]
    + [("ajukan_pembatalan", "diproses", "diproses", "b"), ("setujui_pembatalan", "diproses", "dibatalkan", "s")],
}
EORDER_MIX = [
    ("selesai", 55),
    ("diterima", 7),
    ("dikirim", 7),
    ("diproses", 8),
    ("dipesan", 10),
    ("draft", 1),
    ("dibatalkan", 12),
]

# Katalog: pp / ppk / penyedia (s) / sistem (x) / bendahara (t)
_K = {}
_K["menunggu_negosiasi"] = []
_K["nego_pp"] = [("ajukan_nego", "menunggu_negosiasi", "nego_pp", "pp")]
_K["nego_penyedia"] = _K["nego_pp"] + [("tawar", "nego_pp", "nego_penyedia", "s")]
_K["nego_selesai"] = _K["nego_pp"] + [("terima", "nego_pp", "nego_selesai", "s")]
_K["menunggu_ppk"] = _K["nego_selesai"] + [("ajukan_ppk", "nego_selesai", "menunggu_ppk", "pp")]
_K["ditolak_ppk"] = _K["menunggu_ppk"] + [("tolak_ppk", "menunggu_ppk", "ditolak_ppk", "ppk")]
_K["konfirmasi_penyedia"] = _K["menunggu_ppk"] + [("buat_pesanan", "menunggu_ppk", "konfirmasi_penyedia", "ppk")]
_K["diproses_penyedia"] = _K["konfirmasi_penyedia"] + [("ttd_sp", "konfirmasi_penyedia", "diproses_penyedia", "s")]
_K["dalam_pengiriman"] = _K["diproses_penyedia"] + [("kirim", "diproses_penyedia", "dalam_pengiriman", "s")]
_K["pesanan_tiba"] = _K["dalam_pengiriman"] + [
    ("terima_barang", "dalam_pengiriman", "pesanan_tiba", "ppk"),
    ("ttd_bast", "pesanan_tiba", "pesanan_tiba", "s"),
]
_K["ls_dokumen"] = _K["pesanan_tiba"] + [("pilih_ls", "pesanan_tiba", "ls_dokumen", "ppk")]
_K["pilih_bendahara"] = _K["pesanan_tiba"] + [("pilih_up", "pesanan_tiba", "pilih_bendahara", "ppk")]
_K["menunggu_bendahara"] = _K["pilih_bendahara"] + [
    ("ajukan_bendahara", "pilih_bendahara", "menunggu_bendahara", "ppk")
]
_K["dikembalikan"] = _K["menunggu_bendahara"] + [("kembalikan", "menunggu_bendahara", "dikembalikan", "t")]
_K["kode_bayar_terbit"] = _K["menunggu_bendahara"] + [
    ("konfirmasi_bayar", "menunggu_bendahara", "kode_bayar_terbit", "t")
]
_K["kode_kedaluwarsa"] = _K["kode_bayar_terbit"] + [("kode_kedaluwarsa", "kode_bayar_terbit", "kode_kedaluwarsa", "x")]
_K["kkp_menunggu"] = _K["pesanan_tiba"] + [("pilih_kkp", "pesanan_tiba", "kkp_menunggu", "ppk")]
_K["selesai_kode"] = _K["kode_bayar_terbit"] + [("lunas", "kode_bayar_terbit", "selesai", "x")]
_K["selesai_kkp"] = _K["kkp_menunggu"] + [("bayar_kkp", "kkp_menunggu", "selesai", "ppk")]
_K["dibatalkan"] = [("batalkan", "menunggu_negosiasi", "dibatalkan", "pp")]
_K["batal_otomatis"] = _K["nego_pp"] + [("batal_otomatis", "nego_pp", "batal_otomatis", "x")]
KATALOG_PATHS = _K
KATALOG_MIX = [
    ("selesai_kode", 30),
    ("selesai_kkp", 20),
    ("dibatalkan", 5),
    ("batal_otomatis", 4),
    ("ditolak_ppk", 2),
    ("menunggu_negosiasi", 3),
    ("nego_pp", 2),
    ("nego_penyedia", 2),
    ("nego_selesai", 1),
    ("menunggu_ppk", 3),
    ("konfirmasi_penyedia", 3),
    ("diproses_penyedia", 4),
    ("dalam_pengiriman", 4),
    ("pesanan_tiba", 4),
    ("ls_dokumen", 2),
    ("pilih_bendahara", 2),
    ("menunggu_bendahara", 3),
    ("dikembalikan", 1),
    ("kode_bayar_terbit", 2),
    ("kode_kedaluwarsa", 1),
    ("kkp_menunggu", 2),
]
# the 3x24 h wait running in each waiting state (bersama.WAITS and kode_bayar)
KATALOG_WAIT = {
    "nego_pp": "negosiasi",
    "nego_penyedia": "negosiasi",
    "menunggu_ppk": "persetujuan_ppk",
    "konfirmasi_penyedia": "ttd_sp",
    "kode_bayar_terbit": "kode_bayar",
}
WAIT_HOURS = {"kode_bayar": 7 * 24}  # a kode bayar is valid 7x24 h; every other wait 3x24 h
EXPIRE_ACTIONS = {"batal_otomatis": "negosiasi", "kode_kedaluwarsa": "kode_bayar"}
CANCELLED = {"dibatalkan", "batal_otomatis", "ditolak_ppk"}
# sets of KATALOG_PATHS keys (the two "selesai_*" keys both end in Selesai)
AFTER_SP = set(_K) - {"menunggu_negosiasi", "nego_pp", "nego_penyedia", "nego_selesai", "menunggu_ppk"} - CANCELLED
AFTER_KIRIM = AFTER_SP - {"konfirmasi_penyedia", "diproses_penyedia"}
AFTER_BAST = AFTER_KIRIM - {"dalam_pengiriman"}
PAYING = AFTER_BAST - {"pesanan_tiba"}

WORDS = (
    "Kertas Pulpen Map Spidol Tinta Printer Meja Kursi Lemari Laptop Monitor Kabel Lampu Kipas Seragam Kaos "
    "Batik Sepatu Tas Nasi Kotak Snack Kopi Teh Air Mineral Sabun Masker Sarung Tangan Helm Rompi Cat Semen "
    "Paku Pipa Keran Karpet Gorden Bantal Selimut Piring Gelas Sendok Termos Galon Proyektor Router Mouse"
).split()
ADJ = "Premium Ekonomis Jumbo Mini Eksklusif Standar Lokal Organik Tahan Lama Kantor Sekolah Rapat".split()
NAMES = "Berkah Jaya Makmur Sentosa Abadi Sejahtera Mandiri Lestari Karya Utama Sinar Harapan Mulia Amanah".split()
FIRST = "Andi Budi Citra Dewi Eko Fajar Gita Hadi Indah Joko Kartika Lestari Made Nur Putri Rizki Sari Tono".split()
LAST = "Saputra Wijaya Hidayat Lubis Siregar Nasution Pratama Santoso Kusuma Rahman Simanjuntak Utami".split()


class Bulk:
    """Buffered inserts in first-seen table order (parents before children), flushed together."""

    def __init__(self, conn, chunk=20_000):
        self.conn, self.chunk, self.buf, self.count = conn, chunk, {}, {}
        self.pg = conn.dialect.name == "postgresql"

    def add(self, model, row):
        table = model.__table__
        self.buf.setdefault(table, []).append(row)
        if len(self.buf[table]) >= self.chunk:
            self.flush()

    def flush(self):
        for table, rows in self.buf.items():
            if rows:
                self._write(table, rows)
                self.count[table.name] = self.count.get(table.name, 0) + len(rows)
                rows.clear()

    def _write(self, table, rows):
        if not self.pg:
            self.conn.execute(table.insert(), rows)
            return
        cols = list(rows[0].keys())
        convert = {
            c: table.c[c].type.process_bind_param
            for c in cols
            if hasattr(table.c[c].type, "process_bind_param") and table.c[c].type.__class__.__name__ == "Persen"
        }
        out = io.StringIO()
        w = csv.writer(out)
        for r in rows:
            w.writerow(
                ["" if (v := (convert[c](r[c], None) if c in convert else r[c])) is None else _csv(v) for c in cols]
            )
        out.seek(0)
        raw = self.conn.connection.dbapi_connection
        with raw.cursor() as cur:
            names = ", ".join(f'"{c}"' for c in cols)
            cur.copy_expert(f'COPY "{table.name}" ({names}) FROM STDIN WITH (FORMAT csv)', out)


def _csv(v):
    if v is True:
        return "t"
    if v is False:
        return "f"
    return v


class Ids:
    """The next id of each table (max + 1 at the start), so rows reference each other without a read."""

    def __init__(self, session):
        self.session, self.next = session, {}

    def __call__(self, model):
        t = model.__table__
        if t.name not in self.next:
            self.next[t.name] = (self.session.execute(select(func.max(t.c.id))).scalar() or 0) + 1
        n = self.next[t.name]
        self.next[t.name] = n + 1
        return n


def _scaled(base, orders, minimum):
    return max(minimum, (base * orders + BASE_ORDERS // 2) // BASE_ORDERS)


def sizes(orders):
    """The counts of the data set for N E-Order orders (the issue's shape at 300,000)."""
    return {
        "satker": _scaled(500, orders, 4),
        "penyedia": _scaled(5_000, orders, 6),
        "produk": _scaled(100_000, orders, 30),
        "pesanan": orders,
        "pesanan_katalog": _scaled(50_000, orders, 20),
        "verifikasi": _scaled(2_000, orders, 6),
    }


def _sha(*parts):
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _pick(rng, mix):
    return rng.choices([m for m, _ in mix], weights=[w for _, w in mix])[0]


def build(orders=BASE_ORDERS, seed=1, echo=None):
    """Insert the data set; returns the counts per table. Refuses a database that already has it."""
    echo = echo or (lambda *_: None)
    session = db.session
    if session.execute(select(Instansi.id).where(Instansi.kode == MARKER)).first():
        raise RuntimeError("scale data already present (instansi SCALE-0001); seed an empty database")
    rng = random.Random(seed)
    size = sizes(orders)
    now = clock.now().replace(microsecond=0)
    year = clock.to_local(now).year
    sm = current_app.appbuilder.sm
    role_id = {
        r: sm.find_role(r).id
        for r in (
            ROLE_ADMIN,
            ROLE_AUDITOR,
            ROLE_BENDAHARA,
            ROLE_PEMBELI,
            ROLE_PENGGUNA,
            ROLE_PENYEDIA,
            ROLE_PP,
            ROLE_PPK,
            ROLE_VERIFIKATOR,
        )
    }
    ids = Ids(session)
    kel_codes = session.execute(select(Wilayah.code).where(Wilayah.level == "kelurahan")).scalars().all()
    parent = dict(session.execute(select(Wilayah.code, Wilayah.parent_code)).all())
    kategori = session.execute(select(Kategori.id).where(Kategori.level == 3)).scalars().all()
    session.commit()
    conn = session.connection()
    bulk = Bulk(conn)
    pw = generate_password_hash(PASSWORD)
    role_table = sm.user_model.roles.property.secondary
    urole_next = [(conn.execute(select(func.max(role_table.c.id))).scalar() or 0) + 1]
    persen_biaya = Decimal(str(current_app.config.get("PEMBAYARAN_BIAYA_PERSEN", "0.5")))
    tetap_biaya = int(current_app.config.get("PEMBAYARAN_BIAYA_TETAP", 2500))

    def ago(days_max, days_min=0):
        return now - timedelta(seconds=rng.randint(days_min * 86400, days_max * 86400))

    def user(username, role, satker_id=None, penyedia_id=None, jabatan=None):
        uid = ids(PortalUser)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        t = ago(720, 400)
        bulk.add(
            PortalUser,
            {
                "id": uid,
                "first_name": first,
                "last_name": last,
                "username": username,
                "password": pw,
                "active": True,
                "email": f"{username}@{DOMAIN}",
                "login_count": 0,
                "fail_login_count": 0,
                "created_on": t,
                "changed_on": t,
                "satker_id": satker_id,
                "penyedia_id": penyedia_id,
                "jabatan": jabatan,
                "telepon": f"08{rng.randint(10**9, 10**10 - 1)}",
                "session_version": 1,
                "syarat_disetujui_at": t,
                "email_terverifikasi_at": t,
                "telepon_terverifikasi_at": t,
                "nip": None,
                "nrk": None,
                "locale": None,
            },
        )
        bulk.add(_RoleRow, {"id": urole_next[0], "user_id": uid, "role_id": role_id[role]})
        urole_next[0] += 1
        return {"id": uid, "name": f"{first} {last}", "role": role}

    _RoleRow.__table__ = role_table

    def audit(entity, entity_id, action, actor, src, dst, at, note=None):
        bulk.add(
            AuditLog,
            {
                "id": ids(AuditLog),
                "entity": entity,
                "entity_id": entity_id,
                "action": action,
                "from_status": src,
                "to_status": dst,
                "actor_id": actor["id"] if actor else None,
                "actor_name": actor["name"] if actor else "Sistem",
                "actor_role": actor["role"] if actor else ROLE_SISTEM,
                "at": at,
                "note": note,
            },
        )

    def dokumen(jenis, uploader, at, pesanan_id=None):
        did = ids(Dokumen)
        bulk.add(
            Dokumen,
            {
                "id": did,
                "pesanan_id": pesanan_id,
                "jenis": jenis,
                "filename": f"{jenis}-{did}.pdf",
                "content_type": "application/pdf",
                "size": 2048,
                "sha256": _sha("dok", did),
                "kode_verifikasi": None,
                "stored_name": f"scale-{did}.pdf",
                "uploaded_by_id": uploader,
                "uploaded_at": at,
            },
        )
        return did

    def deadline(kind, entity, entity_id, due, status, created, closed=None):
        bulk.add(
            Deadline,
            {
                "id": ids(Deadline),
                "kind": kind,
                "entity": entity,
                "entity_id": entity_id,
                "due_at": due,
                "status": status,
                "created_at": created,
                "closed_at": closed,
                "note": None,
            },
        )

    # --- organisations and people -------------------------------------------------------------------
    echo(f"sizes: {size}")
    n_instansi = max(1, (size["satker"] + 24) // 25)
    instansi = []
    for i in range(1, n_instansi + 1):
        iid = ids(Instansi)
        bulk.add(
            Instansi, {"id": iid, "kode": f"SCALE-{i:04d}", "nama": f"Pemerintah Daerah Skala {i}", "jenis": "pemda"}
        )
        instansi.append(iid)
    satker = []
    for i in range(1, size["satker"] + 1):
        sid = ids(Satker)
        ins = instansi[(i - 1) % n_instansi]
        jenis = "bumd" if i % 3 == 0 else ("skpd" if i % 3 == 1 else "satker")
        bulk.add(
            Satker,
            {
                "id": sid,
                "instansi_id": ins,
                "kode": f"SK{i:05d}",
                "nama": f"Satuan Kerja Skala {i}",
                "jenis": jenis,
                "alamat": f"Jl. Pemuda No. {i}",
            },
        )
        satker.append({"id": sid, "instansi": ins, "kode": f"SK{i:05d}"})
    skpd = [s["id"] for s in satker[::3]]
    penyedia = []
    for i in range(1, size["penyedia"] + 1):
        pid = ids(Penyedia)
        nama = f"{rng.choice(('CV', 'UD', 'PT', 'Toko'))} {rng.choice(NAMES)} {rng.choice(NAMES)} {i}"
        bulk.add(
            Penyedia,
            {
                "id": pid,
                "nama": nama,
                "npwp": f"9{i:014d}",
                "nib": f"8{i:012d}",
                "is_umkm": i % 5 != 0,
                "telepon": f"021{i:08d}",
                "email": f"penyedia{i}@{DOMAIN}",
                "alamat": f"Jl. Usaha No. {i}",
                "kelurahan_code": rng.choice(kel_codes),
                "skpd_pembina_id": rng.choice(skpd),
                "rating_total": 0,
                "rating_count": 0,
            },
        )
        penyedia.append({"id": pid, "nama": nama, "produk": []})
    user("admin-skala", ROLE_ADMIN)
    user("auditor-skala", ROLE_AUDITOR)
    verifikator = {}
    for ins in instansi:  # one Verifikator per instansi, on its first satker
        first = next(s for s in satker if s["instansi"] == ins)
        verifikator[ins] = user(f"verifikator-{ins}", ROLE_VERIFIKATOR, satker_id=first["id"], jabatan="Verifikator")
    for s in satker:
        n = s["kode"].lower()
        s["pembeli"] = [user(f"pembeli-{n}-{k}", ROLE_PEMBELI, satker_id=s["id"], jabatan="Staf") for k in (1, 2)]
        s["pp"] = user(f"pp-{n}", ROLE_PP, satker_id=s["id"], jabatan="Pejabat Pengadaan")
        s["ppk"] = user(f"ppk-{n}", ROLE_PPK, satker_id=s["id"], jabatan="Pejabat Pembuat Komitmen")
        s["bendahara"] = user(f"bendahara-{n}", ROLE_BENDAHARA, satker_id=s["id"], jabatan="Bendahara")
        s["alamat"] = {}
        for b in s["pembeli"]:
            aid = ids(Alamat)
            kel = rng.choice(kel_codes)
            bulk.add(
                Alamat,
                {
                    "id": aid,
                    "user_id": b["id"],
                    "satker_id": s["id"],
                    "nama": "Kantor",
                    "jenis": "utama",
                    "jalan": f"Jl. Kantor No. {aid}",
                    "negara": "Indonesia",
                    "provinsi_code": parent[parent[parent[kel]]],
                    "kota_code": parent[parent[kel]],
                    "kecamatan_code": parent[kel],
                    "kelurahan_code": kel,
                    "kode_pos": "10110",
                    "latitude": None,
                    "longitude": None,
                },
            )
            s["alamat"][b["id"]] = aid
    for p in penyedia:
        p["user"] = user(f"penyedia-{p['id']}", ROLE_PENYEDIA, penyedia_id=p["id"], jabatan="Pemilik")
    bulk.flush()
    echo("organisations and users done")

    # --- products --------------------------------------------------------------------------------------
    produk = {}
    for i in range(size["produk"]):
        pen = penyedia[i] if i < len(penyedia) else rng.choice(penyedia)  # every supplier sells something
        prid = ids(Produk)
        harga = rng.randint(2, 4000) * 500
        tayang = i < len(penyedia) or rng.random() < 0.9
        t = ago(700, 200)
        row = {
            "id": prid,
            "penyedia_id": pen["id"],
            "kategori_id": rng.choice(kategori),
            "nama": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(ADJ)} {prid}",
            "harga": harga,
            "ppn_persen": Decimal(11),
            "ppnbm_persen": Decimal(0) if rng.random() < 0.9 else Decimal(10),
            "min_pesan": 1,
            "max_pesan": 100,
            "stok": rng.randint(0, 5000),
            "ketersediaan": rng.choice(("ready", "ready", "h1", "po")),
            "satuan": rng.choice(("pcs", "pack", "unit")),
            "deskripsi": "Produk data skala untuk pengukuran.",
            "gambar": None,
            "tkdn_persen": Decimal(rng.randint(0, 80)) if rng.random() < 0.4 else None,
            "is_pdn": rng.random() < 0.8,
            "status": "tayang" if tayang else rng.choice(("draft", "diajukan", "ditolak")),
            "alasan_tolak": None,
            "version": 1,
            "created_at": t,
            "updated_at": t,
            "rating_total": 0,
            "rating_count": 0,
        }
        if row["status"] == "ditolak":
            row["alasan_tolak"] = "Foto produk kurang jelas."
        produk[prid] = row  # inserted after the orders, with their ratings counted
        if tayang:
            pen["produk"].append(prid)
    for row in produk.values():  # ratings are counted from the reviews at the end
        bulk.add(Produk, row)
    bulk.flush()
    echo("products done")
    pen_rating = {p["id"]: [0, 0] for p in penyedia}

    # --- E-Order -----------------------------------------------------------------------------------------
    bumd = satker  # every satker buys in this data set (the demo has BUMD buyers; the rules do not differ)
    drafts = set()
    for n in range(size["pesanan"]):
        s = rng.choice(bumd)
        buyer = rng.choice(s["pembeli"])
        pen = rng.choice(penyedia)
        status = _pick(rng, EORDER_MIX)
        cancel = rng.choice(("batalkan", "tolak", "tolak", "setujui", "setujui")) if status == "dibatalkan" else None
        if status == "draft":  # one cart per buyer and supplier (uq_pesanan_draft_per_penyedia)
            if (buyer["id"], pen["id"]) in drafts:
                status = "dipesan"
            else:
                drafts.add((buyer["id"], pen["id"]))
        path = EORDER_CANCEL[cancel] if cancel else EORDER_PATHS[status]
        oid = ids(Pesanan)
        created = ago(365) if status not in ("draft", "dipesan") else ago(20)
        lines = rng.sample(pen["produk"], min(len(pen["produk"]), rng.randint(1, 6)))
        amounts = []
        items = []
        for prid in lines:
            pr = produk[prid]
            qty = rng.randint(1, 20)
            a = money.line_amounts(pr["harga"], qty, pr["ppn_persen"], pr["ppnbm_persen"])
            amounts.append(a)
            items.append(
                {
                    "id": None,
                    "pesanan_id": oid,
                    "produk_id": prid,
                    "nama_produk": pr["nama"],
                    "harga_satuan": pr["harga"],
                    "qty": qty,
                    "ppn_persen": pr["ppn_persen"],
                    "ppnbm_persen": pr["ppnbm_persen"],
                    "subtotal": a.subtotal,
                    "ppn": a.ppn,
                    "ppnbm": a.ppnbm,
                }
            )
        tot = money.order_amounts(amounts)
        final = path[-1][2] if path else "draft"
        t = created
        steps = []
        for action, src, dst, who in path:
            t = t + timedelta(minutes=rng.randint(30, 3 * 1440))
            steps.append((action, src, dst, buyer if who == "b" else pen["user"], min(t, now)))
        row = {
            "id": oid,
            "nomor": f"EO/{year}/{oid:07d}",
            "status": final,
            "version": 1 + len(path),
            "satker_id": s["id"],
            "pembeli_id": buyer["id"],
            "penyedia_id": pen["id"],
            "alamat_id": s["alamat"][buyer["id"]],
            "alamat_kirim": f"Kantor, Jl. Kantor No. {s['alamat'][buyer['id']]}",
            "tanggal_kegiatan": (created + timedelta(days=7)).date(),
            "waktu_kegiatan": None,
            "nama_kegiatan": "Rapat koordinasi",
            "catatan": None,
            "metode_bayar": rng.choice(("cod", "transfer", "va")),
            "subtotal": tot.subtotal,
            "ppn": tot.ppn,
            "ppnbm": tot.ppnbm,
            "total": tot.total,
            "pembatalan_oleh": None,
            "alasan_pembatalan": None,
            "alasan_tolak": "Stok habis." if cancel == "tolak" else None,
            "jumlah_sesuai": True if final in ("diterima", "selesai") else None,
            "kondisi_baik": True if final in ("diterima", "selesai") else None,
            "waktu_tempat_sesuai": True if final in ("diterima", "selesai") else None,
            "catatan_penerimaan": None,
            "created_at": created,
            "updated_at": steps[-1][4] if steps else created,
        }
        if cancel == "setujui":
            row["pembatalan_oleh"], row["alasan_pembatalan"] = "pembeli", "Kegiatan ditunda."
        bulk.add(Pesanan, row)
        for it in items:
            it["id"] = ids(PesananItem)
            bulk.add(PesananItem, it)
        audit("pesanan", oid, "buat", buyer, None, "draft", created)
        for action, src, dst, actor, at in steps:
            note = (
                "Kegiatan ditunda." if action == "ajukan_pembatalan" else ("Stok habis." if action == "tolak" else None)
            )
            audit("pesanan", oid, action, actor, src, dst, at, note)
        if final == "selesai":
            bintang = rng.choices((5, 4, 3, 2, 1), weights=(45, 38, 12, 3, 2))[0]
            for prid in sorted(set(lines)):
                bulk.add(
                    Ulasan,
                    {
                        "id": ids(Ulasan),
                        "produk_id": prid,
                        "penyedia_id": pen["id"],
                        "pesanan_id": oid,
                        "user_id": buyer["id"],
                        "bintang": bintang,
                        "teks": "Sesuai pesanan.",
                        "created_at": steps[-1][4],
                    },
                )
            pen_rating[pen["id"]][0] += bintang
            pen_rating[pen["id"]][1] += 1
        if n % 50_000 == 49_999:
            echo(f"E-Order {n + 1}")
    bulk.flush()
    echo("E-Order done")

    # --- Katalog ------------------------------------------------------------------------------------------
    rups = {}
    for s in satker:
        rups[s["id"]] = []
        for k in range(1, 3):
            r = {"id": ids(Rup), "kode": f"RUP-{year}-{s['kode']}-{k}", "satker_id": s["id"], "terpakai": 0}
            rups[s["id"]].append(r)
            # the figures are written at the end, once the orders committed to it are known
            bulk.add(
                Rup,
                {
                    "id": r["id"],
                    "kode": r["kode"],
                    "nama": "Belanja Barang dan Jasa",
                    "tahun": year,
                    "satker_id": s["id"],
                    "pagu": 0,
                    "terpakai": 0,
                },
            )
    rup_rows = [r for rs in rups.values() for r in rs]
    katalog_rows = []
    for n in range(size["pesanan_katalog"]):
        s = rng.choice(satker)
        pen = rng.choice(penyedia)
        key = _pick(rng, KATALOG_MIX)
        path = KATALOG_PATHS[key]
        final = path[-1][2] if path else "menunggu_negosiasi"
        waits = final in KATALOG_WAIT
        live = final not in CANCELLED and final != "selesai"
        created = ago(5, 3) if waits else (ago(60, 5) if live else ago(365, 30))
        kid = ids(PesananKatalog)
        rup = rng.choice(rups[s["id"]])
        opsi = rng.choice(("kurir_penyedia", "pihak_ketiga"))
        ongkir = rng.randint(2, 100) * 1000
        ongkir_ppn = money.PPN_DEFAULT if opsi == "kurir_penyedia" else Decimal(0)
        lines = rng.sample(pen["produk"], min(len(pen["produk"]), rng.randint(1, 4)))
        items = []
        spec = []
        for prid in lines:
            pr = produk[prid]
            qty = rng.randint(1, 10)
            harga = pr["harga"] if final == "menunggu_negosiasi" else pr["harga"] - (pr["harga"] // 20 // 100) * 100
            spec.append((harga, qty, pr["ppn_persen"], pr["ppnbm_persen"]))
            items.append(
                {
                    "id": ids(PesananKatalogItem),
                    "pesanan_id": kid,
                    "produk_id": prid,
                    "varian_id": None,
                    "nama": pr["nama"],
                    "satuan": pr["satuan"],
                    "qty": qty,
                    "harga_katalog": pr["harga"],
                    "harga": harga,
                    "ppn_persen": pr["ppn_persen"],
                    "ppnbm_persen": pr["ppnbm_persen"],
                }
            )
        r = money.rincian(spec, (), (ongkir, ongkir_ppn, Decimal(0)))
        for it, a in zip(items, r.barang, strict=True):
            it.update(subtotal=a.subtotal, ppn=a.ppn, ppnbm=a.ppnbm)
        t = created
        steps = []
        actors = {"pp": s["pp"], "ppk": s["ppk"], "s": pen["user"], "t": s["bendahara"], "x": None}
        for action, src, dst, who in path:
            if action in EXPIRE_ACTIONS:  # the sweep fired the wait at its due time
                t = t + timedelta(hours=WAIT_HOURS.get(EXPIRE_ACTIONS[action], 72), minutes=1)
            else:
                t = t + timedelta(minutes=rng.randint(20, 1440 if waits else 2 * 1440))
            steps.append((action, src, dst, actors[who], min(t, now - timedelta(minutes=5))))
        last = steps[-1][4] if steps else created
        if waits and last + timedelta(hours=WAIT_HOURS.get(KATALOG_WAIT[final], 72)) <= now:
            # a waiting order entered its state within its wait: move its whole history later
            shift = now - timedelta(hours=rng.randint(1, 60)) - last
            created += shift
            steps = [(a_, s_, d_, who_, w_ + shift) for a_, s_, d_, who_, w_ in steps]
            last = steps[-1][4] if steps else created
        doc = dokumen("persiapan", s["pp"]["id"], created)
        row = {
            "id": kid,
            "nomor": f"KAT/{year}/{kid:06d}",
            "checkout_token": _sha("co", seed, kid)[:40],
            "status": final,
            "version": 1 + len(path),
            "satker_id": s["id"],
            "pp_id": s["pp"]["id"],
            "ppk_id": s["ppk"]["id"],
            "penyedia_id": pen["id"],
            "rup_id": rup["id"],
            "dokumen_persiapan_id": doc,
            "alamat_kirim": f"{s['kode']}, Jl. Pemuda",
            "jenis_pengiriman": "Sekaligus",
            "tahapan_pengiriman": 1,
            "tanggal_tiba_diminta": (created + timedelta(days=14)).date(),
            "opsi_kirim": opsi,
            "kurir_nama": "JNE" if opsi == "pihak_ketiga" else None,
            "ongkir_estimasi": ongkir,
            "estimasi_hari": 3,
            "ongkir": ongkir,
            "ongkir_ppn_persen": ongkir_ppn,
            "ongkir_ppnbm_persen": Decimal(0),
            "ongkir_ppn": r.ongkir.ppn,
            "ongkir_ppnbm": r.ongkir.ppnbm,
            "subtotal": r.subtotal,
            "ppn": r.ppn,
            "ppnbm": r.ppnbm,
            "total": r.total,
            "anggaran_terpakai": 0 if final in CANCELLED else r.total,
            "alasan": "Kebutuhan berubah." if final in ("dibatalkan", "ditolak_ppk") else None,
            "klausul": None,
            "sp_nomor": None,
            "sp_dokumen_id": None,
            "sp_ttd_ppk_at": None,
            "sp_ttd_penyedia_at": None,
            "pickup_diminta_at": None,
            "bast_nomor": None,
            "bast_dokumen_id": None,
            "bast_ttd_ppk_at": None,
            "bast_ttd_penyedia_at": None,
            "batas_waktu": None,
            "created_at": created,
            "updated_at": last,
        }
        rup["terpakai"] += row["anggaran_terpakai"]
        at = {a: when for a, _, _, _, when in steps}
        if key in AFTER_SP:
            row["sp_nomor"] = f"SP/{s['kode']}/{year}/{kid}"
            row["sp_ttd_ppk_at"] = at["buat_pesanan"]
            if "ttd_sp" in at:
                row["sp_ttd_penyedia_at"] = at["ttd_sp"]
        if key in AFTER_BAST:
            row["bast_nomor"] = f"BAST/{s['kode']}/{year}/{kid}"
            row["bast_ttd_ppk_at"], row["bast_ttd_penyedia_at"] = at["terima_barang"], at["ttd_bast"]
        if waits and KATALOG_WAIT[final] != "kode_bayar":  # bersama.tunggu writes the order's batas_waktu
            row["batas_waktu"] = last + timedelta(hours=72)
        katalog_rows.append((row, items, steps, s, pen, key, r))
        bulk.add(PesananKatalog, row)
        for it in items:
            bulk.add(PesananKatalogItem, it)
        audit("pesanan_katalog", kid, "checkout", s["pp"], None, "menunggu_negosiasi", created)
        for action, src, dst, actor, when in steps:
            audit(
                "pesanan_katalog",
                kid,
                action,
                actor,
                src,
                dst,
                when,
                row["alasan"] if action in ("batalkan", "tolak_ppk") else None,
            )
        _katalog_children(
            bulk, ids, rng, row, items, steps, s, pen, key, now, deadline, audit, persen_biaya, tetap_biaya
        )
        if n % 10_000 == 9_999:
            echo(f"Katalog {n + 1}")
    bulk.flush()
    echo("Katalog done")

    # --- verification requests (Verifikator queue) --------------------------------------------------------
    for i in range(size["verifikasi"]):
        s = rng.choice(satker)
        req = user(f"pengguna-skala-{i}", ROLE_PENGGUNA)
        submitted = ago(2) if i % 5 else ago(30, 4)
        menunggu = i % 5 != 0
        status_p = "menunggu" if menunggu else "terverifikasi"
        if i % 2 == 0:
            rid = ids(ProfilPengguna)
            bulk.add(
                ProfilPengguna,
                {
                    "id": rid,
                    "user_id": req["id"],
                    "instansi_id": s["instansi"],
                    "jenis_profil": "non_penyedia",
                    "status_kepegawaian": "ASN",
                    "nip": None,
                    "nik": f"31{i:014d}",
                    "nama_ktp": req["name"],
                    "tanggal_lahir": date(1985, 1 + i % 12, 1 + i % 28),
                    "selfie_id": dokumen("selfie", req["id"], submitted),
                    "ktp_id": dokumen("ktp", req["id"], submitted),
                    "status": status_p,
                    "version": 1 if menunggu else 2,
                    "alasan": None,
                    "submitted_at": submitted,
                    "batas_waktu": submitted + timedelta(hours=72),
                    "updated_at": submitted,
                },
            )
            entity, kind = "profil_pengguna", "verifikasi_profil"
        else:
            rid = ids(AksesPengguna)
            bulk.add(
                AksesPengguna,
                {
                    "id": rid,
                    "user_id": req["id"],
                    "instansi_id": s["instansi"],
                    "akses": "pp",
                    "satker_id": s["id"],
                    "penyedia_id": None,
                    "surat_tugas_id": dokumen("surat_tugas", req["id"], submitted),
                    "status": "menunggu" if menunggu else "ditolak",
                    "version": 1 if menunggu else 2,
                    "alasan": None if menunggu else "Surat tugas tidak terbaca.",
                    "submitted_at": submitted,
                    "batas_waktu": submitted + timedelta(hours=72),
                    "updated_at": submitted,
                },
            )
            entity, kind = "akses_pengguna", "verifikasi_akses"
        audit(entity, rid, "ajukan", req, None, "menunggu", submitted)
        due = submitted + timedelta(hours=72)
        if menunggu:
            deadline(kind, entity, rid, due, "aktif", submitted)
        else:
            deadline(kind, entity, rid, due, "selesai", submitted, submitted + timedelta(hours=5))
            audit(
                entity,
                rid,
                "setujui" if i % 2 == 0 else "tolak",
                verifikator[s["instansi"]],
                "menunggu",
                "terverifikasi" if i % 2 == 0 else "ditolak",
                submitted + timedelta(hours=5),
            )
    bulk.flush()

    # --- ratings and RUP budgets ---------------------------------------------------------------------------
    _finish(conn, pen_rating, rup_rows, rng, year)
    _sequences(conn, bulk.count)
    session.commit()
    return dict(sorted(bulk.count.items()))


class _RoleRow:
    """A stand-in with the FAB user-role association table (set in build)."""

    __table__ = None


def _katalog_children(bulk, ids, rng, row, items, steps, s, pen, key, now, deadline, audit, persen, tetap):
    kid, final = row["id"], row["status"]
    at = {a: when for a, _, _, _, when in steps}
    created = row["created_at"]
    if "ajukan_nego" in at:
        for k, (action, who, when) in enumerate(
            [(a, act, w) for a, _, _, act, w in steps if a in ("ajukan_nego", "tawar")], start=1
        ):
            bulk.add(
                NegosiasiRonde,
                {
                    "id": ids(NegosiasiRonde),
                    "pesanan_id": kid,
                    "nomor_ronde": k,
                    "oleh": "pp" if action == "ajukan_nego" else "penyedia",
                    "user_id": who["id"],
                    "ongkir": row["ongkir"],
                    "total": row["total"],
                    "catatan": None,
                    "created_at": when,
                },
            )
    # closed waits of the steps passed, the running one of the state that waits
    for action, src, dst, _actor, when in steps:
        if src in KATALOG_WAIT and dst != src:
            kind = KATALOG_WAIT[src]
            start = max((w for a, _, d, _, w in steps if d == src and w <= when), default=created)
            due = start + timedelta(hours=WAIT_HOURS.get(kind, 72))
            st = "kedaluwarsa" if action in EXPIRE_ACTIONS else "selesai"
            deadline(kind, "pesanan_katalog", kid, due, st, start, due if st == "kedaluwarsa" else when)
    if final in KATALOG_WAIT:
        kind = KATALOG_WAIT[final]
        deadline(
            kind,
            "pesanan_katalog",
            kid,
            row["updated_at"] + timedelta(hours=WAIT_HOURS.get(kind, 72)),
            "aktif",
            row["updated_at"],
        )
    if key in AFTER_KIRIM:
        bulk.add(
            PengirimanEvent,
            {
                "id": ids(PengirimanEvent),
                "pesanan_id": kid,
                "waktu": at["kirim"],
                "lokasi": "Gudang Penyedia",
                "status": "Barang dikirim",
                "catatan": None,
                "user_id": pen["user"]["id"],
                "created_at": at["kirim"],
            },
        )
    if key in AFTER_BAST:
        for it in items:
            bulk.add(
                BastItem,
                {
                    "id": ids(BastItem),
                    "pesanan_id": kid,
                    "item_id": it["id"],
                    "qty_diterima": it["qty"],
                    "kondisi": "baik",
                    "sesuai": 1,
                    "catatan": None,
                },
            )
    if key in PAYING:
        metode = "ls" if final == "ls_dokumen" else ("up_kkp" if "pilih_kkp" in at else "up_kode_bayar")
        rb = money.rincian_bayar(metode, row["total"], persen, tetap)
        pid = ids(Pembayaran)
        paid = at.get("lunas") or at.get("bayar_kkp")
        bulk.add(
            Pembayaran,
            {
                "id": pid,
                "pesanan_id": kid,
                "metode": metode,
                "rezim_pajak": rb.rezim,
                "total": rb.total,
                "biaya_transaksi": rb.biaya,
                "diterima_penyedia": rb.diterima,
                "bendahara_id": s["bendahara"]["id"] if "ajukan_bendahara" in at else None,
                "tagihan_dokumen_id": None,
                "tagihan_jenis": None,
                "tagihan_nomor": None,
                "bukti_potong_dokumen_id": None,
                "pph_jenis": None,
                "pph_jumlah": None,
                "tanpa_bukti_potong": False,
                "invoice_nomor": f"INV/{kid}" if metode != "ls" else None,
                "invoice_dokumen_id": None,
                "kkp_oleh_ppk": metode == "up_kkp",
                "kkp_nama": None,
                "kkp_email": None,
                "kkp_token_hash": None,
                "kkp_token_expires_at": None,
                "kkp_token_used_at": None,
                "dibayar_at": paid,
                "dibayar_oleh": s["ppk"]["name"] if paid else None,
                "referensi": f"REF{kid}" if paid else None,
                "created_at": at.get("pilih_up") or at.get("pilih_kkp") or at.get("pilih_ls"),
                "updated_at": paid,
            },
        )
        if "konfirmasi_bayar" in at:
            issued = at["konfirmasi_bayar"]
            kstat = {"kode_bayar_terbit": "aktif", "kode_kedaluwarsa": "kedaluwarsa"}.get(final, "dibayar")
            until = issued + timedelta(hours=WAIT_HOURS["kode_bayar"])
            bulk.add(
                KodeBayar,
                {
                    "id": ids(KodeBayar),
                    "pesanan_id": kid,
                    "kode": f"KB{kid:010d}",
                    "jumlah": row["total"],
                    "status": kstat,
                    "diterbitkan_oleh_id": s["bendahara"]["id"],
                    "created_at": issued,
                    "berlaku_sampai": until,
                    "dibayar_at": paid,
                    "referensi": f"REF{kid}" if paid else None,
                },
            )
    if final == "selesai":
        done = row["updated_at"]
        for jenis in ("pesanan", "layanan") + (("kurir",) if row["opsi_kirim"] == "kurir_penyedia" else ()):
            b = rng.choices((5, 4, 3, 2, 1), weights=(45, 38, 12, 3, 2))[0]
            bulk.add(
                PenilaianKatalog,
                {
                    "id": ids(PenilaianKatalog),
                    "pesanan_id": kid,
                    "jenis": jenis,
                    "bintang": b,
                    "ulasan": None,
                    "user_id": s["ppk"]["id"],
                    "created_at": done,
                },
            )
            audit("pesanan_katalog", kid, f"penilaian_{jenis}", s["ppk"], None, None, done, f"{b}/5")


def _finish(conn, pen_rating, rup_rows, rng, year):
    """Ratings counted from the reviews (as catalog.tambah_rating would have), RUP pagu above what is committed."""
    conn.execute(
        text(
            "UPDATE produk SET rating_total = r.t, rating_count = r.c FROM "
            "(SELECT produk_id, SUM(bintang) AS t, COUNT(*) AS c FROM ulasan GROUP BY produk_id) AS r "
            "WHERE produk.id = r.produk_id"
        )
    )
    pt = Penyedia.__table__
    rows = [{"pid": k, "t": v[0], "c": v[1]} for k, v in pen_rating.items() if v[1]]
    if rows:
        conn.execute(
            pt.update()
            .where(pt.c.id == bindparam("pid"))
            .values(rating_total=bindparam("t"), rating_count=bindparam("c")),
            rows,
        )
    rt = Rup.__table__
    rows = [
        {"rid": r["id"], "p": r["terpakai"] + rng.randint(100, 5000) * 1_000_000, "u": r["terpakai"]} for r in rup_rows
    ]
    conn.execute(
        rt.update().where(rt.c.id == bindparam("rid")).values(pagu=bindparam("p"), terpakai=bindparam("u")), rows
    )


def _sequences(conn, counts):
    """PostgreSQL: move each table's id sequence past the ids given here."""
    if conn.dialect.name != "postgresql":
        return
    for name in counts:
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar()
        if seq is None:
            exists = conn.execute(text("SELECT to_regclass(:s)"), {"s": f"{name}_id_seq"}).scalar()
            seq = f"{name}_id_seq" if exists else None
        if seq:
            conn.execute(text(f"SELECT setval('{seq}', (SELECT COALESCE(MAX(id), 1) FROM \"{name}\"))"))
