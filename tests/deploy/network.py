"""Which connections a set of NetworkPolicies lets through.

The rules of networking.k8s.io/v1, small enough to read: a pod that some
policy selects for a direction is isolated in that direction, and then only
what one of those policies' rules allows gets through. A connection needs the
source's egress and the destination's ingress.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

Policy = dict[str, Any]
Selector = dict[str, Any]


@dataclass(frozen=True)
class Peer:
    """A pod (namespace and labels) or an address outside the cluster."""

    namespace: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    address: str | None = None

    @property
    def namespace_labels(self) -> dict[str, str]:
        if self.namespace is None:
            return {}
        return {"kubernetes.io/metadata.name": self.namespace}


def allows(
    policies: list[Policy], source: Peer, destination: Peer, port: int, protocol: str
) -> bool:
    return _direction_allows(
        policies, source, destination, port, protocol, "Egress"
    ) and _direction_allows(policies, destination, source, port, protocol, "Ingress")


def _direction_allows(
    policies: list[Policy],
    pod: Peer,
    other: Peer,
    port: int,
    protocol: str,
    direction: str,
) -> bool:
    if pod.namespace is None:
        return True  # outside the cluster: no policy of ours applies
    chosen = [p for p in policies if _isolates(p, pod, direction)]
    if not chosen:
        return True
    key = "egress" if direction == "Egress" else "ingress"
    peers_key = "to" if direction == "Egress" else "from"
    return any(
        _peer_matches(rule.get(peers_key), other, policy)
        and _port_matches(rule.get("ports"), port, protocol)
        for policy in chosen
        for rule in policy["spec"].get(key, [])
    )


def _isolates(policy: Policy, pod: Peer, direction: str) -> bool:
    spec = policy["spec"]
    types = spec.get("policyTypes") or ["Ingress"]
    return (
        direction in types
        and policy["metadata"].get("namespace") == pod.namespace
        and selects(spec["podSelector"], pod.labels)
    )


def _peer_matches(
    peers: list[dict[str, Any]] | None, other: Peer, policy: Policy
) -> bool:
    if not peers:
        return True  # no `from`/`to`: everyone
    return any(_one_peer_matches(peer, other, policy) for peer in peers)


def _one_peer_matches(peer: dict[str, Any], other: Peer, policy: Policy) -> bool:
    if "ipBlock" in peer:
        return other.address is not None and _in_block(peer["ipBlock"], other.address)
    if other.namespace is None:
        return False
    if "namespaceSelector" in peer:
        in_namespace = selects(peer["namespaceSelector"], other.namespace_labels)
    else:
        in_namespace = other.namespace == policy["metadata"].get("namespace")
    pod_selector = peer.get("podSelector", {})
    return in_namespace and selects(pod_selector, other.labels)


def _in_block(block: dict[str, Any], address: str) -> bool:
    ip = ipaddress.ip_address(address)
    inside = ip in ipaddress.ip_network(block["cidr"])
    excepted = any(ip in ipaddress.ip_network(c) for c in block.get("except", []))
    return inside and not excepted


def _port_matches(ports: list[dict[str, Any]] | None, port: int, protocol: str) -> bool:
    if not ports:
        return True
    return any(
        p.get("protocol", "TCP") == protocol and p.get("port") in (None, port)
        for p in ports
    )


def selects(selector: Selector, labels: dict[str, str]) -> bool:
    """A label selector's answer; the empty selector selects everything."""
    wanted = selector.get("matchLabels", {})
    if any(labels.get(key) != value for key, value in wanted.items()):
        return False
    return all(
        _expression_holds(e, labels) for e in selector.get("matchExpressions", [])
    )


def _expression_holds(expression: dict[str, Any], labels: dict[str, str]) -> bool:
    key, operator = expression["key"], expression["operator"]
    values = expression.get("values", [])
    if operator == "In":
        return labels.get(key) in values
    if operator == "NotIn":
        return labels.get(key) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    raise ValueError(f"unknown selector operator {operator}")
