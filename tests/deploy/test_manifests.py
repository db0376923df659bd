"""Every overlay builds and validates offline; a broken manifest is caught."""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.deploy import manifests
from tests.deploy.conftest import OVERLAYS, named, of_kind
from tests.deploy.manifests import Resource, is_kubernetes_kind, problems

Mutation = Callable[[Resource], None]


def test_there_is_a_dev_and_a_prod_overlay() -> None:
    assert {"dev", "prod"} <= set(OVERLAYS)


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_an_overlay_passes_the_kubernetes_schemas_and_the_operator_checks(
    built: dict[str, list[Resource]], overlay: str
) -> None:
    resources = built[overlay]

    assert problems(resources) == []
    kubernetes = [r for r in resources if is_kubernetes_kind(r)]
    operators = {r["kind"] for r in resources if not is_kubernetes_kind(r)}
    assert {"Deployment", "NetworkPolicy", "HorizontalPodAutoscaler"} <= {
        r["kind"] for r in kubernetes
    }
    assert operators == {
        "Kafka",
        "KafkaNodePool",
        "KafkaTopic",
        "Cluster",
        "Gateway",
        "HTTPRoute",
        "PrometheusRule",
        "ServiceMonitor",
    }


def _container(resource: Resource) -> dict[str, Any]:
    return resource["spec"]["template"]["spec"]["containers"][0]  # type: ignore[no-any-return]


def _misspell_probe_path(deployment: Resource) -> None:
    _container(deployment)["readinessProbe"]["httpGet"]["paht"] = "/readyz"


def _port_as_text(deployment: Resource) -> None:
    _container(deployment)["ports"][0]["containerPort"] = "8000"


def _unknown_pod_field(deployment: Resource) -> None:
    deployment["spec"]["template"]["spec"]["runAsRoot"] = False


@pytest.mark.parametrize(
    ("mutate", "said"),
    [
        (_misspell_probe_path, "'paht' was unexpected"),
        (_port_as_text, "'8000' is not of type 'integer'"),
        (_unknown_pod_field, "'runAsRoot' was unexpected"),
    ],
)
def test_a_deployment_broken_after_the_build_fails_validation(
    built: dict[str, list[Resource]], mutate: Mutation, said: str
) -> None:
    resources = copy.deepcopy(built["prod"])
    mutate(named(resources, "Deployment", "feedback"))

    found = problems(resources)

    assert len(found) == 1
    assert found[0].startswith("Deployment/feedback: ")
    assert said in found[0]


def _drop(path: str) -> Mutation:
    *parents, last = path.split(".")

    def mutate(resource: Resource) -> None:
        node: Any = resource
        for step in parents:
            node = node[int(step)] if step.isdigit() else node[step]
        del node[int(last) if last.isdigit() else last]

    return mutate


@pytest.mark.parametrize(
    ("kind", "path", "said"),
    [
        ("KafkaTopic", "metadata.labels.strimzi.io/cluster", "'strimzi.io/cluster'"),
        ("KafkaTopic", "spec.partitions", "'partitions' is a required property"),
        ("KafkaTopic", "spec.replicas", "'replicas' is a required property"),
        ("KafkaTopic", "spec.config", "'config' is a required property"),
        ("Cluster", "spec.instances", "'instances' is a required property"),
        ("Cluster", "spec.storage.size", "'size' is a required property"),
        ("HTTPRoute", "spec.parentRefs", "'parentRefs' is a required property"),
        ("HTTPRoute", "spec.rules", "'rules' is a required property"),
        ("PrometheusRule", "spec.groups.0.rules.0.expr", "'expr' is a required"),
        ("PrometheusRule", "spec.groups.0.rules.0.alert", "is not valid under any"),
        ("ServiceMonitor", "spec.selector", "'selector' is a required property"),
        ("ServiceMonitor", "spec.endpoints", "'endpoints' is a required property"),
        ("Kafka", "spec.entityOperator.topicOperator", "'topicOperator' is a required"),
    ],
)
def test_an_operator_resource_missing_a_required_field_fails_validation(
    built: dict[str, list[Resource]], kind: str, path: str, said: str
) -> None:
    resources = copy.deepcopy(built["prod"])
    target = of_kind(resources, kind)[0]
    # A label key holds dots of its own.
    if path.startswith("metadata.labels."):
        del target["metadata"]["labels"][path.removeprefix("metadata.labels.")]
    else:
        _drop(path)(target)

    found = [line for line in problems(resources) if line.startswith(f"{kind}/")]

    assert any(said in line for line in found), found


def test_a_topic_of_a_kafka_cluster_not_in_the_build_fails_validation(
    built: dict[str, list[Resource]],
) -> None:
    resources = copy.deepcopy(built["dev"])
    topic = named(resources, "KafkaTopic", "kisalli.payments.events")
    topic["metadata"]["labels"]["strimzi.io/cluster"] = "kisali"

    found = problems(resources)

    assert found == [
        "KafkaTopic/kisalli.payments.events: belongs to Kafka/kisali,"
        " which is not in the build"
    ]


def test_a_route_to_a_port_the_service_does_not_have_fails_validation(
    built: dict[str, list[Resource]],
) -> None:
    resources = copy.deepcopy(built["dev"])
    route = named(resources, "HTTPRoute", "payments")
    route["spec"]["rules"][0]["backendRefs"][0]["port"] = 8003

    assert problems(resources) == [
        "HTTPRoute/payments: no Service payments with port 8003"
    ]


def test_a_kind_no_check_knows_is_refused_rather_than_skipped() -> None:
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
    }

    assert problems([widget]) == [
        "Widget/w: neither Kubernetes 1.30.0 nor the operator checks"
        " know example.com/v1 Widget"
    ]


def _copy_of_the_manifests(tmp_path: Path) -> Path:
    copied = tmp_path / "k8s"
    shutil.copytree(manifests.K8S, copied, ignore=shutil.ignore_patterns(".cache"))
    return copied


def test_a_broken_manifest_file_fails_the_check_make_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copied = _copy_of_the_manifests(tmp_path)
    deployment = copied / "base" / "notifications" / "deployment.yaml"
    text = deployment.read_text()
    deployment.write_text(text.replace("periodSeconds: 10", "periodSeconds: ten", 1))

    code = manifests.main([str(copied / "overlays" / "dev")])

    out = capsys.readouterr().out
    assert code == 1
    assert "Deployment/notifications: spec.template.spec.containers.0" in out
    assert "'ten' is not of type 'integer'" in out


def test_a_manifest_kustomize_cannot_build_fails_the_check_make_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copied = _copy_of_the_manifests(tmp_path)
    (copied / "base" / "gateway" / "routes.yaml").write_text("kind: [unclosed\n")

    code = manifests.main([str(copied / "overlays" / "prod")])

    assert code == 1
    assert "FAILED kustomize build" in capsys.readouterr().out


def test_the_unchanged_manifests_pass_the_check_make_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = manifests.main([str(path) for path in OVERLAYS.values()])

    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count(" 0 problems") == len(OVERLAYS)


def test_make_installs_the_kustomize_the_checks_run() -> None:
    makefile = (manifests.ROOT / "Makefile").read_text()
    version = re.search(r"^KUSTOMIZE_VERSION := (\S+)$", makefile, re.MULTILINE)
    path = re.search(r"^KUSTOMIZE := (\S+)$", makefile, re.MULTILINE)

    assert version is not None and path is not None
    assert version.group(1) == manifests.KUSTOMIZE_VERSION
    installed = path.group(1).replace("$(KUSTOMIZE_VERSION)", version.group(1))
    assert manifests.ROOT / installed == manifests.PINNED_KUSTOMIZE
