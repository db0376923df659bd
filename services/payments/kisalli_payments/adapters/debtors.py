"""The offices' own accounts that payments are made from.

A JSON file maps office ids to {"name", "iban", "bic"}; settings give one
account for offices the file does not name. IBANs are checked on load, so a
wrong account stops the service at start instead of reaching a bank file.
"""

from __future__ import annotations

import json
from pathlib import Path

from kisalli_payments.domain.batch import Debtor
from kisalli_payments.domain.payees import normalise_bic, normalise_iban


class DebtorAccounts:
    def __init__(
        self, accounts: dict[str, Debtor], fallback: Debtor | None = None
    ) -> None:
        self._accounts = accounts
        self._fallback = fallback

    def of(self, office_id: str) -> Debtor | None:
        return self._accounts.get(office_id, self._fallback)

    @classmethod
    def load(cls, path: Path | None, fallback: Debtor | None = None) -> DebtorAccounts:
        if path is None:
            return cls({}, checked(fallback) if fallback else None)
        raw = json.loads(path.read_text(encoding="utf-8"))
        accounts = {
            office: checked(Debtor(a["name"], a["iban"], a.get("bic")))
            for office, a in raw.items()
        }
        return cls(accounts, checked(fallback) if fallback else None)


def checked(debtor: Debtor) -> Debtor:
    return Debtor(
        name=debtor.name,
        iban=normalise_iban(debtor.iban),
        bic=normalise_bic(debtor.bic) if debtor.bic else None,
    )
