"""What the poster and the sticker sheet share: colours, the PDF canvas, the ways in."""

from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from backend.capteurs.printing.content import PrintContent
from backend.capteurs.printing.text import register_fonts, template_words

MUTED = HexColor("#5c5c5c")
ACCENT = HexColor("#0b5563")  # dark teal: still dark enough on a black-and-white printer
RULE = HexColor("#b8c7ca")


def new_canvas(buffer, *, title, content: PrintContent) -> Canvas:
    """An A4 canvas writing into `buffer`, fonts registered, metadata naming the code."""
    register_fonts()
    # invariant: no creation date nor random ID, so the same content gives the same bytes.
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Relais")
    canvas.setCreator("Relais")
    canvas.setSubject(f"{content.capteur_name} · {content.short_code}")
    return canvas


def contact_sentences(content: PrintContent):
    """The other ways in, besides the QR code: the short code by SMS, then a phone call.

    Whatever numbers the territory lacks, the short code is always printed.
    """
    sentences = []
    if content.sms_number:
        sentences.append(
            template_words(
                _("Ou envoyez {code} par SMS au {number}"),
                code=content.short_code,
                number=content.sms_number,
            )
        )
        if content.phone:
            sentences.append(template_words(_("Ou appelez le {number}"), number=content.phone))
    elif content.phone:
        sentences.append(
            template_words(
                _("Ou appelez le {number} et donnez le code {code}"),
                number=content.phone,
                code=content.short_code,
            )
        )
    else:
        sentences.append(template_words(_("Votre code : {code}"), code=content.short_code))
    return sentences
