"""The FastAPI application: `create_app(settings)`; the lifespan opens the store and the workers once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.templating import Jinja2Templates

from kg.config import Settings
from kg.sparql.executor import make_executor

from . import errors
from .middleware import AccessLog, RequestSizeLimit
from .routers import entities, health, linked, questions, sparql, validation
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

Errors are JSON: `{"error": <class>, "message": ..., "term": ...}`.
"""


def build_runtime(settings: Settings) -> Runtime:
    store = open_store(settings)
    try:
        executor = make_executor(store, workers=settings.query_workers, timeout=settings.query_timeout)
    except BaseException:
        store.close()
        raise
    return Runtime(settings, store, executor, Jinja2Templates(directory=str(TEMPLATES)))


def close_runtime(runtime: Runtime) -> None:
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
                  lifespan=lifespan)
    errors.install(app)
    for router in (sparql.router, questions.router, entities.router, linked.router, validation.router,
                   health.router):
        app.include_router(router)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["Accept", "Content-Type", "Authorization"], max_age=600)
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(AccessLog)
    return app
