"""Fuzzing one OpenAPI document with schemathesis, operation by operation.

Each operation gets FUZZ_EXAMPLES generated requests (5 by default) that
fit its document and as many that do not; generation is derandomized and
unshrunk, so a run is repeatable and its length bounded.
"""

from __future__ import annotations

import os
import re
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


def load_document(service: str, route: str, *, signed_in: bool) -> BaseSchema:
    schema: BaseSchema = schemathesis.openapi.from_url(document_url(service, route))
    if signed_in:
        # Logging out would end the session every later request relies on;
        # the anonymous run sends it what a fuzzer can.
        schema = schema.exclude(method="DELETE", path="/sessions/current")
    return schema


def _cases(
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    ids: dict[str, str],
) -> st.SearchStrategy[Case[Any]]:
    """Generated requests; about half of those that fit the document name
    things that exist, so that they also get past the lookup to the code
    behind it. Input that does not fit keeps its own ids: swapping one in
    could make it fit."""
    generated = operation.as_strategy(generation_mode=mode)
    names = re.findall(r"\{(\w+)\}", operation.path)
    known = {name: ids[name] for name in names if name in ids}
    if mode is GenerationMode.NEGATIVE or not known:
        return generated
    aimed = operation.as_strategy(generation_mode=mode, path_parameters=known)
    return st.one_of(generated, aimed)


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


def fuzz_document(
    schema: BaseSchema, caller: Caller, ids: dict[str, str], name: str
) -> Report:
    """Send each operation generated requests; collect what broke a check."""
    report = Report(name)
    for result in schema.get_all_operations():
        report.operations += 1
        if not isinstance(result, Ok):
            report.failures.append(f"An operation is not well defined: {result.err()}")
            continue
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases = _cases(operation, mode, ids)
            failure = _send(cases, caller, report.statuses)
            if failure:
                report.failures.append(f"{operation.label} ({mode.value}): {failure}")
    return report


def _send(
    cases: st.SearchStrategy[Case[Any]], caller: Caller, statuses: Counter[int]
) -> str | None:
    @SETTINGS
    @given(case=cases)
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
