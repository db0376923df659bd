"""The fields of an event model as flat leaves: a path, a kind, personal or not.

Nested value objects (a Person, a Payee) are walked into; lists, tuples and
free-form dicts stay one leaf holding JSON.

Which fields are personal is decided here, from the contract models, and
errs on the side of hiding: every text field is personal unless its name
says it is an identifier or a code, or it belongs to a value type that
describes no one (a qualification, a month's share of an amount). A field a
service adds tomorrow is therefore hidden until someone decides otherwise.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from kisalli_shared.contracts.feedback import (
    AgreedAmount,
    Qualification,
    QualificationPart,
)
from kisalli_shared.contracts.payments import MonthShare

# Value types whose text names things, not people.
IMPERSONAL_MODELS: frozenset[type[BaseModel]] = frozenset(
    {Qualification, QualificationPart, MonthShare, AgreedAmount}
)
# Text fields that hold codes or fixed words, not anything about a person.
# Names ending in _id or _by are identifiers (an account id, never a name).
IMPERSONAL_NAMES = frozenset({"language", "template", "content_hash", "bic"})


def impersonal_name(name: str) -> bool:
    return name in IMPERSONAL_NAMES or name.endswith(("_id", "_by"))


KIND_OF: dict[type, str] = {
    bool: "boolean",
    int: "integer",
    float: "number",
    Decimal: "decimal",
    datetime: "timestamp",
    date: "date",
    str: "text",
}


@dataclass(frozen=True)
class Leaf:
    path: tuple[str, ...]
    kind: str  # text, integer, number, decimal, date, timestamp, boolean, json
    personal: bool
    optional: bool
    description: str | None = None
    choices: tuple[str, ...] = ()  # the values of an enumeration

    @property
    def name(self) -> str:
        return "_".join(self.path)


def _without_none(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0], len(rest) < len(get_args(annotation))
    return annotation, False


def _models_inside(annotation: Any) -> Iterator[type[BaseModel]]:
    for arg in get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            yield arg
        else:
            yield from _models_inside(arg)


def _json_is_personal(annotation: Any) -> bool:
    # A list of impersonal values is impersonal; anything freer may hold text
    # about someone (the content of a feedback document, say).
    inside = list(_models_inside(annotation))
    return not inside or not all(m in IMPERSONAL_MODELS for m in inside)


def leaves(
    model: type[BaseModel], prefix: tuple[str, ...] = (), optional: bool = False
) -> Iterator[Leaf]:
    """Every leaf of a model, in field order."""
    for name, info in model.model_fields.items():
        annotation, maybe = _without_none(info.annotation)
        path = (*prefix, name)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from leaves(annotation, path, optional or maybe)
            continue
        choices: tuple[str, ...] = ()
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            kind, personal = "text", False
            choices = tuple(str(member.value) for member in annotation)
        elif isinstance(annotation, type) and annotation in KIND_OF:
            kind = KIND_OF[annotation]
            personal = (
                kind == "text"
                and model not in IMPERSONAL_MODELS
                and not impersonal_name(name)
            )
        else:
            kind, personal = "json", _json_is_personal(annotation)
        yield Leaf(path, kind, personal, optional or maybe, info.description, choices)
