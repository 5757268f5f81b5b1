"""/users/me, /students/me/parent-link-code, /parents/me/children."""

from __future__ import annotations

from flask.views import MethodView

from mathvidya import db
from mathvidya.authz import current_principal, roles, signed_in, signed_in_user
from mathvidya.config import current_settings
from mathvidya.errors import NotFound, ValidationFailed
from mathvidya.identity import parents, schemas, service
from mathvidya.identity.service import NewUser
from mathvidya.schema_dump import Blueprint

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Profiles and parent links")


@blp.route("/users/me")
class Me(MethodView):
    @db.autocommit_reads
    @signed_in
    @blp.response(200, schemas.UserSchema)
    def get(self):
        """The caller's own profile."""
        principal = current_principal()
        user = signed_in_user(principal) or service.get_user(db.request_connection(), principal.user_id)
        if user is None:
            raise NotFound("No such user.")
        return user

    @signed_in
    @blp.arguments(schemas.ProfileUpdateSchema)
    @blp.response(200, schemas.UserSchema)
    def patch(self, body):
        """Update safe profile fields (never role or e-mail)."""
        return service.update_profile(db.request_connection(), current_principal().user_id, body)


@blp.route("/students/me/parent-link-code")
class ParentLinkCode(MethodView):
    @roles("student")
    @blp.response(201, schemas.LinkCodeSchema)
    def post(self):
        """A short-lived, single-use code the student gives a parent."""
        principal = current_principal()
        return parents.issue_link_code(db.request_connection(), principal.user_id, principal.actor)


@blp.route("/parents/me/children")
class Children(MethodView):
    @roles("parent")
    @blp.response(200, schemas.ChildrenSchema)
    def get(self):
        """The students linked to the caller."""
        return {"items": parents.children(db.request_connection(), current_principal().user_id)}

    @roles("parent")
    @blp.arguments(schemas.ChildLinkSchema)
    @blp.response(201, schemas.MappingSchema)
    @blp.alt_response(409, description="ALREADY_LINKED or EMAIL_TAKEN")
    def post(self, body):
        """Link a child by the code they issued, or register a new student account as a child."""
        principal = current_principal()
        conn = db.request_connection()
        settings = current_settings()
        if ("link_code" in body) == ("student" in body):
            raise ValidationFailed({"link_code": ["give exactly one of link_code or student"]})
        if "link_code" in body:
            return parents.redeem_link_code(
                conn,
                settings,
                principal.user_id,
                body["link_code"],
                body["relationship"],
                body["is_primary"],
                principal.actor,
            )
        child = body["student"]
        student = service.create_user(
            conn,
            NewUser(
                email=child["email"],
                password=child["password"],
                role="student",
                first_name=child["first_name"],
                last_name=child["last_name"],
                student_class=child["student_class"],
                phone=child.get("phone"),
                school_name=child.get("school_name"),
            ),
            principal.actor,
        )
        service.send_verification_email(conn, settings, student)
        return parents.create_link(
            conn,
            settings,
            parent_user_id=principal.user_id,
            student_user_id=student["user_id"],
            relationship=body["relationship"],
            is_primary=body["is_primary"],
            actor=principal.actor,
            via="registered_by_parent",
        )
