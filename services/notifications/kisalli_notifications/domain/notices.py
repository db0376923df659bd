"""Which emails an event calls for, and to whom. Pure: no I/O.

Each function takes an event and what the directory knows, and returns the
emails to queue; the links they carry are built from the public base URL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kisalli_notifications.domain.contracts import Contract
from kisalli_notifications.domain.emails import OutgoingEmail, Recipient, Template
from kisalli_shared.contracts import accounts, feedback, payments


def mask_address(email: str) -> str:
    """Enough of an address for its owner to know it, not for others to use."""
    local, _, domain = email.partition("@")
    return f"{local[:2]}***@{domain}" if domain else "***"


def _feedback_facts(event: feedback.FeedbackFacts, base_url: str) -> dict[str, Any]:
    return {
        "feedback_id": event.feedback_id,
        "kind": event.kind.value,
        "period_index": event.period_index,
        "period_start": event.period_start.isoformat(),
        "period_end": event.period_end.isoformat(),
        "link": f"{base_url}/feedback/{event.feedback_id}",
    }


def _greeting(who: Recipient) -> dict[str, Any]:
    return {"name": who.name}


# Accounts


def secret_link_email(link: accounts.SecretLink, sealed: str) -> OutgoingEmail:
    template = (
        Template.ACCOUNT_ACTIVATION
        if link.kind is accounts.SecretLinkKind.ACTIVATION
        else Template.PASSWORD_RESET
    )
    to = Recipient(link.email, link.language, link.name)
    context = {
        **_greeting(to),
        "username": link.username,
        "expires_at": link.expires_at.isoformat(),
    }
    return OutgoingEmail(template, to, context, sealed_link=sealed)


def password_changed(to: Recipient, at: datetime) -> list[OutgoingEmail]:
    context = {**_greeting(to), "changed_at": at.isoformat()}
    return [OutgoingEmail(Template.PASSWORD_CHANGED, to, context)]


def password_reset_completed(to: Recipient, at: datetime) -> list[OutgoingEmail]:
    context = {**_greeting(to), "changed_at": at.isoformat()}
    return [OutgoingEmail(Template.PASSWORD_RESET_COMPLETED, to, context)]


def email_changed(
    event: accounts.EmailChanged, language: Any, name: str
) -> list[OutgoingEmail]:
    old = Recipient(event.old_email, language, name)
    new = Recipient(event.new_email, language, name)
    return [
        OutgoingEmail(
            Template.EMAIL_CHANGED_OLD_ADDRESS,
            old,
            {**_greeting(old), "new_email_masked": mask_address(event.new_email)},
        ),
        OutgoingEmail(
            Template.EMAIL_CHANGED_NEW_ADDRESS,
            new,
            {**_greeting(new), "new_email": event.new_email},
        ),
    ]


def account_locked(event: accounts.AccountLocked, to: Recipient) -> list[OutgoingEmail]:
    context = {**_greeting(to), "locked_until": event.locked_until.isoformat()}
    return [OutgoingEmail(Template.ACCOUNT_LOCKED, to, context)]


# Feedback


def feedback_submitted(
    event: feedback.FeedbackSubmitted, contract: Contract, base_url: str
) -> list[OutgoingEmail]:
    to = contract.student
    context = {
        **_greeting(to),
        **_feedback_facts(event, base_url),
        "tutor_name": contract.tutor.name,
    }
    return [
        OutgoingEmail(
            Template.FEEDBACK_AWAITING_ACKNOWLEDGEMENT,
            to,
            context,
            office_id=contract.office_id,
        )
    ]


def feedback_returned(
    event: feedback.FeedbackReturned, contract: Contract, base_url: str
) -> list[OutgoingEmail]:
    to = contract.tutor
    context = {
        **_greeting(to),
        **_feedback_facts(event, base_url),
        "student_name": contract.student.name,
        "returned_by": event.returned_by,
        "reason": event.reason,
    }
    return [
        OutgoingEmail(
            Template.FEEDBACK_RETURNED, to, context, office_id=contract.office_id
        )
    ]


def feedback_processed(
    event: feedback.FeedbackProcessed, contract: Contract, base_url: str
) -> list[OutgoingEmail]:
    facts = {
        **_feedback_facts(event, base_url),
        "student_name": contract.student.name,
        "tutor_name": contract.tutor.name,
    }
    return [
        OutgoingEmail(
            Template.FEEDBACK_PROCESSED,
            to,
            {**_greeting(to), **facts},
            office_id=contract.office_id,
        )
        for to in (contract.tutor, contract.student)
    ]


# Payments: the employer's contact hears of the money.


def _payee_email(
    template: Template, contract: Contract, facts: dict[str, Any]
) -> list[OutgoingEmail]:
    if contract.payee is None:
        return []
    to = contract.payee
    context = {
        **_greeting(to),
        "payee_name": contract.payee_name,
        "student_name": contract.student.name,
        "contract_id": contract.contract_id,
        **facts,
    }
    return [OutgoingEmail(template, to, context, office_id=contract.office_id)]


def compensation_calculated(
    event: payments.CompensationCalculated, contract: Contract
) -> list[OutgoingEmail]:
    return _payee_email(
        Template.COMPENSATION_CALCULATED,
        contract,
        {
            "amount": str(event.amount),
            "period_index": event.period_index,
            "period_start": event.period_start.isoformat(),
            "period_end": event.period_end.isoformat(),
        },
    )


def compensation_held(
    event: payments.CompensationHeld, contract: Contract
) -> list[OutgoingEmail]:
    return _payee_email(
        Template.COMPENSATION_HELD,
        contract,
        {"period_index": event.period_index, "reason": event.reason},
    )


def compensation_paid(
    event: payments.CompensationPaid, contract: Contract
) -> list[OutgoingEmail]:
    return _payee_email(
        Template.COMPENSATION_PAID,
        contract,
        {"amount": str(event.amount), "batch_id": event.batch_id},
    )
