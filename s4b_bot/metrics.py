"""Prometheus metrics: what the bot did (counters, kept in the process) and how its queue
stands (read from the database when scraped)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

REGISTRY = CollectorRegistry()
COMMANDS = Counter(
    "s4b_commands", "Commands, buttons and forms handled", ["platform", "kind"], registry=REGISTRY
)
ERRORS = Counter(
    "s4b_errors", "Commands that failed on the bot's side", ["reason"], registry=REGISTRY
)
SENT = Counter(
    "s4b_deliveries",
    "Outbox rows handled by this process",
    ["platform", "outcome"],
    registry=REGISTRY,
)
LEASES_LOST = Counter(
    "s4b_outbox_leases_lost",
    "Claimed rows another dispatcher took over once their lease ran out: dropped unsent "
    '(stage="before_send"), or sent but not marked, so possibly sent twice (stage="at_mark")',
    ["stage"],
    registry=REGISTRY,
)
QUEUE = Gauge("s4b_outbox_rows", "Outbox rows by status", ["status"], registry=REGISTRY)
DUE = Gauge("s4b_outbox_due", "Pending outbox rows already due", registry=REGISTRY)
LAG = Gauge(
    "s4b_dispatcher_lag_seconds", "How long the oldest due row has waited", registry=REGISTRY
)
