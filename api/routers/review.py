"""The document pipeline over HTTP: upload a document, read its proposals, accept or reject them.

Translation only: kg.ingest and kg.review do the work. Writes (to data/ and to the store) run one at a
time on the runtime's writer thread, so an accept and a SPARQL update never interleave; an accepted
claim is live once the new store version is published, and a failed store write puts data/ back.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from kg.errors import InputError, NotFoundError
from kg.ingest.batch import Proposer, as_json, document_summary, registered
from kg.ingest.ingest import Metadata, ingest_bytes
from kg.ingest.proposals import proposals_path, read_proposals
from kg.loader import Sources
from kg.review import Outcome, review
from kg.sparql.errors import UnsupportedMediaTypeError

from ..auth import require_token
from ..deps import RuntimeDep
from ..runtime import Runtime

router = APIRouter(tags=["Documents"])
TokenHeader = Annotated[str | None, Header(description="Bearer <KG_UPDATE_TOKEN>")]
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad input: the message names the file, line and term; nothing was written."},
    401: {"description": "Missing or wrong bearer token."},
    403: {"description": "Writes are disabled (no KG_UPDATE_TOKEN)."},
    404: {"description": "No such document or proposal."},
}


class Upload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="The document's text, kept unchanged (UTF-8).")
    filename: str = Field(default="document.txt", description="Name used for the stored copy's suffix and the id.")
    id: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: str | None = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD; default: from the text.")
    dating: str | None = None
    not_before: str | None = None
    url: str | None = None
    licence: str | None = None
    excerpt: str | None = None
    genre: str | None = None
    retells: str | None = None


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reviewer: str | None = Field(default=None, description="Who reviews (default: KG_REVIEWER, else 'token holder').")


@router.post("/documents", status_code=201, responses=WRITE_RESPONSES,
             summary="Ingest a document (token) and propose claims for it; nothing is loaded until accepted")
async def upload(request: Request, runtime: RuntimeDep, authorization: TokenHeader = None) -> JSONResponse:
    require_token(runtime, authorization, "Uploading documents")
    if (request.headers.get("content-type") or "").split(";")[0].strip() != "application/json":
        raise UnsupportedMediaTypeError("send the document as application/json ({\"text\": ..., \"title\": ...})")
    try:
        body = Upload.model_validate_json(await request.body())
    except ValueError as exc:
        raise InputError(f"bad upload: {exc}".splitlines()[0], term="body") from exc
    result = await asyncio.wrap_future(runtime.writer.submit(_ingest_and_propose, runtime, body))
    return JSONResponse(result, status_code=201)


def _ingest_and_propose(runtime: Runtime, body: Upload) -> dict[str, Any]:
    settings = runtime.settings
    meta = Metadata(**body.model_dump(exclude={"text", "filename"}))
    with _relative(settings.data_dir):
        done = ingest_bytes(settings.data_dir, body.text.encode("utf-8"), body.filename, meta,
                            max_bytes=settings.max_document_bytes)
        doc = registered(settings.data_dir, done.document_id)
        _, claims = Proposer(settings.data_dir, settings.ontology).document(doc)
    return {"document": document_summary(doc), "warnings": done.warnings, "proposals": len(claims),
            "links": {"proposals": f"/documents/{doc.id}/proposals"}}


@router.get("/documents/{doc_id}/proposals", summary="A document's proposed claims, not yet reviewed",
            responses={404: {"description": "No such document, or nothing proposed for it."}})
async def proposals(doc_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    settings = runtime.settings
    with _relative(settings.data_dir):
        try:
            doc = registered(settings.data_dir, doc_id)
        except InputError as exc:
            raise NotFoundError(f"no document '{doc_id}'") from exc
        path = proposals_path(settings.data_dir, doc_id)
        if not path.exists():
            raise NotFoundError(f"nothing proposed for document '{doc_id}' (POST /documents proposes on upload)")
        return as_json(document_summary(doc), doc.text, read_proposals(path).claims)


@router.post("/documents/{doc_id}/proposals/{claim_id}/accept", responses=WRITE_RESPONSES,
             summary="Accept a proposal (token): checked as `kg load` checks, then live in the graph")
async def accept(doc_id: str, claim_id: str, runtime: RuntimeDep, decision: Decision | None = None,
                 authorization: TokenHeader = None) -> dict[str, Any]:
    require_token(runtime, authorization, "Reviewing proposals")
    return await _decide(runtime, doc_id, claim_id, decision, accepted=True)


@router.post("/documents/{doc_id}/proposals/{claim_id}/reject", responses=WRITE_RESPONSES,
             summary="Reject a proposal (token): remembered, never proposed again")
async def reject(doc_id: str, claim_id: str, runtime: RuntimeDep, decision: Decision | None = None,
                 authorization: TokenHeader = None) -> dict[str, Any]:
    require_token(runtime, authorization, "Reviewing proposals")
    return await _decide(runtime, doc_id, claim_id, decision, accepted=False)


async def _decide(runtime: Runtime, doc_id: str, claim_id: str, decision: Decision | None, *,
                  accepted: bool) -> dict[str, Any]:
    reviewer = (decision.reviewer if decision else None) or runtime.settings.reviewer or "token holder"
    outcome = await asyncio.wrap_future(runtime.writer.submit(_review, runtime, doc_id, claim_id, reviewer, accepted))
    return {"document": doc_id, "accepted": outcome.accepted, "rejected": outcome.rejected,
            "remaining": outcome.remaining, "version": runtime.store.version}


def _review(runtime: Runtime, doc_id: str, claim_id: str, reviewer: str, accepted: bool) -> Outcome:
    settings = runtime.settings
    with _relative(settings.data_dir):
        path = proposals_path(settings.data_dir, doc_id)
        if not path.exists():
            raise NotFoundError(f"nothing proposed for document '{doc_id}'")
        if claim_id not in {str(c.get("id")) for c in read_proposals(path).claims}:
            raise NotFoundError(f"no proposal '{claim_id}' for document '{doc_id}'")
        outcome = review(Sources.from_settings(settings), doc_id, accept=[claim_id] if accepted else [],
                         reject=[] if accepted else [claim_id], reviewer=reviewer)
    if outcome.build is not None:
        try:
            runtime.store.replace_all(outcome.build.quads())
        except BaseException:
            outcome.undo()  # the graph did not change, so neither does data/
            raise
    return outcome


class _relative:
    """File names in error messages relative to the data directory's parent: a client learns which file
    and line to fix, not where the server keeps its files."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir.resolve().parent

    def __enter__(self) -> None:
        return None

    def __exit__(self, _type: object, exc: BaseException | None, _tb: object) -> None:
        if isinstance(exc, InputError) and exc.file:
            try:
                exc.file = str(Path(exc.file).resolve().relative_to(self.root))
            except ValueError:
                exc.file = Path(exc.file).name
            exc.args = (str(exc),)
