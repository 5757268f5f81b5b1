"""Drawing stamps onto answer-sheet pages: bytes in, bytes out."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
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


def test_stamps_at_the_edges_are_clipped_not_refused():
    original = page_bytes(size=(300, 300))
    corners = [Stamp(kind, x, y) for kind in KINDS for x in (0.0, 1.0) for y in (0.0, 1.0)]
    result = opened(render_annotated_page(original, corners).data)
    assert result.size == (300, 300)
    for corner in ((1, 1), (298, 1), (1, 298), (298, 298)):  # the cross passes through each corner
        assert reddish(result.getpixel(corner)), corner


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


def test_the_original_bytes_are_not_touched():
    original = page_bytes()
    copy = bytes(original)
    render_annotated_page(original, [Stamp("tick", 0.5, 0.5)])
    assert original == copy


coordinate = st.floats(min_value=0, max_value=1, allow_nan=False)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KINDS), coordinate, coordinate), min_size=1, max_size=6))
def test_every_changed_pixel_lies_near_some_stamp(placed):
    width, height = 160, 240
    original = page_bytes(size=(width, height))
    stamps = [Stamp(kind, x, y) for kind, x, y in placed]
    result = opened(render_annotated_page(original, stamps).data)
    assert result.size == (width, height)
    reach = stamp_size(width, height)
    diff = ImageChops.difference(opened(original), result).convert("L")
    centres = [(s.x * width, s.y * height) for s in stamps]
    changed = [(x, y) for x in range(width) for y in range(height) if diff.getpixel((x, y))]
    assert changed
    for x, y in changed:
        assert any(abs(x - cx) <= reach and abs(y - cy) <= reach for cx, cy in centres), (x, y)
