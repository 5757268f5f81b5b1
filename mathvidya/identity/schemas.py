"""Request and response bodies of the identity endpoints (auth, users, parents)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mathvidya.identity.email_identity import stored_form
from mathvidya.notifications.emails import EMAIL_CATEGORIES
from mathvidya.schemas import PageArgsSchema, StrictSchema, list_schema


class EmailAddress(fields.Email):
    """An address checked in its NFKC form, so a decomposed `é` or fullwidth letters
    validate like the composed, plain ones (docs/identity.md)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return stored_form(text)


SELF_SERVICE_ROLES = ("student", "parent")
STAFF_ROLES = ("teacher", "admin")
CLASSES = ("X", "XII")
RELATIONSHIPS = ("father", "mother", "guardian", "other")
NAME = validate.Length(min=1, max=100)


class StudentRegistrationSchema(StrictSchema):
    """A child registered by a parent: a student account without the role field."""

    email = EmailAddress(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True)
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    phone = fields.String(validate=validate.Length(max=20), allow_none=True)
    student_class = fields.String(required=True, validate=validate.OneOf(CLASSES))
    school_name = fields.String(validate=validate.Length(max=200), allow_none=True)


class RegisterSchema(StrictSchema):
    email = EmailAddress(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True)
    role = fields.String(
        required=True,
        validate=validate.OneOf(SELF_SERVICE_ROLES, error="Only student or parent accounts can register."),
    )
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    phone = fields.String(validate=validate.Length(max=20), allow_none=True)
    student_class = fields.String(validate=validate.OneOf(CLASSES), allow_none=True)
    school_name = fields.String(validate=validate.Length(max=200), allow_none=True)


class RegisteredSchema(Schema):
    user_id = fields.UUID(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    email_verified = fields.Boolean(required=True)


class LoginSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024))


class UserSchema(Schema):
    user_id = fields.UUID(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    phone = fields.String(allow_none=True)
    student_class = fields.String(allow_none=True)
    school_name = fields.String(allow_none=True)
    is_active = fields.Boolean()
    email_verified = fields.Boolean()
    show_on_leaderboard_as_initials = fields.Boolean()
    email_opt_out = fields.Dict(keys=fields.String(), values=fields.Boolean())
    last_login_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class TokenPairSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "Access token lifetime in seconds"})


class LoginResultSchema(TokenPairSchema):
    user = fields.Nested(UserSchema, required=True)


class RefreshSchema(StrictSchema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=4096))


class LogoutSchema(StrictSchema):
    refresh_token = fields.String(validate=validate.Length(min=1, max=4096))


class PasswordResetRequestSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))


class PasswordResetConfirmSchema(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, load_only=True)


class VerifyEmailSchema(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class VerifiedSchema(Schema):
    email_verified = fields.Boolean(required=True)


class ProfileUpdateSchema(StrictSchema):
    """Safe fields only: never role, never e-mail (that needs re-verification)."""

    first_name = fields.String(validate=NAME)
    last_name = fields.String(validate=NAME)
    phone = fields.String(validate=validate.Length(max=20), allow_none=True)
    school_name = fields.String(validate=validate.Length(max=200), allow_none=True)
    show_on_leaderboard_as_initials = fields.Boolean()
    email_opt_out = fields.Dict(
        keys=fields.String(validate=validate.OneOf(EMAIL_CATEGORIES)),
        values=fields.Boolean(),
        metadata={"description": f"E-mail categories to switch off: {', '.join(EMAIL_CATEGORIES)}"},
    )


class LinkCodeSchema(Schema):
    code = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class ChildLinkSchema(StrictSchema):
    """Either a link code from the student, or a new student account to register."""

    link_code = fields.String(validate=validate.Length(min=4, max=32))
    student = fields.Nested(StudentRegistrationSchema)
    relationship = fields.String(required=True, validate=validate.OneOf(RELATIONSHIPS))
    is_primary = fields.Boolean(load_default=False)


class ChildSchema(Schema):
    mapping_id = fields.UUID(required=True)
    student_user_id = fields.UUID(required=True)
    email = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    student_class = fields.String(required=True)
    relationship = fields.String(required=True)
    is_primary = fields.Boolean(required=True)
    linked_at = fields.DateTime(required=True)


class ChildrenSchema(Schema):
    items = fields.List(fields.Nested(ChildSchema), required=True)


class AdminUserQuerySchema(PageArgsSchema):
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "E-mail or name contains"})
    role = fields.String(validate=validate.OneOf(SELF_SERVICE_ROLES + STAFF_ROLES))
    is_active = fields.Boolean()


UserListSchema = list_schema(UserSchema, "UserList")


class AdminUserCreateSchema(StrictSchema):
    email = EmailAddress(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True)
    role = fields.String(
        required=True, validate=validate.OneOf(STAFF_ROLES, error="Admins create teacher or admin accounts here.")
    )
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    phone = fields.String(validate=validate.Length(max=20), allow_none=True)


class AdminUserUpdateSchema(StrictSchema):
    is_active = fields.Boolean()
    role = fields.String(validate=validate.OneOf(SELF_SERVICE_ROLES + STAFF_ROLES))
    student_class = fields.String(validate=validate.OneOf(CLASSES))


class MappingCreateSchema(StrictSchema):
    parent_user_id = fields.UUID(required=True)
    student_user_id = fields.UUID(required=True)
    relationship = fields.String(load_default="other", validate=validate.OneOf(RELATIONSHIPS))
    is_primary = fields.Boolean(load_default=False)


class MappingSchema(Schema):
    mapping_id = fields.UUID(required=True)
    parent_user_id = fields.UUID(required=True)
    student_user_id = fields.UUID(required=True)
    relationship = fields.String(required=True)
    is_primary = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
