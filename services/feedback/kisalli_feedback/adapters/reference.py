"""The national qualifications, from the reference data shipped with the service.

data/qualifications.json is a copy of a few real qualifications and their
parts; a production deployment would load the current lists from the
national requirements service instead.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from kisalli_shared.contracts.feedback import QualificationPart

DATA = Path(__file__).resolve().parent.parent / "data" / "qualifications.json"


@cache
def _parts_by_code() -> dict[str, tuple[QualificationPart, ...]]:
    entries = json.loads(DATA.read_text(encoding="utf-8"))
    return {
        entry["code"]: tuple(
            QualificationPart(code=part["code"], name=part["name"]["fi"])
            for part in entry["parts"]
        )
        for entry in entries
    }


def parts_of(code: str | None) -> tuple[QualificationPart, ...]:
    """The parts of a qualification by its national code; () when unknown."""
    if code is None:
        return ()
    return _parts_by_code().get(code, ())
