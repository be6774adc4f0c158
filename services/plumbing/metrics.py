"""Prometheus metrics, one set per process, labelled by service."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter("nir_events_consumed_total", "Events handled", ["service", "topic", "outcome"])
EVENTS_PUBLISHED = Counter("nir_events_published_total", "Events published from the outbox", ["service"])
DEAD_LETTERED = Counter("nir_dead_lettered_total", "Messages written to the dead-letter topic", ["service"])
OUTBOX_PENDING = Gauge("nir_outbox_pending", "Outbox rows not yet published", ["service"])
HTTP_LATENCY = Histogram(
    "nir_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
READY = Gauge("nir_ready", "1 when the service is ready", ["service"])
PRUNED_ROWS = Counter(
    "nir_pruned_rows_total", "Rows deleted by retention (services/plumbing/retention.py)", ["service", "table"]
)
TABLE_ROWS = Gauge(
    "nir_table_rows", "Rows in a table with a retention, after the latest pruning pass", ["service", "table"]
)
JWKS_FETCHES = Counter(
    "nir_jwks_fetches_total",
    "JWKS documents fetched from an identity provider "
    "(services/plumbing/auth.py): first, unknown_kid, signature (a key that no longer verifies), "
    "max_age",
    ["service", "issuer", "reason"],
)
AUTH_REFUSED = Counter(
    "nir_auth_refused_total", "Requests refused before the route ran: 401, 403, 503", ["service", "status"]
)
