"""Which addresses are one account, and which are refused as look-alikes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya.identity.email_identity import email_key, lookalike_problem, stored_form


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Éve@x.in", "éve@x.in"),
        ("E\u0301ve@x.in", "éve@x.in"),  # decomposed É (E + combining acute)
        ("ASHA@EXAMPLE.IN", "asha@example.in"),
        ("ａｓｈａ@ｅｘａｍｐｌｅ.ｉｎ", "asha@example.in"),  # fullwidth
        ("Straße@x.in", "strasse@x.in"),
        ("  asha@x.in ", "asha@x.in"),
        ("ﬁle@x.in", "file@x.in"),  # ligature
    ],
)
def test_these_addresses_are_one_account(one, other):
    assert email_key(one) == email_key(other)


@pytest.mark.parametrize(("one", "other"), [("asha@x.in", "asha1@x.in"), ("éve@x.in", "eve@x.in")])
def test_these_are_different_accounts(one, other):
    assert email_key(one) != email_key(other)


def test_the_stored_form_keeps_case_but_folds_compatibility_forms():
    assert stored_form(" Ａsha@X.in ") == "Asha@X.in"


@pytest.mark.parametrize(
    "address",
    [
        "asha@x.in",
        "Éve.Dupont@exemple.fr",
        "иван@почта.рф",  # Cyrillic, with letters no Latin one looks like
        "राम@उदाहरण.भारत",  # Devanagari with its vowel signs
        "राम@example.in",  # an Indic mailbox at a Latin domain
        "user+tag-1@sub.example.co.in",
    ],
)
def test_these_addresses_are_accepted(address):
    assert lookalike_problem(address) is None


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("\u0430dmin@x.in", "mix"),  # Cyrillic а + Latin
        ("admin@x.\u0456n", "mix"),  # Cyrillic і in the domain
        ("p\u03b1ypal@x.in", "mix"),  # Greek alpha
        ("\u0430\u0440\u0435@\u0435\u0445\u043e.\u0441\u043e", "look like Latin"),  # all-Cyrillic look-alike
        ("\u0430\u0440\u0435@x.in", "look like Latin"),  # Cyrillic look-alike local part
        ("as\u200bha@x.in", "invisible"),  # zero-width space
        ("as ha@x.in", "spaces"),
    ],
)
def test_look_alikes_are_refused(address, why):
    problem = lookalike_problem(address)
    assert problem is not None and why in problem


@given(st.text(min_size=1, max_size=30))
def test_the_key_is_stable(text):
    """Folding a key again changes nothing: the unique index sees one value per account."""
    assert email_key(email_key(text)) == email_key(text)
