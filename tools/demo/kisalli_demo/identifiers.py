"""Finnish identifiers that pass the same checks the services make.

Faker draws the random parts from the demo's seeded generator; python-stdnum
computes or checks every check digit, so a generated value is valid by the
national rules and not only by its look.
"""

from __future__ import annotations

from datetime import date, timedelta

from faker import Faker
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.fi import hetu, ytunnus

# The control characters of a personal identity code, by remainder mod 31.
_HETU_CONTROL = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURY_SIGN = {1900: "-", 2000: "A"}

# Finnish banks by the first digits of the domestic account number, with
# their BICs (Finance Finland's list of bank codes).
BANKS = (
    ("1", "NDEAFIHH"),  # Nordea
    ("2", "NDEAFIHH"),  # Nordea
    ("5", "OKOYFIHH"),  # OP
    ("8", "DABAFIHH"),  # Danske Bank
    ("31", "HANDFIHH"),  # Handelsbanken
    ("33", "ESSEFIHX"),  # SEB
    ("36", "SBANFIHH"),  # S-Pankki
    ("39", "SBANFIHH"),  # S-Pankki
    ("405", "HELSFIHH"),  # Aktia
    ("471", "POPFFI22"),  # POP Pankki
    ("497", "HELSFIHH"),  # Aktia
    ("66", "AABAFI22"),  # Ålandsbanken
)


def personal_id(fake: Faker, born_between: tuple[date, date]) -> str:
    """A temporary personal identity code of someone born in the range.

    Individual numbers 900-999 are never given to real people (DVV's own
    example is 010594Y9032), so no demo code can be anyone's; the service
    takes them when ALLOW_TEMPORARY_PERSONAL_IDS is set, as `make run` does.
    Faker's own generator counts ages from the real today, which would make
    the demo differ from day to day, so the date is drawn here.
    """
    first, last = born_between
    born = first + timedelta(days=fake.random_int(0, (last - first).days))
    individual = fake.random_int(900, 999)
    digits = f"{born:%d%m%y}{individual:03d}"
    sign = _CENTURY_SIGN[born.year // 100 * 100]
    code = f"{digits[:6]}{sign}{digits[6:]}{_HETU_CONTROL[int(digits) % 31]}"
    return str(hetu.validate(code, allow_temporary=True))


def business_id(fake: Faker) -> str:
    """A business ID (Y-tunnus) as 1234567-8."""
    return str(ytunnus.format(ytunnus.validate(fake.company_business_id())))


def bank_account(fake: Faker) -> tuple[str, str]:
    """A Finnish IBAN of a real bank's number range, and that bank's BIC.

    The domestic number ends in a Luhn check digit and the IBAN carries its
    own mod 97 check digits, both computed by python-stdnum.
    """
    prefix, bic = fake.random_element(BANKS)
    body = prefix + fake.numerify("#" * (13 - len(prefix)))
    bban = body + luhn.calc_check_digit(body)
    check = stdnum_iban.calc_check_digits(f"FI00{bban}")
    iban = stdnum_iban.validate(f"FI{check}{bban}")
    return str(iban), str(stdnum_bic.validate(bic))
