"""The A4 poster a capteur puts up: its name, the reassuring sentence, a big QR, the ways in."""

import io

from django.utils.translation import gettext as _
from reportlab.lib.colors import white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from backend.capteurs.printing.content import PrintContent
from backend.capteurs.printing.layout import (
    ACCENT,
    MUTED,
    RULE,
    contact_sentences,
    new_canvas,
)
from backend.capteurs.printing.qr import QrMatrix, draw_qr
from backend.capteurs.printing.text import (
    Word,
    draw_lines,
    draw_lines_centered,
    fit,
    fit_group,
    plain_words,
)


def poster_pdf(content: PrintContent, matrix: QrMatrix) -> bytes:
    """One A4 portrait page: the capteur, the reassuring sentence, a big QR, the other ways in.

    `matrix` is `qr_matrix(content.qr_url)`, passed in so that a request builds it once.
    """
    buffer = io.BytesIO()
    title = _("Affiche Relais {code}").format(code=content.short_code)
    canvas = new_canvas(buffer, title=title, content=content)
    page_width, page_height = A4
    margin = 18 * mm
    width = page_width - 2 * margin
    center = page_width / 2

    # Header band: whose poster this is.
    band = 44 * mm
    canvas.setFillColor(ACCENT)
    canvas.rect(0, page_height - band, page_width, band, stroke=0, fill=1)
    size, lines = fit(
        plain_words(content.capteur_name, bold=True),
        max_size=30,
        min_size=16,
        width=width,
        max_lines=3,
    )
    draw_lines_centered(
        canvas, lines, size=size, center_x=center, center_y=page_height - band / 2, color=white
    )

    # The one reassuring message, in big letters.
    y = page_height - band - 16 * mm
    size, lines = fit(
        plain_words(_("Besoin d'un coup de main ?"), bold=True),
        max_size=40,
        min_size=24,
        width=width,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y)
    size, lines = fit(
        plain_words(_("Laissez votre numéro, on vous rappelle.")),
        max_size=24,
        min_size=16,
        width=width,
        max_lines=2,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y) - 4 * mm

    # The QR code, as big as the page allows (its quiet zone is part of the square).
    side = 124 * mm
    draw_qr(canvas, matrix, x=center - side / 2, y=y - side, side=side)
    y -= side
    size, lines = fit(
        plain_words(_("Scannez avec votre téléphone"), bold=True),
        max_size=18,
        min_size=12,
        width=width,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y)
    link = [Word(content.display_url, False, False)]  # a link: no typography, no break
    size, lines = fit(link, max_size=11, min_size=7, width=width)
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y, color=MUTED) - 6 * mm

    # The other ways in: the short code by SMS, a phone call.
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(1)
    canvas.line(margin + 20 * mm, y, page_width - margin - 20 * mm, y)
    y -= 8 * mm
    size, sentences = fit_group(
        contact_sentences(content), max_size=24, min_size=14, width=width, max_lines=2
    )
    for lines in sentences:
        y = draw_lines(canvas, lines, size=size, center_x=center, top=y, leading=1.4)

    size, lines = fit(plain_words(content.territory_name), max_size=10, min_size=7, width=width)
    draw_lines(canvas, lines, size=size, center_x=center, top=16 * mm, color=MUTED)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
