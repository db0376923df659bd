"""Complete contents of each kind of feedback document, for tests."""

from __future__ import annotations

from typing import Any

from tests.feedback.conftest import PARTS_OF_BUSINESS


def interim(rating: int | str = 2) -> dict[str, Any]:
    return {
        "kind": "interim",
        "ratings": [{"part": PARTS_OF_BUSINESS[0], "rating": rating}],
        "training_follows_plan": "yes",
        "masters": "Kassan ja asiakaspalvelun perusteet.",
        "practise_next": "Tilausten käsittely.",
        "student_self_assessment": "Opin nopeasti, tilaukset jännittävät.",
        "free_text": "",
    }


def final_assessment() -> dict[str, Any]:
    return {
        "kind": "final_assessment",
        "ratings": [{"part": part, "rating": 3} for part in PARTS_OF_BUSINESS],
        "summary": "Osaa työnsä hyvin.",
    }


def employer_certificate(start: str, end: str) -> dict[str, Any]:
    return {
        "kind": "employer_certificate",
        "employed_from": start,
        "employed_until": end,
        "main_tasks": "Asiakaspalvelu ja kassa.",
        "learning_assessment": "Oppi työtehtävät hyvin.",
        "issued_by": "Kaisa Kahvila",
        "issuer_title": "toimitusjohtaja",
    }
