"""Text as it may appear in a SEPA credit transfer file.

The pain.001 schema takes any Unicode, but banks take less. EPC's SEPA
basic Latin set is a-z A-Z 0-9 / - ? : ( ) . , ' + and space. Finnish banks
accept å, ä and ö (and their capitals) in names and remittance information
of payments in Finland and convert them themselves where a payment goes
abroad (Nordea's Corporate Payments Service guide says so), so those are
kept; every other letter is written without its accent (é -> e, ß -> ss),
and what is still outside the set becomes a space. Names are cut to the
schema's 70 characters (Max70Text), remittance text to 140.
"""

from __future__ import annotations

import string
import unicodedata

NAME_LIMIT = 70
REMITTANCE_LIMIT = 140

_BASIC = set(string.ascii_letters + string.digits + "/-?:().,'+ ")
_FINNISH = set("åäöÅÄÖ")
_SPELLED_OUT = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "ø": "o",
    "Ø": "O",
    "œ": "oe",
    "Œ": "OE",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "þ": "th",
    "Þ": "TH",
    "&": "+",
}


def bank_text(text: str, limit: int) -> str:
    """`text` in the characters banks accept, cut to `limit` characters."""
    written = "".join(_letter(ch) for ch in unicodedata.normalize("NFC", text))
    collapsed = " ".join(written.split())
    return collapsed[:limit].rstrip()


def _letter(ch: str) -> str:
    if ch in _BASIC or ch in _FINNISH:
        return ch
    if ch in _SPELLED_OUT:
        return _SPELLED_OUT[ch]
    bare = "".join(
        c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
    )
    return "".join(c if c in _BASIC else " " for c in bare) or " "


def bank_name(name: str) -> str:
    return bank_text(name, NAME_LIMIT) or "NOTPROVIDED"
