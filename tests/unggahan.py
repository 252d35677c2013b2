"""Real hostile files for the upload tests: PDFs with active or embedded content (built with pypdf on a
reportlab page) and images that are too large, broken or carry EXIF/GPS metadata (built with Pillow)."""

import io

from PIL import ExifTags, Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from tests.factories import pdf_bytes


def _pdf(change):
    w = PdfWriter(clone_from=io.BytesIO(pdf_bytes("Invoice")))
    change(w)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _action(**entries):
    return DictionaryObject({NameObject(f"/{k}"): v for k, v in entries.items()})


def pdf_openaction_js():
    """Runs `app.alert` the moment it is opened."""

    def change(w):
        js = _action(S=NameObject("/JavaScript"), JS=TextStringObject("app.alert('pwned')"))
        w._root_object[NameObject("/OpenAction")] = w._add_object(js)

    return _pdf(change)


def pdf_named_js():
    """A document-level script (the Names tree), no OpenAction."""

    def change(w):
        js = w._add_object(_action(S=NameObject("/JavaScript"), JS=TextStringObject("app.alert('pwned')")))
        tree = _action(Names=ArrayObject([TextStringObject("x"), js]))
        w._root_object[NameObject("/Names")] = _action(JavaScript=tree)

    return _pdf(change)


def pdf_embedded_file():
    return _pdf(lambda w: w.add_attachment("faktur.exe", b"MZ\x90\x00 not a real program"))


def pdf_launch_link():
    """A link on the page that starts a program when clicked."""

    def change(w):
        launch = _action(S=NameObject("/Launch"), F=TextStringObject("cmd.exe"))
        rect = ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)])
        link = _action(Type=NameObject("/Annot"), Subtype=NameObject("/Link"), A=launch, Rect=rect)
        w.pages[0][NameObject("/Annots")] = ArrayObject([w._add_object(link)])

    return _pdf(change)


def pdf_escaped_js():
    """The document-level script with its names hex-escaped (`/J#53`, `/Java#53cript`): a byte scan misses it."""
    return pdf_named_js().replace(b"/JS ", b"/J#53 ").replace(b"/JavaScript", b"/Java#53cript")


def png(width=4, height=4, mode="RGB"):
    buf = io.BytesIO()
    Image.new(mode, (width, height), "red" if mode == "RGB" else 0).save(buf, "PNG")
    return buf.getvalue()


def png_108_megapixel():
    """12,000 x 9,000 pixels in a small file (one bit a pixel, all black, compresses to almost nothing)."""
    return png(12_000, 9_000, mode="1")


def jpeg_with_gps(width=40, height=20, orientation=6):
    """A photo whose EXIF says where it was taken (Monas, Jakarta), by which camera, and that it is rotated."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KameraRahasia"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (6.0, 10.0, 31.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (106.0, 49.0, 37.0)
    buf = io.BytesIO()
    Image.new("RGB", (width, height), "blue").save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def jpeg_truncated():
    """Its header and first bytes are a JPEG (so a header check passes); the picture itself is cut off."""
    buf = io.BytesIO()
    Image.effect_noise((400, 400), 64).convert("RGB").save(buf, "JPEG", quality=95)
    data = buf.getvalue()
    return data[: len(data) // 2]
