"""Reading W3C test manifests (mf:Manifest, Turtle) with rdflib: the entries in order, each test's type,
name and action, and, for the protocol manifest, what each test's requests expect."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
CNT = Namespace("http://www.w3.org/2011/content#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")

POSITIVE = {MF.PositiveSyntaxTest, MF.PositiveSyntaxTest11, MF.PositiveUpdateSyntaxTest11}
NEGATIVE = {MF.NegativeSyntaxTest, MF.NegativeSyntaxTest11, MF.NegativeUpdateSyntaxTest11}


@dataclass(frozen=True)
class SyntaxTest:
    iri: str
    suite: str           # e.g. "sparql11/syntax-query"
    name: str            # mf:name
    positive: bool
    action: Path         # the .rq / .ru file
    approval: str        # dawgt:Approved, dawgt:Proposed, ...

    @property
    def id(self) -> str:
        return f"{self.suite.split('/')[-1]}/{self.name}"


@dataclass(frozen=True)
class ManifestRequest:
    """What the protocol manifest says of one request (the runner's table must agree)."""

    method: str
    query_string: str            # ht:absolutePath after "?", as written
    content_type: str | None     # the content-type request header
    body: str | None             # cnt:chars
    encoding: str | None         # cnt:characterEncoding
    statuses: frozenset[str]     # "2xx", "3xx", "4xx"
    boolean: bool | None
    format: str | None           # "boolean", "tabular", "RDF"


@dataclass(frozen=True)
class ManifestProtocolTest:
    iri: str
    name: str
    graph_data: frozenset[tuple[str, str]]   # (file name, graph IRI)
    requests: tuple[ManifestRequest, ...]


def _read(path: Path) -> Graph:
    return Graph().parse(path, format="turtle", publicID=path.as_uri())


def entries(graph: Graph) -> list[Node]:
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    head = graph.value(manifest, MF.entries)
    return list(Collection(graph, head)) if head is not None else []


def syntax_tests(sparql_dir: Path, suite: str) -> list[SyntaxTest]:
    """The syntax tests of one manifest, in manifest order."""
    path = sparql_dir / suite / "manifest.ttl"
    g = _read(path)
    tests = []
    for test in entries(g):
        kinds = set(g.objects(test, RDF.type))
        if not kinds & (POSITIVE | NEGATIVE):
            raise ValueError(f"{path}: {test} is not a syntax test ({kinds})")
        action = g.value(test, MF.action)
        assert isinstance(action, URIRef), f"{test}: no mf:action"
        approval = g.value(test, DAWGT.approval)
        tests.append(SyntaxTest(iri=str(test), suite=suite, name=str(g.value(test, MF.name)),
                                positive=bool(kinds & POSITIVE),
                                action=Path(unquote(urlsplit(str(action)).path)),
                                approval=str(approval).rsplit("#", 1)[-1] if approval else ""))
    return tests


def _headers(g: Graph, request: Node) -> list[Node]:
    head = g.value(request, HT.headers)
    return list(Collection(g, head)) if head is not None else []


def protocol_tests(protocol_dir: Path) -> list[ManifestProtocolTest]:
    """The protocol manifest's tests, in manifest order."""
    path = protocol_dir / "manifest.ttl"
    g = _read(path)
    base = protocol_dir.as_uri() + "/"
    tests = []
    for test in entries(g):
        assert (test, RDF.type, MF.ProtocolTest) in g, test
        data = frozenset((str(g.value(d, UT.graph)).removeprefix(base), str(g.value(d, RDFS.label)))
                         for d in g.objects(test, UT.graphData))
        action = g.value(test, MF.action)
        requests = []
        head = g.value(action, HT.requests)
        assert head is not None, f"{test}: no ht:requests"
        for req in Collection(g, head):
            resp = g.value(req, HT.resp)
            statuses = frozenset(str(s).rsplit("#StatusCode", 1)[-1].lower()
                                 for s in g.objects(resp, MF.expectedStatus))
            boolean = g.value(resp, MF.expectedBoolean)
            fmt = g.value(resp, MF.expectedFormat)
            body = g.value(req, HT.body)
            content_types = [str(g.value(h, HT.fieldValue)) for h in _headers(g, req)
                             if str(g.value(h, HT.fieldName)).lower() == "content-type"]
            requests.append(ManifestRequest(method=str(g.value(req, HT.methodName)),
                                            query_string=str(g.value(req, HT.absolutePath)).partition("?")[2],
                                            content_type=content_types[0] if content_types else None,
                                            body=None if body is None else str(g.value(body, CNT.chars)),
                                            encoding=None if body is None
                                            else str(g.value(body, CNT.characterEncoding)),
                                            statuses=statuses,
                                            boolean=None if boolean is None else str(boolean) == "true",
                                            format=None if fmt is None else str(fmt)))
        tests.append(ManifestProtocolTest(iri=str(test), name=str(g.value(test, MF.name)), graph_data=data,
                                          requests=tuple(requests)))
    return tests
