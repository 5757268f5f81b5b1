"""When two e-mail addresses are the same account (docs/identity.md): pure rules, no I/O.

- Stored form: NFKC of the trimmed address (fullwidth `ａ` becomes `a`, ligatures split).
- Key (users.email_key, unique): NFKC, then Unicode case folding, then NFKC again. The
  database never folds case itself, so its collation cannot change who is who.
- Refused: addresses with invisible or control characters, a local part or domain whose
  letters come from more than one script (Latin `admin` with a Cyrillic `а`), or one
  written in a non-Latin script whose letters all look like Latin ones (an all-Cyrillic
  `аре`): they could pass for another address.
"""

from __future__ import annotations

import unicodedata

# Cyrillic and Greek lower-case letters that look like Latin ones (after case folding).
LATIN_LOOKALIKES = frozenset("аԁеһіјкӏорԛсѕսԝхуъьѵαβεηικνοτρυχωϲ")
COMMON_SCRIPT = "COMMON"


def stored_form(address: str) -> str:
    return unicodedata.normalize("NFKC", address).strip()


def email_key(address: str) -> str:
    """The comparison key: two addresses are one account exactly when their keys match."""
    return unicodedata.normalize("NFKC", stored_form(address).casefold()).strip()


def _script(char: str) -> str:
    """The script of a letter, from its Unicode name (LATIN SMALL LETTER E → LATIN);
    digits, marks and punctuation belong to every script."""
    if not unicodedata.category(char).startswith("L"):
        return COMMON_SCRIPT
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def _script_problem(part: str) -> str | None:
    letters = [c for c in part if _script(c) != COMMON_SCRIPT]
    scripts = {_script(c) for c in letters}
    if len(scripts) > 1:
        return "must not mix letters of different scripts (" + ", ".join(sorted(scripts)).lower() + ")"
    if scripts and scripts != {"LATIN"} and all(c in LATIN_LOOKALIKES for c in letters):
        return "uses only letters that look like Latin ones"
    return None


def lookalike_problem(address: str) -> str | None:
    """Why an address could impersonate another one, or None when it cannot. The local
    part and the domain are judged apart: each may use its own script."""
    key = email_key(address)
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp", "Zs") for c in key):
        return "must not contain spaces, invisible or control characters"
    local, _, domain = key.rpartition("@")
    return _script_problem(local) or _script_problem(domain)
