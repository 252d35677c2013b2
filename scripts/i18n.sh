#!/usr/bin/env bash
# Refresh the translation catalogues (Bahasa Indonesia "id" is the default, English "en" the alternative).
#
# Usage: bash scripts/i18n.sh        (from any directory, no arguments; needs .venv)
#
# Run it whenever app/ gains or changes a _l("...") / _("...") / gettext("...") string, or after upgrading
# Flask-AppBuilder. It
#   1. extracts the app's msgids from app/ (see babel.cfg) into translations/app.pot
#   2. builds translations/messages.pot = app.pot + every Flask-AppBuilder msgid (scripts/merge_pot.py pot)
#   3. updates translations/{id,en}/LC_MESSAGES/messages.po from it (`pybabel init` the first time), with
#      --no-fuzzy-matching: existing translations are kept, new msgids arrive with an empty msgstr
#   4. fills what needs no translator (scripts/merge_pot.py fill): in id the app's own msgids (already
#      Indonesian) get msgstr = msgid, in en FAB's msgids (already English) do; a translation that had gone
#      obsolete comes back if its msgid reappears. The remaining empty entries are printed as "TODO translate"
#   5. compiles the .mo files (`pybabel compile -d translations`; the .mo files are not committed)
# Then translate the TODO entries by hand in translations/<lang>/LC_MESSAGES/messages.po (never leave them
# fuzzy; keep %(name)s placeholders), run this script again to compile, and check with
#   .venv/bin/pytest tests/test_i18n.py
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LANGS=(id en)
POT=translations/messages.pot

mkdir -p translations
# Only app/ is mapped in babel.cfg; pybabel skips dot-directories such as .venv while walking ".".
"$BIN/pybabel" extract -F babel.cfg -k lazy_gettext -k _l -k gettext -k _ \
  --project=portal-pengadaan --version=0.1.0 -c TRANSLATORS: -o translations/app.pot .

"$BIN/python" scripts/merge_pot.py pot translations/app.pot "$POT"

PO_FILES=()
for lang in "${LANGS[@]}"; do
  po=translations/$lang/LC_MESSAGES/messages.po
  if [[ -f $po ]]; then
    "$BIN/pybabel" update -i "$POT" -d translations -l "$lang" --no-fuzzy-matching
  else
    "$BIN/pybabel" init -i "$POT" -d translations -l "$lang"
  fi
  PO_FILES+=("$po")
done

"$BIN/python" scripts/merge_pot.py fill translations/app.pot "${PO_FILES[@]}"

"$BIN/pybabel" compile -d translations --statistics
