"""Is one uploaded answer-sheet page good enough to mark? Pure rules on the page's bytes.

An image page is measured on a grayscale copy scaled to a fixed working size (so a
3000×4000 phone photo and a 1240×1754 scan are judged alike), and reported:
- ``too_small``: its shorter side is below the configured minimum (pixels);
- ``blank``: almost no ink — fewer than BLANK_INK_FRACTION of the pixels are clearly
  darker than the paper around them (the local background, so uneven light is not ink);
- ``blurry``: the strongest edges are soft — the mean absolute Laplacian of the
  ink-sized share of sharpest pixels, after stretching the contrast, is below
  BLUR_THRESHOLD. docs/exams.md gives the calibration figures behind the numbers.

A PDF is not rendered: only its page count is read (a PDF with no page is ``blank``).
Bytes that do not decode as the image they claim to be raise UnreadablePage.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter, ImageOps, UnidentifiedImageError

WORKING_SHORT_SIDE = 1000
# Mean |Laplacian| (grey levels, kernel divided by 4) of the sharpest ink-sized share of pixels.
BLUR_THRESHOLD = 20.0
# A pixel is ink when at least this many grey levels darker than its local background.
INK_CONTRAST = 12
BLANK_INK_FRACTION = 0.0005
BACKGROUND_RADIUS = 12
# The sharpness is read over the ink pixels, and over at least this share of the page.
MIN_STRONGEST_SHARE = 0.01
CONTRAST_CUTOFF_PERCENT = 0.5
# Pages are photos and scans; anything larger is refused before decoding.
MAX_PIXELS = 60_000_000

_LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=4, offset=128)
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_PDF_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm")

TOO_SMALL, BLANK, BLURRY = "too_small", "blank", "blurry"


class UnreadablePage(ValueError):
    """The bytes do not decode as an image (or are larger than any page could be)."""


@dataclass(frozen=True)
class PageMeasures:
    width: int
    height: int
    ink_fraction: float
    sharpness: float


def measure_image(data: bytes) -> PageMeasures:
    """Size, share of ink and sharpness of one JPEG or PNG page."""
    gray, (width, height) = _working_gray(data)
    pixels = gray.width * gray.height
    ink = sum(_darker_than_background(gray)[INK_CONTRAST:])
    strongest = max(ink, round(pixels * MIN_STRONGEST_SHARE))
    stretched = ImageOps.autocontrast(gray, cutoff=CONTRAST_CUTOFF_PERCENT)
    sharpness = _top_mean(_laplacian_strengths(stretched), strongest)
    return PageMeasures(width, height, round(ink / pixels, 5), round(sharpness, 2))


def image_problems(measures: PageMeasures, min_short_side: int) -> list[str]:
    """The problems of a measured image page, in a fixed order; [] when it passes."""
    problems = []
    if min(measures.width, measures.height) < min_short_side:
        problems.append(TOO_SMALL)
    if measures.ink_fraction < BLANK_INK_FRACTION:
        problems.append(BLANK)
    elif measures.sharpness < BLUR_THRESHOLD:
        problems.append(BLURRY)
    return problems


def pdf_page_count(data: bytes) -> int | None:
    """Page objects in the file, or None when they sit in compressed object streams."""
    count = len(_PDF_PAGE.findall(data))
    if count == 0 and _PDF_OBJECT_STREAM.search(data):
        return None
    return count


def page_problems(data: bytes, content_type: str, min_short_side: int) -> list[str]:
    """What is wrong with one uploaded page of the given (sniffed) type."""
    if content_type == "application/pdf":
        return [BLANK] if pdf_page_count(data) == 0 else []
    return image_problems(measure_image(data), min_short_side)


def _working_gray(data: bytes) -> tuple[Image.Image, tuple[int, int]]:
    """Grayscale, shorter side at most WORKING_SHORT_SIDE; JPEGs decode at a reduced scale
    (Image.draft) so a phone photo costs a fraction of a full decode."""
    try:
        image = Image.open(io.BytesIO(data))
        original = image.size
        if original[0] * original[1] > MAX_PIXELS:
            raise UnreadablePage("the image has more pixels than any page photo")
        if image.format == "JPEG":
            factor = max(1, min(original) // WORKING_SHORT_SIDE)
            image.draft("L", (original[0] // factor, original[1] // factor))
        gray = image.convert("L")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise UnreadablePage(str(exc)) from None
    short = min(gray.size)
    if short > WORKING_SHORT_SIDE:
        scale = WORKING_SHORT_SIDE / short
        gray = gray.resize((round(gray.width * scale), round(gray.height * scale)), Image.Resampling.BOX)
    return gray, original


def _darker_than_background(gray: Image.Image) -> list[int]:
    """Histogram of how many grey levels each pixel is darker than its blurred surroundings."""
    background = gray.filter(ImageFilter.BoxBlur(BACKGROUND_RADIUS))
    return ImageChops.subtract(background, gray).histogram()


def _laplacian_strengths(gray: Image.Image) -> list[int]:
    """Histogram of |Laplacian| (0–128; the kernel's sum is divided by 4)."""
    strengths = [0] * 129
    for level, count in enumerate(gray.filter(_LAPLACIAN).histogram()):
        strengths[min(128, abs(level - 128))] += count
    return strengths


def _top_mean(histogram: list[int], wanted: int) -> float:
    """Mean value of the ``wanted`` highest entries of a histogram."""
    taken = total = 0
    for value in range(len(histogram) - 1, -1, -1):
        if taken >= wanted:
            break
        take = min(histogram[value], wanted - taken)
        taken, total = taken + take, total + take * value
    return total / taken if taken else 0.0
