"""The people of the demo office: Finnish, Swedish-speaking and foreign names.

Finnish and Swedish names come from Faker's fi_FI and sv_SE locales; a few
names of people who moved to Finland come from the list below. Each person
gets an address under a reserved `.example` domain (RFC 2606), so that a
demo pointed at a real mail server still mails nobody.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from faker import Faker


class Origin(StrEnum):
    FINNISH = "finnish"
    SWEDISH_SPEAKING = "swedish-speaking"
    FOREIGN = "foreign"


# Names common among people who moved to Finland (Statistics Finland's
# largest groups by language: Russian, Estonian, Arabic, Somali, English,
# Ukrainian, Persian, Chinese, Vietnamese...), with the language the demo
# gives them for the service.
FOREIGN_NAMES = (
    ("Olena Kovalenko", "en"),
    ("Abdirahman Warsame", "en"),
    ("Nguyễn Thị Lan", "en"),
    ("Ahmed Al-Sayed", "en"),
    ("Kadri Tamm", "fi"),
    ("Dmitri Volkov", "fi"),
    ("Zahra Hosseini", "en"),
    ("Li Wei", "en"),
)


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    language: str
    origin: Origin


def ascii_words(text: str) -> list[str]:
    """Lower-case ASCII words of a name: "Nguyễn Thị Lan" -> nguyen, thi, lan."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", plain.lower())


class People:
    """Draws people without repeating a name, from one seeded generator."""

    def __init__(self, finnish: Faker, swedish: Faker, rng: random.Random) -> None:
        self.finnish = finnish
        self.swedish = swedish
        self.taken: set[str] = set()
        self._foreign = list(FOREIGN_NAMES)
        rng.shuffle(self._foreign)

    def person(self, origin: Origin, domain: str) -> Person:
        name, language = self._name(origin)
        local = ".".join(ascii_words(name))
        return Person(name, f"{local}@{domain}", language, origin)

    def _name(self, origin: Origin) -> tuple[str, str]:
        for _ in range(100):
            name, language = self._draw(origin)
            if name not in self.taken:
                self.taken.add(name)
                return name, language
        raise RuntimeError(f"ran out of {origin} names")

    def _draw(self, origin: Origin) -> tuple[str, str]:
        if origin is Origin.FOREIGN:
            if not self._foreign:
                raise RuntimeError("ran out of foreign names")
            return self._foreign.pop()
        fake = self.finnish if origin is Origin.FINNISH else self.swedish
        language = "fi" if origin is Origin.FINNISH else "sv"
        return f"{fake.first_name()} {fake.last_name()}", language
