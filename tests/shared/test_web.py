"""The app factory and runtime every service is built from."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
import structlog
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from fastapi import FastAPI
from pydantic import BaseModel

from kisalli_shared.http import IfMatchDep
from kisalli_shared.problems import Problem
from kisalli_shared.runtime import ServiceRuntime, ServiceSpec
from kisalli_shared.settings import ServiceSettings
from kisalli_shared.web import create_app
from tests.shared.events_for_tests import registry


class Login(BaseModel):
    username: str
    password: str


@pytest.fixture
async def runtime(event_store_db: str, kafka: str) -> AsyncIterator[ServiceRuntime]:
    settings = ServiceSettings(
        database_url=event_store_db, kafka_bootstrap_servers=kafka
    )
    runtime = ServiceRuntime(ServiceSpec(name="webtest", registry=registry), settings)
    await runtime.start(background=False)
    yield runtime
    await runtime.stop()


@pytest.fixture
def app(runtime: ServiceRuntime) -> FastAPI:
    app = create_app(
        title="test",
        readiness={
            "database": runtime.check_database,
            "kafka": runtime.check_kafka,
        },
    )

    @app.post("/login")
    async def login(body: Login) -> dict[str, str]:
        return {"hello": body.username}

    @app.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict[str, int]:
        raise Problem(409, "thing-busy", "Busy", f"Thing {thing_id} is busy.")

    @app.delete("/things/{thing_id}", status_code=204)
    async def drop_thing(thing_id: int) -> None:
        return None

    @app.put("/versioned")
    async def versioned(version: IfMatchDep) -> dict[str, int | None]:
        return {"version": version}

    @app.get("/database-away")
    async def database_away() -> dict[str, str]:
        raise asyncpg.CannotConnectNowError("the database system is starting up")

    @app.get("/broken")
    async def broken() -> dict[str, str]:
        raise RuntimeError("a bug")

    @app.post("/notes")
    async def note(body: Login) -> dict[str, str]:
        await runtime.pool.execute("SELECT $1::jsonb", f'{{"u": "{body.username}"}}')
        await runtime.pool.execute("SELECT $1::text", body.username)
        return {"stored": body.username}

    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_a_ready_service_says_so_for_database_and_kafka(client):
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == ["database", "kafka"]
    assert (await client.get("/healthz")).status_code == 200


async def test_a_service_whose_database_is_gone_is_not_ready(client, runtime):
    await runtime.pool.close()

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["failed"] == {"database": "InterfaceError"}


async def test_invalid_input_gets_a_problem_answer_that_does_not_echo_it(client):
    response = await client.post(
        "/login", json={"username": ["not", "a", "string"], "password": "hunter2" * 3}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "https://kisalli.fi/problems/validation-failed"
    assert body["errors"][0]["loc"] == ["body", "username"]
    assert "hunter2" not in response.text


async def test_a_body_that_is_not_json_gets_the_documented_400_problem(client, app):
    documented = app.openapi()["paths"]["/login"]["post"]["responses"]
    for body in (b"{oops", b"\xff\xfe{"):
        response = await client.post(
            "/login", content=body, headers={"content-type": "application/json"}
        )

        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("/unreadable-body")
    assert "400" in documented


async def test_an_unknown_path_gets_a_problem_answer(client):
    response = await client.get("/nothing-here")

    assert response.status_code == 404
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
    }


async def test_a_method_no_route_takes_is_answered_with_every_method_the_path_takes(
    client,
):
    response = await client.put("/things/7")

    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET"
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_openapi_document_promises_problem_details_for_every_error(client):
    document = (await client.get("/openapi.json")).json()

    login = document["paths"]["/login"]["post"]["responses"]
    assert sorted(login) == ["200", "400", "422", "503"]
    for status in ("400", "422", "503"):
        assert list(login[status]["content"]) == ["application/problem+json"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


async def test_a_domain_problem_keeps_its_status_type_and_text(client):
    response = await client.get("/things/7")

    assert response.status_code == 409
    assert response.json()["detail"] == "Thing 7 is busy."
    assert response.json()["instance"] == "/things/7"


async def test_each_request_is_one_log_line_with_its_correlation_id(client):
    with structlog.testing.capture_logs() as logs:
        response = await client.post(
            "/login",
            json={"username": "aino", "password": "correct horse battery"},
            headers={"X-Correlation-ID": "corr-123"},
        )

    assert response.headers["x-correlation-id"] == "corr-123"
    [line] = [entry for entry in logs if entry["event"] == "request"]
    assert line["route"] == "/login"
    assert line["status"] == 200
    assert "correct horse" not in repr(logs)


async def test_metrics_count_requests_by_route(client):
    await client.get("/things/1")

    metrics = (await client.get("/metrics")).text

    assert 'route="/things/{thing_id}"' in metrics


async def test_a_started_service_has_topics_that_keep_events_forever(
    runtime: ServiceRuntime, kafka: str
):
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        [described] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, runtime.topic)]
        )
    finally:
        await admin.close()

    configs = {c[0]: c[1] for c in described.resources[0][4]}
    assert configs["retention.ms"] == "-1"
    assert configs["retention.bytes"] == "-1"


async def test_behind_a_gateway_the_openapi_document_names_the_gateways_path(client):
    behind = {"X-Forwarded-Prefix": "/api/things"}

    document = (await client.get("/openapi.json", headers=behind)).json()
    docs = (await client.get("/docs", headers=behind)).text
    problem = (await client.get("/things/7", headers=behind)).json()
    direct = (await client.get("/openapi.json")).json()

    assert document["servers"] == [{"url": "/api/things"}]
    assert "'/api/things/openapi.json'" in docs
    assert problem["instance"] == "/api/things/things/7"
    assert "servers" not in direct


async def test_a_forwarded_prefix_that_is_not_a_plain_path_is_ignored(client):
    for prefix in ("api/things", "/api/../x", "/a b", "//x", "/" + "x" * 300 + "/"):
        response = await client.get(
            "/openapi.json", headers={"X-Forwarded-Prefix": prefix}
        )

        assert "servers" not in response.json(), prefix


async def test_a_bug_is_a_500_problem_and_the_app_raises_nothing_to_the_server(app):
    # A server that sees the app raise closes the connection, and a gateway's
    # next request on it fails: the answer must be the end of it.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/broken", headers={"x-correlation-id": "c-1"})

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-correlation-id"] == "c-1"
    assert response.json()["detail"] == "Something went wrong on our side."
    assert "a bug" not in response.text


async def test_text_with_a_nul_character_is_a_422_problem_not_a_500(client):
    response = await client.post(
        "/notes", json={"username": "matti\u0000", "password": "x"}
    )

    assert response.status_code == 422
    assert response.json()["type"].endswith("/unstorable-text")
    assert "U+0000" in response.json()["detail"]


async def test_if_match_takes_an_entity_tag_or_a_number_and_nothing_half_quoted(
    client,
):
    said = {
        tag: await client.put("/versioned", headers={"If-Match": tag})
        for tag in ['"3"', 'W/"3"', "3", '"3', '3"', "abc", '"1234567890"']
    }

    assert {t: a.json()["version"] for t, a in said.items() if a.is_success} == {
        '"3"': 3,
        'W/"3"': 3,
        "3": 3,
    }
    refused = [t for t, a in said.items() if a.status_code == 400]
    assert refused == ['"3', '3"', "abc", '"1234567890"']


async def test_a_database_that_is_restarting_is_a_503_to_retry_not_a_500(client, app):
    response = await client.get("/database-away")
    documented = app.openapi()["paths"]["/database-away"]["get"]["responses"]

    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["type"].endswith("/database-unavailable")
    assert "503" in documented
