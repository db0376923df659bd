"""What notifications knows of a contract: its dates and whom to write to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kisalli_notifications.domain.emails import Recipient


@dataclass(frozen=True)
class Contract:
    contract_id: str
    office_id: str
    start: date
    end: date
    tutor: Recipient
    student: Recipient
    # The employer's contact for compensation, when the contract names one.
    payee: Recipient | None = None
    payee_name: str = ""
    qualification: str = ""
