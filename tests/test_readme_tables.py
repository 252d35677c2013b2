"""The README's Katalog state list is printed from the transition table itself, so it cannot drift."""

import re
from pathlib import Path

from flask_babel import force_locale

from app.services import katalog

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_katalog_table_is_the_table(app):
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- tabel:pesanan_katalog -->\n(.*?)\n<!-- /tabel:pesanan_katalog -->", text, re.S)
    assert block, "README lost its Katalog table markers"
    with app.test_request_context(), force_locale("id"):
        expected = katalog.KATALOG.tabel()
    assert block.group(1).strip() == expected, "run `flask portal tabel pesanan_katalog` and paste it into README"


def test_the_table_lists_every_row_once(app):
    with app.test_request_context(), force_locale("id"):
        lines = katalog.KATALOG.tabel().splitlines()[2:]
    assert len(lines) == len(katalog.KATALOG.transitions) == len(set(lines))
