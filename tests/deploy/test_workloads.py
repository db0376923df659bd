"""What ops rely on in the services' pods: safety, migrations, probes, scale."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic_settings import BaseSettings

from kisalli_accounts.bootstrap import Settings as AccountsSettings
from kisalli_feedback.bootstrap import Settings as FeedbackSettings
from kisalli_notifications.bootstrap import Settings as NotificationsSettings
from kisalli_payments.bootstrap import Settings as PaymentsSettings
from tests.deploy.conftest import OVERLAYS, named, of_kind
from tests.deploy.manifests import Resource

SERVICES = ["accounts", "feedback", "payments", "notifications"]
SETTINGS: dict[str, type[BaseSettings]] = {
    "accounts": AccountsSettings,
    "feedback": FeedbackSettings,
    "payments": PaymentsSettings,
    "notifications": NotificationsSettings,
}
CASES = [(o, s) for o in sorted(OVERLAYS) for s in SERVICES]
Pod = dict[str, Any]


def _pods(resources: list[Resource]) -> list[tuple[str, Pod]]:
    found = [
        (d["metadata"]["name"], d["spec"]["template"]["spec"])
        for d in of_kind(resources, "Deployment")
    ]
    found += [
        (c["metadata"]["name"], c["spec"]["jobTemplate"]["spec"]["template"]["spec"])
        for c in of_kind(resources, "CronJob")
    ]
    return found


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_every_pod_runs_unprivileged_on_a_read_only_root(
    built: dict[str, list[Resource]], overlay: str
) -> None:
    pods = _pods(built[overlay])

    assert len(pods) == 5  # four services and the payment run
    for name, pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False, name
        scratch = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        for container in pod.get("initContainers", []) + pod["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts["/tmp"] in scratch, name  # noqa: S108 (a mount path)
            assert {"requests", "limits"} <= set(container["resources"]), name


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_migrations_run_to_the_end_before_a_new_pod_serves(
    built: dict[str, list[Resource]], overlay: str, service: str
) -> None:
    pod = named(built[overlay], "Deployment", service)["spec"]["template"]["spec"]
    (migrate,) = pod["initContainers"]
    (server,) = pod["containers"]

    assert migrate["args"] == ["migrate"]
    assert server["args"] == ["serve"]
    assert migrate["image"] == server["image"]
    assert migrate["image"].endswith(f"/kisalli/{service}:0.1.0")
    assert _database_url(migrate) == _database_url(server)


def _database_url(container: dict[str, Any]) -> dict[str, Any]:
    (url,) = [e for e in container["env"] if e["name"] == "DATABASE_URL"]
    return url["valueFrom"]["secretKeyRef"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_each_service_reads_its_own_databases_app_secret(
    built: dict[str, list[Resource]], overlay: str, service: str
) -> None:
    server = named(built[overlay], "Deployment", service)
    cluster = named(built[overlay], "Cluster", f"{service}-db")

    secret = _database_url(server["spec"]["template"]["spec"]["containers"][0])

    # CloudNativePG names the owner's Secret <cluster>-app; `uri` points at
    # the initdb database.
    assert secret == {"name": f"{service}-db-app", "key": "uri"}
    assert cluster["spec"]["bootstrap"]["initdb"] == {
        "database": service,
        "owner": service,
    }


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_liveness_asks_healthz_and_readiness_asks_readyz(
    built: dict[str, list[Resource]], overlay: str, service: str
) -> None:
    deployment = named(built[overlay], "Deployment", service)
    (server,) = deployment["spec"]["template"]["spec"]["containers"]

    assert server["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert server["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert server["readinessProbe"]["httpGet"]["path"] == "/readyz"
    # /readyz gives Kafka 5 s before it answers.
    assert server["readinessProbe"]["timeoutSeconds"] > 5
    assert server["ports"] == [{"name": "http", "containerPort": 8000}]


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_every_setting_given_to_a_service_is_one_it_reads(
    built: dict[str, list[Resource]], overlay: str, service: str
) -> None:
    resources = built[overlay]
    maps = {c["metadata"]["name"]: c["data"] for c in of_kind(resources, "ConfigMap")}
    pod = named(resources, "Deployment", service)["spec"]["template"]["spec"]
    reads = {name.upper() for name in SETTINGS[service].model_fields}

    for container in pod["initContainers"] + pod["containers"]:
        given = {e["name"] for e in container["env"]}
        for source in container["envFrom"]:
            given |= set(maps[source["configMapRef"]["name"]])

        assert given - reads == set(), container["name"]


@pytest.mark.parametrize(("overlay", "service"), CASES)
def test_every_service_scales_and_keeps_a_pod_through_a_node_drain(
    built: dict[str, list[Resource]], overlay: str, service: str
) -> None:
    resources = built[overlay]
    deployment = named(resources, "Deployment", service)
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    scaler = named(resources, "HorizontalPodAutoscaler", service)
    budget = named(resources, "PodDisruptionBudget", service)
    spread = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]

    assert "replicas" not in deployment["spec"]  # the autoscaler owns it
    assert scaler["spec"]["scaleTargetRef"]["name"] == service
    assert 1 <= scaler["spec"]["minReplicas"] <= scaler["spec"]["maxReplicas"]
    assert budget["spec"]["maxUnavailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert spread[0]["topologyKey"] == "kubernetes.io/hostname"
    assert spread[0]["labelSelector"]["matchLabels"].items() <= pod_labels.items()


def test_production_keeps_two_pods_of_a_service_off_one_node(
    built: dict[str, list[Resource]],
) -> None:
    for deployment in of_kind(built["prod"], "Deployment"):
        spread = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
        scaler = named(
            built["prod"], "HorizontalPodAutoscaler", deployment["metadata"]["name"]
        )

        assert spread[0]["whenUnsatisfiable"] == "DoNotSchedule"
        assert scaler["spec"]["minReplicas"] >= 2


def test_no_secret_is_shipped_and_every_one_a_pod_reads_is_documented(
    built: dict[str, list[Resource]],
) -> None:
    readme = (OVERLAYS["prod"].parents[2] / "README.md").read_text()
    for overlay, resources in built.items():
        assert of_kind(resources, "Secret") == [], overlay
        for name, pod in _pods(resources):
            for secret in _secrets_read(pod):
                # CloudNativePG makes the -app ones.
                assert secret.endswith("-db-app") or f"`{secret}`" in readme, (
                    name,
                    secret,
                )


def _secrets_read(pod: Pod) -> set[str]:
    names = {v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
    for container in pod.get("initContainers", []) + pod["containers"]:
        for env in container.get("env", []):
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                names.add(ref["name"])
    return names
