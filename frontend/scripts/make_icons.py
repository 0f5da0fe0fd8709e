"""Draws the app's icons (PNG) with Pillow: no download, no design tool.

The mark: two rings passing a baton, the relay from a capteur to a facilitator, white on the
app's teal. `any` icons have rounded corners; the maskable one fills the square and keeps the
mark inside the central 80 % safe zone, so Android's masks (circle, squircle) never cut it.

Run from the repository root: `.venv/bin/python frontend/scripts/make_icons.py`
(Pillow comes with the backend's qrcode[pil]). The PNGs are committed: the build needs no
Python, and the output only changes when this file does.
"""

from pathlib import Path

from PIL import Image, ImageDraw

TEAL = (11, 93, 91, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"
SUPERSAMPLE = 4  # draw large, then shrink: smooth edges without antialiasing support


def mark(draw: ImageDraw.ImageDraw, size: int, scale: float) -> None:
    """Two interlocking rings and a dot, centred, spanning `scale` of the square."""
    centre = size / 2
    span = size * scale
    radius = span * 0.30
    width = max(1, round(span * 0.085))
    offset = span * 0.17
    for dx in (-offset, offset):
        cx = centre + dx
        draw.ellipse(
            (cx - radius, centre - radius, cx + radius, centre + radius),
            outline=WHITE,
            width=width,
        )
    dot = span * 0.07
    draw.ellipse((centre - dot, centre - dot, centre + dot, centre + dot), fill=WHITE)


def icon(size: int, *, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=TEAL)
        mark(draw, big, scale=0.62)
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.18, fill=TEAL)
        mark(draw, big, scale=0.80)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    icon(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    icon(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
    # iOS ignores the manifest's icons and wants an opaque one.
    icon(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
