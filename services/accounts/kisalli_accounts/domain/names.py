"""Usernames and email addresses, compared in one canonical form.

Two names that look alike to a person must not belong to two people: "Aino",
"aino", the fullwidth "\uff21\uff29\uff2e\uff2f" and "\ufb01nn" / "finn" (a
ligature) are each the same name. The canonical form is NFKC normalisation
and case folding, repeated until nothing changes, because one pass of each is
not always idempotent (https://www.unicode.org/reports/tr15/).
"""

from __future__ import annotations

import re
import unicodedata

USERNAME_MAX = 64
EMAIL_MAX = 254
_PASSES = 5
# A canonical username is plain ASCII, so that no letter from another script
# can pass for a Latin one (Cyrillic "\u0430" against Latin "a").
_USERNAME = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{1,62})[a-z0-9]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_FINNISH_LETTERS = str.maketrans({"ä": "a", "ö": "o", "å": "a", "ü": "u"})


class InvalidName(ValueError):
    """A username or email that cannot be used, with the reason as a code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def canonical(text: str) -> str:
    """The form in which two names are compared; canonical(canonical(x)) == it."""
    current = text.strip()
    for _ in range(_PASSES):
        folded = unicodedata.normalize("NFKC", current.casefold()).strip()
        if folded == current:
            return folded
        current = folded
    return current


def canonical_username(username: str) -> str:
    name = canonical(username)
    if "@" in name or not _USERNAME.match(name):
        raise InvalidName("username-format")
    return name


def canonical_email(email: str) -> str:
    address = canonical(email)
    if len(address) > EMAIL_MAX or not _EMAIL.match(address):
        raise InvalidName("email-format")
    return address


def username_base(name: str) -> str:
    """A username suggested by a person's name: "Äijälä Aino" -> "aijala.aino"."""
    folded = canonical(name).translate(_FINNISH_LETTERS)
    ascii_only = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore")
    words = re.findall(r"[a-z0-9]+", ascii_only.decode())
    base = ".".join(words)[:40].strip(".")
    return base if len(base) >= 3 else f"user.{base}".strip(".")


def is_login_email(login: str) -> bool:
    return "@" in login
