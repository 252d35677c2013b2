"""Form fields for Indonesian input."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from app.services.money import format_rupiah, parse_rupiah


class RupiahField(StringField):
    """Accepts `Rp 1.250.000`, `1.250.000` or `1250000`; holds an int of whole Rupiah."""

    def _value(self):
        if isinstance(self.data, int):
            return format_rupiah(self.data).replace("Rp", "").strip()
        return self.data or ""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_rupiah(valuelist[0])
            except ValueError:
                self.data = None
                raise ValueError(_l("Masukkan nominal Rupiah, contoh 1.250.000")) from None
        else:
            self.data = None
