"""Who may talk to whom, worked out from the built network policies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.conftest import OVERLAYS, named, of_kind
from tests.deploy.manifests import Resource
from tests.deploy.network import Peer, allows

SERVICES = ["accounts", "feedback", "payments", "notifications"]
NS = "kisalli"


def _pod(name: str) -> Peer:
    return Peer(
        NS, {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "server"}
    )


GATEWAY = Peer(NS, {"gateway.networking.k8s.io/gateway-name": "kisalli"})
PROMETHEUS = Peer("monitoring", {"app.kubernetes.io/name": "prometheus"})
DNS = Peer("kube-system", {"k8s-app": "kube-dns"})
CNPG_OPERATOR = Peer("cnpg-system", {"app.kubernetes.io/name": "cloudnative-pg"})
STRANGER = Peer(NS, {"app": "debug-shell"})
ELSEWHERE = Peer("other-team", {"app.kubernetes.io/name": "feedback"})
BROKER = Peer(NS, {"strimzi.io/cluster": "kisalli", "strimzi.io/kind": "Kafka"})
MAIL_RELAY = Peer(address="192.0.2.25")
INTERNET = Peer(address="198.51.100.7")
PAY_RUN = Peer(
    NS, {"app.kubernetes.io/name": "payments", "app.kubernetes.io/component": "pay"}
)


def _database(service: str) -> Peer:
    return Peer(NS, {"cnpg.io/cluster": f"{service}-db"})


def _policies(resources: list[Resource]) -> list[dict[str, Any]]:
    """Ours, plus the one Strimzi makes from the Kafka listener's peers."""
    policies = of_kind(resources, "NetworkPolicy")
    kafka = named(resources, "Kafka", "kisalli")
    for listener in kafka["spec"]["kafka"]["listeners"]:
        policies.append(
            {
                "metadata": {"namespace": kafka["metadata"]["namespace"]},
                "spec": {
                    "podSelector": {"matchLabels": BROKER.labels},
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {
                            "from": listener.get("networkPolicyPeers", []),
                            "ports": [{"port": listener["port"], "protocol": "TCP"}],
                        }
                    ],
                },
            }
        )
    return policies


@pytest.fixture(scope="module")
def policies(built: dict[str, list[Resource]]) -> list[dict[str, Any]]:
    assert named(built["prod"], "Namespace", NS)
    return _policies(built["prod"])


ALLOWED = [
    *[("gateway", GATEWAY, _pod(s), 8000, "TCP") for s in SERVICES],
    *[("prometheus", PROMETHEUS, _pod(s), 8000, "TCP") for s in SERVICES],
    *[("keys", _pod(s), _pod("accounts"), 8000, "TCP") for s in SERVICES[1:]],
    *[("kafka", _pod(s), BROKER, 9092, "TCP") for s in SERVICES],
    *[("own database", _pod(s), _database(s), 5432, "TCP") for s in SERVICES],
    *[("dns", _pod(s), DNS, 53, "UDP") for s in SERVICES],
    ("pay run's database", PAY_RUN, _database("payments"), 5432, "TCP"),
    ("pay run's kafka", PAY_RUN, BROKER, 9092, "TCP"),
    ("mail", _pod("notifications"), MAIL_RELAY, 587, "TCP"),
    ("cnpg operator", CNPG_OPERATOR, _database("feedback"), 8000, "TCP"),
]
DENIED = [
    ("between services", _pod("feedback"), _pod("payments"), 8000, "TCP"),
    ("accounts calling out", _pod("accounts"), _pod("feedback"), 8000, "TCP"),
    ("notifications to payments", _pod("notifications"), _pod("payments"), 8000, "TCP"),
    ("another's database", _pod("payments"), _database("feedback"), 5432, "TCP"),
    ("another's database", _pod("feedback"), _database("accounts"), 5432, "TCP"),
    ("a stranger to a service", STRANGER, _pod("accounts"), 8000, "TCP"),
    ("a stranger to a database", STRANGER, _database("payments"), 5432, "TCP"),
    ("a stranger to kafka", STRANGER, BROKER, 9092, "TCP"),
    ("another namespace", ELSEWHERE, _pod("accounts"), 8000, "TCP"),
    ("another namespace's database", ELSEWHERE, _database("feedback"), 5432, "TCP"),
    ("the internet", _pod("feedback"), INTERNET, 443, "TCP"),
    ("mail from others", _pod("accounts"), MAIL_RELAY, 587, "TCP"),
    ("gateway to a database", GATEWAY, _database("accounts"), 5432, "TCP"),
    ("gateway to kafka", GATEWAY, BROKER, 9092, "TCP"),
    ("prometheus off the metrics port", PROMETHEUS, _pod("accounts"), 5432, "TCP"),
]


@pytest.mark.parametrize(("why", "source", "destination", "port", "protocol"), ALLOWED)
def test_a_connection_the_services_need_is_allowed(
    policies: list[dict[str, Any]],
    why: str,
    source: Peer,
    destination: Peer,
    port: int,
    protocol: str,
) -> None:
    assert allows(policies, source, destination, port, protocol), why


@pytest.mark.parametrize(("why", "source", "destination", "port", "protocol"), DENIED)
def test_any_other_connection_is_refused(
    policies: list[dict[str, Any]],
    why: str,
    source: Peer,
    destination: Peer,
    port: int,
    protocol: str,
) -> None:
    assert not allows(policies, source, destination, port, protocol), why


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_every_overlay_denies_service_traffic_by_default(
    built: dict[str, list[Resource]], overlay: str
) -> None:
    policies = _policies(built[overlay])
    namespace = named(built[overlay], "Kafka", "kisalli")["metadata"]["namespace"]
    feedback = Peer(namespace, _pod("feedback").labels)
    payments = Peer(namespace, _pod("payments").labels)
    gateway = Peer(namespace, GATEWAY.labels)

    assert allows(policies, gateway, feedback, 8000, "TCP")
    assert not allows(policies, feedback, payments, 8000, "TCP")
    assert not allows(policies, feedback, INTERNET, 443, "TCP")
