"""Bad input of every kind gets a 4xx problem answer, never a 500."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from tests.feedback import documents
from tests.feedback.conftest import Kisalli, contract_body, personal_id

HUGE = "x" * 1_000_000


def changed(path: str, value: Any) -> dict[str, Any]:
    """A good contract with one field (a.b.c) set to a bad value."""
    body = contract_body(date(2025, 1, 1), date(2025, 12, 31))
    *parents, last = path.split(".")
    target = body
    for name in parents:
        target = target[name]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return copy.deepcopy(body)


BAD_CONTRACTS: dict[str, Any] = {
    "a list": [],
    "nothing": {},
    "a missing student": changed("student", ...),
    "a missing end date": changed("end_date", ...),
    "a student as text": changed("student", "Aino"),
    "a number for a name": changed("student.name", 12),
    "an empty name": changed("student.name", "  "),
    "a huge name": changed("student.name", HUGE),
    "a huge personal identity code": changed("student.personal_id", HUGE),
    "a wrong check character": changed("student.personal_id", "010594Y903A"),
    "an impossible birth date": changed("student.personal_id", "310294-1234"),
    "a temporary personal identity code": changed(
        "student.personal_id", personal_id(date(1994, 5, 1), 902, "Y")
    ),
    "a bad business ID": changed("employer.business_id", "0112038-8"),
    "a bad IBAN": changed("employer.iban", "FI21 1234 5600 0007 86"),
    "a bad BIC": changed("employer.bic", "NOTABIC"),
    "a bad email": changed("tutor.email", "not an email"),
    "an unknown language": changed("tutor.language", "de"),
    "an unknown kind of qualification": changed("qualification.kind", "phd"),
    "a bad qualification code": changed("qualification.code", "12"),
    "an end before the start": changed("end_date", "2024-12-31"),
    "a date that is not one": changed("start_date", "2025-02-30"),
    "a far future": changed("end_date", "9999-12-31"),
    "a contract of ten years": changed("end_date", "2035-01-01"),
    "a negative amount": changed(
        "agreed_amounts", [{"from_month": 1, "monthly_amount": -1}]
    ),
    "an amount of NaN": changed(
        "agreed_amounts", [{"from_month": 1, "monthly_amount": "NaN"}]
    ),
    "a tenth of a cent": changed(
        "agreed_amounts", [{"from_month": 1, "monthly_amount": "1.001"}]
    ),
    "amounts out of order": changed(
        "agreed_amounts",
        [
            {"from_month": 13, "monthly_amount": "100"},
            {"from_month": 1, "monthly_amount": "150"},
        ],
    ),
    "a mentor for an employee": changed(
        "mentor_company", {"name": "Mentori Oy", "business_id": "0112038-9"}
    ),
    "an unknown field": changed("salary", 3000),
}


async def test_bad_contracts_get_a_problem_answer_naming_no_secret(kisalli: Kisalli):
    office = kisalli.office()
    for case, body in BAD_CONTRACTS.items():
        response = await kisalli.client.post(
            "/contracts", json=body, headers=office.headers
        )

        assert response.status_code == 422, (case, response.text[:300])
        assert response.headers["content-type"] == "application/problem+json", case
        assert "010594" not in response.text, case
    count = await kisalli.app.runtime.pool.fetchval("SELECT count(*) FROM events")
    assert count == 0


async def test_a_body_that_is_not_json_gets_a_problem_answer(kisalli: Kisalli):
    office = kisalli.office()
    for content, content_type, status, kind in [
        (b"{not json", "application/json", 400, "unreadable-body"),
        (b"\xff\xfe", "application/json", 400, "unreadable-body"),
        (b"a=1", "application/x-www-form-urlencoded", 422, "validation-failed"),
        (b"", "application/json", 422, "validation-failed"),
    ]:
        response = await kisalli.client.post(
            "/contracts",
            content=content,
            headers={**office.headers, "content-type": content_type},
        )

        assert response.status_code == status, (content, response.text)
        assert response.json()["type"].endswith(f"/{kind}")


async def test_callers_without_a_valid_token_or_role_are_turned_away(
    kisalli: Kisalli,
):
    body = contract_body(date(2025, 1, 1), date(2025, 12, 31))
    expired = kisalli.keys.token(role="office_staff", office_id="a", lifetime=-60)

    missing = await kisalli.client.post("/contracts", json=body)
    garbage = await kisalli.client.post(
        "/contracts", json=body, headers={"Authorization": "Bearer x.y.z"}
    )
    old = await kisalli.client.post(
        "/contracts", json=body, headers={"Authorization": f"Bearer {expired}"}
    )
    tutor = await kisalli.client.post(
        "/contracts", json=body, headers=kisalli.tutor().headers
    )

    assert [r.status_code for r in (missing, garbage, old)] == [401, 401, 401]
    assert tutor.status_code == 403


async def test_bad_feedback_gets_a_problem_answer(kisalli: Kisalli):
    kisalli.clock.today = date(2025, 12, 31)
    office, tutor, student = kisalli.office(), kisalli.tutor(), kisalli.student()
    contract_id = await kisalli.sign_with_members(office, tutor, student)
    url = f"/contracts/{contract_id}/feedback"
    good = documents.interim()
    started = await kisalli.client.post(
        url, json={"period_index": 0, "content": good}, headers=tutor.headers
    )
    feedback_id = started.json()["feedback_id"]

    def interim(**fields: Any) -> dict[str, Any]:
        return {"period_index": 1, "content": {**good, **fields}}

    bad_starts = {
        "a rating of four": interim(ratings=[{"part": "Asiakaspalvelu", "rating": 4}]),
        "a rating as a word": interim(
            ratings=[{"part": "Asiakaspalvelu", "rating": "hyvä"}]
        ),
        "a part not in the qualification": interim(
            ratings=[{"part": "Ydinfysiikka", "rating": 2}]
        ),
        "a part rated twice": interim(
            ratings=[{"part": "Asiakaspalvelu", "rating": 2}] * 2
        ),
        "an unknown answer on the plan": interim(training_follows_plan="maybe"),
        "a huge text": interim(free_text=HUGE),
        "no period": {"content": good},
        "a negative period": {"period_index": -1, "content": good},
        "a period after the contract": {"period_index": 7, "content": good},
        "an unknown kind": {"period_index": 1, "content": {"kind": "essay"}},
        "a final assessment rating not yet assessed": {
            "content": {
                "kind": "final_assessment",
                "ratings": [{"part": "Asiakaspalvelu", "rating": "not_assessed_yet"}],
            }
        },
        "a certificate ending before it starts": {
            "content": documents.employer_certificate("2025-06-01", "2025-05-01")
        },
        "a certificate outside the contract": {
            "content": documents.employer_certificate("2024-06-01", "2025-05-01")
        },
    }
    for case, body in bad_starts.items():
        response = await kisalli.client.post(url, json=body, headers=tutor.headers)
        assert response.status_code == 422, (case, response.text[:300])
        assert response.headers["content-type"] == "application/problem+json"

    draft = f"/feedback/{feedback_id}/draft"
    other_kind = await kisalli.client.put(
        draft,
        json={"content": documents.final_assessment()},
        headers={**tutor.headers, "If-Match": '"1"'},
    )
    bad_if_match = await kisalli.client.put(
        draft, json={"content": good}, headers={**tutor.headers, "If-Match": "abc"}
    )
    not_an_id = await kisalli.client.get("/feedback/12", headers=tutor.headers)
    bad_hash = await kisalli.client.post(
        f"/feedback/{feedback_id}/acknowledge",
        json={"content_hash": "abc"},
        headers=student.headers,
    )
    empty_reason = await kisalli.client.post(
        f"/feedback/{feedback_id}/return", json={"reason": ""}, headers=office.headers
    )
    bad_pages = [
        await kisalli.client.get(path, headers=who.headers)
        for path, who in [
            ("/contracts?limit=0", office),
            ("/contracts?limit=1000", office),
            ("/contracts?offset=-1", office),
            ("/students/me/feedback?state=lost", student),
            ("/contracts?limit=ten", office),
        ]
    ]

    assert other_kind.status_code == 422
    assert bad_if_match.status_code == 400
    assert not_an_id.status_code == 422
    assert bad_hash.status_code == 422
    assert empty_reason.status_code == 422
    assert [r.status_code for r in bad_pages] == [422] * 5
