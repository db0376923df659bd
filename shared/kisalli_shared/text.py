"""People's names as the APIs take them: one line of visible text.

A name goes into emails, bank files and documents. Control characters would
break their lines, and bidirectional or other invisible format characters
would make one name look like another (or reverse what follows it).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

# Joiners shape letters in several scripts; they hide nothing.
_JOINERS = {"\u200c", "\u200d"}


def _one_visible_line(value: str) -> str:
    for character in value:
        category = unicodedata.category(character)
        if category in {"Cc", "Zl", "Zp", "Cs", "Co", "Cn"} or (
            category == "Cf" and character not in _JOINERS
        ):
            raise ValueError(
                "must be one line of visible text, without control or"
                " formatting characters"
            )
    return value


PersonName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_one_visible_line),
]
