"""The A4 poster a capteur puts up: who calls back, the reassuring words, a big QR, the ways in."""

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
    draw_lines,
    draw_lines_centered,
    fit,
    fit_group,
    plain_words,
    template_words,
)


def poster_pdf(content: PrintContent, matrix: QrMatrix) -> bytes:
    """One A4 portrait page: who calls back (the network, free and confidential), the shop
    where the poster hangs ("chez …"), a big QR, a short link to type and the other ways in.

    `matrix` is `qr_matrix(content.qr_url)`, passed in so that a request builds it once.
    """
    buffer = io.BytesIO()
    title = _("Affiche Relais {code}").format(code=content.short_code)
    canvas = new_canvas(buffer, title=title, content=content)
    page_width, page_height = A4
    margin = 18 * mm
    width = page_width - 2 * margin
    center = page_width / 2

    # Header band: who calls back, the network, not the shop.
    band = 36 * mm
    canvas.setFillColor(ACCENT)
    canvas.rect(0, page_height - band, page_width, band, stroke=0, fill=1)
    size, lines = fit(
        plain_words(content.territory_name, bold=True),
        max_size=34,
        min_size=16,
        width=width,
        max_lines=2,
    )
    draw_lines_centered(
        canvas, lines, size=size, center_x=center, center_y=page_height - band / 2, color=white
    )
    y = page_height - band - 4 * mm
    size, lines = fit(
        plain_words(_("chez {capteur}").format(capteur=content.capteur_name)),
        max_size=20,
        min_size=12,
        width=width,
        max_lines=2,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y, color=MUTED) - 4 * mm

    # The one reassuring message, in big letters, and what it costs: nothing.
    size, lines = fit(
        plain_words(_("Besoin d'un coup de main ?"), bold=True),
        max_size=38,
        min_size=22,
        width=width,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y)
    size, lines = fit(
        plain_words(_("Laissez votre numéro, on vous rappelle.")),
        max_size=22,
        min_size=14,
        width=width,
        max_lines=2,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y)
    size, lines = fit(
        plain_words(_("C'est gratuit et confidentiel."), bold=True),
        max_size=22,
        min_size=14,
        width=width,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y, color=ACCENT) - 2 * mm

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
    # The short link, big enough to read and type ("relais.fr/K7Q2").
    size, lines = fit(
        template_words(_("ou tapez {link}"), link=content.display_url),
        max_size=20,
        min_size=10,
        width=width,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y) - 4 * mm

    # The other ways in: the short code by SMS, a phone call.
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(1)
    canvas.line(margin + 20 * mm, y, page_width - margin - 20 * mm, y)
    y -= 7 * mm
    size, sentences = fit_group(
        contact_sentences(content), max_size=20, min_size=12, width=width, max_lines=2
    )
    for lines in sentences:
        y = draw_lines(canvas, lines, size=size, center_x=center, top=y, leading=1.35)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
