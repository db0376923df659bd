"""People's names: one line of visible text, in any script."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from kisalli_shared.text import PersonName

names = TypeAdapter(PersonName)


@pytest.mark.parametrize(
    "name",
    [
        "Åsa Öberg-Nyström",
        "Nguyễn Thị Minh Khai",
        "Zoë O'Connor",
        "Kahvila & Co Oy",
        # Persian, with a non-joiner between two letters
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    ],
)
def test_names_in_any_script_are_taken_as_written(name):
    assert names.validate_python(f"  {name} ") == name


@pytest.mark.parametrize(
    "name",
    [
        "Matti\u202eenin",  # right-to-left override turns what follows
        "Matti\r\nBcc: someone@example.fi",
        "Matti\x00",
        "Mat\u200bti",  # zero width space: looks like "Matti"
        "   ",
    ],
)
def test_control_and_invisible_format_characters_are_refused(name):
    with pytest.raises(ValidationError):
        names.validate_python(name)
