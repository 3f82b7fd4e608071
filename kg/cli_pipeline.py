"""The document pipeline's commands: `kg ingest`, `kg propose`, `kg review` (registered on kg.cli's app)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from .cli import EXIT_INPUT, DataOpt, OntologyOpt, _fail, _settings, app
from .documents import read_documents
from .errors import InputError, KGError
from .ingest.batch import Proposer, as_json, document_summary, expand, ingest_paths, registered, unregistered
from .ingest.ingest import Metadata, registry_path
from .ingest.proposals import proposals_path, read_proposals
from .loader import Sources
from .progress import progress
from .review import review

Paths = Annotated[list[Path], typer.Argument(help="Text files or folders of them.")]


@app.command("ingest")
def ingest_cmd(
    paths: Paths,
    doc_id: Annotated[str | None, typer.Option("--id", help="Document id (default: from the file name).")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title (default: the first line of text).")] = None,
    publisher: Annotated[str | None, typer.Option("--publisher")] = None,
    published: Annotated[str | None, typer.Option(
        "--published", help="YYYY, YYYY-MM or YYYY-MM-DD (default: from the text's header or dateline).")] = None,
    dating: Annotated[str | None, typer.Option("--dating", help="Why that date (recorded with it).")] = None,
    not_before: Annotated[str | None, typer.Option("--not-before", help="Earliest possible date.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Where the original is.")] = None,
    licence: Annotated[str | None, typer.Option(
        "--licence", help="Why the text may be kept: a licence URL or words (e.g. US Government work).")] = None,
    excerpt: Annotated[str | None, typer.Option("--excerpt", help="Which part of the original this copy is.")] = None,
    genre: Annotated[str | None, typer.Option(
        "--genre", help="news-article (default), web-page or official-publication.")] = None,
    retells: Annotated[str | None, typer.Option("--retells", help="The earlier report the document retells.")] = None,
    data: DataOpt = None,
) -> None:
    """Keep an unchanged copy of each document under data/documents/ and register it in documents.yaml
    (SHA-256, date with its precision and how it was inferred). Refuses exact duplicates; warns on
    near-duplicates. Then `kg propose ID`."""
    settings = _settings(data=data)
    meta = Metadata(id=doc_id, title=title, publisher=publisher, published=published, dating=dating,
                    not_before=not_before, url=url, licence=licence, excerpt=excerpt, genre=genre, retells=retells)
    try:
        files = expand(paths)
        with progress("ingest", len(files), "documents", enabled=len(files) > 1) as bar:
            batch = ingest_paths(settings.data_dir, files, meta, max_bytes=settings.max_document_bytes, bar=bar)
    except KGError as exc:
        raise _fail(exc) from exc
    for done in batch.ingested:
        typer.echo(f"ingested {done.document_id}: {done.file} (date {done.entry['date']}, {done.entry['dating']})")
        for warning in done.warnings:
            typer.echo(f"warning: {done.document_id}: {warning}", err=True)
    for _path, refusal in batch.refused:
        typer.echo(f"error: {refusal}", err=True)
    if batch.refused:
        typer.echo(f"{len(batch.ingested)} ingested, {len(batch.refused)} refused", err=True)
        raise typer.Exit(EXIT_INPUT)


@app.command("propose")
def propose_cmd(
    targets: Annotated[list[str], typer.Argument(help="Document ids, or files not yet ingested, or folders.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="yaml (write the proposals file) or json.")] = "yaml",
    published: Annotated[str | None, typer.Option(
        "--published", help="Date of a file not yet ingested (default: from its text).")] = None,
    data: DataOpt = None, ontology: OntologyOpt = None,
) -> None:
    """Propose quote-anchored claims for each document, written to data/claims/<doc>.proposed.yaml
    (never loaded until accepted with `kg review`). A file not yet ingested is proposed for on stdout."""
    if fmt not in ("yaml", "json"):
        raise _fail(InputError(f"unknown format '{fmt}' (use yaml or json)", term=fmt))
    settings = _settings(data=data, ontology=ontology)
    results: list[dict[str, Any]] = []
    try:
        jobs = _propose_jobs(targets, settings.data_dir)
        docs = read_documents(registry_path(settings.data_dir)) if any(k == "id" for k, _ in jobs) else {}
        proposer = Proposer(settings.data_dir, settings.ontology)
        with progress("propose", len(jobs), "documents", enabled=len(jobs) > 1) as bar:
            for kind, value in jobs:
                if kind == "id":
                    doc = registered(settings.data_dir, value, docs)
                    written, claims = proposer.document(doc, write=fmt == "yaml")
                    results.append(as_json(document_summary(doc), doc.text, claims))
                    if written is not None:
                        typer.echo(f"{doc.id}: {len(claims)} proposals in {written}", err=True)
                else:
                    text, provisional, day = unregistered(Path(value), published,
                                                          max_bytes=settings.max_document_bytes)
                    claims = proposer.claims(text, provisional, day)
                    results.append(as_json({"id": None, "file": value, "date": day.text}, text, claims))
                bar.advance()
    except KGError as exc:
        raise _fail(exc) from exc
    if fmt == "json":
        typer.echo(json.dumps(results[0] if len(results) == 1 else results, indent=2, ensure_ascii=False))
    else:
        for result in results:
            if result["document"].get("id") is None:  # not ingested: nothing to write, so show it
                typer.echo(yaml.safe_dump({"claims": result["claims"]}, allow_unicode=True, sort_keys=False))


def _propose_jobs(targets: list[str], data_dir: Path) -> list[tuple[str, str]]:
    jobs: list[tuple[str, str]] = []
    for target in targets:
        path = Path(target)
        if path.exists():
            jobs += [("file", str(p)) for p in expand([path])]
        else:
            jobs.append(("id", target))
    return jobs


@app.command("review")
def review_cmd(
    doc_id: Annotated[str, typer.Argument(help="Document id.")],
    accept: Annotated[list[str] | None, typer.Option("--accept", help="Proposal ids to accept.")] = None,
    reject: Annotated[list[str] | None, typer.Option("--reject", help="Proposal ids to reject.")] = None,
    reviewer: Annotated[str | None, typer.Option(
        "--reviewer", help="Who reviews (env KG_REVIEWER, default: the login name).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json (the listing).")] = "text",
    data: DataOpt = None, ontology: OntologyOpt = None,
) -> None:
    """List a document's proposals; with --accept/--reject, move accepted ones into data/claims/<doc>.yaml
    (with a record of the review) after the checks `kg load` runs, and remember rejected ones. A failed
    check writes nothing. Then `kg load`."""
    settings = _settings(data=data, ontology=ontology)
    try:
        if not accept and not reject:
            _list_proposals(settings.data_dir, doc_id, fmt)
            return
        who = reviewer or settings.reviewer or getpass.getuser()
        outcome = review(Sources.from_settings(settings), doc_id, accept=list(accept or []),
                         reject=list(reject or []), reviewer=who)
    except KGError as exc:
        raise _fail(exc) from exc
    if outcome.accepted:
        typer.echo(f"accepted {len(outcome.accepted)} into {outcome.claims_file}: {', '.join(outcome.accepted)}")
    if outcome.rejected:
        typer.echo(f"rejected {len(outcome.rejected)}: {', '.join(outcome.rejected)}")
    typer.echo(f"{outcome.remaining} proposals left to review; run `kg load` to publish accepted claims")


def _list_proposals(data_dir: Path, doc_id: str, fmt: str) -> None:
    doc = registered(data_dir, doc_id)
    path = proposals_path(data_dir, doc_id)
    if not path.exists():
        typer.echo(f"nothing proposed for {doc_id} awaits review (kg propose {doc_id} proposes)")
        return
    proposals = read_proposals(path)
    if fmt == "json":
        typer.echo(json.dumps(as_json(document_summary(doc), doc.text, proposals.claims), indent=2,
                              ensure_ascii=False))
        return
    if not proposals.claims:
        typer.echo(f"no proposals left for {doc_id}")
    for claim in proposals.claims:
        facts = claim.get("facts") or {}
        triples = "; ".join(f"{s} {p} {v}" for s, body in facts.items() if isinstance(body, dict)
                            for p, v in body.items() if p != "new")
        typer.echo(f"{claim.get('id')}  [{claim.get('status')}, {claim.get('confidence')}]  "
                   f"\u201c{claim.get('quote')}\u201d")
        typer.echo(f"    {triples}")
        typer.echo(f"    why: {claim.get('why')}")
