"""The FastAPI application: `create_app(settings)`; the lifespan opens the store and the workers once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from kg.config import Settings
from kg.sandbox import enter_network_sandbox
from kg.sparql.executor import make_executor

from . import docs, errors, links, openapi, security
from .metrics import RequestMetrics
from .metrics import router as metrics_router
from .middleware import AccessLog, RequestSizeLimit
from .routers import changes, entities, health, linked, pages, questions, review, sparql, store, validation
from .runtime import Runtime
from .startup import open_store

log = logging.getLogger("api")
TEMPLATES = Path(__file__).resolve().parent / "templates"

DESCRIPTION = """\
An analyst's knowledge graph of who trains which AI models on which chips, where, under which rules.

* **SPARQL 1.1** query endpoint at `/sparql` (Protocol: GET, POST form, POST `application/sparql-query`),
  update at `/sparql/update` (bearer token, off unless `KG_UPDATE_TOKEN` is set). `SERVICE`, `LOAD` and
  remote `FROM` are refused; every query has a time limit and a result cap.
* **Named questions** at `/questions/{name}`: answers carry the evidence of every row.
* **Entities** at `/entities`, **linked data** at `/id/…`, `/doc/…`, `/claim/…`, `/ontology`, `/documents`.
* **Validation** reports at `/validation`.

Errors are JSON: `{"error": <class>, "message": ..., "term": ...}` (an HTML page for browsers).
"""


def build_runtime(settings: Settings) -> Runtime:
    store = open_store(settings)
    try:
        executor = make_executor(store, workers=settings.query_workers, timeout=settings.query_timeout,
                                 queue_max=settings.queue_max, queue_wait=settings.queue_wait,
                                 client_concurrency=settings.client_concurrency, sandbox=settings.sandbox)
    except BaseException:
        store.close()
        raise
    runtime = Runtime(settings, store, executor, links.templates(TEMPLATES))
    try:
        if store.kind != "remote":  # a remote store is reached over the network by design
            runtime.writer_sandbox = runtime.writer.submit(enter_network_sandbox, settings.sandbox).result()
    except BaseException:
        close_runtime(runtime)
        raise
    return runtime


def close_runtime(runtime: Runtime) -> None:
    runtime.writer.shutdown(wait=True)
    runtime.executor.close()
    runtime.store.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await run_in_threadpool(build_runtime, settings)
        app.state.runtime = runtime
        try:
            yield
        finally:
            await run_in_threadpool(close_runtime, runtime)

    app = FastAPI(title="AI chips knowledge graph", version="0.1.0", description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)  # api/docs.py serves them offline
    errors.install(app)
    openapi.install(app)
    docs.install(app)  # /docs, /redoc and their assets, from this origin
    for router in (sparql.router, questions.router, entities.router, review.router, linked.router, validation.router,
                   health.router, store.router, changes.router, metrics_router):
        app.include_router(router)
    app.include_router(pages.router)  # /, /complete, /sparql-editor.json (the pages' own routes)
    security.install(app, settings)  # CORS (closed unless KG_CORS_ORIGINS), /static, security headers
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(AccessLog)
    app.add_middleware(RequestMetrics)
    return app
