"""Which fields a pseudonymised replay hides, decided from the contract models."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from kisalli_replay.pseudonyms import Pseudonymiser
from tests.replay.producing import contract_signed

KEY = "analyst-key"


def test_a_signed_contract_keeps_no_name_email_personal_id_or_iban_in_clear() -> None:
    envelope = contract_signed("office-7", "Aino", datetime(2025, 1, 1, tzinfo=UTC))
    clear = envelope.data

    hidden = json.loads(Pseudonymiser(KEY).data("ContractSigned", json.dumps(clear)))

    for person in ("student", "tutor"):
        assert hidden[person]["name"] != clear[person]["name"]
        assert hidden[person]["email"] != clear[person]["email"]
    assert hidden["student"]["personal_id_masked"] != "010203-****"
    assert hidden["employer"]["iban"] != clear["employer"]["iban"]
    assert hidden["employer"]["contact_email"] != clear["employer"]["contact_email"]
    # What describes no one stays readable for analysis.
    for kept in ("contract_id", "office_id", "qualification", "start_date"):
        assert hidden[kept] == clear[kept]
    assert hidden["employer"]["business_id"] == clear["employer"]["business_id"]
    assert hidden["student"]["language"] == clear["student"]["language"]


def test_one_person_gets_one_pseudonym_whatever_the_case_of_their_email() -> None:
    pseudonymiser = Pseudonymiser(KEY)

    assert pseudonymiser.pseudonym("Aino@Example.fi") == pseudonymiser.pseudonym(
        "aino@example.fi"
    )


def test_an_event_type_without_a_model_has_all_its_text_hidden_but_identifiers() -> (
    None
):
    data = {"account_id": "a-1", "note": "call Aino", "nested": [{"who": "Aino"}]}

    hidden = json.loads(Pseudonymiser(KEY).data("SomethingNew", json.dumps(data)))

    assert hidden["account_id"] == "a-1"
    assert "Aino" not in json.dumps(hidden)
