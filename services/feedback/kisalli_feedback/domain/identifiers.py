"""Finnish identifiers and bank accounts: validated, normalised, masked.

python-stdnum does the checking. Error messages never repeat the value: a
personal identity code must not reach a log line or a problem answer.
"""

from __future__ import annotations

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError
from stdnum.fi import hetu, ytunnus


class InvalidIdentifier(ValueError):
    """The value is not a valid identifier of its kind."""


def personal_id(value: str, *, allow_temporary: bool = False) -> str:
    """A valid personal identity code in its compact form.

    Century signs since 2023 (Y X W V U for the 1900s, B C D E F for the
    2000s) are accepted as well as - + and A. Temporary codes (individual
    number 900-999) are not codes of real people and are refused unless
    allowed.
    """
    try:
        return str(hetu.validate(value, allow_temporary=allow_temporary))
    except ValidationError:
        raise InvalidIdentifier("not a valid personal identity code") from None


def mask_personal_id(value: str) -> str:
    """Show the date of birth only: 010594Y9032 becomes 010594-****."""
    return f"{value[:6]}-****"


def business_id(value: str) -> str:
    """A valid business ID (Y-tunnus) as 1234567-8."""
    try:
        return str(ytunnus.format(ytunnus.validate(value)))
    except ValidationError:
        raise InvalidIdentifier("not a valid business ID") from None


def iban(value: str) -> str:
    """A valid IBAN, compact and upper case (spaces and case are forgiven)."""
    try:
        return str(stdnum_iban.validate(value))
    except ValidationError:
        raise InvalidIdentifier("not a valid IBAN") from None


def mask_iban(value: str) -> str:
    """Country and last four characters, grouped as printed: FI** **** **07 85."""
    hidden = "*" * (len(value) - 6)
    masked = f"{value[:2]}{hidden}{value[-4:]}"
    groups = [masked[i : i + 4] for i in range(0, len(masked), 4)]
    return " ".join(groups)


def bic(value: str) -> str:
    try:
        return str(stdnum_bic.validate(value))
    except ValidationError:
        raise InvalidIdentifier("not a valid BIC") from None
