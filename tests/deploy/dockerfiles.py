"""Reading Dockerfiles and the rules the services' images keep.

No Docker engine runs here, so the images are never built in CI; these rules
are read from the Dockerfiles, the way a linter would.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

# An exact version (3.11.14, 0.13.9) or a content digest.
_PINNED = re.compile(r"(:\d+\.\d+\.\d+[^@\s]*)|(@sha256:[0-9a-f]{64})")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse(text: str) -> list[Stage]:
    """Stages of a Dockerfile, each with its instructions (keyword, arguments)."""
    stages: list[Stage] = []
    for keyword, args in _instructions(text):
        if keyword == "FROM":
            image, _, name = args.partition(" AS ")
            stages.append(Stage(image.strip(), name.strip() or None))
        elif stages:
            stages[-1].instructions.append((keyword, args))
    return stages


def _instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        found.append((keyword.upper(), " ".join(args.split())))
    return found


def problems(dockerfile: Path, service: str, user_id: int) -> list[str]:
    """Where an image breaks the rules ops were promised; empty when it keeps them."""
    stages = parse(dockerfile.read_text(encoding="utf-8"))
    if len(stages) < 2:
        return ["not a multi-stage build"]
    found = []
    names = {s.name for s in stages if s.name}
    for stage in stages:
        if stage.base not in names and not _PINNED.search(stage.base):
            found.append(f"base image {stage.base} is not pinned to a version")
    final = stages[-1]
    if not final.base.startswith("python:3.11"):
        found.append("the final stage is not Python 3.11")
    found += _dependency_problems(stages, service)
    found += _runtime_problems(final, service, user_id)
    return found


def _dependency_problems(stages: list[Stage], service: str) -> list[str]:
    syncs = [run for s in stages[:-1] for run in s.all("RUN") if "uv sync" in run]
    wanted = ["--frozen", "--no-dev", f"--package kisalli-{service}"]
    if not any(all(w in run for w in wanted) for run in syncs):
        return [f"no builder stage runs uv sync {' '.join(wanted)}"]
    final = stages[-1]
    found = []
    if any("uv " in run for run in final.all("RUN")):
        found.append("the final stage runs uv")
    if not any(c.startswith("--from=builder ") for c in final.all("COPY")):
        found.append("the final stage does not copy the builder's environment")
    return found


def _runtime_problems(final: Stage, service: str, user_id: int) -> list[str]:
    found = []
    users = final.all("USER")
    if not users or users[-1].split(":")[0] != str(user_id):
        found.append(f"the image does not end as the numeric user {user_id}")
    if not any("tzdata" in run for run in final.all("RUN")):
        found.append("tzdata is not installed")
    if not any("/healthz" in check for check in final.all("HEALTHCHECK")):
        found.append("no HEALTHCHECK asks /healthz")
    entrypoints = final.all("ENTRYPOINT")
    module = ["python", "-m", f"kisalli_{service}"]
    if not entrypoints or json.loads(entrypoints[-1]) != module:
        found.append(f"the entrypoint is not {' '.join(module)}")
    return found


def ignored(patterns: list[str], path: str) -> bool:
    """Whether .dockerignore leaves a path (or a folder above it) out."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(_pattern(p).fullmatch(prefix) for p in patterns for prefix in prefixes)


def read_ignore(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    patterns = [line.strip().lstrip("/") for line in lines]
    return [p for p in patterns if p and not p.startswith("#")]


def _pattern(pattern: str) -> re.Pattern[str]:
    if pattern.startswith("!"):
        raise ValueError("exceptions (!) are not read here")
    regex = ""
    for piece in re.split(r"(\*\*/|\*\*|\*|\?|\[[^\]]*\])", pattern):
        if piece == "**/":
            regex += "(?:.*/)?"
        elif piece == "**":
            regex += ".*"
        elif piece == "*":
            regex += "[^/]*"
        elif piece == "?":
            regex += "[^/]"
        elif piece.startswith("["):
            regex += piece
        else:
            regex += re.escape(piece)
    return re.compile(regex)
