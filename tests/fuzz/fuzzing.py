"""Fuzzing one OpenAPI document with schemathesis, operation by operation.

Each operation gets FUZZ_EXAMPLES generated requests (5 by default) that
fit its document and as many that do not; generation is derandomized and
unshrunk, so a run is repeatable and its length bounded.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import hypothesis.strategies as st
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.system import GATEWAY
from tests.fuzz.people import Caller

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
DEFAULT_PORTS = {
    "accounts": "8001",
    "feedback": "8002",
    "payments": "8003",
    "notifications": "8004",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    # Input that breaks the document must get a 4xx, not be taken.
    negative_data_rejection,
]
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def document_url(service: str, route: str) -> str:
    if route == "gateway":
        return f"{GATEWAY}/api/{service}/openapi.json"
    port = os.environ.get(f"KISALLI_{service.upper()}_PORT", DEFAULT_PORTS[service])
    return f"http://127.0.0.1:{port}/openapi.json"


def load_document(
    service: str, route: str, ids: dict[str, str], *, signed_in: bool
) -> BaseSchema:
    schema: BaseSchema = schemathesis.openapi.from_url(document_url(service, route))
    if signed_in:
        # Logging out would end the session every later request relies on;
        # the anonymous run sends it what a fuzzer can.
        schema = schema.exclude(method="DELETE", path="/sessions/current")
    _aim_at_known_ids(schema, ids)
    return schema


def _aim_at_known_ids(schema: BaseSchema, ids: dict[str, str]) -> None:
    """About half the path ids become ids of things that exist, so that
    requests also get past the lookup to the code behind it."""

    def flatmap_path_parameters(
        context: Any, path_parameters: dict[str, Any] | None
    ) -> st.SearchStrategy[dict[str, Any] | None]:
        if not path_parameters:
            return st.just(path_parameters)
        known = {name: ids[name] for name in path_parameters if name in ids}
        return st.sampled_from([path_parameters, {**path_parameters, **known}])

    schema.hook(flatmap_path_parameters)


@dataclass
class Report:
    name: str
    operations: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{self.name}: {len(self.failures)} failing of {self.operations}"
            f" operations, {EXAMPLES} examples each way;"
            f" statuses seen {dict(sorted(self.statuses.items()))}"
        )

    def __str__(self) -> str:
        return "\n\n".join([self.summary, *self.failures])


def fuzz_document(schema: BaseSchema, caller: Caller, name: str) -> Report:
    """Send each operation generated requests; collect what broke a check."""
    report = Report(name)
    for result in schema.get_all_operations():
        report.operations += 1
        if not isinstance(result, Ok):
            report.failures.append(f"An operation is not well defined: {result.err()}")
            continue
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = _fuzz_operation(operation, mode, caller, report.statuses)
            if failure:
                report.failures.append(f"{operation.label} ({mode.value}): {failure}")
    return report


def _fuzz_operation(
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    caller: Caller,
    statuses: Counter[int],
) -> str | None:
    @SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Case[Any]) -> None:
        response = case.call(headers=caller.headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=caller.headers)

    try:
        send()
    except Unsatisfiable:
        # Nothing to get wrong: the operation takes no input at all.
        return None
    # A failed check raises a group of failures, not an Exception.
    except (Exception, FailureGroup) as exc:
        return str(exc)
    return None
