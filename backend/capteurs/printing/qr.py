"""The QR code of a referral code's link: one matrix, drawn as SVG, as PNG or on a PDF page."""

import functools
import io
import itertools
from dataclasses import dataclass

import qrcode
from PIL import Image
from reportlab.lib.colors import white

# Q recovers ~25 % of the symbol: enough for a scratched or sun-faded shop window sticker.
QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
QR_QUIET_ZONE = 4  # modules of white around the symbol, as the QR standard requires
QR_PNG_MIN_PIXELS = 720  # about 6 cm at 300 dpi: sharp when pasted into a flyer
QR_PNG_DPI = 300
QR_SVG_MODULE_MM = 1.5  # nominal printed size of a module when the SVG is printed as is


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


# Trying the eight mask patterns is ~90 % of the cost of a QR code (~20 ms, 2 ms with one
# mask). Over a sample of our links (a 32-character token), mask 6 scored the lowest penalty on
# average (5 % above the best mask of each code; mask 5, the worst, 33 %), and every decoder
# reads any mask: a fixed mask keeps the first render under the 5 ms budget. A code's link
# never changes either, so the poster, the stickers and the PNG reuse one matrix.
QR_MASK_PATTERN = 6


@functools.lru_cache(maxsize=256)
def qr_matrix(data: str) -> QrMatrix:
    """The symbol encoding `data`, error correction Q, quiet zone included (cached)."""
    # version=1: the smallest version that fits is searched from 1 once (with None, qrcode
    # searches twice, once to read its own version).
    qr = qrcode.QRCode(
        version=1,
        error_correction=QR_ERROR_CORRECTION,
        border=QR_QUIET_ZONE,
        mask_pattern=QR_MASK_PATTERN,
    )
    qr.add_data(data)
    qr.make(fit=True)
    rows = qr.get_matrix()
    return QrMatrix(size=len(rows), cells=bytes(itertools.chain.from_iterable(rows)))


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


def draw_qr(canvas, matrix: QrMatrix, *, x, y, side):
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
