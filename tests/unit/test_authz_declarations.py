"""Access declarations refuse mistakes when the module loads, not when a user calls."""

from __future__ import annotations

import pytest

from mathvidya.authz import current_principal, roles


@pytest.mark.parametrize("allowed", [("wizard",), ("admin", "superuser"), ()])
def test_a_view_cannot_be_declared_for_unknown_roles_or_none(allowed):
    with pytest.raises(ValueError):
        roles(*allowed)


def test_a_view_without_an_access_declaration_has_no_principal(app):
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="missing @signed_in/@roles"):
        current_principal()
