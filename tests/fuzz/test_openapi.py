"""Bad input: each service's API fuzzed against its own OpenAPI document, on
the service's own port and through the gateway, by no one and by each role.

No answer may be a 5xx, and every answer must be one the document promises:
its status code, content type, headers and body.
"""

from __future__ import annotations

import pytest

from tests.e2e.system import SERVICES
from tests.fuzz.fuzzing import fuzz_document, load_document
from tests.fuzz.people import Cast

ROLES = ("anonymous", "office staff", "tutor", "apprentice")


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ["direct", "gateway"])
@pytest.mark.parametrize("service", SERVICES)
def test_every_answer_to_generated_input_is_one_the_document_promises(
    cast: Cast, service: str, route: str, role: str
) -> None:
    caller = cast.callers[role]
    schema = load_document(service, route, signed_in=caller.login is not None)

    report = fuzz_document(schema, caller, cast.ids, f"{service} ({route}, {role})")

    print(report.summary)  # the figures, for a run with -s or -rP
    assert report.operations > 0
    if report.failures:
        pytest.fail(str(report), pytrace=False)
