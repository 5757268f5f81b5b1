"""/admin/users and /admin/parent-student-mappings."""

from __future__ import annotations

from flask.views import MethodView

from mathvidya import db
from mathvidya.authz import current_principal, roles
from mathvidya.config import current_settings
from mathvidya.identity import parents, schemas, service
from mathvidya.identity.service import NewUser
from mathvidya.schema_dump import Blueprint

blp = Blueprint("admin_users", __name__, url_prefix="/api/v1/admin", description="User administration")


@blp.route("/users")
class Users(MethodView):
    @roles("admin")
    @blp.arguments(schemas.AdminUserQuerySchema, location="query")
    @blp.response(200, schemas.UserListSchema)
    def get(self, args):
        """Search users by e-mail or name, role and activity; newest first."""
        return service.search_users(
            db.request_connection(),
            q=args.get("q"),
            role=args.get("role"),
            is_active=args.get("is_active"),
            limit=args["limit"],
            offset=args["offset"],
        )

    @roles("admin")
    @blp.arguments(schemas.AdminUserCreateSchema)
    @blp.response(201, schemas.UserSchema)
    @blp.alt_response(409, description="EMAIL_TAKEN")
    def post(self, body):
        """Create a teacher or admin account."""
        conn = db.request_connection()
        user = service.create_user(
            conn,
            NewUser(
                email=body["email"],
                password=body["password"],
                role=body["role"],
                first_name=body["first_name"],
                last_name=body["last_name"],
                phone=body.get("phone"),
                email_verified=True,
            ),
            current_principal().actor,
        )
        return service.get_user(conn, user["user_id"])


@blp.route("/users/<uuid:user_id>")
class AdminUser(MethodView):
    @roles("admin")
    @blp.arguments(schemas.AdminUserUpdateSchema)
    @blp.response(200, schemas.UserSchema)
    @blp.alt_response(404, description="No such user")
    @blp.alt_response(409, description="Own account, or a linked user's role")
    def patch(self, body, user_id):
        """Activate/deactivate or change role; the user's live tokens stop working at once."""
        return service.update_user_by_admin(db.request_connection(), user_id, body, current_principal().actor)


@blp.route("/parent-student-mappings")
class Mappings(MethodView):
    @roles("admin")
    @blp.arguments(schemas.MappingCreateSchema)
    @blp.response(201, schemas.MappingSchema)
    @blp.alt_response(409, description="ALREADY_LINKED")
    def post(self, body):
        """Link a parent and a student directly."""
        return parents.create_link(
            db.request_connection(),
            current_settings(),
            parent_user_id=body["parent_user_id"],
            student_user_id=body["student_user_id"],
            relationship=body["relationship"],
            is_primary=body["is_primary"],
            actor=current_principal().actor,
            via="admin",
        )


@blp.route("/parent-student-mappings/<uuid:mapping_id>")
class Mapping(MethodView):
    @roles("admin")
    @blp.response(204)
    @blp.alt_response(404, description="No such mapping")
    def delete(self, mapping_id):
        """Remove a link (audited parent.unlinked)."""
        parents.remove_link(db.request_connection(), mapping_id, current_principal().actor)
