"""/notifications: the caller's own in-app notifications."""

from __future__ import annotations

from flask.views import MethodView

from mathvidya import business_time, db
from mathvidya.authz import current_principal, signed_in
from mathvidya.notifications import schemas, service
from mathvidya.schema_dump import Blueprint

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="In-app notifications")


@blp.route("/notifications")
class Notifications(MethodView):
    @signed_in
    @blp.arguments(schemas.NotificationQuerySchema, location="query")
    @blp.response(200, schemas.NotificationListSchema)
    def get(self, args):
        """The caller's notifications, newest first (`?unread=true` for unread only), with `unread_count`."""
        return service.list_own(
            db.request_connection(), current_principal().user_id, args["unread"], args["limit"], args["offset"]
        )


@blp.route("/notifications/<uuid:notification_id>/read")
class NotificationRead(MethodView):
    @signed_in
    @blp.response(200, schemas.NotificationSchema)
    @blp.alt_response(404, description="No such notification of the caller's")
    def post(self, notification_id):
        """Mark one of the caller's notifications read (reading twice is harmless)."""
        return service.mark_read(
            db.request_connection(), current_principal().user_id, notification_id, business_time.now()
        )


@blp.route("/notifications/read-all")
class NotificationsReadAll(MethodView):
    @signed_in
    @blp.response(200, schemas.ReadAllSchema)
    def post(self):
        """Mark all the caller's notifications read."""
        return service.mark_all_read(db.request_connection(), current_principal().user_id, business_time.now())
