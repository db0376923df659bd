"""Build the Kubernetes overlays and check what they produce, offline.

Kubernetes' own kinds are checked against the JSON schemas kubernetes-validate
ships, in strict mode (an unknown field is an error), for the version the
manifests target. Operators' kinds have no schema there; operator_kinds checks
their required fields. A kind neither knows is a problem too.

    python -m tests.deploy.manifests [overlay ...]
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing import Resource as SchemaResource

from tests.deploy import operator_kinds

KUBERNETES_VERSION = "1.30.0"
KUSTOMIZE_VERSION = "v5.4.3"
ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
PINNED_KUSTOMIZE = K8S / ".cache" / f"kustomize-{KUSTOMIZE_VERSION}" / "kustomize"

Resource = dict[str, Any]

_SCHEMAS = (
    resources.files("kubernetes_validate")
    / "kubernetes-json-schema"
    / f"v{KUBERNETES_VERSION}-local-strict"
)
# What the API server takes as an object's name (RFC 1123 subdomain).
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


class BuildFailed(Exception):
    pass


def overlays() -> list[Path]:
    found = (K8S / "overlays").glob("*/kustomization.yaml")
    return sorted(path.parent for path in found)


def kustomize() -> Path:
    """The pinned kustomize that `make k8s-validate` installs."""
    given = os.environ.get("KUSTOMIZE")
    if given:
        return Path(given)
    if PINNED_KUSTOMIZE.exists():
        return PINNED_KUSTOMIZE
    raise BuildFailed(
        f"kustomize {KUSTOMIZE_VERSION} is missing: `make k8s-validate` installs it"
        f" into {PINNED_KUSTOMIZE.relative_to(ROOT)}"
    )


def build(directory: Path) -> list[Resource]:
    """Render a kustomization into its resources."""
    done = subprocess.run(
        [str(kustomize()), "build", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BuildFailed(f"kustomize build {directory}: {done.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def problems(built: list[Resource]) -> list[str]:
    """Everything wrong with a built overlay, one line each; empty when valid."""
    found: list[str] = []
    for resource in built:
        found += [f"{describe(resource)}: {p}" for p in _problems_of(resource)]
    found += operator_kinds.reference_problems(built)
    return found


def describe(resource: Resource) -> str:
    name = resource.get("metadata", {}).get("name", "?")
    return f"{resource.get('kind', '?')}/{name}"


def _problems_of(resource: Resource) -> list[str]:
    name = str(resource.get("metadata", {}).get("name", ""))
    named = [] if _NAME.match(name) else [f"{name!r} is not a valid object name"]
    validator = _kubernetes_validator(
        str(resource.get("kind", "")), str(resource.get("apiVersion", ""))
    )
    if validator is not None:
        return named + [_say(error) for error in validator.iter_errors(resource)]
    checked = operator_kinds.problems(resource)
    if checked is None:
        return [
            f"neither Kubernetes {KUBERNETES_VERSION} nor the operator checks"
            f" know {resource.get('apiVersion')} {resource.get('kind')}"
        ]
    return named + checked


def _say(error: Any) -> str:
    where = ".".join(str(step) for step in error.absolute_path) or "(top)"
    return f"{where}: {error.message}"


@functools.cache
def _definitions() -> Registry:
    text = (_SCHEMAS / "_definitions.json").read_text(encoding="utf-8")
    return SchemaResource.from_contents(json.loads(text)) @ Registry()


@functools.cache
def _kubernetes_validator(kind: str, api_version: str) -> Draft202012Validator | None:
    # kubernetes-validate names its files kind-group-version: apps/v1 ->
    # apps-v1, networking.k8s.io/v1 -> networking-v1, v1 -> v1.
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema_file = _SCHEMAS / f"{kind.lower()}-{group_version}.json"
    if not kind or not schema_file.is_file():
        return None
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    registry = SchemaResource.from_contents(schema) @ _definitions()
    return Draft202012Validator(schema, registry=registry)


def is_kubernetes_kind(resource: Resource) -> bool:
    kind, api_version = str(resource["kind"]), str(resource["apiVersion"])
    return _kubernetes_validator(kind, api_version) is not None


def main(argv: list[str] | None = None) -> int:
    directories = [Path(a) for a in (argv or [])] or overlays()
    failed = False
    for directory in directories:
        try:
            built = build(directory)
        except BuildFailed as exc:
            print(f"FAILED {exc}")
            failed = True
            continue
        found = problems(built)
        for line in found:
            print(f"FAILED {directory.name}: {line}")
        failed = failed or bool(found)
        kinds = sum(map(is_kubernetes_kind, built))
        print(
            f"{'FAILED' if found else 'ok'} {directory.name}: {len(built)} resources,"
            f" {kinds} against Kubernetes {KUBERNETES_VERSION} schemas (strict),"
            f" {len(built) - kinds} by operator checks, {len(found)} problems"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
