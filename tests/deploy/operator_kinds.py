"""Required fields of the operators' kinds, and references between resources.

The operators' CRDs are not shipped here, so each kind gets a small schema of
what its operator cannot do without (Strimzi, CloudNativePG, Gateway API,
Prometheus Operator). The references are what no schema sees: a topic naming
a Kafka cluster that is not there, a route to a missing Service port.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator

Resource = dict[str, Any]
Schema = dict[str, Any]


def _obj(required: list[str], **properties: Schema) -> Schema:
    return {"type": "object", "required": required, "properties": properties}


def _list_of(item: Schema) -> Schema:
    return {"type": "array", "minItems": 1, "items": item}


_COUNT: Schema = {"type": "integer", "minimum": 1}
_TEXT: Schema = {"type": "string", "minLength": 1}
_CLUSTER_LABEL = "strimzi.io/cluster"
_LABELLED = _obj(["name", "labels"], labels=_obj([_CLUSTER_LABEL]))

_KAFKA_TOPIC = _obj(
    ["metadata", "spec"],
    metadata=_LABELLED,
    spec={
        **_obj(
            ["partitions", "replicas", "config"],
            topicName=_TEXT,
            partitions=_COUNT,
            replicas=_COUNT,
            config={"type": "object"},
        ),
        # KafkaTopicSpec has these four fields only: a typo is an error.
        "additionalProperties": False,
    },
)
_KAFKA = _obj(
    ["spec"],
    spec=_obj(
        ["kafka", "entityOperator"],
        kafka=_obj(
            ["listeners"],
            listeners=_list_of(
                _obj(["name", "port", "type", "tls"], port=_COUNT, name=_TEXT)
            ),
        ),
        # Without the topic operator the KafkaTopic resources do nothing.
        entityOperator=_obj(["topicOperator"]),
    ),
)
_KAFKA_NODE_POOL = _obj(
    ["metadata", "spec"],
    metadata=_LABELLED,
    spec=_obj(
        ["replicas", "roles", "storage"],
        replicas=_COUNT,
        roles=_list_of({"enum": ["controller", "broker"]}),
        storage=_obj(["type"]),
    ),
)
_CNPG_CLUSTER = _obj(
    ["spec"],
    spec=_obj(
        ["instances", "storage", "bootstrap"],
        instances=_COUNT,
        storage=_obj(["size"], size=_TEXT),
        bootstrap=_obj(["initdb"], initdb=_obj(["database", "owner"])),
    ),
)
_GATEWAY = _obj(
    ["spec"],
    spec=_obj(
        ["gatewayClassName", "listeners"],
        gatewayClassName=_TEXT,
        listeners=_list_of(_obj(["name", "port", "protocol"], port=_COUNT)),
    ),
)
_URL_REWRITE = _obj(
    ["path"],
    path=_obj(
        ["type"],
        type={"enum": ["ReplacePrefixMatch", "ReplaceFullPath"]},
    ),
)
_HTTP_ROUTE = _obj(
    ["spec"],
    spec=_obj(
        ["parentRefs", "rules"],
        parentRefs=_list_of(_obj(["name"], name=_TEXT)),
        rules=_list_of(
            {
                "type": "object",
                "properties": {
                    "filters": {
                        "type": "array",
                        "items": _obj(["type"], urlRewrite=_URL_REWRITE),
                    },
                    "backendRefs": {
                        "type": "array",
                        "items": _obj(["name", "port"], port=_COUNT),
                    },
                },
            }
        ),
    ),
)
_PROMETHEUS_RULE = _obj(
    ["spec"],
    spec=_obj(
        ["groups"],
        groups=_list_of(
            _obj(
                ["name", "rules"],
                rules=_list_of(
                    {
                        "type": "object",
                        "required": ["expr"],
                        "oneOf": [
                            {"required": ["alert"]},
                            {"required": ["record"]},
                        ],
                        "properties": {"expr": _TEXT},
                    }
                ),
            )
        ),
    ),
)
_SERVICE_MONITOR = _obj(
    ["spec"],
    spec=_obj(
        ["selector", "endpoints"],
        selector={"type": "object", "minProperties": 1},
        endpoints=_list_of(_obj(["port"], port=_TEXT)),
    ),
)

SCHEMAS: dict[tuple[str, str], Schema] = {
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): _KAFKA_TOPIC,
    ("kafka.strimzi.io/v1beta2", "Kafka"): _KAFKA,
    ("kafka.strimzi.io/v1beta2", "KafkaNodePool"): _KAFKA_NODE_POOL,
    ("postgresql.cnpg.io/v1", "Cluster"): _CNPG_CLUSTER,
    ("gateway.networking.k8s.io/v1", "Gateway"): _GATEWAY,
    ("gateway.networking.k8s.io/v1", "HTTPRoute"): _HTTP_ROUTE,
    ("monitoring.coreos.com/v1", "PrometheusRule"): _PROMETHEUS_RULE,
    ("monitoring.coreos.com/v1", "ServiceMonitor"): _SERVICE_MONITOR,
}
_VALIDATORS = {key: Draft202012Validator(s) for key, s in SCHEMAS.items()}


def problems(resource: Resource) -> list[str] | None:
    """What the resource's operator would miss; None for a kind not known here."""
    key = (str(resource.get("apiVersion")), str(resource.get("kind")))
    validator = _VALIDATORS.get(key)
    if validator is None:
        return None
    return [
        f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in validator.iter_errors(resource)
    ]


def reference_problems(built: list[Resource]) -> list[str]:
    """Names one resource gives that no other resource in the build answers."""
    names = {(r["kind"], r["metadata"]["name"]) for r in built}
    found = []
    for resource in built:
        for kind, name, why in _references(resource):
            if (kind, name) not in names:
                own = f"{resource['kind']}/{resource['metadata']['name']}"
                found.append(f"{own}: {why} {kind}/{name}, which is not in the build")
    found += _route_port_problems(built)
    found += _monitor_problems(built)
    return found


def _references(resource: Resource) -> Iterator[tuple[str, str, str]]:
    kind, spec = resource["kind"], resource.get("spec", {})
    labels = resource["metadata"].get("labels", {})
    if kind in {"KafkaTopic", "KafkaNodePool"} and _CLUSTER_LABEL in labels:
        yield "Kafka", labels[_CLUSTER_LABEL], "belongs to"
    if kind == "HTTPRoute":
        for parent in spec.get("parentRefs", []):
            yield "Gateway", parent["name"], "attaches to"
    if kind in {"HorizontalPodAutoscaler"}:
        target = spec["scaleTargetRef"]
        yield target["kind"], target["name"], "scales"
    pod = _pod_spec(resource)
    if pod is None:
        return
    for container in pod.get("initContainers", []) + pod.get("containers", []):
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                yield "ConfigMap", source["configMapRef"]["name"], "reads"
        for env in container.get("env", []):
            secret = env.get("valueFrom", {}).get("secretKeyRef")
            if secret and secret["name"].endswith("-app"):
                # CloudNativePG makes <cluster>-app for the cluster's owner.
                yield "Cluster", secret["name"].removesuffix("-app"), "reads"
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            yield "ConfigMap", volume["configMap"]["name"], "mounts"
    if "serviceAccountName" in pod:
        yield "ServiceAccount", pod["serviceAccountName"], "runs as"


def _pod_spec(resource: Resource) -> dict[str, Any] | None:
    spec = resource.get("spec", {})
    if resource["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
        return spec["template"]["spec"]  # type: ignore[no-any-return]
    if resource["kind"] == "CronJob":
        return spec["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    return None


def _route_port_problems(built: list[Resource]) -> list[str]:
    ports = {
        r["metadata"]["name"]: {p["port"] for p in r["spec"].get("ports", [])}
        for r in built
        if r["kind"] == "Service"
    }
    found = []
    for route in (r for r in built if r["kind"] == "HTTPRoute"):
        for rule in route["spec"].get("rules", []):
            for backend in rule.get("backendRefs", []):
                if backend.get("port") not in ports.get(backend["name"], set()):
                    found.append(
                        f"HTTPRoute/{route['metadata']['name']}: no Service"
                        f" {backend['name']} with port {backend.get('port')}"
                    )
    return found


def _monitor_problems(built: list[Resource]) -> list[str]:
    services = [r for r in built if r["kind"] == "Service"]
    found = []
    for monitor in (r for r in built if r["kind"] == "ServiceMonitor"):
        wanted = monitor["spec"].get("selector", {}).get("matchLabels", {})
        port_names = {e.get("port") for e in monitor["spec"].get("endpoints", [])}
        chosen = [
            s
            for s in services
            if wanted.items() <= s["metadata"].get("labels", {}).items()
            and port_names <= {p.get("name") for p in s["spec"].get("ports", [])}
        ]
        if not chosen:
            found.append(
                f"ServiceMonitor/{monitor['metadata']['name']}: selects no Service"
                f" with ports {sorted(map(str, port_names))}"
            )
    return found
