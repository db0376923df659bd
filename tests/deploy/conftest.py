from __future__ import annotations

import pytest

from tests.deploy.manifests import Resource, build, overlays

OVERLAYS = {path.name: path for path in overlays()}


@pytest.fixture(scope="session")
def built() -> dict[str, list[Resource]]:
    """Every overlay, built once: {"dev": [...], "prod": [...]}."""
    return {name: build(path) for name, path in OVERLAYS.items()}


def of_kind(resources: list[Resource], kind: str) -> list[Resource]:
    return [r for r in resources if r["kind"] == kind]


def named(resources: list[Resource], kind: str, name: str) -> Resource:
    return next(r for r in of_kind(resources, kind) if r["metadata"]["name"] == name)
