"""The upload quality gate's rules on drawn pages: sharp handwriting passes; blurred,
blank, small and undecodable pages are reported."""

from __future__ import annotations

import pytest

from mathvidya.exams import page_quality
from mathvidya.exams.page_quality import BLANK, BLURRY, TOO_SMALL, UnreadablePage, page_problems
from tools.page_images import blank_page, blurred, dim, handwriting_page, jpeg_bytes, png_bytes

MIN_SIDE = 600


@pytest.fixture(scope="module")
def sharp_page():
    return handwriting_page(1200, 1600)


def test_a_sharp_page_of_handwriting_passes(sharp_page):
    assert page_problems(jpeg_bytes(sharp_page), "image/jpeg", MIN_SIDE) == []
    assert page_problems(png_bytes(sharp_page), "image/png", MIN_SIDE) == []


def test_the_same_page_under_a_gaussian_blur_of_radius_6_is_blurry(sharp_page):
    assert page_problems(jpeg_bytes(blurred(sharp_page, 6)), "image/jpeg", MIN_SIDE) == [BLURRY]


def test_a_dim_low_contrast_photo_still_passes_and_fails_once_blurred(sharp_page):
    assert page_problems(jpeg_bytes(dim(sharp_page)), "image/jpeg", MIN_SIDE) == []
    assert page_problems(jpeg_bytes(blurred(dim(sharp_page), 6)), "image/jpeg", MIN_SIDE) in ([BLURRY], [BLANK])


def test_heavy_jpeg_compression_alone_does_not_fail_a_sharp_page(sharp_page):
    assert page_problems(jpeg_bytes(sharp_page, quality=40), "image/jpeg", MIN_SIDE) == []


def test_a_phone_sized_photo_is_judged_like_a_scan():
    photo = handwriting_page(3000, 4000, seed=3)
    assert page_problems(jpeg_bytes(photo), "image/jpeg", MIN_SIDE) == []
    assert page_problems(jpeg_bytes(blurred(photo, 6)), "image/jpeg", MIN_SIDE) == [BLURRY]


def test_a_page_with_only_one_line_of_writing_is_not_blank():
    assert page_problems(jpeg_bytes(handwriting_page(1200, 1600, lines=1)), "image/jpeg", MIN_SIDE) == []


def test_an_empty_sheet_of_paper_is_blank_even_in_uneven_light():
    assert page_problems(jpeg_bytes(blank_page(900, 1200)), "image/jpeg", MIN_SIDE) == [BLANK]
    assert page_problems(png_bytes(blank_page(900, 1200, seed=2)), "image/png", MIN_SIDE) == [BLANK]


def test_a_page_whose_shorter_side_is_below_the_minimum_is_too_small(sharp_page):
    small = sharp_page.resize((450, 600))
    assert page_problems(jpeg_bytes(small), "image/jpeg", MIN_SIDE) == [TOO_SMALL]
    assert page_problems(jpeg_bytes(small), "image/jpeg", 450) == []


def test_every_problem_is_reported_together():
    tiny_blank = blank_page(300, 400)
    assert page_problems(jpeg_bytes(tiny_blank), "image/jpeg", MIN_SIDE) == [TOO_SMALL, BLANK]


@pytest.mark.parametrize(
    ("width", "height", "ink", "sharpness", "expected"),
    [
        (600, 800, 0.01, page_quality.BLUR_THRESHOLD, []),
        (599, 800, 0.01, 50.0, [TOO_SMALL]),
        (800, 599, 0.01, 50.0, [TOO_SMALL]),
        (600, 800, page_quality.BLANK_INK_FRACTION, 50.0, []),
        (600, 800, page_quality.BLANK_INK_FRACTION / 2, 50.0, [BLANK]),
        (600, 800, 0.01, page_quality.BLUR_THRESHOLD - 0.01, [BLURRY]),
        (100, 100, 0.0, 0.0, [TOO_SMALL, BLANK]),
    ],
)
def test_thresholds(width, height, ink, sharpness, expected):
    measures = page_quality.PageMeasures(width, height, ink, sharpness)
    assert page_quality.image_problems(measures, MIN_SIDE) == expected


def test_bytes_that_do_not_decode_are_unreadable():
    with pytest.raises(UnreadablePage):
        page_problems(b"\xff\xd8\xff\xe0" + b"\x00" * 2048, "image/jpeg", MIN_SIDE)


def test_a_pdf_is_judged_by_its_page_count():
    one_page = b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R] >>\n2 0 obj << /Type /Page >>\n%%EOF"
    no_page = b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [] /Count 0 >>\n%%EOF"
    compressed = b"%PDF-1.7\n5 0 obj << /Type /ObjStm /N 3 >> stream\nxx\nendstream\n%%EOF"
    assert page_problems(one_page, "application/pdf", MIN_SIDE) == []
    assert page_problems(no_page, "application/pdf", MIN_SIDE) == [BLANK]
    assert page_quality.pdf_page_count(compressed) is None
    assert page_problems(compressed, "application/pdf", MIN_SIDE) == []
