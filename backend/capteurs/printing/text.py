"""French text set by hand on a PDF canvas: words, line breaking, fitting a box, drawing.

Why not reportlab's `Paragraph` and `KeepInFrame`: `Paragraph` treats the narrow no-break
space (U+202F, before "?") as a plain breaking space, it wraps greedily (a lone last word
under a long line), and neither it nor `KeepInFrame` cuts an overlong name with an ellipsis
(`KeepInFrame` only shrinks, down to unreadable sizes). The prints need all three, so lines
are built from `Word`s here and drawn string by string.
"""

import functools
import string
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "RelaisSans"
FONT_BOLD = "RelaisSans-Bold"
# DejaVu ships in the repository: a fresh server may have no system fonts, and reportlab's
# bundled Vera lacks glyphs French needs (narrow no-break space, "ᵉ"). Only the glyphs used
# are embedded, so a poster stays under 50 KB.
FONT_DIR = Path(__file__).resolve().parent / "fonts"

INK = HexColor("#1b1b1b")

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
APOSTROPHE = "\u2019"
ELLIPSIS = "\u2026"


@functools.cache
def register_fonts():
    """Registers FONT and FONT_BOLD with reportlab; parses the TTF files once per process
    (they are ~700 KB each). Call before measuring or drawing text."""
    pdfmetrics.registerFont(TTFont(FONT, FONT_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, FONT_DIR / "DejaVuSans-Bold.ttf"))


def french_typography(text: str) -> str:
    """Curly apostrophes, and no-break spaces before ? ! ; : so no sign starts a line."""
    text = text.replace("'", APOSTROPHE).replace(" :", f"{NBSP}:")
    for sign in "?!;":
        text = text.replace(f" {sign}", f"{NARROW_NBSP}{sign}")
    return text


@dataclass(frozen=True)
class Word:
    """The unit of line breaking: a word, or a whole value that must not break (a number)."""

    text: str
    bold: bool
    space_before: bool

    @property
    def font(self):
        return FONT_BOLD if self.bold else FONT


def plain_words(text, *, bold=False):
    """`text` with French typography, as words all in one weight."""
    return [Word(word, bold, True) for word in french_typography(text).split(" ") if word]


def template_words(template, **values):
    """A translated sentence as words; its placeholders become bold, unbreakable values.

    `template_words("Ou appelez le {number}", number="05 59 60 12 34")` keeps the number
    whole and bold.
    """
    words = []
    glued = False  # the next word touches the previous one: no space in between
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            for index, part in enumerate(french_typography(literal).split(" ")):
                if part:
                    words.append(Word(part, False, not (index == 0 and glued)))
            glued = not literal.endswith(" ")
        if field:
            words.append(Word(values[field], True, not glued))
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
            current = [Word(word.text, word.bold, False)]
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
        candidate = [*line[:-1], Word(f"{last.text}{ELLIPSIS}", last.bold, last.space_before)]
        if _measure(candidate, size) <= width:
            return candidate
        if len(last.text) > 1:
            line[-1] = Word(last.text[:-1].rstrip(), last.bold, last.space_before)
        else:
            line.pop()
    return [Word(ELLIPSIS, False, False)]


def fit(words, *, max_size, min_size, width, max_lines=1):
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


def fit_group(sentences, **limits):
    """(size, [lines, ...]): several sentences fitted at one common size, the smallest any
    of them needs, so they read as one block. `limits` are `fit`'s keyword arguments."""
    size = min(fit(words, **limits)[0] for words in sentences)
    limits = {**limits, "max_size": size, "min_size": size}
    return size, [fit(words, **limits)[1] for words in sentences]


def draw_lines(canvas, lines, *, size, center_x, top, color=INK, leading=1.25):
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


def draw_lines_centered(canvas, lines, *, size, center_x, center_y, color, leading=1.2):
    """Draws lines as a block whose capital letters are vertically centered on `center_y`."""
    block = (len(lines) - 1) * size * leading + size * 0.73  # 0.73: cap height of DejaVu
    top = center_y + block / 2 + size * 0.95 - size * 0.73
    draw_lines(canvas, lines, size=size, center_x=center_x, top=top, color=color, leading=leading)
