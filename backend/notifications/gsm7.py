"""GSM-7, the SMS alphabet: a single character outside it (a curly quote, a long dash) makes an
SMS cost up to three times more. Domain apps write their message bodies through `to_gsm7`, so
that names typed by people ("Anaïs", "Café de l'Hôtel") and dates ("15 août") never switch a
message to UCS-2; `sms_segments` tells what a body is billed as.
"""

import unicodedata

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ!\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: GSM-7 too, but each costs two septets.
GSM7_EXTENSION = set("^{}\\[~]|€\f")
GSM7 = GSM7_BASIC | GSM7_EXTENSION

# Common characters outside GSM-7 with a plain equivalent (accents are dropped generically).
_GSM7_REPLACEMENTS = {
    "’": "'",
    "‘": "'",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "œ": "oe",
    "Œ": "OE",
}


def is_gsm7(text: str) -> bool:
    return set(text) <= GSM7


def to_gsm7(text: str) -> str:
    """`text` with every character outside GSM-7 replaced by its plain form ("ô" → "o")."""
    out = []
    for char in text:
        if char in GSM7:
            out.append(char)
        elif char in _GSM7_REPLACEMENTS:
            out.append(_GSM7_REPLACEMENTS[char])
        else:
            plain = "".join(c for c in unicodedata.normalize("NFKD", char) if c in GSM7)
            out.append(plain or "?")
    return "".join(out)


def sms_segments(text: str) -> int:
    """How many SMS `text` is billed as (GSM-7: 160, then 153 per part; else 70, then 67)."""
    if is_gsm7(text):
        length = len(text) + sum(1 for c in text if c in GSM7_EXTENSION)
        single, part = 160, 153
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if length <= single else -(-length // part)


def cut_to_segments(text: str, segments: int) -> str:
    """`text` if it is billed as `segments` SMS at most; else its beginning that is, ending
    with "..." (a cut never splits an extension character's two septets)."""
    if sms_segments(text) <= segments:
        return text
    ellipsis = "..."
    if is_gsm7(text):
        budget = 153 * segments - len(ellipsis)

        def cost(char: str) -> int:
            return 2 if char in GSM7_EXTENSION else 1

    else:
        budget = 67 * segments - len(ellipsis)

        def cost(char: str) -> int:
            return len(char.encode("utf-16-le")) // 2

    used = 0
    for index, char in enumerate(text):
        used += cost(char)
        if used > budget:
            return text[:index].rstrip() + ellipsis
    return text  # not reached: the text was longer than the budget


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with "..." when longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
