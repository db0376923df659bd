"""Real Finnish qualifications and their parts, as the national requirements
name them (data/qualifications.json, copied from the shared reference data)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "qualifications.json"


@dataclass(frozen=True)
class Part:
    code: str | None
    name: dict[str, str]

    def name_in(self, language: str) -> str:
        return self.name.get(language) or self.name["fi"]

    def key(self, language: str) -> str:
        """How a rating names the part: its code, else its name as the
        contract gives it."""
        return self.code or self.name_in(language)


@dataclass(frozen=True)
class Qualification:
    code: str
    name: dict[str, str]
    kind: str
    entrepreneur: bool
    parts: tuple[Part, ...]

    def name_in(self, language: str) -> str:
        return self.name.get(language) or self.name["fi"]

    @property
    def contract_kind(self) -> str:
        """The kind a contract gives: entrepreneurs' qualifications are paid
        by their own rate, whatever their level."""
        return "entrepreneur" if self.entrepreneur else self.kind


@cache
def qualifications() -> tuple[Qualification, ...]:
    document = json.loads(DATA.read_text(encoding="utf-8"))
    return tuple(
        Qualification(
            code=q["code"],
            name=q["name"],
            kind=q["kind"],
            entrepreneur=q["entrepreneur"],
            parts=tuple(Part(p["code"], p["name"]) for p in q["parts"]),
        )
        for q in document["qualifications"]
    )


def qualification(code: str) -> Qualification:
    for found in qualifications():
        if found.code == code:
            return found
    raise KeyError(code)
