"""Catalogue helper for scripts/i18n.sh (run that script; this file is its Python half).

  merge_pot.py pot APP_POT OUT_POT
      OUT_POT = the app's extracted APP_POT + every Flask-AppBuilder msgid.
  merge_pot.py fill APP_POT PO [PO ...]
      After `pybabel update`: give back translations that became obsolete and then reappeared, and fill the
      entries whose translation is the msgid itself (id: the app's own msgids, which are written in Indonesian;
      en: FAB's msgids, which are English). Everything else stays for a human to translate.
  merge_pot.py fab-count
      Print how many FAB msgids there are.

FAB's msgids = the union of the msgids in its installed catalogues
(flask_appbuilder/translations/*/LC_MESSAGES/messages.po; no Indonesian one ships) plus those extracted from its
installed source and templates (a few newer strings, e.g. "Groups" or the "In" filter, are in no catalogue yet).
"""

from __future__ import annotations

import io
import re
import sys
from importlib.util import find_spec
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

FAB_COMMENT = "Flask-AppBuilder"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
# Some FAB catalogues carry dates Babel cannot parse ("POT-Creation-Date: 2025-01-21"); the dates are not needed.
_DATE_HEADER = re.compile(r'^"(?:POT-Creation-Date|PO-Revision-Date):.*\\n"\n', re.MULTILINE)
# Which msgids a language translates as themselves (see module docstring).
IDENTITY = {"id": "app", "en": "fab"}


def fab_dir() -> Path:
    spec = find_spec("flask_appbuilder")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("flask_appbuilder is not installed in this environment")
    return Path(next(iter(spec.submodule_search_locations)))


def read_po_lenient(path: Path) -> Catalog:
    text = _DATE_HEADER.sub("", path.read_text(encoding="utf-8"))
    return read_po(io.StringIO(text))


def _key(msgid):
    return msgid if isinstance(msgid, str) else msgid[0]


def fab_messages() -> dict:
    """(msgid key, context) -> Message with FAB's msgid and its locations, from catalogues and source."""
    base = fab_dir()
    found: dict = {}

    def add(msgid, context, location, flags=()):
        entry = found.get((_key(msgid), context))
        if entry is None:
            entry = found[(_key(msgid), context)] = Message(msgid, context=context, auto_comments=[FAB_COMMENT])
        if location not in entry.locations:
            entry.locations.append(location)
        entry.flags.update(f for f in flags if f.endswith("-format"))

    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    for filename, lineno, msgid, _comments, context in extract_from_dir(base, method_map, keywords=KEYWORDS):
        add(msgid, context, (f"{base.name}/{filename}", lineno))
    for po in sorted(base.glob("translations/*/LC_MESSAGES/messages.po")):
        for message in read_po_lenient(po):
            if message.id and (_key(message.id), message.context) not in found:
                for location in message.locations or [(f"{base.name}/translations", None)]:
                    add(message.id, message.context, location, message.flags)
    return found


def build_pot(app_pot: Path, out_pot: Path) -> None:
    with app_pot.open("rb") as f:
        catalog = read_po(f)
    fab_all = fab_messages()
    for (key, context), fab in sorted(fab_all.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        existing = catalog.get(key, context)
        if existing is None:
            catalog[fab.id] = fab
        else:  # same msgid in the app and in FAB (e.g. "Email"): one entry, both origins
            existing.locations.extend(loc for loc in fab.locations if loc not in existing.locations)
            if FAB_COMMENT not in existing.auto_comments:
                existing.auto_comments.append(FAB_COMMENT)
    with out_pot.open("wb") as f:
        write_po(f, catalog)
    print(f"{out_pot}: {len(catalog)} msgids ({len(fab_all)} from Flask-AppBuilder)")


def fill(app_pot: Path, po_paths: list[Path]) -> None:
    with app_pot.open("rb") as f:
        app_keys = {(_key(m.id), m.context) for m in read_po(f) if m.id}
    fab_keys = set(fab_messages())
    identity_sets = {"app": app_keys - fab_keys, "fab": fab_keys - app_keys}
    for po in po_paths:
        with po.open("rb") as f:
            catalog = read_po(f)
        lang = str(catalog.locale)
        identity = identity_sets.get(IDENTITY.get(lang, ""), set())
        revived, filled, todo = [], [], []
        for message in catalog:
            if not message.id or _has_string(message):
                continue
            obsolete_key = _key(message.id) if message.context is None else (_key(message.id), message.context)
            old = catalog.obsolete.get(obsolete_key)
            if old is not None and _has_string(old) and not old.fuzzy and _same_shape(old.string, message.string):
                message.string = old.string
                del catalog.obsolete[obsolete_key]
                revived.append(message.id)
            elif (_key(message.id), message.context) in identity:
                if isinstance(message.id, str):
                    message.string = message.id
                else:  # plural: form 0 = singular, the others = plural; a one-form language takes the plural
                    n = catalog.num_plurals
                    message.string = (message.id[1],) if n == 1 else tuple(message.id[min(i, 1)] for i in range(n))
                filled.append(message.id)
            else:
                todo.append(message.id)
        if revived or filled:
            with po.open("wb") as f:
                write_po(f, catalog)
        print(f"{po}: {len(catalog)} msgids, {len(revived)} restored from obsolete, {len(filled)} msgstr=msgid")
        for msgid in todo:
            print(f"  TODO translate: {msgid!r}")


def _has_string(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(strings)


def _same_shape(old, new) -> bool:
    return isinstance(old, (list, tuple)) == isinstance(new, (list, tuple))


def main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[0] == "pot":
        build_pot(Path(argv[1]), Path(argv[2]))
    elif len(argv) >= 3 and argv[0] == "fill":
        fill(Path(argv[1]), [Path(p) for p in argv[2:]])
    elif argv == ["fab-count"]:
        print(len(fab_messages()))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
