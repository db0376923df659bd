"""The demo office's data: valid identifiers, three kinds of names, real
qualifications, the same office from the same seed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import bic, iban
from stdnum.fi import hetu, ytunnus

from kisalli_accounts.domain.passwords import check_password
from kisalli_demo import identifiers
from kisalli_demo.accounts import DEMO_PASSWORD
from kisalli_demo.loader import username_of
from kisalli_demo.office import DemoOffice, Employer, Story, Target, draw_office
from kisalli_demo.people import Origin
from kisalli_demo.stories import next_move

NATIONAL = Path(__file__).parents[2] / (
    "services/feedback/kisalli_feedback/data/qualifications.json"
)


def _employers(office: DemoOffice) -> list[Employer]:
    found = []
    for plan in office.contracts:
        found.append(plan.employer)
        if plan.mentor_company is not None:
            found.append(plan.mentor_company)
    return found


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**31))
def test_every_seed_gives_valid_identity_codes_business_ids_and_ibans(
    seed: int,
) -> None:
    office = draw_office(seed)

    codes = [plan.apprentice.personal_id for plan in office.contracts]
    employers = _employers(office)

    for code in codes:
        assert hetu.is_valid(code, allow_temporary=True)
        # Temporary codes only: no demo code can be a real person's.
        assert not hetu.is_valid(code)
    for employer in employers:
        assert ytunnus.is_valid(employer.business_id)
        assert iban.is_valid(employer.iban)
        assert employer.iban.startswith("FI")
        assert bic.is_valid(employer.bic)


def test_thousands_of_generated_identifiers_all_pass_python_stdnum() -> None:
    fake = Faker("fi_FI")
    fake.seed_instance(1)
    born = (date(1950, 1, 1), date(2009, 12, 31))

    codes = [identifiers.personal_id(fake, born) for _ in range(2000)]
    ids = [identifiers.business_id(fake) for _ in range(2000)]
    accounts = [identifiers.bank_account(fake) for _ in range(2000)]

    assert all(hetu.is_valid(c, allow_temporary=True) for c in codes)
    assert {c[6] for c in codes} == {"-", "A"}
    assert all(ytunnus.is_valid(i) for i in ids)
    assert all(iban.is_valid(a) and bic.is_valid(b) for a, b in accounts)


def test_the_same_seed_gives_the_same_office_and_another_seed_another() -> None:
    assert draw_office(11) == draw_office(11)
    assert draw_office(11) != draw_office(12)


def test_the_office_has_finnish_swedish_speaking_and_foreign_names() -> None:
    office = draw_office()
    people = [*office.staff, *office.members()]

    origins = {person.origin for person in people}
    swedish = [p for p in people if p.origin is Origin.SWEDISH_SPEAKING]
    names = [person.name for person in people]

    assert origins == set(Origin)
    assert all(person.language == "sv" for person in swedish)
    assert len(set(names)) == len(names)
    assert len({person.email.casefold() for person in people}) == len(people)


def test_contracts_name_real_qualifications_and_their_parts() -> None:
    national = {q["code"]: q for q in json.loads(NATIONAL.read_text())}

    for plan in draw_office().contracts:
        asked = plan.sign_request()["qualification"]
        known = national[asked["code"]]
        language = plan.apprentice.contract_language
        assert asked["name"] == known["name"][language]
        # A part without a Swedish name keeps its Finnish one.
        national_parts = {
            (p["code"], p["name"].get(language) or p["name"]["fi"])
            for p in known["parts"]
        }
        assert {(p["code"], p["name"]) for p in asked["parts"]} <= national_parts


def test_ratings_name_only_parts_of_the_contracts_qualification() -> None:
    for plan in draw_office().contracts:
        parts = plan.sign_request()["qualification"]["parts"]
        keys = {p["code"] or p["name"] for p in parts}
        for feedback in plan.feedback:
            rated = {r["part"] for r in feedback.content["ratings"]}
            assert rated and rated <= keys


def test_every_story_the_demo_promises_is_in_the_office() -> None:
    stories = {plan.story for plan in draw_office().contracts}

    assert stories == set(Story)


def test_the_demo_password_passes_the_password_rules_for_every_person() -> None:
    office = draw_office()

    for person in [*office.staff, *office.members()]:
        context = [username_of(person), person.email, person.name]
        check_password(DEMO_PASSWORD, context=context)


@pytest.mark.parametrize(
    ("state", "returned_by", "target", "move"),
    [
        ("draft", None, Target.PROCESSED, "submit"),
        ("submitted", None, Target.PROCESSED, "acknowledge"),
        ("acknowledged", None, Target.PROCESSED, "process"),
        ("processed", None, Target.PROCESSED, None),
        ("acknowledged", None, Target.SUBMITTED, None),
        ("draft", None, Target.RETURNED, "submit"),
        ("submitted", None, Target.RETURNED, "return"),
        ("draft", "student", Target.RETURNED, None),
    ],
)
def test_a_document_is_moved_only_while_it_is_short_of_its_planned_state(
    state: str, returned_by: str | None, target: Target, move: str | None
) -> None:
    assert next_move(state, returned_by, target) == move
