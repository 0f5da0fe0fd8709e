"""What a capteur puts up: the QR code (SVG, PNG), the A4 poster and the A6 sticker sheet.

Pure rendering: every function takes plain values (a `PrintContent`, a `QrMatrix`) and returns
bytes. No database access and no permission check: callers fetch the code through the
territory-scoped selector and refuse revoked codes before asking for a print.
"""

import functools
import hashlib
import io
import json
import string
from dataclasses import asdict, dataclass
from pathlib import Path

import phonenumbers
import qrcode
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from PIL import Image
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

# Bump whenever the drawing changes: it is part of every ETag, so browsers fetch the new look.
LAYOUT_VERSION = 1

# Q recovers ~25 % of the symbol: enough for a scratched or sun-faded shop window sticker.
QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
QR_QUIET_ZONE = 4  # modules of white around the symbol, as the QR standard requires
QR_PNG_MIN_PIXELS = 720  # about 6 cm at 300 dpi: sharp when pasted into a flyer
QR_PNG_DPI = 300
QR_SVG_MODULE_MM = 1.5  # nominal printed size of a module when the SVG is printed as is

FONT = "RelaisSans"
FONT_BOLD = "RelaisSans-Bold"
# DejaVu ships in the repository: a fresh server may have no system fonts, and reportlab's
# bundled Vera lacks glyphs French needs (narrow no-break space, "ᵉ"). Only the glyphs used
# are embedded, so a poster stays under 50 KB.
FONT_DIR = Path(__file__).resolve().parent / "fonts"

INK = HexColor("#1b1b1b")
MUTED = HexColor("#5c5c5c")
ACCENT = HexColor("#0b5563")  # dark teal: still dark enough on a black-and-white printer
RULE = HexColor("#b8c7ca")

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
APOSTROPHE = "\u2019"


@dataclass(frozen=True)
class PrintContent:
    """Everything a print of a referral code shows, as display-ready strings.

    `active` is not drawn: it is there so the ETag changes when the code is revoked.
    """

    capteur_name: str
    territory_name: str
    url: str  # the link printed for a person to type (counts as channel "link")
    qr_url: str  # the link the QR code carries (counts as channel "qr")
    short_code: str
    sms_number: str  # nationally formatted ("06 44 63 01 01"), "" when the territory has none
    phone: str  # the territory's line to call, "" when it has none
    active: bool

    @property
    def display_url(self):
        """The link without its scheme: what a person would type."""
        return self.url.split("://", 1)[-1]


def print_content(code) -> PrintContent:
    """The printable values of `code` (a ReferralCode with `capteur__territory` loaded)."""
    territory = code.capteur.territory
    return PrintContent(
        capteur_name=code.capteur.name,
        territory_name=territory.name,
        url=code.public_url,
        qr_url=code.qr_url,
        short_code=code.short_code,
        sms_number=display_phone(territory.sms_number),
        phone=display_phone(territory.contact_phone),
        active=code.is_active,
    )


def display_phone(number) -> str:
    """A phone number as people of the territory write it: "06 44 63 01 01".

    Numbers from another country keep their international prefix ("+32 470 12 34 56").
    """
    if not number:
        return ""
    region = phonenumbers.region_code_for_number(number)
    number_format = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.PHONENUMBER_DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, number_format)


def print_etag(content: PrintContent, *, kind: str) -> str:
    """A strong validator of one print (unquoted): changes whenever anything drawn changes.

    Built from the printed values, the language of the printed sentences and the layout
    version, never from timestamps: an unrelated edit of the capteur does not bust caches.
    """
    payload = json.dumps(
        [kind, LAYOUT_VERSION, get_language(), asdict(content)], sort_keys=True
    ).encode()
    return hashlib.sha256(payload).hexdigest()[:32]


# --- QR code ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QrMatrix:
    """A QR symbol with its quiet zone: `size` by `size` cells, 1 = dark, row by row."""

    size: int
    cells: bytes

    def dark_runs(self):
        """Horizontal runs of dark cells as (column, row, length): one rectangle each."""
        size = self.size
        for row in range(size):
            line = self.cells[row * size : (row + 1) * size]
            column = line.find(1)
            while column != -1:
                end = line.find(0, column)
                if end == -1:
                    end = size
                yield column, row, end - column
                column = line.find(1, end)


# Choosing the mask pattern is ~90 % of the cost of a QR code (~10 ms): a code's link never
# changes, so the poster, the stickers and the PNG of the same code reuse one matrix.
@functools.lru_cache(maxsize=256)
def qr_matrix(data: str) -> QrMatrix:
    qr = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION, border=QR_QUIET_ZONE)
    qr.add_data(data)
    qr.make(fit=True)
    rows = qr.get_matrix()
    return QrMatrix(size=len(rows), cells=bytes(cell for row in rows for cell in row))


def qr_svg(matrix: QrMatrix) -> bytes:
    """A standalone SVG document: white background, one path of dark runs, crisp edges."""
    size = matrix.size
    path = "".join(f"M{x} {y}h{n}v1h-{n}z" for x, y, n in matrix.dark_runs())
    printed = f"{size * QR_SVG_MODULE_MM:g}mm"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {size} {size}" '
        f'width="{printed}" height="{printed}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>\n'
    ).encode()


def qr_png(matrix: QrMatrix) -> bytes:
    """A 1-bit PNG of at least QR_PNG_MIN_PIXELS a side, tagged 300 dpi for print."""
    size = matrix.size
    box = -(-QR_PNG_MIN_PIXELS // size)
    grey = matrix.cells.translate(bytes([255, 0]) + bytes(254))  # 1 (dark) → black
    image = Image.frombytes("L", (size, size), grey)
    image = image.resize((size * box, size * box), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.convert("1", dither=Image.Dither.NONE).save(
        buffer, format="PNG", optimize=True, dpi=(QR_PNG_DPI, QR_PNG_DPI)
    )
    return buffer.getvalue()


# --- Text layout ------------------------------------------------------------------------


@functools.cache
def _register_fonts():
    """Parses the TTF files once per process (they are ~700 KB each)."""
    pdfmetrics.registerFont(TTFont(FONT, FONT_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, FONT_DIR / "DejaVuSans-Bold.ttf"))


def french_typography(text: str) -> str:
    """Curly apostrophes, and no-break spaces before ? ! ; : so no sign starts a line."""
    text = text.replace("'", APOSTROPHE).replace(" :", f"{NBSP}:")
    for sign in "?!;":
        text = text.replace(f" {sign}", f"{NARROW_NBSP}{sign}")
    return text


@dataclass(frozen=True)
class _Word:
    """The unit of line breaking: a word, or a whole value that must not break (a number)."""

    text: str
    bold: bool
    space_before: bool

    @property
    def font(self):
        return FONT_BOLD if self.bold else FONT


def _words(text, *, bold=False):
    return [_Word(word, bold, True) for word in french_typography(text).split(" ") if word]


def _template_words(template, **values):
    """A translated sentence as words; its placeholders become bold, unbreakable values.

    `_template_words("Ou appelez le {number}", number="05 59 60 12 34")` keeps the number
    whole and bold.
    """
    words = []
    glued = False  # the next word touches the previous one: no space in between
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            for index, part in enumerate(french_typography(literal).split(" ")):
                if part:
                    words.append(_Word(part, False, not (index == 0 and glued)))
            glued = not literal.endswith(" ")
        if field:
            words.append(_Word(values[field], True, not glued))
            glued = True
    return words


def _measure(line, size):
    width = 0
    for index, word in enumerate(line):
        if index and word.space_before:
            width += pdfmetrics.stringWidth(" ", word.font, size)
        width += pdfmetrics.stringWidth(word.text, word.font, size)
    return width


def _wrap(words, *, size, width):
    """Greedy line breaking, only between words: no-break spaces and values stay whole."""
    lines, current = [], []
    for word in words:
        if current and word.space_before and _measure([*current, word], size) > width:
            lines.append(current)
            current = [_Word(word.text, word.bold, False)]
        else:
            current.append(word)
    return [*lines, current] if current else lines


def _balanced(words, *, size, width, count):
    """The wrap into `count` lines whose widest line is narrowest: no lone last word."""
    low, high = 0.0, width
    while high - low > 2:
        middle = (low + high) / 2
        if len(_wrap(words, size=size, width=middle)) <= count:
            high = middle
        else:
            low = middle
    return _wrap(words, size=size, width=high)


def _ellipsized(line, *, size, width, cut):
    """`line` ended with "…" when it is `cut` (text follows) or too wide, shortened to fit."""
    if not cut and _measure(line, size) <= width:
        return line
    line = list(line)
    while line:
        last = line[-1]
        candidate = [*line[:-1], _Word(f"{last.text}\u2026", last.bold, last.space_before)]
        if _measure(candidate, size) <= width:
            return candidate
        if len(last.text) > 1:
            line[-1] = _Word(last.text[:-1].rstrip(), last.bold, last.space_before)
        else:
            line.pop()
    return [_Word("\u2026", False, False)]


def _layout(words, *, max_size, min_size, width, max_lines=1):
    """(size, lines): `words` as big as possible in at most `max_lines` lines of `width`.

    Shrinking a little is preferred to wrapping; wrapped lines are balanced. Still too long
    at `min_size` (a very long capteur name), the text is cut with an ellipsis.
    """
    natural = _measure(words, max_size)
    floor = min_size if max_lines == 1 else max(min_size, max_size * 0.8)
    size = max(floor, min(max_size, max_size * width / natural)) if natural else max_size
    if _measure(words, size) <= width:
        return size, [words]
    size = max_size
    while True:
        lines = _wrap(words, size=size, width=width)
        if len(lines) <= max_lines and all(_measure(line, size) <= width for line in lines):
            return size, _balanced(words, size=size, width=width, count=len(lines))
        if size <= min_size:
            break
        size = max(min_size, size - 1)
    kept = lines[:max_lines]
    last = len(kept) - 1
    return size, [
        _ellipsized(line, size=size, width=width, cut=index == last and len(lines) > max_lines)
        for index, line in enumerate(kept)
    ]


def _layout_group(sentences, **fit):
    """Lays several sentences out at one common size (the smallest any of them needs)."""
    size = min(_layout(words, **fit)[0] for words in sentences)
    fit = {**fit, "max_size": size, "min_size": size}
    return size, [_layout(words, **fit)[1] for words in sentences]


def _draw_lines(canvas, lines, *, size, center_x, top, color=INK, leading=1.25):
    """Draws lines centered on `center_x` from `top` downwards; returns the y below them."""
    canvas.setFillColor(color)
    for index, line in enumerate(lines):
        baseline = top - size * 0.95 - index * size * leading
        x = center_x - _measure(line, size) / 2
        for position, word in enumerate(line):
            text = f" {word.text}" if position and word.space_before else word.text
            canvas.setFont(word.font, size)
            canvas.drawString(x, baseline, text)
            x += pdfmetrics.stringWidth(text, word.font, size)
    return top - len(lines) * size * leading


def _draw_lines_centered(canvas, lines, *, size, center_x, center_y, color, leading=1.2):
    """Draws lines as a block whose capital letters are vertically centered on `center_y`."""
    block = (len(lines) - 1) * size * leading + size * 0.73  # 0.73: cap height of DejaVu
    top = center_y + block / 2 + size * 0.95 - size * 0.73
    _draw_lines(canvas, lines, size=size, center_x=center_x, top=top, color=color, leading=leading)


def _contact_sentences(content: PrintContent):
    """The other ways in, besides the QR code: the short code by SMS, then a phone call."""
    sentences = []
    if content.sms_number:
        sentences.append(
            _template_words(
                _("Ou envoyez {code} par SMS au {number}"),
                code=content.short_code,
                number=content.sms_number,
            )
        )
        if content.phone:
            sentences.append(_template_words(_("Ou appelez le {number}"), number=content.phone))
    elif content.phone:
        sentences.append(
            _template_words(
                _("Ou appelez le {number} et donnez le code {code}"),
                number=content.phone,
                code=content.short_code,
            )
        )
    else:
        sentences.append(_template_words(_("Votre code : {code}"), code=content.short_code))
    return sentences


# --- PDF --------------------------------------------------------------------------------


def _draw_qr(canvas, matrix: QrMatrix, *, x, y, side):
    """Draws the symbol, quiet zone included, in the square of `side` with (x, y) bottom-left.

    One filled path of horizontal runs: vector, sharp at any size, no seams between modules.
    """
    module = side / matrix.size
    top = y + side
    canvas.setFillColor(white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    path = canvas.beginPath()
    for column, row, length in matrix.dark_runs():
        path.rect(x + column * module, top - (row + 1) * module, length * module, module)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)


def _new_canvas(buffer, *, title, content: PrintContent):
    _register_fonts()
    # invariant: no creation date nor random ID, so the same content gives the same bytes.
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Relais")
    canvas.setCreator("Relais")
    canvas.setSubject(f"{content.capteur_name} · {content.short_code}")
    return canvas


def poster_pdf(content: PrintContent, matrix: QrMatrix) -> bytes:
    """One A4 portrait page: the capteur, the reassuring sentence, a big QR, the other ways in.

    `matrix` is `qr_matrix(content.qr_url)`, passed in so that a request builds it once.
    """
    buffer = io.BytesIO()
    title = _("Affiche Relais {code}").format(code=content.short_code)
    canvas = _new_canvas(buffer, title=title, content=content)
    page_width, page_height = A4
    margin = 18 * mm
    width = page_width - 2 * margin
    center = page_width / 2

    # Header band: whose poster this is.
    band = 44 * mm
    canvas.setFillColor(ACCENT)
    canvas.rect(0, page_height - band, page_width, band, stroke=0, fill=1)
    size, lines = _layout(
        _words(content.capteur_name, bold=True), max_size=30, min_size=16, width=width, max_lines=3
    )
    _draw_lines_centered(
        canvas, lines, size=size, center_x=center, center_y=page_height - band / 2, color=white
    )

    # The one reassuring message, in big letters.
    y = page_height - band - 16 * mm
    size, lines = _layout(
        _words(_("Besoin d'un coup de main ?"), bold=True), max_size=40, min_size=24, width=width
    )
    y = _draw_lines(canvas, lines, size=size, center_x=center, top=y)
    size, lines = _layout(
        _words(_("Laissez votre numéro, on vous rappelle.")),
        max_size=24,
        min_size=16,
        width=width,
        max_lines=2,
    )
    y = _draw_lines(canvas, lines, size=size, center_x=center, top=y) - 4 * mm

    # The QR code, as big as the page allows (its quiet zone is part of the square).
    side = 124 * mm
    _draw_qr(canvas, matrix, x=center - side / 2, y=y - side, side=side)
    y -= side
    size, lines = _layout(
        _words(_("Scannez avec votre téléphone"), bold=True), max_size=18, min_size=12, width=width
    )
    y = _draw_lines(canvas, lines, size=size, center_x=center, top=y)
    link = [_Word(content.display_url, False, False)]  # a link: no typography, no break
    size, lines = _layout(link, max_size=11, min_size=7, width=width)
    y = _draw_lines(canvas, lines, size=size, center_x=center, top=y, color=MUTED) - 6 * mm

    # The other ways in: the short code by SMS, a phone call.
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(1)
    canvas.line(margin + 20 * mm, y, page_width - margin - 20 * mm, y)
    y -= 8 * mm
    size, sentences = _layout_group(
        _contact_sentences(content), max_size=24, min_size=14, width=width, max_lines=2
    )
    for lines in sentences:
        y = _draw_lines(canvas, lines, size=size, center_x=center, top=y, leading=1.4)

    size, lines = _layout(_words(content.territory_name), max_size=10, min_size=7, width=width)
    _draw_lines(canvas, lines, size=size, center_x=center, top=16 * mm, color=MUTED)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


STICKER_COLUMNS = 2
STICKER_ROWS = 2  # four A6 on an A4 sheet


def stickers_pdf(content: PrintContent, matrix: QrMatrix) -> bytes:
    """One A4 page of four A6 stickers (2 by 2), each a complete small poster.

    Content stays 8 mm inside each sticker, out of the zone printers cannot reach; dashed
    guides show where to cut on plain paper.
    """
    buffer = io.BytesIO()
    title = _("Autocollants Relais {code}").format(code=content.short_code)
    canvas = _new_canvas(buffer, title=title, content=content)
    page_width, page_height = A4
    cell_width = page_width / STICKER_COLUMNS
    cell_height = page_height / STICKER_ROWS
    for row in range(STICKER_ROWS):
        for column in range(STICKER_COLUMNS):
            _draw_sticker(
                canvas,
                content,
                matrix,
                x=column * cell_width,
                top=page_height - row * cell_height,
                width=cell_width,
            )
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.setDash(3, 3)
    for column in range(1, STICKER_COLUMNS):
        canvas.line(column * cell_width, 0, column * cell_width, page_height)
    for row in range(1, STICKER_ROWS):
        canvas.line(0, row * cell_height, page_width, row * cell_height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_sticker(canvas, content: PrintContent, matrix: QrMatrix, *, x, top, width):
    margin = 8 * mm
    inner = width - 2 * margin
    center = x + width / 2
    y = top - margin

    band = 17 * mm
    canvas.setFillColor(ACCENT)
    canvas.roundRect(x + margin, y - band, inner, band, 3 * mm, stroke=0, fill=1)
    size, lines = _layout(
        _words(content.capteur_name, bold=True),
        max_size=15,
        min_size=9,
        width=inner - 6 * mm,
        max_lines=2,
    )
    _draw_lines_centered(
        canvas, lines, size=size, center_x=center, center_y=y - band / 2, color=white
    )
    y -= band + 4 * mm

    size, lines = _layout(
        _words(_("Besoin d'un coup de main ?"), bold=True), max_size=17, min_size=11, width=inner
    )
    y = _draw_lines(canvas, lines, size=size, center_x=center, top=y)
    size, lines = _layout(
        _words(_("Laissez votre numéro, on vous rappelle.")),
        max_size=12,
        min_size=9,
        width=inner,
        max_lines=2,
    )
    y = _draw_lines(canvas, lines, size=size, center_x=center, top=y)

    side = 72 * mm
    _draw_qr(canvas, matrix, x=center - side / 2, y=y - side, side=side)
    y -= side
    size, lines = _layout(
        _words(_("Scannez avec votre téléphone"), bold=True), max_size=12, min_size=9, width=inner
    )
    y = _draw_lines(canvas, lines, size=size, center_x=center, top=y) - 3 * mm

    size, sentences = _layout_group(
        _contact_sentences(content), max_size=13, min_size=9, width=inner, max_lines=2
    )
    for lines in sentences:
        y = _draw_lines(canvas, lines, size=size, center_x=center, top=y)
