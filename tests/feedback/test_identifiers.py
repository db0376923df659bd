"""Personal identity codes, business IDs and IBANs: checked, normalised, masked."""

from __future__ import annotations

from datetime import date

import pytest

from kisalli_feedback.domain.identifiers import (
    InvalidIdentifier,
    business_id,
    iban,
    mask_iban,
    mask_personal_id,
    personal_id,
)
from tests.feedback.conftest import personal_id as make_code


@pytest.mark.parametrize("sign", ["-", "Y", "X", "W", "V", "U"])
def test_the_century_signs_of_the_1900s_in_use_since_2023_are_accepted(sign):
    code = make_code(date(1994, 5, 1), 123, sign)

    assert personal_id(code) == code


@pytest.mark.parametrize("sign", ["A", "B", "C", "D", "E", "F"])
def test_the_century_signs_of_the_2000s_are_accepted(sign):
    code = make_code(date(2005, 1, 1), 345, sign)

    assert personal_id(code.lower()) == code


def test_a_temporary_code_like_the_official_example_is_accepted_only_when_allowed():
    assert personal_id("010594Y9032", allow_temporary=True) == "010594Y9032"
    with pytest.raises(InvalidIdentifier):
        personal_id("010594Y9032")


@pytest.mark.parametrize(
    "bad", ["010594Y9033", "010594G1234", "320194-1234", "x" * 11, "0105941234"]
)
def test_a_bad_personal_identity_code_is_refused_without_repeating_it(bad):
    with pytest.raises(InvalidIdentifier) as refused:
        personal_id(bad)

    assert bad not in str(refused.value)


def test_a_personal_identity_code_is_shown_by_its_date_only():
    assert mask_personal_id("010594Y9032") == "010594-****"


def test_a_business_id_is_checked_and_written_with_its_dash():
    assert business_id("01120389") == "0112038-9"
    with pytest.raises(InvalidIdentifier):
        business_id("0112038-8")


def test_an_iban_is_forgiven_its_spaces_and_case_and_shown_masked():
    compact = iban("fi21 1234 5600 0007 85")

    assert compact == "FI2112345600000785"
    assert mask_iban(compact) == "FI** **** **** **07 85"
    with pytest.raises(InvalidIdentifier):
        iban("FI21 1234 5600 0007 86")
