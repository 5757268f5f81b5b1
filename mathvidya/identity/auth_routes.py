"""/auth: sign-up, sign-in, token rotation, sign-out, e-mail verification, password reset.
Rate-limited per IP (mathvidya.rate_limits) on top of the per-account lockout."""

from __future__ import annotations

from flask.views import MethodView

from mathvidya import db
from mathvidya.authz import client_ip, current_principal, public, signed_in
from mathvidya.config import current_settings
from mathvidya.identity import schemas, service, tokens
from mathvidya.identity.service import NewUser
from mathvidya.redis_client import redis_conn
from mathvidya.schema_dump import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Accounts and sessions")


@blp.route("/register")
class Register(MethodView):
    @public
    @blp.arguments(schemas.RegisterSchema)
    @blp.response(201, schemas.RegisteredSchema)
    @blp.alt_response(409, description="EMAIL_TAKEN")
    def post(self, body):
        """Create a student or parent account (teachers and admins are created by admins)."""
        new = NewUser(
            email=body["email"],
            password=body["password"],
            role=body["role"],
            first_name=body["first_name"],
            last_name=body["last_name"],
            student_class=body.get("student_class"),
            phone=body.get("phone"),
            school_name=body.get("school_name"),
        )
        return service.register(db.request_connection(), current_settings(), new, client_ip())


@blp.route("/login")
class Login(MethodView):
    @public
    @blp.arguments(schemas.LoginSchema)
    @blp.response(200, schemas.LoginResultSchema)
    @blp.alt_response(401, description="INVALID_CREDENTIALS")
    @blp.alt_response(429, description="ACCOUNT_LOCKED (Retry-After) or RATE_LIMITED")
    def post(self, body):
        """Sign in: an access token (15 min) and a refresh token (30 days)."""
        return service.login(db.request_connection(), redis_conn(), body["email"], body["password"], client_ip())


@blp.route("/refresh")
class Refresh(MethodView):
    @public
    @blp.arguments(schemas.RefreshSchema)
    @blp.response(200, schemas.TokenPairSchema)
    @blp.alt_response(401, description="Invalid, expired, revoked or reused refresh token")
    def post(self, body):
        """Rotate: the presented refresh token is spent; reusing it ends the whole session."""
        return tokens.rotate(db.request_connection(), body["refresh_token"])


@blp.route("/logout")
class Logout(MethodView):
    @signed_in
    @blp.arguments(schemas.LogoutSchema)
    @blp.response(204)
    def post(self, body):
        """End this session: its refresh and access tokens stop working at once."""
        principal = current_principal()
        tokens.end_session(db.request_connection(), principal.user_id, body.get("refresh_token"), principal.family_id)


@blp.route("/verify-email")
class VerifyEmail(MethodView):
    @public
    @blp.arguments(schemas.VerifyEmailSchema)
    @blp.response(200, schemas.VerifiedSchema)
    @blp.alt_response(400, description="TOKEN_INVALID")
    def post(self, body):
        """Confirm an e-mail address with the token from the verification e-mail."""
        service.verify_email(db.request_connection(), body["token"])
        return {"email_verified": True}


@blp.route("/password-reset/request")
class PasswordResetRequest(MethodView):
    @public
    @blp.arguments(schemas.PasswordResetRequestSchema)
    @blp.response(202)
    def post(self, body):
        """Always 202, whether or not the address has an account."""
        service.request_password_reset(db.request_connection(), current_settings(), body["email"], client_ip())


@blp.route("/password-reset/confirm")
class PasswordResetConfirm(MethodView):
    @public
    @blp.arguments(schemas.PasswordResetConfirmSchema)
    @blp.response(204)
    @blp.alt_response(400, description="TOKEN_INVALID")
    def post(self, body):
        """Set a new password; every session of the user ends."""
        service.confirm_password_reset(db.request_connection(), body["token"], body["new_password"], client_ip())
