"""The A4 sheet of four A6 stickers, each a complete small poster, with guides to cut."""

import io

from django.utils.translation import gettext as _
from reportlab.lib.colors import white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from backend.capteurs.printing.content import PrintContent
from backend.capteurs.printing.layout import ACCENT, MUTED, RULE, contact_sentences, new_canvas
from backend.capteurs.printing.qr import QrMatrix, draw_qr
from backend.capteurs.printing.text import (
    draw_lines,
    draw_lines_centered,
    fit,
    fit_group,
    plain_words,
    template_words,
)

STICKER_COLUMNS = 2
STICKER_ROWS = 2  # four A6 on an A4 sheet


def stickers_pdf(content: PrintContent, matrix: QrMatrix) -> bytes:
    """One A4 page of four A6 stickers (2 by 2), each a complete small poster.

    Content stays 8 mm inside each sticker, out of the zone printers cannot reach; dashed
    guides show where to cut on plain paper. `matrix` is `qr_matrix(content.qr_url)`.
    """
    buffer = io.BytesIO()
    title = _("Autocollants Relais {code}").format(code=content.short_code)
    canvas = new_canvas(buffer, title=title, content=content)
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
    """One sticker in the cell of `width` whose top-left corner is (x, top): the network in
    the band, the shop as "chez …", free and confidential, the QR, the short link to type."""
    margin = 8 * mm
    inner = width - 2 * margin
    center = x + width / 2
    y = top - margin

    band = 14 * mm
    canvas.setFillColor(ACCENT)
    canvas.roundRect(x + margin, y - band, inner, band, 3 * mm, stroke=0, fill=1)
    size, lines = fit(
        plain_words(content.territory_name, bold=True),
        max_size=16,
        min_size=9,
        width=inner - 6 * mm,
        max_lines=2,
    )
    draw_lines_centered(
        canvas, lines, size=size, center_x=center, center_y=y - band / 2, color=white
    )
    y -= band + 2 * mm
    size, lines = fit(
        plain_words(_("chez {capteur}").format(capteur=content.capteur_name)),
        max_size=10,
        min_size=7,
        width=inner,
        max_lines=2,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y, color=MUTED) - 1 * mm

    size, lines = fit(
        plain_words(_("Besoin d'un coup de main ?"), bold=True),
        max_size=16,
        min_size=11,
        width=inner,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y)
    size, lines = fit(
        plain_words(_("Laissez votre numéro, on vous rappelle.")),
        max_size=11,
        min_size=8,
        width=inner,
        max_lines=2,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y)
    size, lines = fit(
        plain_words(_("C'est gratuit et confidentiel."), bold=True),
        max_size=11,
        min_size=8,
        width=inner,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y, color=ACCENT)

    side = 66 * mm
    draw_qr(canvas, matrix, x=center - side / 2, y=y - side, side=side)
    y -= side
    size, lines = fit(
        template_words(_("Scannez ou tapez {link}"), link=content.display_url),
        max_size=11,
        min_size=7,
        width=inner,
        max_lines=2,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y) - 2 * mm

    size, sentences = fit_group(
        contact_sentences(content), max_size=11, min_size=8, width=inner, max_lines=2
    )
    for lines in sentences:
        y = draw_lines(canvas, lines, size=size, center_x=center, top=y)
