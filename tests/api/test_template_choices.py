"""internal_choice_count on template sections: validated, stored, and seeded on the board papers."""

from __future__ import annotations

import pytest

from mathvidya.questions.template_defaults import default_templates
from tests.api.test_templates import ADMIN_URL, template_body


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def _with_choices(index, value):
    body = template_body()
    body["config"]["sections"][index]["internal_choice_count"] = value
    return body


def test_a_written_section_takes_internal_choices_up_to_its_count(client, admin):
    response = client.post(ADMIN_URL, json=_with_choices(1, 2), headers=admin["headers"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["config"]["sections"][1]["internal_choice_count"] == 2
    assert body["total_marks"] == 16  # each choice question counts once


@pytest.mark.parametrize(
    ("index", "value", "fragment"),
    [
        (0, 1, "MCQ sections have no internal choice"),
        (1, 3, "at most the section's question_count (2)"),
        (1, -1, "at least 0"),
    ],
)
def test_bad_internal_choice_counts_are_422_naming_the_section(client, admin, index, value, fragment):
    response = client.post(ADMIN_URL, json=_with_choices(index, value), headers=admin["headers"])
    assert response.status_code == 422, response.get_json()
    messages = response.get_json()["details"]["fields"][f"config.sections.{index}.internal_choice_count"]
    assert any(fragment in m for m in messages), messages


def test_a_patch_with_a_bad_choice_count_changes_nothing(client, admin):
    created = client.post(ADMIN_URL, json=template_body(), headers=admin["headers"]).get_json()
    config = _with_choices(0, 2)["config"]
    url = f"{ADMIN_URL}/{created['template_id']}"
    assert client.patch(url, json={"config": config}, headers=admin["headers"]).status_code == 422
    after = client.get(url, headers=admin["headers"]).get_json()
    assert "internal_choice_count" not in after["config"]["sections"][0]


def test_the_seeded_board_papers_offer_choices_in_sections_b_to_e(db):
    expected = {t["template_id"]: t for t in default_templates() if t["exam_type"] == "board_exam"}
    rows = db.execute(
        "SELECT template_id::text AS template_id, class::text AS class, config FROM exam_templates "
        "WHERE template_id = ANY(%s::uuid[])",
        (list(expected),),
    ).fetchall()
    choices = {row["class"]: [s.get("internal_choice_count", 0) for s in row["config"]["sections"]] for row in rows}
    assert choices == {"XII": [0, 2, 3, 2, 3], "X": [0, 2, 2, 2, 3]}
    for row in rows:
        assert row["config"] == expected[row["template_id"]]["config"]
