"""Topics, routes and monitoring match what the services actually do."""

from __future__ import annotations

import importlib
import re

import pytest
from prometheus_client import REGISTRY

from kisalli_shared.contracts.accounts import (
    SECRET_LINKS_TOPIC_CONFIG,
    secret_links_topic,
)
from kisalli_shared.kafka import FOREVER, consumer_group, dead_letter_topic, event_topic
from tests.deploy.conftest import OVERLAYS, named, of_kind
from tests.deploy.manifests import Resource

SERVICES = ["accounts", "feedback", "payments", "notifications"]
# Topics each service's consumer group reads, as its bootstrap.py says.
READS = {
    "accounts": [event_topic("feedback")],
    "feedback": [event_topic("accounts")],
    "payments": [event_topic("feedback")],
    "notifications": [
        event_topic("accounts"),
        event_topic("feedback"),
        event_topic("payments"),
        secret_links_topic(),
    ],
}


def _topics(resources: list[Resource]) -> dict[str, Resource]:
    return {t["spec"]["topicName"]: t for t in of_kind(resources, "KafkaTopic")}


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_the_topics_are_the_ones_the_services_publish_and_read(
    built: dict[str, list[Resource]], overlay: str
) -> None:
    events = {event_topic(s) for s in SERVICES}
    dead_letters = {dead_letter_topic(consumer_group(s)) for s in SERVICES}

    assert set(_topics(built[overlay])) == events | dead_letters | {
        secret_links_topic()
    }


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_events_and_dead_letters_are_kept_for_ever_and_secret_links_an_hour(
    built: dict[str, list[Resource]], overlay: str
) -> None:
    topics = _topics(built[overlay])
    links = topics.pop(secret_links_topic())["spec"]["config"]

    for name, topic in topics.items():
        config = {k: str(v) for k, v in topic["spec"]["config"].items()}
        assert config["retention.ms"] == FOREVER["retention.ms"] == "-1", name
        assert config["retention.bytes"] == FOREVER["retention.bytes"], name
    for key, value in SECRET_LINKS_TOPIC_CONFIG.items():
        assert str(links[key]) == value
    # Segments roll well within the hour, or a link could outlive it.
    assert int(links["segment.ms"]) <= int(links["retention.ms"]) / 4


def test_production_topics_survive_the_loss_of_a_broker(
    built: dict[str, list[Resource]],
) -> None:
    brokers = of_kind(built["prod"], "KafkaNodePool")[0]["spec"]["replicas"]

    for name, topic in _topics(built["prod"]).items():
        spec = topic["spec"]
        assert spec["replicas"] == 3 <= brokers, name
        assert spec["config"]["min.insync.replicas"] == 2, name


@pytest.mark.parametrize(
    ("overlay", "service"), [(o, s) for o in OVERLAYS for s in SERVICES]
)
def test_a_service_never_runs_more_pods_than_the_partitions_it_reads(
    built: dict[str, list[Resource]], overlay: str, service: str
) -> None:
    topics = _topics(built[overlay])
    scaler = named(built[overlay], "HorizontalPodAutoscaler", service)
    config = named_config(built[overlay], "kisalli-config")

    fewest = min(topics[t]["spec"]["partitions"] for t in READS[service])

    assert scaler["spec"]["maxReplicas"] <= fewest
    # A topic a service makes itself gets the same partitions.
    assert int(config["TOPIC_PARTITIONS"]) == fewest


def named_config(resources: list[Resource], prefix: str) -> dict[str, str]:
    (found,) = [
        c["data"]
        for c in of_kind(resources, "ConfigMap")
        if c["metadata"]["name"].rsplit("-", 1)[0] == prefix
    ]
    return found  # type: ignore[no-any-return]


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_the_gateway_sends_api_paths_to_their_service_without_the_prefix(
    built: dict[str, list[Resource]], overlay: str
) -> None:
    for service in SERVICES:
        route = named(built[overlay], "HTTPRoute", service)
        serving, closed = route["spec"]["rules"]

        assert serving["matches"] == [
            {"path": {"type": "PathPrefix", "value": f"/api/{service}"}}
        ]
        assert serving["filters"] == [
            {
                "type": "URLRewrite",
                "urlRewrite": {
                    "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}
                },
            }
        ]
        assert serving["backendRefs"] == [{"name": service, "port": 8000}]
        # /metrics is not served to the outside world.
        assert closed["matches"][0]["path"]["value"] == f"/api/{service}/metrics"
        assert "backendRefs" not in closed


def test_production_serves_the_api_over_https_only(
    built: dict[str, list[Resource]],
) -> None:
    gateway = named(built["prod"], "Gateway", "kisalli")
    listeners = {item["name"]: item for item in gateway["spec"]["listeners"]}
    redirect = named(built["prod"], "HTTPRoute", "https-redirect")

    assert listeners["https"]["tls"]["certificateRefs"] == [{"name": "kisalli-tls"}]
    for service in SERVICES:
        route = named(built["prod"], "HTTPRoute", service)
        assert route["spec"]["parentRefs"] == [
            {"name": "kisalli", "sectionName": "https"}
        ]
    assert redirect["spec"]["parentRefs"][0]["sectionName"] == "http"
    assert (
        redirect["spec"]["rules"][0]["filters"][0]["requestRedirect"]["scheme"]
        == "https"
    )


def _exported_metrics() -> set[str]:
    for module in [
        "kisalli_shared.web",
        "kisalli_shared.consumer",
        "kisalli_shared.outbox",
        "kisalli_notifications.service_layer.delivery",
    ]:
        importlib.import_module(module)
    # A labelled metric has no samples before its first use, so the names
    # come from each family's type.
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}
    return {
        metric.name + suffix
        for metric in REGISTRY.collect()
        for suffix in suffixes.get(metric.type, [""])
    }


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_every_alert_watches_metrics_the_services_export(
    built: dict[str, list[Resource]], overlay: str
) -> None:
    exported = _exported_metrics() | {"up"}
    (rules,) = of_kind(built[overlay], "PrometheusRule")
    alerts = [r for g in rules["spec"]["groups"] for r in g["rules"]]

    for alert in alerts:
        used = set(re.findall(r"\b(kisalli_[a-z_]+|up)\b", alert["expr"]))
        assert used, alert["alert"]
        assert used <= exported, alert["alert"]
    watched = {m for a in alerts for m in re.findall(r"kisalli_[a-z_]+", a["expr"])}
    assert {
        "kisalli_consumer_lag",
        "kisalli_dead_letters_total",
        "kisalli_outbox_backlog",
    } <= watched


@pytest.mark.parametrize("overlay", sorted(OVERLAYS))
def test_prometheus_scrapes_every_service_on_its_metrics_path(
    built: dict[str, list[Resource]], overlay: str
) -> None:
    (monitor,) = of_kind(built[overlay], "ServiceMonitor")
    wanted = monitor["spec"]["selector"]["matchLabels"]
    scraped = {
        s["metadata"]["name"]
        for s in of_kind(built[overlay], "Service")
        if wanted.items() <= s["metadata"]["labels"].items()
    }

    assert scraped == set(SERVICES)
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
