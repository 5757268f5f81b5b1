"""Drawing stamps onto answer-sheet pages: bytes in, bytes out."""

from __future__ import annotations

import io

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from mathvidya.evaluations.stamps import (
    INK,
    SHAPES,
    Stamp,
    UnreadableImage,
    render_annotated_page,
    stamp_size,
)

KINDS = ("tick", "cross", "half", "circle", "star")


def page_bytes(fmt: str = "PNG", size=(400, 600), mode="RGB", color="white", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def reddish(pixel) -> bool:
    r, g, b = pixel[:3]
    return r > 150 and g < 110 and b < 110


def changed_box(before: Image.Image, after: Image.Image):
    return ImageChops.difference(before.convert("RGB"), after.convert("RGB")).getbbox()


def test_the_known_kinds_are_the_seeded_stamps():
    assert set(SHAPES) == set(KINDS)


@pytest.mark.parametrize("kind", [*KINDS, "bonus_point"])
def test_each_stamp_marks_pixels_near_its_centre_and_nothing_far_away(kind):
    original = page_bytes()
    rendered = render_annotated_page(original, [Stamp(kind, 0.5, 0.25)])
    result = opened(rendered.data)
    assert (result.format, result.size, rendered.content_type, rendered.extension) == (
        "PNG",
        (400, 600),
        "image/png",
        "png",
    )
    box = changed_box(opened(original), result)
    assert box is not None, "nothing was drawn"
    cx, cy, size = 200, 150, stamp_size(400, 600)
    left, top, right, bottom = box
    reach = size * 1.5  # the labelled box of an unknown kind is the widest shape
    assert cx - reach <= left and right <= cx + reach and cy - size <= top and bottom <= cy + size
    red = [result.getpixel((x, y)) for x in range(left, right) for y in range(top, bottom)]
    assert any(reddish(p) for p in red)
    # far corners untouched
    for corner in ((0, 0), (399, 599), (0, 599), (399, 0)):
        assert result.getpixel(corner) == (255, 255, 255)


def test_stamps_differ_from_each_other():
    original = page_bytes()
    drawings = {kind: render_annotated_page(original, [Stamp(kind, 0.5, 0.5)]).data for kind in KINDS}
    pixels = {kind: opened(data).tobytes() for kind, data in drawings.items()}
    assert len(set(pixels.values())) == len(KINDS)


def test_no_stamps_leaves_the_pixels_as_they_were():
    original = page_bytes()
    result = opened(render_annotated_page(original, []).data)
    assert changed_box(opened(original), result) is None


def test_jpeg_stays_jpeg_of_the_same_size_and_far_pixels_keep_their_colour():
    original = page_bytes("JPEG", size=(640, 480), quality=95)
    rendered = render_annotated_page(original, [Stamp("tick", 0.1, 0.1), Stamp("cross", 0.9, 0.9)])
    result = opened(rendered.data)
    assert (result.format, result.size, rendered.content_type, rendered.extension) == (
        "JPEG",
        (640, 480),
        "image/jpeg",
        "jpg",
    )
    far = result.getpixel((320, 240))
    assert all(channel > 245 for channel in far)
    size = stamp_size(640, 480)
    near = [result.getpixel((x, y)) for x in range(64 - size, 64 + size) for y in range(48 - size, 48 + size)]
    assert any(reddish(p) for p in near)


def test_stamp_size_follows_the_shorter_side_with_a_minimum():
    assert stamp_size(2480, 3508) == 124
    assert stamp_size(3508, 2480) == 124
    assert stamp_size(100, 100) == 14


def _drawn_box(kind: str, x: float, y: float, size=(300, 300)):
    original = page_bytes(size=size)
    return changed_box(opened(original), opened(render_annotated_page(original, [Stamp(kind, x, y)]).data))


EDGES = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (0.5, 0.0), (0.0, 0.5), (1.0, 0.5), (0.5, 1.0)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("x", "y"), EDGES)
def test_a_stamp_at_an_edge_or_corner_is_pulled_inside_and_shows_whole(kind, x, y):
    """A teacher's mark in the page corner must be visible, and as large as anywhere else."""
    middle = _drawn_box(kind, 0.5, 0.5)
    box = _drawn_box(kind, x, y)
    assert box is not None, "nothing was drawn"
    left, top, right, bottom = box
    # as large as in the middle of the page, give or take the anti-aliasing of a pixel or two
    assert abs((right - left) - (middle[2] - middle[0])) <= 2
    assert abs((bottom - top) - (middle[3] - middle[1])) <= 2
    assert left >= 0 and top >= 0 and right <= 300 and bottom <= 300
    reach = stamp_size(300, 300) * 1.5
    assert abs((left + right) / 2 - x * 300) <= reach and abs((top + bottom) / 2 - y * 300) <= reach


def test_a_stamp_larger_than_a_tiny_page_is_centred_on_it():
    box = _drawn_box("cross", 1.0, 1.0, size=(10, 40))
    assert box is not None
    left, _top, right, _bottom = box
    assert left <= 5 <= right


def test_palette_and_greyscale_pages_get_red_ink():
    for mode, color in (("L", 255), ("P", 0)):
        original = page_bytes(mode=mode, color=color, size=(200, 200))
        result = opened(render_annotated_page(original, [Stamp("circle", 0.5, 0.5)]).data)
        assert result.mode == "RGB"
        assert INK in {result.getpixel((x, 100)) for x in range(200)}


def test_transparent_png_keeps_its_alpha():
    original = page_bytes(mode="RGBA", color=(255, 255, 255, 0), size=(200, 200))
    result = opened(render_annotated_page(original, [Stamp("star", 0.5, 0.5)]).data)
    assert result.mode == "RGBA"
    assert result.getpixel((0, 0))[3] == 0


def test_a_phone_photo_is_turned_upright_before_stamping():
    """EXIF orientation 6 (rotate 90° clockwise to view): the teacher saw a portrait page."""
    landscape = Image.new("RGB", (600, 400), "white")
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    landscape.save(out, "JPEG", exif=exif, quality=95)
    result = opened(render_annotated_page(out.getvalue(), [Stamp("cross", 0.1, 0.1)]).data)
    assert result.size == (400, 600)
    assert result.getexif().get(0x0112) in (None, 1)
    size = stamp_size(400, 600)
    near = [result.getpixel((x, y)) for x in range(40 - size, 40 + size) for y in range(60 - size, 60 + size)]
    assert any(reddish(p) for p in near)


@pytest.mark.parametrize("data", [b"", b"not an image", b"%PDF-1.4\n%...", page_bytes("GIF")])
def test_anything_but_jpeg_or_png_is_refused(data):
    with pytest.raises(UnreadableImage):
        render_annotated_page(data, [Stamp("tick", 0.5, 0.5)])


coordinate = st.floats(min_value=0, max_value=1, allow_nan=False)
placed_stamp = st.tuples(st.sampled_from(KINDS), coordinate, coordinate)


@settings(max_examples=30)
@given(placed_stamp)
@example(("tick", 1.0, 1.0))  # drew nothing when a stamp was clipped at the page corner
def test_every_stamp_alone_changes_some_pixels(placed):
    kind, x, y = placed
    assert _drawn_box(kind, x, y, size=(160, 240)) is not None


@settings(max_examples=30)
@given(st.lists(placed_stamp, min_size=1, max_size=6))
@example([("tick", 1.0, 1.0)])
def test_every_changed_pixel_lies_near_some_stamp(placed):
    width, height = 160, 240
    original = page_bytes(size=(width, height))
    stamps = [Stamp(kind, x, y) for kind, x, y in placed]
    result = opened(render_annotated_page(original, stamps).data)
    assert result.size == (width, height)
    # a stamp reaches half its size from its centre, and is pulled in by at most as much at an edge
    size = stamp_size(width, height)
    reach = size + max(2, size // 8)
    diff = ImageChops.difference(opened(original), result).convert("L")
    centres = [(s.x * width, s.y * height) for s in stamps]
    changed = [(x, y) for x in range(width) for y in range(height) if diff.getpixel((x, y))]
    assert changed
    for x, y in changed:
        assert any(abs(x - cx) <= reach and abs(y - cy) <= reach for cx, cy in centres), (x, y)
