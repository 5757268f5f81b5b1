"""Drawing a teacher's stamps onto a copy of an answer-sheet page (pure: bytes in, bytes out).

Stamps are drawn as shapes (lines, ellipses, polygons) rather than font glyphs, so they look
the same on every server whatever fonts are installed. Positions are fractions of the page
as the teacher sees it: the page is first turned upright by its EXIF orientation (browsers
show phone photos that way), so the copy is stored upright, without an orientation tag.
A stamp's size follows the page's shorter side, so a stamp looks alike on a 1 MP phone
photo and on a 300 dpi scan. A stamp placed at an edge is pulled inside just enough to show
whole: clipped to a corner, a tick would not show at all.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

INK = (214, 32, 39)  # teacher's red
STAMP_FRACTION = 0.05  # a stamp's width as a share of the page's shorter side
MIN_STAMP_PX = 14
JPEG_QUALITY = 90
LABEL_CHARS = 12


class UnreadableImage(ValueError):
    """The bytes are not a JPEG or PNG that Pillow can decode."""


@dataclass(frozen=True)
class Stamp:
    """One stamp: its kind (tick, cross, half, circle, star, or a newer one) and its centre
    as fractions (0–1) of the page's width and height."""

    kind: str
    x: float
    y: float


@dataclass(frozen=True)
class RenderedPage:
    data: bytes
    content_type: str
    extension: str


@dataclass(frozen=True)
class _Pen:
    draw: ImageDraw.ImageDraw
    cx: float
    cy: float
    r: float  # half the stamp's width
    width: int

    def at(self, u: float, v: float) -> tuple[float, float]:
        """A point of the stamp's own square, u and v in −1 … 1."""
        return (self.cx + u * self.r, self.cy + v * self.r)

    def polyline(self, *points: tuple[float, float]) -> None:
        self.draw.line([self.at(u, v) for u, v in points], fill=INK, width=self.width, joint="curve")


def _tick(pen: _Pen) -> None:
    pen.polyline((-0.9, 0.0), (-0.3, 0.65), (0.9, -0.75))


def _cross(pen: _Pen) -> None:
    pen.polyline((-0.8, -0.8), (0.8, 0.8))
    pen.polyline((-0.8, 0.8), (0.8, -0.8))


def _circle(pen: _Pen) -> None:
    left, top = pen.at(-1, -1)
    right, bottom = pen.at(1, 1)
    pen.draw.ellipse([left, top, right, bottom], outline=INK, width=pen.width)


def _half(pen: _Pen) -> None:
    """½: a small 1 top left, the fraction slash, a small 2 bottom right."""
    pen.polyline((-0.8, -0.6), (-0.55, -0.9), (-0.55, -0.1))
    pen.polyline((-0.45, 0.85), (0.45, -0.85))
    pen.polyline((0.2, 0.3), (0.4, 0.1), (0.7, 0.1), (0.9, 0.3), (0.9, 0.45), (0.2, 0.9), (0.95, 0.9))


def _star(pen: _Pen) -> None:
    points = []
    for i in range(10):
        radius = 1.0 if i % 2 == 0 else 0.4
        angle = -math.pi / 2 + i * math.pi / 5
        points.append(pen.at(radius * math.cos(angle), radius * math.sin(angle)))
    pen.draw.polygon(points, outline=INK, width=max(2, pen.width * 2 // 3))


def _labelled_box(pen: _Pen, label: str) -> None:
    """A stamp kind added to the configuration after this code: a box with its name."""
    left, top = pen.at(-1.4, -0.6)
    right, bottom = pen.at(1.4, 0.6)
    pen.draw.rectangle([left, top, right, bottom], outline=INK, width=pen.width)
    try:
        font = ImageFont.load_default(size=max(8.0, pen.r * 0.55))
    except OSError:  # pragma: no cover - Pillow without FreeType: the box alone still shows
        return
    pen.draw.text((pen.cx, pen.cy), label[:LABEL_CHARS], fill=INK, font=font, anchor="mm")


SHAPES: dict[str, Callable[[_Pen], None]] = {
    "tick": _tick,
    "cross": _cross,
    "half": _half,
    "circle": _circle,
    "star": _star,
}


def stamp_size(width: int, height: int) -> int:
    """A stamp's width in pixels on a page of this size."""
    return max(MIN_STAMP_PX, round(min(width, height) * STAMP_FRACTION))


def _centre_on_page(fraction: float, length: int, half: float) -> float:
    """The stamp's centre in pixels along one side, kept ``half`` away from both edges."""
    position = min(max(fraction, 0.0), 1.0) * length
    if length <= 2 * half:
        return length / 2
    return min(max(position, half), length - half)


def _draw_stamps(image: Image.Image, stamps: Sequence[Stamp]) -> None:
    draw = ImageDraw.Draw(image)
    size = stamp_size(*image.size)
    width = max(2, size // 8)
    half = size / 2 + width / 2  # the shape's reach from its centre, line width included
    for stamp in stamps:
        cx = _centre_on_page(stamp.x, image.width, half)
        cy = _centre_on_page(stamp.y, image.height, half)
        pen = _Pen(draw, cx, cy, size / 2, width)
        shape = SHAPES.get(stamp.kind)
        if shape is None:
            _labelled_box(pen, stamp.kind)
        else:
            shape(pen)


def render_annotated_page(original: bytes, stamps: Sequence[Stamp]) -> RenderedPage:
    """A copy of the page with the stamps drawn on, in the original's format (JPEG or PNG).

    Raises UnreadableImage for anything else (PDF pages keep their stamps as an overlay only).
    """
    try:
        with Image.open(io.BytesIO(original)) as opened:
            source_format = opened.format
            if source_format not in ("JPEG", "PNG"):
                raise UnreadableImage(f"not a JPEG or PNG page: {source_format}")
            dpi = opened.info.get("dpi")
            image = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise UnreadableImage(str(exc)) from None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha and source_format == "PNG" else "RGB")
    _draw_stamps(image, stamps)
    out = io.BytesIO()
    options = {"dpi": dpi} if dpi else {}
    if source_format == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, **options)
        return RenderedPage(out.getvalue(), "image/jpeg", "jpg")
    image.save(out, "PNG", optimize=False, **options)
    return RenderedPage(out.getvalue(), "image/png", "png")
