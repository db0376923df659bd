"""The demo office, drawn once from a seed: who works there, who studies,
for which employers, and where each contract's story has got to.

Everything here is plain data; nothing is sent anywhere. The same seed and
the same demo day always give the same office, down to every request body,
which is what lets a second load send the same requests with the same
Idempotency-Keys and change nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from faker import Faker

from kisalli_demo import content, identifiers
from kisalli_demo.people import Origin, People, Person, ascii_words
from kisalli_demo.reference import Qualification, qualification

DEFAULT_SEED = 2026
# The day the demo's story has reached. Fixed, so that every run draws the
# same dates; every period whose feedback the demo submits has begun by it.
DEFAULT_DEMO_DAY = date(2026, 9, 1)
OFFICE_ID = "demo-uusimaa"
OFFICE_NAME = "Uudenmaan oppisopimustoimisto (demo)"
OFFICE_DOMAIN = "oppisopimustoimisto.example"
STUDENT_DOMAIN = "opiskelija.example"


class Story(StrEnum):
    """Where a contract has got to."""

    JUST_SIGNED = "just signed"
    DRAFTED = "interim feedback drafted"
    SUBMITTED = "interim feedback submitted"
    ACKNOWLEDGED = "interim feedback acknowledged"
    PROCESSED = "interim feedback processed"
    RETURNED = "interim feedback returned by the apprentice"
    TUTOR_CHANGED = "tutor changed"
    ENDED_EARLY = "ended early"
    ENTREPRENEUR = "entrepreneur with a mentor's company"


class Target(StrEnum):
    """The state a feedback document is taken to."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    PROCESSED = "processed"
    RETURNED = "returned"


@dataclass(frozen=True)
class Employer:
    name: str
    business_id: str
    iban: str
    bic: str
    contact_email: str
    language: str
    domain: str

    def request(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "business_id": self.business_id,
            "iban": self.iban,
            "bic": self.bic,
            "contact_email": self.contact_email,
            "language": self.language,
        }


@dataclass(frozen=True)
class Apprentice:
    person: Person
    personal_id: str

    @property
    def contract_language(self) -> str:
        """The language the contract names the qualification in: Swedish for
        a Swedish-speaking apprentice, else Finnish (the requirements are
        published in these two)."""
        return "sv" if self.person.language == "sv" else "fi"


@dataclass(frozen=True)
class FeedbackPlan:
    key: str
    period_index: int
    content: dict[str, Any]
    target: Target
    by_new_tutor: bool = False
    return_reason: str = ""


@dataclass(frozen=True)
class TutorChange:
    tutor: Person
    effective_from: date


@dataclass(frozen=True)
class ContractPlan:
    key: str
    story: Story
    apprentice: Apprentice
    tutor: Person
    employer: Employer
    qualification: Qualification
    start: date
    end: date
    mentor_company: Employer | None = None
    agreed_amounts: tuple[tuple[int, str], ...] = ()
    feedback: tuple[FeedbackPlan, ...] = ()
    tutor_change: TutorChange | None = None
    early_end: date | None = None

    def sign_request(self) -> dict[str, Any]:
        student = self.apprentice.person
        language = self.apprentice.contract_language
        q = self.qualification
        body: dict[str, Any] = {
            "student": {
                "name": student.name,
                "email": student.email,
                "language": student.language,
                "personal_id": self.apprentice.personal_id,
            },
            "tutor": _person(self.tutor),
            "employer": self.employer.request(),
            "qualification": {
                "code": q.code,
                "name": q.name_in(language),
                "kind": q.contract_kind,
                "parts": [
                    {"code": p.code, "name": p.name_in(language)} for p in q.parts
                ],
            },
            "start_date": self.start.isoformat(),
            "end_date": self.end.isoformat(),
            "agreed_amounts": [
                {"from_month": month, "monthly_amount": amount}
                for month, amount in self.agreed_amounts
            ],
        }
        if self.mentor_company is not None:
            body["mentor_company"] = self.mentor_company.request()
        return body


@dataclass(frozen=True)
class DemoOffice:
    seed: int
    demo_day: date
    office_id: str
    name: str
    staff: tuple[Person, ...]
    contracts: tuple[ContractPlan, ...] = field(default=())

    def key(self, item: str) -> str:
        """The Idempotency-Key of one item of this office."""
        return f"kisalli-demo-{self.seed}-{self.demo_day:%Y%m%d}-{item}"

    def members(self) -> list[Person]:
        """Tutors and apprentices, each once, in the order they appear."""
        seen: dict[str, Person] = {}
        for plan in self.contracts:
            people = [plan.tutor, plan.apprentice.person]
            if plan.tutor_change is not None:
                people.append(plan.tutor_change.tutor)
            for person in people:
                seen.setdefault(person.email, person)
        return list(seen.values())


def _person(person: Person) -> dict[str, str]:
    return {"name": person.name, "email": person.email, "language": person.language}


def add_months(day: date, months: int) -> date:
    """The first of a month `months` away; the demo's contracts start on 1sts."""
    years, month = divmod(day.month - 1 + months, 12)
    return date(day.year + years, month + 1, 1)


# -- drawing the office ------------------------------------------------------


class _Draw:
    def __init__(self, seed: int, demo_day: date) -> None:
        # Reproducible by design: demo data, never secrets.
        self.rng = random.Random(seed)  # noqa: S311
        self.finnish = Faker("fi_FI")
        self.swedish = Faker("sv_SE")
        self.finnish.seed_instance(seed)
        self.swedish.seed_instance(seed + 1)
        self.people = People(self.finnish, self.swedish, self.rng)
        self.demo_day = demo_day

    def employer(self, origin: Origin) -> Employer:
        fake = self.swedish if origin is Origin.SWEDISH_SPEAKING else self.finnish
        name = fake.company()
        if origin is Origin.SWEDISH_SPEAKING:
            # Finnish registers write a Swedish-speaking company's form "Ab".
            name = name.replace(" AB", " Ab").replace(" HB", " Ab")
        if " " not in name:
            name = f"{name} Oy"
        domain = "-".join(ascii_words(name)) + ".example"
        iban, bic = identifiers.bank_account(self.finnish)
        return Employer(
            name=name,
            business_id=identifiers.business_id(self.finnish),
            iban=iban,
            bic=bic,
            contact_email=f"talous@{domain}",
            language="sv" if origin is Origin.SWEDISH_SPEAKING else "fi",
            domain=domain,
        )

    def tutor(self, origin: Origin, employer: Employer) -> Person:
        return self.people.person(origin, employer.domain)

    def apprentice(self, origin: Origin) -> Apprentice:
        born = (
            self.demo_day - timedelta(days=45 * 365),
            self.demo_day - timedelta(days=17 * 366),
        )
        return Apprentice(
            self.people.person(origin, STUDENT_DOMAIN),
            identifiers.personal_id(self.finnish, born),
        )


def draw_office(
    seed: int = DEFAULT_SEED, demo_day: date = DEFAULT_DEMO_DAY
) -> DemoOffice:
    """The demo office of a seed: the same seed gives the same office."""
    draw = _Draw(seed, demo_day)
    fi, sv, foreign = Origin.FINNISH, Origin.SWEDISH_SPEAKING, Origin.FOREIGN
    staff = (
        draw.people.person(fi, OFFICE_DOMAIN),
        draw.people.person(sv, OFFICE_DOMAIN),
    )
    shop, kitchen, builder, haulier, care = (
        draw.employer(fi),
        draw.employer(fi),
        draw.employer(fi),
        draw.employer(fi),
        draw.employer(sv),
    )
    own_firm, mentor_firm = draw.employer(fi), draw.employer(fi)
    tutors = {
        "shop": draw.tutor(fi, shop),
        "kitchen": draw.tutor(sv, kitchen),
        "builder": draw.tutor(fi, builder),
        "haulier": draw.tutor(fi, haulier),
        "haulier-next": draw.tutor(foreign, haulier),
        "care": draw.tutor(sv, care),
        "mentor": draw.tutor(fi, mentor_firm),
    }
    # (story, apprentice's origin, tutor, employer, qualification code)
    cast = [
        (Story.PROCESSED, fi, "shop", shop, "331101"),
        (Story.SUBMITTED, sv, "kitchen", kitchen, "381142"),
        (Story.ACKNOWLEDGED, foreign, "shop", shop, "331101"),
        (Story.DRAFTED, fi, "builder", builder, "352201"),
        (Story.RETURNED, foreign, "builder", builder, "352201"),
        (Story.TUTOR_CHANGED, fi, "haulier", haulier, "381408"),
        (Story.ENDED_EARLY, sv, "care", care, "371101"),
        (Story.JUST_SIGNED, foreign, "shop", shop, "437141"),
        (Story.ENTREPRENEUR, fi, "mentor", own_firm, "334121"),
        (Story.JUST_SIGNED, fi, "kitchen", kitchen, "381142"),
        (Story.PROCESSED, sv, "care", care, "371101"),
        (Story.SUBMITTED, foreign, "haulier", haulier, "381408"),
    ]
    contracts = []
    for number, (story, origin, tutor, employer, code) in enumerate(cast, start=1):
        contracts.append(
            _contract(
                draw,
                f"contract-{number:02d}",
                story,
                draw.apprentice(origin),
                tutors[tutor],
                employer,
                qualification(code),
                mentor_firm if story is Story.ENTREPRENEUR else None,
                tutors["haulier-next"],
            )
        )
    return DemoOffice(seed, demo_day, OFFICE_ID, OFFICE_NAME, staff, tuple(contracts))


# How long ago each story's contract started, in months before the demo
# day, and the state each period's interim feedback is taken to.
_HISTORY: dict[Story, tuple[int, tuple[Target, ...]]] = {
    Story.JUST_SIGNED: (-1, ()),
    Story.DRAFTED: (3, (Target.DRAFT,)),
    Story.SUBMITTED: (7, (Target.PROCESSED, Target.SUBMITTED)),
    Story.ACKNOWLEDGED: (5, (Target.ACKNOWLEDGED,)),
    Story.PROCESSED: (10, (Target.PROCESSED, Target.PROCESSED)),
    Story.RETURNED: (6, (Target.RETURNED,)),
    Story.TUTOR_CHANGED: (8, (Target.PROCESSED, Target.SUBMITTED)),
    Story.ENDED_EARLY: (12, (Target.PROCESSED, Target.PROCESSED)),
    Story.ENTREPRENEUR: (5, (Target.PROCESSED,)),
}


def _contract(
    draw: _Draw,
    key: str,
    story: Story,
    apprentice: Apprentice,
    tutor: Person,
    employer: Employer,
    qualified: Qualification,
    mentor_company: Employer | None,
    next_tutor: Person,
) -> ContractPlan:
    months_ago, targets = _HISTORY[story]
    start = add_months(draw.demo_day, -months_ago)
    months = 36 if qualified.kind == "vocational_upper_secondary" else 18
    end = add_months(start, months) - timedelta(days=1)
    change = None
    if story is Story.TUTOR_CHANGED:
        # The new tutor takes over two weeks into the second period.
        change = TutorChange(next_tutor, add_months(start, 4) + timedelta(days=14))
    early_end = None
    if story is Story.ENDED_EARLY:
        early_end = add_months(draw.demo_day, -1) - timedelta(days=1)
    agreed: tuple[tuple[int, str], ...] = ()
    if story is Story.PROCESSED and apprentice.person.language == "fi":
        agreed = ((1, "250.00"), (13, "180.00"), (25, "120.00"))
    feedback = tuple(
        _feedback(draw, key, index, target, qualified, tutor, apprentice, change)
        for index, target in enumerate(targets)
    )
    return ContractPlan(
        key=key,
        story=story,
        apprentice=apprentice,
        tutor=tutor,
        employer=employer,
        qualification=qualified,
        start=start,
        end=end,
        mentor_company=mentor_company,
        agreed_amounts=agreed,
        feedback=feedback,
        tutor_change=change,
        early_end=early_end,
    )


def _feedback(
    draw: _Draw,
    key: str,
    index: int,
    target: Target,
    qualified: Qualification,
    tutor: Person,
    apprentice: Apprentice,
    change: TutorChange | None,
) -> FeedbackPlan:
    by_new_tutor = change is not None and index > 0
    writer = change.tutor if by_new_tutor and change else tutor
    parts_in = apprentice.contract_language
    if target is Target.DRAFT:
        body = content.draft(draw.rng, qualified, writer.language, parts_in)
    else:
        body = content.interim(draw.rng, qualified, writer.language, index, parts_in)
    return FeedbackPlan(
        key=f"{key}-interim-{index}",
        period_index=index,
        content=body,
        target=target,
        by_new_tutor=by_new_tutor,
        return_reason=content.return_reason(apprentice.person.language),
    )
