"""Answer-sheet page images drawn with Pillow: lines of handwriting-like strokes on paper
with uneven light and sensor noise, like a phone photo. Used by the page-quality tests,
the calibration table (`python -m tools.page_images`, docs/exams.md) and `make bench`."""

from __future__ import annotations

import io
import math
import random
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

SAMPLE_PAGE = Path(__file__).resolve().parent.parent / "docs" / "sample-answer-page.jpg"


def handwriting_page(width: int = 900, height: int = 1200, seed: int = 7, lines: int | None = None) -> Image.Image:
    """A lit sheet of paper with rows of wavy pen strokes (RGB)."""
    rng = random.Random(seed)
    page = _paper(width, height, rng)
    draw = ImageDraw.Draw(page)
    pen = max(2, round(width / 400))
    row_height = max(24, height // 28)
    rows = lines if lines is not None else (height - 2 * row_height) // row_height
    for row in range(rows):
        y = row_height * (row + 1.5)
        x = width * 0.08
        while x < width * (0.55 + 0.4 * rng.random()):
            word = rng.uniform(width * 0.04, width * 0.12)
            draw.line(_stroke(x, y, word, row_height * 0.35, rng), fill=(25, 30, 70), width=pen, joint="curve")
            x += word + rng.uniform(width * 0.015, width * 0.03)
    return page


def blank_page(width: int = 900, height: int = 1200, seed: int = 7) -> Image.Image:
    return _paper(width, height, random.Random(seed))


def jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def dim(image: Image.Image) -> Image.Image:
    """Half the light and half the contrast: a photo taken in a dark room."""
    return ImageEnhance.Contrast(ImageEnhance.Brightness(image).enhance(0.55)).enhance(0.5)


def blurred(image: Image.Image, radius: float = 6) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius))


def calibration_samples() -> dict[str, Image.Image]:
    """The pages docs/exams.md reports: the sample page and a drawn phone photo, each sharp,
    dim and low-contrast, and under Gaussian blurs of radius 2, 3 and 6."""
    bases = {
        "sample page 1240×1754": Image.open(SAMPLE_PAGE).convert("RGB"),
        "drawn photo 3000×4000": handwriting_page(3000, 4000, seed=11),
    }
    samples = {}
    for name, base in bases.items():
        samples[name] = base
        samples[f"{name}, dim + low contrast"] = dim(base)
        for radius in (2, 3, 6):
            samples[f"{name}, blur {radius}"] = blurred(base, radius)
        samples[f"{name}, dim + blur 6"] = blurred(dim(base), 6)
    return samples


def _paper(width: int, height: int, rng: random.Random) -> Image.Image:
    """Off-white paper lit from one corner, with a little grain."""
    light = Image.linear_gradient("L").resize((width, height)).rotate(rng.choice((0, 90, 180, 270)))
    shade = Image.eval(light, lambda v: 200 + v * 45 // 255)
    grain = Image.effect_noise((width, height), 6).point(lambda v: v - 128)
    gray = Image.eval(Image.merge("RGB", (shade, shade, shade)).convert("L"), lambda v: v)
    gray = Image.blend(gray, grain.convert("L"), 0.04)
    return Image.merge("RGB", (gray, gray, Image.eval(gray, lambda v: max(0, v - 6))))


def _stroke(x: float, y: float, length: float, amplitude: float, rng: random.Random) -> list[tuple[float, float]]:
    """A wavy pen stroke of loops and hooks: a word of cursive, roughly."""
    steps = max(8, int(length / 3))
    frequency = rng.uniform(0.15, 0.3)
    phase = rng.uniform(0, math.tau)
    return [
        (x + length * i / steps, y + amplitude * math.sin(phase + i * frequency * math.tau / 4) * rng.uniform(0.6, 1))
        for i in range(steps + 1)
    ]


def _calibration_table() -> None:
    from mathvidya.exams import page_quality

    print("| page | JPEG quality | ink share | sharpness | verdict | ms |")
    print("|---|---|---|---|---|---|")
    for name, image in calibration_samples().items():
        for quality in (90, 40):
            data = jpeg_bytes(image, quality)
            started = time.perf_counter()
            measures = page_quality.measure_image(data)
            elapsed = (time.perf_counter() - started) * 1000
            verdict = ", ".join(page_quality.image_problems(measures, 600)) or "passes"
            print(
                f"| {name} | {quality} | {measures.ink_fraction:.4f} | {measures.sharpness:.1f} | {verdict} "
                f"| {elapsed:.0f} |"
            )


if __name__ == "__main__":
    sys.exit(_calibration_table())
