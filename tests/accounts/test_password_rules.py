"""Which passwords are accepted: NIST SP 800-63B rev 4, no composition rules."""

from __future__ import annotations

import pytest

from kisalli_accounts.domain.passwords import (
    PasswordFault,
    PasswordRejected,
    check_password,
    common_passwords,
)

CONTEXT = ("aino.virtanen", "aino.virtanen@example.fi", "Aino Virtanen")


def fault_of(password: str) -> PasswordFault | None:
    try:
        check_password(password, context=CONTEXT)
    except PasswordRejected as rejected:
        return rejected.fault
    return None


@pytest.mark.parametrize(
    "password",
    [
        "kaksi kissaa kävelee",
        "alllowercaseletterswithnothingelse",
        "x" * 7 + "y" * 7 + "zq",
        "ääkköset ja åäö käyvät",
        "a" + "b" * 62 + "c",
    ],
)
def test_long_passwords_are_accepted_without_composition_rules(password):
    assert fault_of(password) is None


def test_fourteen_characters_are_too_few_and_sixty_five_too_many():
    assert fault_of("q" * 3 + "w" * 11) is PasswordFault.TOO_SHORT
    assert fault_of("pitkä lause " * 5 + "jatkuu") is PasswordFault.TOO_LONG


def test_length_counts_characters_not_bytes():
    assert fault_of("äöåäöåäöåäöåäöå") is not PasswordFault.TOO_SHORT


@pytest.mark.parametrize(
    "password",
    [
        "salasanasalasana",
        "Password123456789!",
        "qwertyuiopasdfghjkl",
        "1234567890123456",
        "aaaaaaaaaaaaaaaaaaaa",
        "!!!!!iloveyou!!!!!2024",
    ],
)
def test_common_passwords_and_their_easy_variants_are_refused(password):
    assert fault_of(password) is PasswordFault.COMMON


@pytest.mark.parametrize(
    "password",
    [
        "my name is aino.virtanen ok",
        "AINO.VIRTANEN@example.fi rocks",
        "i love using kisalli every day",
        "the Kisälli service is great",
    ],
)
def test_the_username_email_and_service_name_are_refused(password):
    assert fault_of(password) is PasswordFault.PERSONAL


def test_the_shipped_blocklist_holds_thousands_of_passwords():
    assert len(common_passwords()) > 3000
