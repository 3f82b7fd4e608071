"""Prometheus metrics at GET /metrics, from a per-app registry (several apps in one process never collide).

* `kg_http_requests_total{method, route, status}` and `kg_http_request_duration_seconds{method, route}`
  come from `RequestMetrics`, an ASGI middleware. `route` is the route *template* the router matched
  (`/id/{slug}`, not `/id/nvidia`), or `unmatched`, so the number of series stays bounded.
* Everything else is read at scrape time by `RuntimeCollector` from what the HTTP process already holds:
  `runtime.executor.stats()` (workers, queue, timeouts, restarts, crashes, 429s, evidence-index build time)
  and the store's kind and version. A scrape never sends work to a query worker, so it is answered even
  when every worker is busy.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("api.metrics")

UNMATCHED = "unmatched"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

# Executor.stats() key -> (metric name, counter?, help). Keys not listed here are exported as gauges
# named kg_executor_<key> (counters when they end in _total), so new statistics show up without a change.
EXECUTOR_METRICS: dict[str, tuple[str, bool, str]] = {
    "workers": ("kg_query_workers", False, "Query worker processes configured (KG_QUERY_WORKERS)."),
    "alive": ("kg_query_workers_alive", False, "Query worker processes alive."),
    "busy": ("kg_query_workers_busy", False, "Query workers running a task now."),
    "queued": ("kg_query_queue_length", False, "Requests waiting for a free query worker."),
    "timeouts_total": ("kg_query_timeouts", True, "Tasks stopped at their time limit (KG_QUERY_TIMEOUT)."),
    "restarts_total": ("kg_query_worker_restarts", True, "Query worker processes started to replace one."),
    "crashes_total": ("kg_query_worker_crashes", True, "Query worker processes that died unexpectedly."),
    "rejected_total": ("kg_query_rejected", True, "Requests refused because the queue was full (429)."),
    "evidence_index_build_seconds": ("kg_evidence_index_build_seconds", False,
                                     "Seconds the last evidence-index build took (as reported by a worker)."),
}


def _metric_name(key: str) -> str:
    return "kg_executor_" + re.sub(r"[^a-zA-Z0-9_]", "_", key)


class RuntimeCollector(Collector):
    """Reads the app's runtime at every scrape: values are always current, nothing is sampled."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def collect(self) -> Iterator[Metric]:
        runtime = getattr(self._app.state, "runtime", None)
        if runtime is None:  # before the lifespan opened the store, or after it closed it
            return
        yield from _store_metrics(runtime.store)
        stats = getattr(runtime.executor, "stats", None)
        if not callable(stats):
            return
        try:
            values: dict[str, float] = dict(stats())
        except Exception:  # a scrape must not fail because of one source
            log.exception("Executor.stats() failed")
            return
        for key, value in sorted(values.items()):
            name, counter, doc = EXECUTOR_METRICS.get(
                key, (_metric_name(key.removesuffix("_total")), key.endswith("_total"), f"Executor statistic {key}."))
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            family = CounterMetricFamily(name, doc) if counter else GaugeMetricFamily(name, doc)
            family.add_metric([], number)
            yield family


def _store_metrics(store: Any) -> Iterator[Metric]:
    kind = str(getattr(store, "kind", "unknown"))
    if kind == "remote":
        # A remote store's version is a query to the remote server: a scrape must not wait for it.
        info = InfoMetricFamily("kg_store", "The store this service reads.", value={"kind": kind})
        yield info
        return
    version = str(store.version)
    yield InfoMetricFamily("kg_store", "The store this service reads, and its content version.",
                           value={"kind": kind, "version": version})
    number = re.search(r"(\d+)$", version)
    if number:
        gauge = GaugeMetricFamily("kg_store_generation",
                                  "Number of the store's content version (gen-000012 -> 12); grows on every write.")
        gauge.add_metric([], float(number.group(1)))
        yield gauge


class Metrics:
    """One app's registry and its request metrics."""

    def __init__(self, app: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("kg_http_requests", "HTTP requests by method, route template and status.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("kg_http_request_duration_seconds",
                                 "Seconds from request to the end of the response, by method and route template.",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.in_progress = Gauge("kg_http_requests_in_progress", "HTTP requests being answered now.",
                                 registry=self.registry)
        self.registry.register(RuntimeCollector(app))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


_LOCK = threading.Lock()


def metrics_of(app: Any) -> Metrics:
    """The app's Metrics, created on first use (kept on `app.state.metrics`)."""
    found: Metrics | None = getattr(app.state, "metrics", None)
    if found is None:
        with _LOCK:
            found = getattr(app.state, "metrics", None)
            if found is None:
                found = Metrics(app)
                app.state.metrics = found
    return found


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class RequestMetrics:
    """ASGI middleware counting requests and timing them, labelled by the matched route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "app" not in scope:
            await self.app(scope, receive, send)
            return
        metrics = metrics_of(scope["app"])
        status = [500]

        async def tap(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        start = time.perf_counter()
        metrics.in_progress.inc()
        try:
            await self.app(scope, receive, tap)
        finally:
            metrics.in_progress.dec()
            method = str(scope.get("method", ""))
            route = route_template(scope)  # the router wrote scope["route"] while routing
            metrics.requests.labels(method, route, str(status[0])).inc()
            metrics.latency.labels(method, route).observe(time.perf_counter() - start)


router = APIRouter(tags=["Operations"])


@router.get("/metrics", summary="Prometheus metrics (text exposition format); never waits for a query worker",
            response_class=Response, responses={"200": {"content": {CONTENT_TYPE_LATEST: {}}}})
async def prometheus_metrics(request: Request) -> Response:
    # async: answered on the event loop, so not even a full thread pool (requests waiting for workers) delays it
    return Response(metrics_of(request.app).exposition(), media_type=CONTENT_TYPE_LATEST)
