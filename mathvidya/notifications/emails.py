"""E-mail templates (Jinja2, one plain-text and one HTML file per event under templates/)
and the per-user e-mail opt-out categories.

The plain-text template names its subject with ``{% set subject = ... %}``; the HTML one
extends ``_layout.html``. Templates use StrictUndefined, so a caller that forgets a value
fails in tests instead of mailing a blank.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape


@dataclass(frozen=True)
class Email:
    to_address: str
    subject: str
    body_text: str
    body_html: str | None = None


TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
GENERIC_TEMPLATE = "notification"

# Opt-out categories a user may switch off in PATCH /users/me {"email_opt_out": {category: true}}.
# "account" (verification, password reset) is not among them: those e-mails always go.
EMAIL_CATEGORIES = ("evaluation", "sla", "subscription", "parent_link")
ACCOUNT = "account"
CATEGORY_BY_PREFIX = {
    "evaluation": "evaluation",
    "exam": "evaluation",
    "sla": "sla",
    "subscription": "subscription",
    "parent": "parent_link",
    "account": ACCOUNT,
    "user": ACCOUNT,
}

# The context each template needs besides first_name (which notify() supplies); the
# optional values are in brackets. docs/admin.md names the events.
TEMPLATE_CONTEXT: dict[str, tuple[str, ...]] = {
    "evaluation.assigned": ("candidate", "exam_name", "deadline", "link"),
    "sla.warning": ("candidate", "exam_name", "deadline", "hours_left", "link"),
    "evaluation.completed": ("exam_name", "score", "link", "[for_parent]", "[student_name]", "[turnaround]"),
    "sla.breached": ("student_name", "exam_name", "teacher_name", "deadline", "link"),
    "subscription.expiring": ("plan_name", "last_day", "link", "[student_name]"),
    "parent.linked": ("link", "[parent_name]"),
    "account.verify_email": ("link",),
    "account.password_reset": ("link", "[minutes]"),
    GENERIC_TEMPLATE: ("title", "body", "[link]"),
}

_environment = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def email_category(event_type: str) -> str:
    """The opt-out category of an event ("evaluation.completed" → "evaluation")."""
    return CATEGORY_BY_PREFIX.get(event_type.split(".", 1)[0], "other")


def wants_email(opt_out: dict[str, Any] | None, event_type: str) -> bool:
    """False when the user switched off the event's category (or the event itself);
    account e-mails are always wanted."""
    category = email_category(event_type)
    if category == ACCOUNT:
        return True
    opt_out = opt_out or {}
    return not (opt_out.get(category) is True or opt_out.get(event_type) is True)


def has_template(event_type: str) -> bool:
    return (TEMPLATE_DIR / f"{event_type}.txt").exists()


def render_email(event_type: str, to_address: str, **context: Any) -> Email:
    """The e-mail of one event, rendered from its templates (the generic one for an event
    without its own: context ``title`` and ``body``)."""
    name = event_type if has_template(event_type) else GENERIC_TEMPLATE
    try:
        text_template = _environment.get_template(f"{name}.txt")
    except TemplateNotFound:  # pragma: no cover - the generic template ships with the package
        raise LookupError(f"no e-mail template for {event_type}") from None
    module = text_template.make_module(context)
    subject = " ".join(str(getattr(module, "subject", "")).split()) or "Mathvidya"
    body_text = str(module).strip() + "\n"
    body_html = _environment.get_template(f"{name}.html").render(subject=subject, **context)
    return Email(to_address, subject, body_text, body_html)
