"""Translation catalogues (translations/<lang>/LC_MESSAGES/messages.po): complete, placeholder-safe, and covering
both Flask-AppBuilder's msgids and every msgid in app/. No app fixture needed.

When a coverage test fails, run `bash scripts/i18n.sh`, translate the new entries by hand, and run it again.
"""

import io
import re
from importlib.util import find_spec
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, default_directory_filter, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("id", "en")
# pybabel's default keywords plus the ones scripts/i18n.sh passes (-k lazy_gettext -k _l -k gettext -k _).
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
# Some FAB catalogues carry header dates Babel cannot parse (fr: "POT-Creation-Date: 2025-01-21").
DATE_HEADER = re.compile(r'^"(?:POT-Creation-Date|PO-Revision-Date):.*\\n"\n', re.MULTILINE)
HINT = "run `bash scripts/i18n.sh` and translate the new entries"

# One glossary for FAB's UI in Indonesian (spot checks that the wording stays consistent).
GLOSSARY_ID = {
    "Search": "Cari",
    "Add": "Tambah",
    "Edit": "Ubah",
    "Delete": "Hapus",
    "Save": "Simpan",
    "Back": "Kembali",
    "Show": "Lihat",
    "Login": "Masuk",
    "Logout": "Keluar",
    "Password": "Kata Sandi",
    "Username": "Nama Pengguna",
    "Role": "Peran",
    "Security": "Keamanan",
    "Actions": "Aksi",
    "Add Filter": "Tambah Saringan",
    "List Users": "Daftar Pengguna",
    "Record Count": "Jumlah Data",
}


def _key(msgid, context=None):
    return (msgid if isinstance(msgid, str) else msgid[0], context)


def _forms(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _placeholders(text):
    return set(PLACEHOLDER.findall(text))


def _read(lang) -> Catalog:
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{path} is missing: {HINT}"
    with path.open("rb") as f:
        return read_po(f)


@pytest.fixture(autouse=True)
def _clean():
    """Overrides conftest's autouse fixture of the same name: these tests need no app and no database."""
    yield


@pytest.fixture(scope="module", params=LANGS)
def catalog(request):
    return request.param, _read(request.param)


@pytest.fixture(scope="module")
def fab_msgids():
    """FAB's msgids: union of its installed catalogues plus what its installed source and templates mark."""
    base = Path(next(iter(find_spec("flask_appbuilder").submodule_search_locations)))
    found = {}
    for po in sorted(base.glob("translations/*/LC_MESSAGES/messages.po")):
        text = DATE_HEADER.sub("", po.read_text(encoding="utf-8"))
        for message in read_po(io.StringIO(text)):
            if message.id:
                found.setdefault(_key(message.id, message.context), message.id)
    assert len(found) > 100, "Flask-AppBuilder's catalogues were not found"
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    for _fn, _line, msgid, _comments, context in extract_from_dir(base, method_map, keywords=KEYWORDS):
        found.setdefault(_key(msgid, context), msgid)
    return found


@pytest.fixture(scope="module")
def app_msgids():
    """The app's msgids, extracted in-process exactly as scripts/i18n.sh does (babel.cfg, app/ only)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)

    def only_app(dirpath):
        parts = Path(dirpath).relative_to(ROOT).parts
        return bool(parts) and parts[0] == "app" and default_directory_filter(dirpath)

    found = {}
    for filename, lineno, msgid, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=only_app
    ):
        found.setdefault(_key(msgid, context), (msgid, f"{filename}:{lineno}"))
    assert found, "no msgid extracted from app/: check babel.cfg"
    return found


def test_header_is_usable(catalog):
    lang, cat = catalog
    assert str(cat.locale) == lang
    # pybabel compile (without -f) skips a catalogue whose header is fuzzy: the whole language would vanish.
    assert not cat.fuzzy, f"{lang}: header is marked fuzzy"


def test_every_entry_translated_not_fuzzy(catalog):
    lang, cat = catalog
    bad = [m.id for m in cat if m.id and (m.fuzzy or not all(_forms(m.string)))]
    assert not bad, f"{lang}: {len(bad)} entries are empty or fuzzy: {bad}"
    if cat.num_plurals > 1:
        short = [m.id for m in cat if m.id and m.pluralizable and len(_forms(m.string)) < 2]
        assert not short, f"{lang}: plural entries without both forms: {short}"


def test_placeholders_match(catalog):
    lang, cat = catalog
    bad = []
    for m in cat:
        if not m.id:
            continue
        expected = set().union(*(_placeholders(i) for i in _forms(m.id)))
        forms = [_placeholders(s) for s in _forms(m.string)]
        if set().union(*forms) != expected or any(not f <= expected for f in forms):
            bad.append((m.id, m.string))
    assert not bad, f"{lang}: %(...)s placeholders differ from the msgid: {bad}"
    errors = [(m.id, [str(e) for e in errs]) for m, errs in cat.check()]
    assert not errors, f"{lang}: Babel's format checks failed: {errors}"


def test_fab_msgids_present(catalog, fab_msgids):
    lang, cat = catalog
    missing = sorted(msgid for (key, ctx), msgid in fab_msgids.items() if cat.get(key, ctx) is None)
    assert not missing, f"{lang}: {len(missing)} Flask-AppBuilder msgids missing ({HINT}): {missing}"


def test_app_msgids_present(catalog, app_msgids):
    lang, cat = catalog
    missing = sorted(
        f"{where}: {msgid!r}" for (key, ctx), (msgid, where) in app_msgids.items() if cat.get(key, ctx) is None
    )
    assert not missing, f"{lang} catalogue is out of date with app/ ({HINT}); missing:\n" + "\n".join(missing)


def test_app_msgids_keep_indonesian(app_msgids, fab_msgids):
    # The app's msgids are written in Indonesian: the id catalogue uses them as they are.
    cat = _read("id")
    changed = []
    for key, ctx in app_msgids.keys() - fab_msgids.keys():
        message = cat.get(key, ctx)
        if message is not None and _forms(message.string)[0] != _forms(message.id)[0]:
            changed.append((message.id, message.string))
    assert not changed, f"id: app msgids whose msgstr differs from the msgid: {changed}"


def test_glossary_id():
    cat = _read("id")
    actual = {msgid: (cat.get(msgid).string if cat.get(msgid) else None) for msgid in GLOSSARY_ID}
    wrong = {msgid: string for msgid, string in actual.items() if string != GLOSSARY_ID[msgid]}
    assert not wrong, f"id: glossary terms translated differently: {wrong}"
