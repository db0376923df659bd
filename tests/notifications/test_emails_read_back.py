"""Every kind of email, sent through real Kafka, PostgreSQL and SMTP, read back
from the mail catcher in each of the three languages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from kisalli_notifications.bootstrap import NotificationsService
from kisalli_notifications.mailcatcher import MailCatcher
from kisalli_shared.contracts import accounts, feedback, payments
from kisalli_shared.contracts.common import Language
from tests.notifications.support import (
    BASE_URL,
    Publisher,
    account_created,
    compensation_calculated,
    contract_signed,
    eventually,
    feedback_facts,
    feedback_submitted,
    handled,
    person,
    secret_link,
    wait_for_messages,
)

NBSP = "\u00a0"
SUBJECTS = {
    Language.FI: {
        "account_activation": "Kisälli-tunnuksesi on luotu",
        "password_reset": "Salasanan vaihtaminen",
        "password_changed": "Salasanasi on vaihdettu",
        "password_reset_completed": "Uusi salasanasi on otettu käyttöön",
        "email_changed_old_address": "Sähköpostiosoitteesi Kisällissä on vaihdettu",
        "email_changed_new_address": "Tämä on nyt sähköpostiosoitteesi Kisällissä",
        "account_locked": "Kisälli-tunnuksesi on lukittu",
        "feedback_awaiting_acknowledgement": "Palaute odottaa kuittaustasi",
        "feedback_returned": "Palaute palautettiin korjattavaksi: Olli Opiskelija",
        "feedback_processed": "Palaute on käsitelty",
        "compensation_calculated": f"Koulutuskorvaus laskettu: 1{NBSP}234,50{NBSP}€",
        "compensation_held": "Koulutuskorvauksen maksu on pysäytetty",
        "compensation_paid": f"Koulutuskorvaus maksettu: 1{NBSP}234,50{NBSP}€",
        "tutor_reminder": "Muistutus: palautekeskustelut",
        "student_reminder": "Muistutus: palaute odottaa kuittaustasi",
    },
    Language.SV: {
        "account_activation": "Ditt Kisälli-konto har skapats",
        "password_reset": "Byte av lösenord",
        "password_changed": "Ditt lösenord har bytts",
        "password_reset_completed": "Ditt nya lösenord har tagits i bruk",
        "email_changed_old_address": "Din e-postadress i Kisälli har ändrats",
        "email_changed_new_address": "Det här är nu din e-postadress i Kisälli",
        "account_locked": "Ditt Kisälli-konto har låsts",
        "feedback_awaiting_acknowledgement": "En respons väntar på din kvittering",
        "feedback_returned": "Responsen returnerades för korrigering: Olli Opiskelija",
        "feedback_processed": "Responsen har behandlats",
        "compensation_calculated": (
            f"Utbildningsersättning beräknad: 1{NBSP}234,50{NBSP}€"
        ),
        "compensation_held": "Betalningen av utbildningsersättning har stoppats",
        "compensation_paid": f"Utbildningsersättning betald: 1{NBSP}234,50{NBSP}€",
        "tutor_reminder": "Påminnelse: responssamtal",
        "student_reminder": "Påminnelse: en respons väntar på din kvittering",
    },
    Language.EN: {
        "account_activation": "Your Kisälli account has been created",
        "password_reset": "Resetting your password",
        "password_changed": "Your password was changed",
        "password_reset_completed": "Your new password is in use",
        "email_changed_old_address": "Your email address in Kisälli was changed",
        "email_changed_new_address": "This is now your email address in Kisälli",
        "account_locked": "Your Kisälli account is locked",
        "feedback_awaiting_acknowledgement": (
            "Feedback is waiting for your acknowledgement"
        ),
        "feedback_returned": "Feedback returned for correction: Olli Opiskelija",
        "feedback_processed": "The feedback has been processed",
        "compensation_calculated": "Training compensation calculated: €1,234.50",
        "compensation_held": "Payment of training compensation is on hold",
        "compensation_paid": "Training compensation paid: €1,234.50",
        "tutor_reminder": "Reminder: feedback discussions",
        "student_reminder": "Reminder: feedback is waiting for your acknowledgement",
    },
}
GREETING = {Language.FI: "Hei", Language.SV: "Hej", Language.EN: "Hello"}

TUTOR = "tuula.tutor@yritys.example"
TUTOR_NEW = "tuula@uusi.example"
STUDENT = "olli@opisto.example"
PAYEE = "palkat@yritys.example"


@pytest.mark.parametrize("language", list(Language))
async def test_every_kind_of_email_reaches_its_recipient_in_their_language(
    language: Language,
    service: NotificationsService,
    publisher: Publisher,
    catcher: MailCatcher,
    link_key: str,
):
    tutor = person("Tuula Tutor", TUTOR, language)
    student = person("Olli Opiskelija", STUDENT, language)
    activation = secret_link(accounts.SecretLinkKind.ACTIVATION, tutor, "act-123")
    reset = secret_link(accounts.SecretLinkKind.PASSWORD_RESET, tutor, "reset-456")
    now = datetime.now(UTC)

    # Accounts: one account, everything that can happen to it.
    await publisher.publish("accounts", "acc-1", account_created("acc-1", tutor))
    await publisher.publish_secret_link(activation, link_key)
    # Accounts' outbox may send the bare token too.
    await publisher.publish_bare_secret_link(reset, link_key)
    for event in (
        accounts.PasswordChanged(account_id="acc-1"),
        accounts.PasswordResetCompleted(account_id="acc-1", request_id="r-1"),
        accounts.AccountLocked(account_id="acc-1", locked_until=now, failed_attempts=5),
        accounts.EmailChanged(
            account_id="acc-1", old_email=TUTOR, new_email=TUTOR_NEW, changed_by="s-1"
        ),
    ):
        await publisher.publish("accounts", "acc-1", event)

    # Feedback: period 1 goes round the whole cycle; period 2 waits for the
    # apprentice since 1 December.
    contract = contract_signed(
        "c-1", student=student, tutor=tutor, payee_language=language.value
    )
    await publisher.publish("feedback", "contract-c-1", contract)
    first = feedback_facts("c-1", "fb-1")
    await publisher.publish("feedback", "fb-1", feedback_submitted(**first))
    await publisher.publish(
        "feedback",
        "fb-1",
        feedback.FeedbackReturned(
            **first, returned_by="student", reason="Väärä <päivä>"
        ),
    )
    await publisher.publish(
        "feedback", "fb-1", feedback.FeedbackProcessed(**first, processed_by="s-1")
    )
    await publisher.publish(
        "feedback",
        "fb-2",
        feedback_submitted(
            "c-1",
            feedback_id="fb-2",
            period_index=1,
            period_start=date(2025, 5, 1),
            period_end=date(2025, 8, 31),
        ),
        at=datetime(2025, 12, 1, 10, tzinfo=UTC),
    )

    # Payments: the employer's contact hears of the money.
    await publisher.publish("payments", "comp-1", compensation_calculated("c-1"))
    await publisher.publish(
        "payments",
        "comp-1",
        payments.CompensationHeld(
            compensation_id="comp-1",
            contract_id="c-1",
            office_id="office-1",
            period_index=1,
            reason="Tilinumero puuttuu",
        ),
    )
    await publisher.publish(
        "payments",
        "comp-1",
        payments.CompensationPaid(
            compensation_id="comp-1",
            contract_id="c-1",
            office_id="office-1",
            batch_id="batch-9",
            amount=Decimal("1234.50"),
            payee_name="Rakennus Oy",
        ),
    )

    async def all_handled() -> bool:
        return await handled(service.runtime.pool) == len(publisher.sent)

    await eventually(all_handled)
    # Period 3 ends on 31 December: the tutor hears ten days before.
    assert await service.send_reminders(date(2025, 12, 21)) == 2

    received = await wait_for_messages(catcher, 17)

    subjects = {subject: name for name, subject in SUBJECTS[language].items()}
    got = sorted(
        (subjects.get(m["subject"], m["subject"]), *m["envelope_to"]) for m in received
    )
    assert got == sorted(
        [
            ("account_activation", TUTOR),
            ("password_reset", TUTOR),
            ("password_changed", TUTOR),
            ("password_reset_completed", TUTOR),
            ("account_locked", TUTOR),
            ("email_changed_old_address", TUTOR),
            ("email_changed_new_address", TUTOR_NEW),
            ("feedback_awaiting_acknowledgement", STUDENT),
            ("feedback_awaiting_acknowledgement", STUDENT),
            ("feedback_returned", TUTOR),
            ("feedback_processed", TUTOR),
            ("feedback_processed", STUDENT),
            ("compensation_calculated", PAYEE),
            ("compensation_held", PAYEE),
            ("compensation_paid", PAYEE),
            ("tutor_reminder", TUTOR),
            ("student_reminder", STUDENT),
        ]
    )
    for message in received:
        assert message["language"] == language.value
        assert message["text"].startswith(GREETING[language])
        assert f'<html lang="{language.value}">' in message["html"]

    by_template = {subjects[m["subject"]]: m for m in received}
    assert activation.link in by_template["account_activation"]["text"]
    assert "ville.virtanen" in by_template["account_activation"]["text"]
    assert reset.link in by_template["password_reset"]["html"]
    assert f"{BASE_URL}/feedback/fb-1" in by_template["feedback_returned"]["text"]
    # The apprentice's words reach the tutor as written, never as markup.
    assert "Väärä <päivä>" in by_template["feedback_returned"]["text"]
    assert "Väärä &lt;päivä&gt;" in by_template["feedback_returned"]["html"]
    reminder = by_template["tutor_reminder"]["text"]
    assert "Olli Opiskelija" in reminder and f"{BASE_URL}/contracts/c-1" in reminder
    assert f"{BASE_URL}/feedback/fb-2" in by_template["student_reminder"]["text"]
