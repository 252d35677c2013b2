"""Set translations by hand: `python scripts/translate.py en "Keranjang=Cart" ...` (then run scripts/i18n.sh)."""

import sys

from babel.messages.pofile import read_po, write_po


def main(lang, pairs):
    path = f"translations/{lang}/LC_MESSAGES/messages.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh)
    for pair in pairs:
        msgid, _, msgstr = pair.partition("=")
        message = catalog.get(msgid)
        if message is None:
            sys.exit(f"not in {path}: {msgid!r} (run scripts/i18n.sh first)")
        message.string = msgstr
        message.flags.discard("fuzzy")
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=120)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
