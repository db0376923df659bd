"""Value types more than one service's events carry."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Language(StrEnum):
    FI = "fi"
    SV = "sv"
    EN = "en"


class Role(StrEnum):
    TUTOR = "tutor"
    STUDENT = "student"
    OFFICE_STAFF = "office_staff"


class Value(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Person(Value):
    """A person named in a contract. Never carries a personal identity code."""

    name: str
    email: str
    language: Language = Language.FI
