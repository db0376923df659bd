# Local Kafka + PostgreSQL; include from the top-level Makefile.
# Resolved at include time, so it works from any including Makefile.
STACK_SH := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))/stack.sh

.PHONY: stack-up stack-down stack-status

stack-up:
	bash $(STACK_SH) up

stack-down:
	bash $(STACK_SH) down

stack-status:
	bash $(STACK_SH) status
