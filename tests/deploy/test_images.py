"""The services' Dockerfiles keep the image rules.

No Docker engine runs here, so no image is built: the Dockerfiles are read,
and the builder stage's dependency step is run on its own, on the files the
build context would hold.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy import dockerfiles
from tests.deploy.conftest import named
from tests.deploy.manifests import ROOT, Resource

SERVICES = ["accounts", "feedback", "payments", "notifications"]


def _dockerfile(service: str) -> Path:
    return ROOT / "services" / service / "Dockerfile"


def _user_in_manifests(built: dict[str, list[Resource]], service: str) -> int:
    deployment = named(built["prod"], "Deployment", service)
    return int(deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"])


@pytest.mark.parametrize("service", SERVICES)
def test_an_image_is_small_pinned_locked_and_runs_as_the_manifests_user(
    built: dict[str, list[Resource]], service: str
) -> None:
    user = _user_in_manifests(built, service)

    assert dockerfiles.problems(_dockerfile(service), service, user) == []


GOOD = """\
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv
FROM python:3.11.14-slim-bookworm AS builder
RUN uv sync --frozen --no-dev --package kisalli-feedback
FROM python:3.11.14-slim-bookworm
RUN apt-get install -y tzdata
COPY --from=builder /opt/kisalli /opt/kisalli
USER 10001:10001
HEALTHCHECK CMD python -c "probe('/healthz')"
ENTRYPOINT ["python", "-m", "kisalli_feedback"]
"""


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "python:3.11.14-slim-bookworm AS builder",
            "python:3.11-slim AS builder",
            "not pinned",
        ),
        ("uv:0.13.9", "uv:latest", "not pinned"),
        ("USER 10001:10001", "USER root", "numeric user 10001"),
        ("USER 10001:10001\n", "", "numeric user 10001"),
        ("--frozen ", "", "no builder stage runs uv sync"),
        ("--no-dev ", "", "no builder stage runs uv sync"),
        ("tzdata", "curl", "tzdata is not installed"),
        ("HEALTHCHECK", "# HEALTHCHECK", "no HEALTHCHECK"),
        ("kisalli_feedback", "kisalli_payments", "the entrypoint is not"),
        ("COPY --from=builder", "COPY", "does not copy the builder's"),
    ],
)
def test_an_image_that_breaks_a_rule_is_caught(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(GOOD)
    assert dockerfiles.problems(dockerfile, "feedback", 10001) == []

    dockerfile.write_text(GOOD.replace(old, new, 1))

    assert any(said in p for p in dockerfiles.problems(dockerfile, "feedback", 10001))


def test_a_single_stage_image_is_caught(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.11.14-slim-bookworm\nUSER 10001\n")

    assert dockerfiles.problems(dockerfile, "feedback", 10001) == [
        "not a multi-stage build"
    ]


def _build_context() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    patterns = dockerfiles.read_ignore(ROOT / ".dockerignore")
    return [p for p in listed if not dockerfiles.ignored(patterns, p)]


def test_the_build_context_leaves_out_tests_history_keys_and_local_state() -> None:
    context = _build_context()
    patterns = dockerfiles.read_ignore(ROOT / ".dockerignore")

    assert "uv.lock" in context
    assert "services/feedback/kisalli_feedback/bootstrap.py" in context
    assert not [p for p in context if p.startswith(("tests/", "deploy/", "bench/"))]
    for path in [
        ".git/config",
        ".venv/bin/python",
        "deploy/local/.state/accounts/signing-key.pem",
        "services/accounts/secret-link.key",
        "shared/kisalli_shared/__pycache__/web.cpython-311.pyc",
    ]:
        assert dockerfiles.ignored(patterns, path), path


def _builder_step(service: str) -> tuple[list[str], dict[str, str]]:
    """The builder stage's uv sync command and its ENV, as the Dockerfile says."""
    stages = dockerfiles.parse(_dockerfile(service).read_text())
    (builder,) = [s for s in stages if s.name == "builder"]
    (run,) = [r for r in builder.all("RUN") if "uv sync" in r]
    words = [w for w in shlex.split(run) if not w.startswith("--mount=")]
    env = {}
    for line in builder.all("ENV"):
        env.update(dict(item.split("=", 1) for item in shlex.split(line)))
    return words, env


@pytest.mark.parametrize("service", SERVICES)
def test_the_builder_installs_a_service_and_its_files_from_the_lock_file_alone(
    tmp_path: Path, service: str
) -> None:
    context = tmp_path / "context"
    for path in _build_context():
        target = context / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, target)
    command, env = _builder_step(service)
    environment = tmp_path / "environment"
    uv = os.environ.get("UV") or shutil.which("uv") or "uv"
    env |= {
        "UV_PROJECT_ENVIRONMENT": str(environment),
        # The interpreter under .venv; the image has its own Python 3.11.
        "UV_PYTHON": getattr(sys, "_base_executable", sys.executable),
        # Compiling and copying only make the image start faster; here they
        # would only make the test slower.
        "UV_COMPILE_BYTECODE": "0",
        "UV_LINK_MODE": "symlink",
    }

    subprocess.run([uv, *command[1:]], cwd=context, env=os.environ | env, check=True)

    # One process, as each first import compiles the whole environment.
    seen = subprocess.run(
        [str(environment / "bin" / "python"), "-c", _LOOK_AROUND.format(service)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.splitlines()
    migrations, has_pytest, *usage = seen
    assert int(migrations) > 0
    assert has_pytest == "False"
    assert "serve" in " ".join(usage)
    assert "migrate" in " ".join(usage)


# What the image runs, from inside its environment: the migrations shipped
# with the package, no development tools, and the commands of `python -m`.
_LOOK_AROUND = """
import contextlib, importlib.util, runpy, sys
from kisalli_{0}.bootstrap import MIGRATIONS
print(len(list(MIGRATIONS.glob("*.sql"))))
print(importlib.util.find_spec("pytest") is not None)
sys.argv = ["kisalli_{0}", "--help"]
with contextlib.suppress(SystemExit):
    runpy.run_module("kisalli_{0}", run_name="__main__")
"""
