"""Why a compensation cannot be paid yet, in words the payee and office read."""

from __future__ import annotations

from enum import StrEnum


class HoldReason(StrEnum):
    CONTRACT_UNKNOWN = "contract-unknown"
    IBAN_MISSING = "iban-missing"
    IBAN_INVALID = "iban-invalid"
    CONTRACT_ENDED = "contract-ended"
    RATE_MISSING = "rate-missing"


_TEXTS: dict[HoldReason, dict[str, str]] = {
    HoldReason.CONTRACT_UNKNOWN: {
        "fi": "Oppisopimuksen tiedot eivät ole vielä maksatuksen käytössä.",
        "sv": "Läroavtalets uppgifter har ännu inte kommit till utbetalningen.",
        "en": "The contract's details have not reached payments yet.",
    },
    HoldReason.IBAN_MISSING: {
        "fi": "Maksunsaajan tilinumero (IBAN) puuttuu.",
        "sv": "Betalningsmottagarens kontonummer (IBAN) saknas.",
        "en": "The payee's bank account (IBAN) is missing.",
    },
    HoldReason.IBAN_INVALID: {
        "fi": "Maksunsaajan tilinumero (IBAN) ei ole kelvollinen.",
        "sv": "Betalningsmottagarens kontonummer (IBAN) är inte giltigt.",
        "en": "The payee's bank account (IBAN) is not valid.",
    },
    HoldReason.CONTRACT_ENDED: {
        "fi": "Oppisopimus päättyi ennen jakson alkua.",
        "sv": "Läroavtalet upphörde innan perioden började.",
        "en": "The contract ended before the period began.",
    },
    HoldReason.RATE_MISSING: {
        "fi": "Koulutuskorvauksen taksa puuttuu osalta jaksoa.",
        "sv": "Taxan för utbildningsersättningen saknas för en del av perioden.",
        "en": "No compensation rate covers part of the period.",
    },
}


def reason_text(reason: HoldReason, language: str) -> str:
    texts = _TEXTS[reason]
    return texts.get(language, texts["fi"])
