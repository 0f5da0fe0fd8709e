"""The welcome sheet a facilitator hands a new capteur in the shop: the capteur space's link as
a QR code, and in plain French what the space is for (print posters, refer someone, the counts).

For shops whose phone is a landline: no SMS needed, the shopkeeper scans the sheet."""

import io

from django.utils.translation import gettext as _
from reportlab.lib.colors import white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from backend.capteurs.printing.layout import ACCENT, MUTED, RULE
from backend.capteurs.printing.qr import draw_qr, qr_matrix
from backend.capteurs.printing.text import (
    draw_lines,
    draw_lines_centered,
    fit,
    plain_words,
    register_fonts,
    template_words,
)


def welcome_sections():
    """The sheet's instructions: (title, sentences), in plain words."""
    return [
        (
            _("Imprimer une affiche ou des autocollants"),
            [
                _("Ouvrez votre espace, puis touchez « Imprimer une affiche »."),
                _("Le fichier se télécharge : imprimez-le sur une feuille A4."),
            ],
        ),
        (
            _("Orienter quelqu'un"),
            [
                _("La personne scanne l'affiche, ou vous remplissez le formulaire avec elle."),
                _("Son prénom et son numéro suffisent. Notre équipe la rappelle."),
            ],
        ),
        (
            _("Ce que disent les chiffres"),
            [
                _("Envoyées : les personnes venues par vous."),
                _("Contactées : celles que notre équipe a jointes."),
                _("Orientées : celles qui ont trouvé une aide."),
                _("Vous ne voyez ni nom ni numéro : ils restent entre la personne et l'équipe."),
            ],
        ),
    ]


def welcome_pdf(*, capteur_name: str, territory_name: str, space_url: str, phone: str) -> bytes:
    """One A4 page: the network, a welcome, the space link's QR code, the instructions."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(_("Bienvenue, {capteur}").format(capteur=capteur_name))
    canvas.setAuthor(territory_name)
    page_width, page_height = A4
    margin = 18 * mm
    width = page_width - 2 * margin
    center = page_width / 2

    band = 26 * mm
    canvas.setFillColor(ACCENT)
    canvas.rect(0, page_height - band, page_width, band, stroke=0, fill=1)
    size, lines = fit(
        plain_words(territory_name, bold=True), max_size=28, min_size=14, width=width, max_lines=2
    )
    draw_lines_centered(
        canvas, lines, size=size, center_x=center, center_y=page_height - band / 2, color=white
    )
    y = page_height - band - 6 * mm
    size, lines = fit(
        plain_words(
            _("Bienvenue dans le réseau, {capteur} !").format(capteur=capteur_name), bold=True
        ),
        max_size=22,
        min_size=12,
        width=width,
        max_lines=2,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y)
    size, lines = fit(
        plain_words(_("Votre espace capteur : scannez ce code avec votre téléphone.")),
        max_size=14,
        min_size=10,
        width=width,
        max_lines=2,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y)

    side = 70 * mm
    draw_qr(canvas, qr_matrix(space_url), x=center - side / 2, y=y - side, side=side)
    y -= side
    size, lines = fit(
        plain_words(_("Gardez la page dans vos favoris. Ce lien est à vous : ne le partagez pas.")),
        max_size=11,
        min_size=8,
        width=width,
        max_lines=2,
    )
    y = draw_lines(canvas, lines, size=size, center_x=center, top=y, color=MUTED) - 3 * mm

    for title, sentences in welcome_sections():
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(1)
        canvas.line(margin + 20 * mm, y, page_width - margin - 20 * mm, y)
        y -= 5 * mm
        size, lines = fit(plain_words(title, bold=True), max_size=15, min_size=11, width=width)
        y = draw_lines(canvas, lines, size=size, center_x=center, top=y, color=ACCENT)
        for sentence in sentences:
            size, lines = fit(
                plain_words(sentence), max_size=12, min_size=9, width=width, max_lines=2
            )
            y = draw_lines(canvas, lines, size=size, center_x=center, top=y)
        y -= 3 * mm

    if phone:
        size, lines = fit(
            template_words(_("Une question ? Appelez-nous au {number}"), number=phone),
            max_size=14,
            min_size=10,
            width=width,
        )
        draw_lines(canvas, lines, size=size, center_x=center, top=y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
