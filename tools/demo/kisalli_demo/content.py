"""What tutors write in feedback discussions, in Finnish and Swedish.

The sentences are the kind a workplace instructor writes down after a
feedback discussion; which ones a document gets is drawn from the seed.
"""

from __future__ import annotations

import random
from typing import Any

from kisalli_demo.reference import Qualification

MASTERS = {
    "fi": (
        "Hoitaa päivittäiset työtehtävät itsenäisesti ja huolellisesti.",
        "Noudattaa työturvallisuusohjeita ja pitää työpisteen siistinä.",
        "Asiakaspalvelu sujuu luontevasti, myös kiireisinä päivinä.",
        "Osaa käyttää työpaikan järjestelmiä ja kysyy rohkeasti neuvoa.",
    ),
    "sv": (
        "Sköter de dagliga arbetsuppgifterna självständigt och noggrant.",
        "Följer arbetarskyddsanvisningarna och håller arbetsplatsen i ordning.",
        "Kundbetjäningen fungerar naturligt, också under bråda dagar.",
    ),
}
PRACTISE_NEXT = {
    "fi": (
        "Seuraavalla jaksolla harjoitellaan työn suunnittelua ja aikataulutusta.",
        "Tavoitteena on ottaa vastuuta isommista kokonaisuuksista.",
        "Harjoitellaan poikkeustilanteiden hoitamista ja niistä raportointia.",
    ),
    "sv": (
        "Under nästa period övar vi planering och tidtabeller för arbetet.",
        "Målet är att ta ansvar för större helheter.",
    ),
}
SELF_ASSESSMENT = {
    "fi": (
        "Opiskelijan mielestä oppiminen on edennyt hyvin; "
        "työtehtävät tuntuvat nyt tutuilta.",
        "Opiskelija kokee tarvitsevansa vielä tukea kiireisissä tilanteissa.",
    ),
    "sv": (
        "Studeranden anser att lärandet har gått bra; "
        "arbetsuppgifterna känns nu bekanta.",
        "Studeranden upplever att hen ännu behöver stöd i brådskande situationer.",
    ),
}
RETURN_REASONS = {
    "fi": "Itsearviointini on kirjattu väärin: sovimme, että harjoittelen "
    "vielä kassatoimintoja. Korjaathan sen?",
    "sv": "Min självvärdering är fel antecknad: vi kom överens om att jag "
    "ännu övar kassafunktionerna. Kan du rätta det?",
    "en": "My self-assessment is not what we agreed: I still need to practise "
    "the till. Could you correct it?",
}


def _texts(language: str) -> str:
    return language if language in MASTERS else "fi"


def interim(
    rng: random.Random,
    qualification: Qualification,
    language: str,
    period: int,
    parts_in: str,
) -> dict[str, Any]:
    """A complete interim feedback: the parts worked on in this period rated.

    Texts are in the tutor's `language`; parts are named as the contract
    names them (`parts_in`).
    """
    lang = _texts(language)
    parts = qualification.parts
    worked_on = parts[period % len(parts) :][:2] or parts[:2]
    ratings: list[dict[str, Any]] = [
        {"part": p.key(parts_in), "rating": rng.choice([2, 2, 3, 1])} for p in worked_on
    ]
    later = [p for p in parts if p not in worked_on][:1]
    ratings += [{"part": p.key(parts_in), "rating": "not_assessed_yet"} for p in later]
    return {
        "kind": "interim",
        "ratings": ratings,
        "training_follows_plan": rng.choice(["yes", "yes", "partly"]),
        "masters": rng.choice(MASTERS[lang]),
        "practise_next": rng.choice(PRACTISE_NEXT[lang]),
        "student_self_assessment": rng.choice(SELF_ASSESSMENT[lang]),
        "free_text": "",
    }


def draft(
    rng: random.Random, qualification: Qualification, language: str, parts_in: str
) -> dict[str, Any]:
    """An interim feedback the tutor has only begun: a rating and a note."""
    first = qualification.parts[0]
    return {
        "kind": "interim",
        "ratings": [{"part": first.key(parts_in), "rating": rng.choice([2, 3])}],
        "masters": rng.choice(MASTERS[_texts(language)]),
    }


def return_reason(language: str) -> str:
    return RETURN_REASONS.get(language, RETURN_REASONS["fi"])
