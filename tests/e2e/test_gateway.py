"""What the gateway itself does for the frontends behind the one address."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.e2e.clients import gateway_client, loopback_address
from tests.e2e.system import SERVICES, System

PROBLEM_JSON = "application/problem+json"


@pytest.mark.parametrize("service", SERVICES)
async def test_each_services_api_document_and_docs_page_work_through_the_gateway(
    gateway: httpx.AsyncClient, service: str
) -> None:
    document = await gateway.get(f"/api/{service}/openapi.json")
    docs = await gateway.get(f"/api/{service}/docs")

    assert document.status_code == 200
    assert document.json()["servers"] == [{"url": f"/api/{service}"}]
    assert f"'/api/{service}/openapi.json'" in docs.text


async def test_a_clients_own_forwarded_prefix_is_not_believed(
    gateway: httpx.AsyncClient,
) -> None:
    document = await gateway.get(
        "/api/accounts/openapi.json", headers={"X-Forwarded-Prefix": "/elsewhere"}
    )

    assert document.json()["servers"] == [{"url": "/api/accounts"}]


async def test_a_body_over_a_megabyte_is_refused_with_a_problem_answer(
    gateway: httpx.AsyncClient,
) -> None:
    answer = await gateway.post(
        "/api/feedback/contracts",
        content=b"{" + b" " * 1_100_000 + b"}",
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code == 413
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert answer.json()["status"] == 413


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("TRACE", "/api/feedback/contracts", {}, 405),
        ("GET", "/api/feedback/contracts?q=" + "x" * 9000, {}, 414),
        ("GET", "/api/feedback/contracts", {"X-Long": "x" * 9000}, 400),
    ],
    ids=["trace", "uri over 8 KB", "header over 8 KB"],
)
async def test_a_request_the_gateway_refuses_itself_gets_a_problem_answer(
    gateway: httpx.AsyncClient,
    method: str,
    path: str,
    headers: dict[str, str],
    status: int,
) -> None:
    answer = await gateway.request(method, path, headers=headers)

    assert answer.status_code == status
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert answer.json()["status"] == status


async def test_a_path_no_service_answers_gets_a_problem_answer(
    gateway: httpx.AsyncClient,
) -> None:
    answer = await gateway.get("/wp-login.php")

    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM_JSON


async def test_a_clients_correlation_id_is_passed_on_and_one_is_made_otherwise(
    gateway: httpx.AsyncClient,
) -> None:
    given = await gateway.get(
        "/api/payments/readyz", headers={"X-Correlation-ID": "frontend-42"}
    )
    unsafe = await gateway.get(
        "/api/payments/readyz", headers={"X-Correlation-ID": "no spaces<>"}
    )
    none = await gateway.get("/api/payments/readyz")

    assert given.headers.get_list("x-correlation-id") == ["frontend-42"]
    assert unsafe.headers["x-correlation-id"] not in ("", "no spaces<>")
    assert none.headers["x-correlation-id"] != unsafe.headers["x-correlation-id"]


@pytest.mark.parametrize(
    "path", ["/api/accounts/sessions", "/api/accounts/password-resets"]
)
async def test_logins_and_reset_requests_from_one_address_are_limited(
    system: System, path: str
) -> None:
    # Bodies that fail validation reach the service without logging anyone
    # in or sending any email; the gateway counts them all the same, also
    # when the client claims to be someone else.
    async with gateway_client(system.gateway, loopback_address()) as client:
        answers = await asyncio.gather(
            *(
                client.post(path, json={}, headers={"X-Forwarded-For": f"10.0.0.{n}"})
                for n in range(30)
            )
        )
        other_address = gateway_client(system.gateway, loopback_address())
        async with other_address as other:
            elsewhere = await other.post(path, json={})

    limited = [a for a in answers if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    assert {a.status_code for a in answers} == {422, 429}
    assert limited[0].headers["content-type"] == PROBLEM_JSON
    assert int(limited[0].headers["retry-after"]) > 0
    assert elsewhere.status_code == 422


async def test_the_gateway_answers_its_own_health_check(
    gateway: httpx.AsyncClient,
) -> None:
    answer = await gateway.get("/healthz")

    assert answer.status_code == 200


async def test_services_metrics_are_not_served_to_the_world(gateway):
    for service in ("accounts", "feedback", "payments", "notifications"):
        response = await gateway.get(f"/api/{service}/metrics")

        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert "kisalli_http_request" not in response.text
