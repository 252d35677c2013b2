"""Every user-visible word in our templates goes through gettext: a bare word here fails the build."""

import pathlib
import re
from html.parser import HTMLParser

import pytest

TEMPLATES = sorted(pathlib.Path(__file__).resolve().parent.parent.joinpath("app", "templates").rglob("*.html"))
VISIBLE_ATTRS = {"title", "alt", "placeholder", "aria-label"}
JINJA = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
CODE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_data(self, data):
        self.found.append(data)

    def handle_starttag(self, tag, attrs):
        self.found.extend(v for k, v in attrs if k in VISIBLE_ATTRS and v)


def bare_text(source):
    parser = _Text()
    parser.feed(CODE.sub(" ", JINJA.sub(" ", source)))
    # A letter means a word a person reads; symbols, digits and punctuation need no translation.
    return [t.strip() for t in parser.found if re.search(r"[^\W\d_]", t)]


def test_the_check_catches_a_bare_word():
    assert bare_text("<p>Simpan</p>") == ["Simpan"]
    assert bare_text('<img alt="Foto">') == ["Foto"]
    assert bare_text('<p>{{ _("Simpan") }} — {{ x }}%</p><script>var a = "x";</script>') == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_template_has_no_untranslated_text(path):
    assert bare_text(path.read_text(encoding="utf-8")) == []
