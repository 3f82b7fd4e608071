"""Media types of SPARQL results and RDF graphs, and HTTP `Accept` negotiation over them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import NotAcceptableError

Kind = Literal["solutions", "boolean", "graph", "dataset"]


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.media_type.endswith(("+json", "+xml", "/json"))
        return self.media_type + ("; charset=utf-8" if text or self.name in ("ntriples", "nquads") else "")


SPARQL_JSON = Format("json", "application/sparql-results+json", ("application/json",))
SPARQL_XML = Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"))
CSV = Format("csv", "text/csv")
TSV = Format("tsv", "text/tab-separated-values")
TURTLE = Format("turtle", "text/turtle", ("application/x-turtle",))
NTRIPLES = Format("ntriples", "application/n-triples", ("text/plain",))
RDFXML = Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"))
JSONLD = Format("jsonld", "application/ld+json", ("application/json",))
TRIG = Format("trig", "application/trig")
NQUADS = Format("nquads", "application/n-quads")
HTML = Format("html", "text/html", ("application/xhtml+xml",))

# Offered formats per kind of result, the default (used for */* or no Accept) first.
OFFERS: dict[Kind, tuple[Format, ...]] = {
    "solutions": (SPARQL_JSON, SPARQL_XML, CSV, TSV),
    "boolean": (SPARQL_JSON, SPARQL_XML, CSV, TSV),
    "graph": (TURTLE, NTRIPLES, RDFXML, JSONLD, TRIG, NQUADS),
    "dataset": (TRIG, NQUADS, JSONLD),
}
BY_NAME: dict[str, Format] = {f.name: f for fs in OFFERS.values() for f in fs} | {"html": HTML}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """`Accept` as (media range, q) pairs, best first; stable for equal q. Malformed parts are skipped."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int]] = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        # more specific ranges win among equal q: type/subtype > type/* > */*
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((media, q, -specificity * 1000 + i))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def _matches(media_range: str, fmt: Format) -> bool:
    if media_range == "*/*":
        return True
    types = (fmt.media_type, *fmt.aliases)
    if media_range.endswith("/*"):
        return any(t.startswith(media_range[:-1]) for t in types)
    return media_range in types


def negotiate(accept: str | None, offers: tuple[Format, ...], *, requested: str | None = None) -> Format:
    """The best offered format for `accept`; `requested` (a format name or media type, e.g. from a
    `format=` parameter) overrides the header. Raises NotAcceptableError when nothing fits."""
    if requested:
        wanted = requested.strip().lower()
        for fmt in offers:
            if wanted in (fmt.name, fmt.media_type, *fmt.aliases):
                return fmt
        names = ", ".join(f.name for f in offers)
        raise NotAcceptableError(f"format '{requested}' is not available here (use one of: {names})",
                                 term=requested)
    ranges = parse_accept(accept)
    refused = {m for m, q in ranges if q == 0.0}
    for media_range, q in ranges:
        if q == 0.0:
            continue
        for fmt in offers:
            if _matches(media_range, fmt) and fmt.media_type not in refused:
                return fmt
    offered = ", ".join(f.media_type for f in offers)
    raise NotAcceptableError(f"cannot produce any of the accepted media types ({accept}); "
                             f"available: {offered}", term=accept)


def prefers_html(accept: str | None) -> bool:
    """True when a browser-like client ranks HTML at least as high as anything RDF."""
    ranges = parse_accept(accept)
    if not ranges or ranges[0][0] == "*/*":
        return False
    best_q = ranges[0][1]
    return any(m in ("text/html", "application/xhtml+xml") and q == best_q for m, q in ranges)
