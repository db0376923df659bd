"""Bank accounts of payees: checked and normalised with python-stdnum."""

from __future__ import annotations

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from kisalli_payments.domain.holds import HoldReason


class InvalidAccount(ValueError):
    pass


def normalise_iban(text: str) -> str:
    """An IBAN in its electronic form: upper case, no spaces; or InvalidAccount."""
    try:
        return str(stdnum_iban.validate(text))
    except ValidationError:
        raise InvalidAccount("not a valid IBAN") from None


def normalise_bic(text: str) -> str:
    try:
        return str(stdnum_bic.validate(text))
    except ValidationError:
        raise InvalidAccount("not a valid BIC") from None


def iban_problem(iban: str | None) -> HoldReason | None:
    if not iban or not iban.strip():
        return HoldReason.IBAN_MISSING
    try:
        normalise_iban(iban)
    except InvalidAccount:
        return HoldReason.IBAN_INVALID
    return None


def mask_iban(iban: str | None) -> str | None:
    """Country, check digits and the last two characters; the rest hidden."""
    if not iban:
        return None
    compact = "".join(iban.split()).upper()
    if len(compact) < 8:
        return "****"
    return f"{compact[:4]} **** **** {compact[-2:]}"
