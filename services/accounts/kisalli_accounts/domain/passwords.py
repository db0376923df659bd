"""What makes a password acceptable: NIST SP 800-63B rev 4, section 3.1.1.2.

Long enough, not absurdly long, not common, not the person's own name or the
service's. No composition rules and no expiry: the guideline advises against
both (https://pages.nist.gov/800-63-4/sp800-63b.html#passwordver).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from pathlib import Path

from kisalli_accounts.domain.names import canonical

MIN_LENGTH = 15
MAX_LENGTH = 64
SERVICE_WORDS = ("kisalli", "kisälli", "oppisopimus")
BLOCKLIST = Path(__file__).with_name("common-passwords.txt")
# Context words shorter than this would refuse too much: a username "ai"
# is inside countless good passphrases.
_SHORTEST_CONTEXT_WORD = 4
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class PasswordFault(StrEnum):
    TOO_SHORT = "too-short"
    TOO_LONG = "too-long"
    COMMON = "common"
    PERSONAL = "personal"


class PasswordRejected(ValueError):
    def __init__(self, fault: PasswordFault) -> None:
        super().__init__(fault.value)
        self.fault = fault


def normalised(password: str) -> str:
    """The form that is measured and hashed (NIST: NFKC before hashing)."""
    return unicodedata.normalize("NFKC", password)


def check_password(password: str, *, context: Iterable[str] = ()) -> None:
    """Raise PasswordRejected with the first fault found, else return."""
    text = normalised(password)

    # Length counts characters (code points), not bytes.
    if len(text) < MIN_LENGTH:
        raise PasswordRejected(PasswordFault.TOO_SHORT)
    if len(text) > MAX_LENGTH:
        raise PasswordRejected(PasswordFault.TOO_LONG)

    folded = canonical(text)
    if _is_common(folded):
        raise PasswordRejected(PasswordFault.COMMON)
    for word in (*SERVICE_WORDS, *_context_words(context)):
        if word in folded:
            raise PasswordRejected(PasswordFault.PERSONAL)


# Runs along the digits, the alphabet or the keyboard, either way round.
_RUNS = tuple(
    run * 8
    for forward in ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop")
    for run in (forward, forward[::-1])
)


def _is_common(folded: str) -> bool:
    core = _EDGES.sub("", folded)
    common = common_passwords()
    return (
        folded in common
        or core in common
        or _is_one_unit_repeated(folded)
        or any(folded in run for run in _RUNS)
    )


def _is_one_unit_repeated(text: str) -> bool:
    # "aaaaaaaaaaaaaaa", "abcabcabcabcabc": a short unit said over and over.
    return any(
        len(text) % size == 0 and text[:size] * (len(text) // size) == text
        for size in range(1, 5)
    )


def _context_words(context: Iterable[str]) -> list[str]:
    words: list[str] = []
    for value in context:
        folded = canonical(value)
        words.append(folded)
        if "@" in folded:
            local, _, domain = folded.partition("@")
            words.extend([local, domain.split(".")[0]])
    return [w for w in words if len(w) >= _SHORTEST_CONTEXT_WORD]


@cache
def common_passwords() -> frozenset[str]:
    lines = BLOCKLIST.read_text(encoding="utf-8").splitlines()
    return frozenset(canonical(line) for line in lines if line and line[0] != "#")
