"""Profiles, parent links, admin user management, and the object-scope rule."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg.rows import dict_row

from mathvidya.authz import Principal, ensure_student_in_scope
from mathvidya.errors import AppError, NotFound
from mathvidya.identity.parents import require_parent_link
from tests.factories import DEFAULT_PASSWORD, new_email


def assert_refused(response, status: int, code: str, field: str | None = None) -> None:
    """A refusal in the error shape, with its code (and the offending field for a 422)."""
    body = response.get_json()
    assert response.status_code == status, body
    assert body["error"] == code, body
    if field is not None:
        assert field in body["details"]["fields"], body


def children_of(client, parent) -> list[dict]:
    response = client.get("/api/v1/parents/me/children", headers=parent["headers"])
    assert response.status_code == 200
    return response.get_json()["items"]


def user_row(settings, user_id) -> dict:
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return conn.execute("SELECT role, is_active FROM users WHERE user_id = %s", (user_id,)).fetchone()


def audit_rows(settings, event_type, resource_id):
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT actor_user_id, actor_role, details FROM audit_logs WHERE event_type = %s AND resource_id = %s",
            (event_type, str(resource_id)),
        ).fetchall()


# --- /users/me --------------------------------------------------------------------------------


def test_me_reads_and_updates_safe_fields(client, make_user):
    student = make_user("student")
    me = client.get("/api/v1/users/me", headers=student["headers"]).get_json()
    assert me["role"] == "student" and me["student_class"] == "XII"
    updated = client.patch(
        "/api/v1/users/me",
        json={"first_name": "Meera", "show_on_leaderboard_as_initials": True},
        headers=student["headers"],
    )
    assert updated.status_code == 200
    assert updated.get_json()["first_name"] == "Meera"
    assert updated.get_json()["show_on_leaderboard_as_initials"] is True
    assert updated.get_json()["last_name"] == student["last_name"]


@pytest.mark.parametrize(
    "field,value", [("role", "admin"), ("email", "new@example.com"), ("is_active", True), ("token_version", 5)]
)
def test_me_refuses_unsafe_fields(client, make_user, field, value):
    student = make_user("student")
    response = client.patch("/api/v1/users/me", json={field: value}, headers=student["headers"])
    assert response.status_code == 422
    assert field in response.get_json()["details"]["fields"]
    assert client.get("/api/v1/users/me", headers=student["headers"]).get_json()["role"] == "student"


def test_me_refuses_an_empty_name(client, make_user):
    parent = make_user("parent", first_name="Lata")
    response = client.patch("/api/v1/users/me", json={"first_name": "  "}, headers=parent["headers"])
    assert_refused(response, 422, "VALIDATION_ERROR", field="first_name")
    assert client.get("/api/v1/users/me", headers=parent["headers"]).get_json()["first_name"] == "Lata"


# --- parent links -------------------------------------------------------------------------------


def _code(client, student):
    response = client.post("/api/v1/students/me/parent-link-code", headers=student["headers"])
    assert response.status_code == 201
    return response.get_json()


def test_parent_links_a_child_with_a_code_once(client, make_user, settings):
    student, parent = make_user("student"), make_user("parent")
    code = _code(client, student)
    assert datetime.fromisoformat(code["expires_at"]) > datetime.now(UTC)
    linked = client.post(
        "/api/v1/parents/me/children",
        json={"link_code": code["code"], "relationship": "mother"},
        headers=parent["headers"],
    )
    assert linked.status_code == 201
    mapping = linked.get_json()
    assert mapping["student_user_id"] == str(student["user_id"])
    assert len(audit_rows(settings, "parent.linked", mapping["mapping_id"])) == 1

    children = client.get("/api/v1/parents/me/children", headers=parent["headers"]).get_json()["items"]
    assert [c["student_user_id"] for c in children] == [str(student["user_id"])]

    other_parent = make_user("parent")
    reused = client.post(
        "/api/v1/parents/me/children",
        json={"link_code": code["code"], "relationship": "father"},
        headers=other_parent["headers"],
    )
    assert reused.status_code == 422 and "link_code" in reused.get_json()["details"]["fields"]


def test_expired_link_code_is_refused(client, make_user, settings):
    student, parent = make_user("student"), make_user("parent")
    code = _code(client, student)
    with psycopg.connect(settings.database_url) as conn:
        conn.execute(
            "UPDATE parent_link_codes SET expires_at = now() - interval '1 second' WHERE student_user_id = %s",
            (student["user_id"],),
        )
    response = client.post(
        "/api/v1/parents/me/children",
        json={"link_code": code["code"], "relationship": "mother"},
        headers=parent["headers"],
    )
    assert_refused(response, 422, "VALIDATION_ERROR", field="link_code")
    assert children_of(client, parent) == []


def test_parent_registers_a_child_directly(client, make_user):
    parent = make_user("parent")
    email = new_email("child")
    response = client.post(
        "/api/v1/parents/me/children",
        headers=parent["headers"],
        json={
            "relationship": "father",
            "student": {
                "email": email,
                "password": DEFAULT_PASSWORD,
                "first_name": "Anu",
                "last_name": "R",
                "student_class": "X",
            },
        },
    )
    assert response.status_code == 201
    children = client.get("/api/v1/parents/me/children", headers=parent["headers"]).get_json()["items"]
    assert children[0]["email"] == email and children[0]["student_class"] == "X"
    assert client.post("/api/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}).status_code == 200


def test_child_link_needs_exactly_one_of_code_or_student(client, make_user):
    parent = make_user("parent")
    response = client.post("/api/v1/parents/me/children", json={"relationship": "mother"}, headers=parent["headers"])
    assert_refused(response, 422, "VALIDATION_ERROR")
    assert children_of(client, parent) == []


def test_child_link_with_both_a_code_and_a_new_student_is_refused_and_creates_nothing(client, make_user, settings):
    student, parent = make_user("student"), make_user("parent")
    code = _code(client, student)
    email = new_email("child")
    response = client.post(
        "/api/v1/parents/me/children",
        headers=parent["headers"],
        json={
            "relationship": "mother",
            "link_code": code["code"],
            "student": {
                "email": email,
                "password": DEFAULT_PASSWORD,
                "first_name": "Anu",
                "last_name": "R",
                "student_class": "X",
            },
        },
    )
    assert_refused(response, 422, "VALIDATION_ERROR")
    assert children_of(client, parent) == []
    with psycopg.connect(settings.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE email = %s", (email,)).fetchone()[0] == 0
    # the code was not spent: it still links this parent
    linked = client.post(
        "/api/v1/parents/me/children",
        json={"link_code": code["code"], "relationship": "mother"},
        headers=parent["headers"],
    )
    assert linked.status_code == 201, linked.get_json()


def test_parent_link_required_check(app, make_user, link_parent):
    student, parent = make_user("student"), make_user("parent")
    with psycopg.connect(app.config["SETTINGS"].database_url) as conn:
        with pytest.raises(AppError) as refused:
            require_parent_link(conn, student["user_id"])
        assert refused.value.code == "PARENT_LINK_REQUIRED" and refused.value.status == 403
        link_parent(parent, student)
        require_parent_link(conn, student["user_id"])  # no longer raises


# --- object scope -------------------------------------------------------------------------------


def _principal(user):
    return Principal(user_id=user["user_id"], role=user["role"], family_id=None, ip_address=None)


def test_student_scope_is_self_linked_parents_and_admins(app, make_user, link_parent):
    student, other = make_user("student"), make_user("student")
    parent, stranger, admin, teacher = (
        make_user("parent"),
        make_user("parent"),
        make_user("admin"),
        make_user("teacher"),
    )
    link_parent(parent, student)
    with app.test_request_context():
        for viewer in (student, parent, admin):
            ensure_student_in_scope(_principal(viewer), student["user_id"])
        for viewer in (other, stranger, teacher):
            with pytest.raises(NotFound):
                ensure_student_in_scope(_principal(viewer), student["user_id"])
        with pytest.raises(NotFound):
            ensure_student_in_scope(_principal(admin), uuid.uuid4())
        with pytest.raises(NotFound):
            ensure_student_in_scope(_principal(admin), parent["user_id"])
        app.do_teardown_request()


# --- admin users --------------------------------------------------------------------------------


def test_admin_creates_a_teacher_who_can_sign_in(client, make_user, settings):
    admin = make_user("admin")
    email = new_email("teacher")
    response = client.post(
        "/api/v1/admin/users",
        headers=admin["headers"],
        json={"email": email, "password": DEFAULT_PASSWORD, "role": "teacher", "first_name": "T", "last_name": "One"},
    )
    assert response.status_code == 201 and response.get_json()["role"] == "teacher"
    rows = audit_rows(settings, "user.created", response.get_json()["user_id"])
    assert rows[0]["actor_user_id"] == admin["user_id"]
    assert client.post("/api/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}).status_code == 200


def test_admin_user_creation_is_for_staff_roles_only(client, make_user):
    admin, email = make_user("admin"), new_email()
    response = client.post(
        "/api/v1/admin/users",
        headers=admin["headers"],
        json={
            "email": email,
            "password": DEFAULT_PASSWORD,
            "role": "student",
            "first_name": "S",
            "last_name": "S",
        },
    )
    assert_refused(response, 422, "VALIDATION_ERROR", field="role")
    assert client.post("/api/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}).status_code == 401


def test_admin_lists_and_searches_users_with_pagination(client, make_user):
    admin = make_user("admin")
    marker = uuid.uuid4().hex[:8]
    for i in range(3):
        make_user("teacher", email=f"{marker}-{i}@example.com", signed_in=False)
    page = client.get(f"/api/v1/admin/users?q={marker}&limit=2", headers=admin["headers"]).get_json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["limit"] == 2 and page["offset"] == 0
    rest = client.get(f"/api/v1/admin/users?q={marker}&limit=2&offset=2", headers=admin["headers"]).get_json()
    assert len(rest["items"]) == 1
    assert client.get("/api/v1/admin/users?limit=101", headers=admin["headers"]).status_code == 422
    student = make_user("student", email=f"{marker}-s@example.com", signed_in=False)
    students = client.get(f"/api/v1/admin/users?q={marker}&role=student", headers=admin["headers"]).get_json()
    assert [item["user_id"] for item in students["items"]] == [str(student["user_id"])]
    assert students["total"] == 1


def test_deactivation_cuts_off_a_live_access_token_at_once(client, make_user, settings):
    admin, teacher = make_user("admin"), make_user("teacher")
    assert client.get("/api/v1/users/me", headers=teacher["headers"]).status_code == 200
    response = client.patch(
        f"/api/v1/admin/users/{teacher['user_id']}", json={"is_active": False}, headers=admin["headers"]
    )
    assert response.status_code == 200 and response.get_json()["is_active"] is False
    assert client.get("/api/v1/users/me", headers=teacher["headers"]).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": teacher["refresh_token"]}).status_code == 401
    login = client.post("/api/v1/auth/login", json={"email": teacher["email"], "password": teacher["password"]})
    assert login.status_code == 403 and login.get_json()["error"] == "ACCOUNT_DEACTIVATED"
    assert len(audit_rows(settings, "user.deactivated", teacher["user_id"])) == 1


def test_role_change_cuts_off_live_tokens_and_is_audited(client, make_user, settings):
    admin, teacher = make_user("admin"), make_user("teacher")
    response = client.patch(
        f"/api/v1/admin/users/{teacher['user_id']}", json={"role": "admin"}, headers=admin["headers"]
    )
    assert response.status_code == 200 and response.get_json()["role"] == "admin"
    assert client.get("/api/v1/users/me", headers=teacher["headers"]).status_code == 401
    rows = audit_rows(settings, "user.role_changed", teacher["user_id"])
    assert rows[0]["details"] == {"from": "teacher", "to": "admin"}


def test_role_change_of_a_linked_user_is_409(client, make_user, link_parent, settings):
    admin, parent, student = make_user("admin"), make_user("parent"), make_user("student")
    link_parent(parent, student)
    response = client.patch(
        f"/api/v1/admin/users/{parent['user_id']}", json={"role": "teacher"}, headers=admin["headers"]
    )
    assert_refused(response, 409, "USER_HAS_LINKS")
    assert user_row(settings, parent["user_id"])["role"] == "parent"
    assert client.get("/api/v1/users/me", headers=parent["headers"]).status_code == 200


def test_admin_cannot_deactivate_themself(client, make_user, settings):
    admin = make_user("admin")
    response = client.patch(
        f"/api/v1/admin/users/{admin['user_id']}", json={"is_active": False}, headers=admin["headers"]
    )
    assert_refused(response, 409, "CONFLICT")
    assert user_row(settings, admin["user_id"])["is_active"] is True
    assert client.get("/api/v1/users/me", headers=admin["headers"]).status_code == 200


def test_admin_patch_of_unknown_user_is_404(client, make_user):
    response = client.patch(
        f"/api/v1/admin/users/{uuid.uuid4()}", json={"is_active": False}, headers=make_user("admin")["headers"]
    )
    assert response.status_code == 404


# --- admin mappings ---------------------------------------------------------------------------


def test_admin_maps_and_unmaps_parent_and_student(client, make_user, settings):
    admin, parent, student = make_user("admin"), make_user("parent"), make_user("student")
    body = {
        "parent_user_id": str(parent["user_id"]),
        "student_user_id": str(student["user_id"]),
        "relationship": "guardian",
    }
    created = client.post("/api/v1/admin/parent-student-mappings", json=body, headers=admin["headers"])
    assert created.status_code == 201
    mapping_id = created.get_json()["mapping_id"]
    duplicate = client.post("/api/v1/admin/parent-student-mappings", json=body, headers=admin["headers"])
    assert duplicate.status_code == 409
    deleted = client.delete(f"/api/v1/admin/parent-student-mappings/{mapping_id}", headers=admin["headers"])
    assert deleted.status_code == 204
    assert (
        client.delete(f"/api/v1/admin/parent-student-mappings/{mapping_id}", headers=admin["headers"]).status_code
        == 404
    )
    assert len(audit_rows(settings, "parent.linked", mapping_id)) == 1
    assert len(audit_rows(settings, "parent.unlinked", mapping_id)) == 1


def test_admin_mapping_with_wrong_roles_is_422(client, make_user, settings):
    admin, teacher, student = make_user("admin"), make_user("teacher"), make_user("student")
    response = client.post(
        "/api/v1/admin/parent-student-mappings",
        headers=admin["headers"],
        json={"parent_user_id": str(teacher["user_id"]), "student_user_id": str(student["user_id"])},
    )
    assert_refused(response, 422, "VALIDATION_ERROR")
    with psycopg.connect(settings.database_url) as conn:
        mappings = conn.execute(
            "SELECT count(*) FROM parent_student_mappings WHERE student_user_id = %s", (student["user_id"],)
        ).fetchone()[0]
    assert mappings == 0


def test_admin_mapping_with_unknown_user_is_404(client, make_user):
    admin, student = make_user("admin"), make_user("student")
    response = client.post(
        "/api/v1/admin/parent-student-mappings",
        headers=admin["headers"],
        json={"parent_user_id": str(uuid.uuid4()), "student_user_id": str(student["user_id"])},
    )
    assert_refused(response, 404, "NOT_FOUND")


def test_a_deactivated_user_is_reactivated_and_may_sign_in_again(client, make_user, settings):
    admin, teacher = make_user("admin"), make_user("teacher")
    url = f"/api/v1/admin/users/{teacher['user_id']}"
    assert client.patch(url, json={"is_active": False}, headers=admin["headers"]).status_code == 200
    again = client.patch(url, json={"is_active": True}, headers=admin["headers"])
    assert again.status_code == 200 and again.get_json()["is_active"] is True
    login = client.post("/api/v1/auth/login", json={"email": teacher["email"], "password": teacher["password"]})
    assert login.status_code == 200
    assert len(audit_rows(settings, "user.activated", teacher["user_id"])) == 1


def test_a_role_change_to_student_needs_a_class_and_changes_nothing_without_one(client, make_user, settings):
    admin, teacher = make_user("admin"), make_user("teacher")
    url = f"/api/v1/admin/users/{teacher['user_id']}"
    response = client.patch(url, json={"role": "student"}, headers=admin["headers"])
    assert_refused(response, 422, "VALIDATION_ERROR", field="student_class")
    assert user_row(settings, teacher["user_id"])["role"] == "teacher"
    assert client.get("/api/v1/users/me", headers=teacher["headers"]).status_code == 200


def test_a_parent_cannot_register_with_a_class(client, settings):
    email = new_email("parent")
    response = client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": DEFAULT_PASSWORD,
            "role": "parent",
            "first_name": "P",
            "last_name": "Q",
            "student_class": "XII",
        },
    )
    assert_refused(response, 422, "VALIDATION_ERROR", field="student_class")
    with psycopg.connect(settings.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE email = %s", (email,)).fetchone()[0] == 0
