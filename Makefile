# Kisälli: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

include deploy/local/stack.mk

UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(HOME)/.local/bin/uv
endif

.PHONY: help install run demo test k8s-validate lint typecheck bench bench-replay bench-load catalogue fuzz faults clean

help:
	@echo "make run    start Kafka, PostgreSQL, the mail catcher, the services and the gateway"
	@echo "make demo   load a demo office into the running system (after make run)"
	@echo "make test   install what is needed, start the local stack, run every test"
	@echo "make fuzz   every service's API against its OpenAPI document, many requests each"
	@echo "make lint   ruff and mypy"
	@echo "make bench  benchmarks under bench/"
	@echo "make bench-replay  replay a million events into Parquet, next to kcat"
	@echo "make bench-load    submissions and logins per second through the gateway, next to a ceiling"
	@echo "make catalogue     regenerate the event catalogue in docs/events/"
	@echo "make faults        contracts through a system of its own while services are killed and Kafka and PostgreSQL restart"

# uv comes from PyPI; the workspace and its lock file give everything else.
install:
	@command -v uv >/dev/null 2>&1 || test -x "$(UV)" || python3 -m pip install --quiet --user uv \
	  || { echo "error: could not install uv; install Python 3.11 with pip first"; exit 1; }
	@$(UV) sync --all-packages --frozen --quiet

# Everything in the foreground, logs prefixed per process; Ctrl-C stops it
# all. deploy/local/run.sh start|stop does the same in the background.
run: install
	@bash deploy/local/run.sh

# A demo office through the gateway of the system `make run` started; running
# it again changes nothing. DEMO_ARGS=--help tells more.
LOCAL_STATE := $(or $(KISALLI_STATE_DIR),deploy/local/.state)

demo: install
	@test -f $(LOCAL_STATE)/kisalli.env || { echo "make demo: start the system first (make run)"; exit 1; }
	$(UV) run --env-file $(LOCAL_STATE)/kisalli.env kisalli-demo --base-url http://127.0.0.1:$(or $(KISALLI_GATEWAY_PORT),8080) --mail-url http://127.0.0.1:$(or $(KISALLI_MAIL_HTTP_PORT),8025) $(DEMO_ARGS)

# The end-to-end tests and the ceiling benchmark's tests run Debian's nginx.
test: install stack-up lint k8s-validate
	@bash deploy/local/run.sh install
	$(UV) run pytest

# tests/fuzz with more generated requests per operation than make test's 5,
# against the running system (started and stopped again if none runs).
FUZZ_EXAMPLES ?= 50

fuzz: install stack-up
	@bash deploy/local/run.sh install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(UV) run pytest tests/fuzz --timeout=1800

# The fault-injection run on a system of its own (tools/faults/README.md);
# FAULT_ARGS passes its flags, e.g. FAULT_ARGS="--contracts 5 --kills 4".
faults: install
	@bash deploy/local/run.sh install
	$(UV) run kisalli-faults $(FAULT_ARGS)

# Builds every overlay under deploy/k8s/overlays and validates it offline
# against the Kubernetes schemas (strict) and the operators' required fields
# (tests/deploy/manifests.py). kustomize comes from the Go module proxy,
# pinned, into an ignored folder.
KUSTOMIZE_VERSION := v5.4.3
KUSTOMIZE := deploy/k8s/.cache/kustomize-$(KUSTOMIZE_VERSION)/kustomize

$(KUSTOMIZE):
	@command -v go >/dev/null 2>&1 || { echo "error: Go is needed to install kustomize"; exit 1; }
	GOBIN=$(abspath $(dir $(KUSTOMIZE))) go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

k8s-validate: install $(KUSTOMIZE)
	$(UV) run python -m tests.deploy.manifests

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy -p kisalli_shared -p kisalli_accounts -p kisalli_feedback -p kisalli_payments -p kisalli_notifications -p kisalli_replay -p kisalli_demo -p kisalli_faults

bench: install stack-up
	$(UV) run python -m bench.event_store
	$(UV) run python -m bench.relay
	$(UV) run python -m bench.system_startup
	$(UV) run python -m bench.system_flows

# A million events into Parquet, measured against Debian's kcat on the same topic.
bench-replay: install stack-up
	@command -v kcat >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq kcat; }
	$(UV) run python -m bench.replay_parquet

# Feedback submissions and logins per second through the gateway of the running
# system (started and stopped again if none runs), next to a bare FastAPI +
# asyncpg app measured in the same run. LOAD_ARGS=--help tells more.
bench-load: install stack-up
	$(UV) run python -m bench.load $(LOAD_ARGS)

# JSON Schemas, AsyncAPI and the event list, from kisalli_shared.contracts.
catalogue: install
	$(UV) run kisalli-replay catalogue docs/events

clean: stack-down
	rm -rf .venv $(LOCAL_STATE)
