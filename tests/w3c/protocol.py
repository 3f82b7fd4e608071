"""The 34 SPARQL 1.1 Protocol tests (w3c/rdf-tests sparql/sparql11/protocol/manifest.ttl) as concrete
requests and expectations for this service.

The manifest is the spec; this table is what the runner sends. `tests/test_w3c_protocol.py` checks the
table against the manifest (same test IRIs, names, graph data, methods, URL parameters, media types,
bodies and expected statuses/results), so an edit of either shows. Mapping choices:

- The manifest's `/sparql/` is `/sparql` for query operations and `/sparql/update` for update operations
  (the manifest allows separate endpoints); update requests carry the bearer token, so a 4xx is never
  just the missing token (the runner also refuses 401/403 as the expected 4xx).
- `graph_data` files are loaded, before the test, into the named graph the manifest labels them with
  (`http://kasei.us/2009/09/sparql/data/dataN.rdf`), after DROP ALL, through SPARQL Update.
- `refused`: the service's documented policy refuses the first request (docs/api.md, Safety): the
  test asserts the documented refusal, then runs the variant the policy allows (without the parameter
  naming the unheld graph, or with the graphs held beforehand) and checks the manifest's expectations.
- `store_unchanged`: a refused update must leave the store as it was (checked with a sentinel graph).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

KASEI = "http://kasei.us/2009/09/sparql/data/"
DATA0, DATA1, DATA2, DATA3 = (f"{KASEI}data{i}.rdf" for i in range(4))
MANIFEST = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"

QUERY: Literal["query"] = "query"
UPDATE: Literal["update"] = "update"
OK = frozenset({"2xx", "3xx"})
CLIENT_ERROR = frozenset({"4xx"})


@dataclass(frozen=True)
class Req:
    method: str
    endpoint: Literal["query", "update"]
    params: tuple[tuple[str, str], ...] = ()    # URL query parameters (decoded; sent percent-encoded)
    content_type: str | None = None
    body: str | None = None
    encoding: str = "UTF-8"
    expect: frozenset[str] = OK                 # status classes
    boolean: bool | None = None                 # mf:expectedBoolean
    format: str | None = None                   # mf:expectedFormat: "boolean", "tabular", "RDF"

    def __post_init__(self) -> None:
        assert all(isinstance(p, tuple) and len(p) == 2 for p in self.params), self.params

    def without(self, name: str, value: str) -> Req:
        return replace(self, params=tuple(p for p in self.params if p != (name, value)))


@dataclass(frozen=True)
class Refusal:
    """A request the service refuses by documented policy, how it answers, and the variant of the test
    the policy lets run: without `param`, and/or with `preload` graph data loaded first."""

    id: str                                    # goes into the pytest id
    status: int
    error: str                                 # the JSON error class
    reason: str
    param: tuple[str, str] | None = None       # the URL parameter naming what is refused
    preload: tuple[str, ...] = ()              # dataN.nt files whose graphs the variant holds beforehand


UNHELD_GRAPH = Refusal(
    "refused-by-policy-unheld-graph", 400, "UnsafeQueryError",
    "default-graph-uri names data0.rdf, a graph the store does not hold (the manifest gives no data for it); "
    "remote graphs are never fetched (docs/api.md, Safety)",
    param=("default-graph-uri", DATA0))
UNHELD_USING_GRAPH = Refusal(
    "refused-by-policy-unheld-using-graph", 400, "UnsafeQueryError",
    "using-graph-uri / using-named-graph-uri name the dataN.rdf graphs, which the store does not hold when the "
    "request arrives (the update creates them in its own INSERT DATA, but graphs are checked before it runs: "
    "kg/sparql/safety.py, docs/api.md Safety); the variant holds them beforehand",
    preload=("data1.nt", "data2.nt", "data3.nt"))


@dataclass(frozen=True)
class Case:
    test: str                                  # local name in the manifest
    name: str                                  # mf:name
    graph_data: tuple[str, ...] = ()           # dataN.nt files, loaded into graph KASEI + dataN.rdf
    requests: tuple[Req, ...] = ()
    refused: Refusal | None = None
    store_unchanged: bool = False

    @property
    def iri(self) -> str:
        return MANIFEST + self.test

    @property
    def id(self) -> str:
        return f"{self.test}-{self.refused.id}" if self.refused else self.test


CASES: tuple[Case, ...] = (
    Case(
        "query_post_form",
        "query via URL-encoded POST",
        refused=UNHELD_GRAPH,
        requests=(
            Req("POST",
                QUERY,
                params=(("default-graph-uri", DATA0),),
                content_type="application/x-www-form-urlencoded",
                body="query=ASK%20%7B%7D",
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "query_dataset_default_graphs_get",
        "GET query with protocol-specified default graph",
        graph_data=("data1.nt", "data2.nt"),
        requests=(
            Req("GET",
                QUERY,
                params=(("query", f"ASK {{ <{DATA1}> a ?type . <{DATA2}> a ?type . }}"),
                        ("default-graph-uri", DATA1), ("default-graph-uri", DATA2)),
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "query_dataset_default_graphs_post",
        "POST query with protocol-specified default graphs",
        graph_data=("data1.nt", "data2.nt"),
        requests=(
            Req("POST",
                QUERY,
                params=(("default-graph-uri", DATA1), ("default-graph-uri", DATA2)),
                content_type="application/sparql-query",
                body=f"ASK {{ <{DATA1}> a ?type . <{DATA2}> a ?type . }}",
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "query_dataset_named_graphs_post",
        "POST query with protocol-specified named graphs",
        graph_data=("data1.nt", "data2.nt"),
        requests=(
            Req("POST",
                QUERY,
                params=(("named-graph-uri", DATA1), ("named-graph-uri", DATA2)),
                content_type="application/sparql-query",
                body=f"ASK {{ GRAPH ?g1 {{ <{DATA1}> a ?type }} GRAPH ?g2 {{ <{DATA2}> a ?type }} }}",
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "query_dataset_named_graphs_get",
        "GET query with protocol-specified named graphs",
        graph_data=("data1.nt", "data2.nt"),
        requests=(
            Req("GET",
                QUERY,
                params=(("query", f"ASK {{ GRAPH ?g1 {{ <{DATA1}> a ?type }} GRAPH ?g2 {{ <{DATA2}> a ?type }} }}"),
                        ("named-graph-uri", DATA1), ("named-graph-uri", DATA2)),
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "query_dataset_full",
        "query with protocol-specified dataset (both named and default graphs)",
        graph_data=("data1.nt", "data2.nt", "data3.nt"),
        requests=(
            Req("POST",
                QUERY,
                params=(("default-graph-uri", DATA3), ("named-graph-uri", DATA1), ("named-graph-uri", DATA2)),
                content_type="application/sparql-query",
                body=f"""ASK {{
  <{DATA3}> a ?type
  GRAPH ?g1 {{ <{DATA1}> a ?type }}
  GRAPH ?g2 {{ <{DATA2}> a ?type }}
}}""",
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "query_multiple_dataset",
        "query specifying dataset in both query string and protocol; test for use of protocol-specified dataset",
        graph_data=("data1.nt", "data2.nt", "data3.nt"),
        requests=(
            Req("POST",
                QUERY,
                params=(("named-graph-uri", DATA1), ("named-graph-uri", DATA2)),
                content_type="application/sparql-query",
                body=f"ASK FROM <{DATA3}> {{ GRAPH ?g1 {{ <{DATA1}> a ?type }} GRAPH ?g2 {{ <{DATA2}> a ?type }} }}",
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "query_get",
        "query via GET",
        refused=UNHELD_GRAPH,
        requests=(
            Req("GET",
                QUERY,
                params=(("query", "ASK {}"), ("default-graph-uri", DATA0)),
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "query_content_type_select",
        "query appropriate content type (expect one of: XML, JSON, CSV, TSV)",
        refused=UNHELD_GRAPH,
        requests=(
            Req("POST",
                QUERY,
                params=(("default-graph-uri", DATA0),),
                content_type="application/sparql-query",
                body="SELECT (1 AS ?value) {}",
                expect=OK,
                format="tabular"),
        ),
    ),
    Case(
        "query_content_type_ask",
        "query appropriate content type (expect one of: XML, JSON)",
        refused=UNHELD_GRAPH,
        requests=(
            Req("POST",
                QUERY,
                params=(("default-graph-uri", DATA0),),
                content_type="application/sparql-query",
                body="ASK {}",
                expect=OK,
                format="boolean"),
        ),
    ),
    Case(
        "query_content_type_describe",
        "query appropriate content type (expect one of: RDF/XML, Turtle, N-Triples, RDFa)",
        refused=UNHELD_GRAPH,
        requests=(
            Req("POST",
                QUERY,
                params=(("default-graph-uri", DATA0),),
                content_type="application/sparql-query",
                body="DESCRIBE <http://example.org/>",
                expect=OK,
                format="RDF"),
        ),
    ),
    Case(
        "query_content_type_construct",
        "query appropriate content type (expect one of: RDF/XML, Turtle, N-Triples, RDFa)",
        refused=UNHELD_GRAPH,
        requests=(
            Req("POST",
                QUERY,
                params=(("default-graph-uri", DATA0),),
                content_type="application/sparql-query",
                body="CONSTRUCT { <s> <p> 1 } WHERE {}",
                expect=OK,
                format="RDF"),
        ),
    ),
    Case(
        "update_dataset_default_graph",
        "update with protocol-specified default graph",
        refused=UNHELD_USING_GRAPH,
        requests=(
            Req("POST",
                UPDATE,
                params=(("using-graph-uri", DATA1),),
                content_type="application/sparql-update",
                body=f"""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {{
    GRAPH <{DATA1}> {{
        <{DATA1}> a foaf:Document
    }}
}} ;
INSERT {{
    GRAPH <http://example.org/protocol-update-dataset-test/> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    ?s a foaf:Document
}}""",
                expect=OK),
            Req("POST",
                QUERY,
                content_type="application/sparql-query",
                body=f"""ASK {{
    GRAPH <http://example.org/protocol-update-dataset-test/> {{
        <{DATA1}> a <http://purl.org/dc/terms/BibliographicResource>
    }}
}}""",
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "update_dataset_default_graphs",
        "update with protocol-specified default graphs",
        refused=UNHELD_USING_GRAPH,
        requests=(
            Req("POST",
                UPDATE,
                params=(("using-graph-uri", DATA1), ("using-graph-uri", DATA2)),
                content_type="application/sparql-update",
                body=f"""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {{
    GRAPH <{DATA1}> {{ <{DATA1}> a foaf:Document }}
    GRAPH <{DATA2}> {{ <{DATA2}> a foaf:Document }}
    GRAPH <{DATA3}> {{ <{DATA3}> a foaf:Document }}
}} ;
INSERT {{
    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    ?s a foaf:Document
}}""",
                expect=OK),
            Req("POST",
                QUERY,
                content_type="application/sparql-query",
                body=f"""ASK {{
    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {{
        <{DATA1}> a <http://purl.org/dc/terms/BibliographicResource> .
        <{DATA2}> a <http://purl.org/dc/terms/BibliographicResource> .
    }}
    FILTER NOT EXISTS {{
        GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {{
            <{DATA3}> a <http://purl.org/dc/terms/BibliographicResource> .
        }}
    }}
}}""",
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "update_dataset_named_graphs",
        "update with protocol-specified named graphs",
        refused=UNHELD_USING_GRAPH,
        requests=(
            Req("POST",
                UPDATE,
                params=(("using-named-graph-uri", DATA1), ("using-named-graph-uri", DATA2)),
                content_type="application/sparql-update",
                body=f"""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {{
    GRAPH <{DATA1}> {{ <{DATA1}> a foaf:Document }}
    GRAPH <{DATA2}> {{ <{DATA2}> a foaf:Document }}
    GRAPH <{DATA3}> {{ <{DATA3}> a foaf:Document }}
}} ;
INSERT {{
    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    GRAPH ?g {{
        ?s a foaf:Document
    }}
}}""",
                expect=OK),
            Req("POST",
                QUERY,
                content_type="application/sparql-query",
                body=f"""ASK {{
    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {{
        <{DATA1}> a <http://purl.org/dc/terms/BibliographicResource> .
        <{DATA2}> a <http://purl.org/dc/terms/BibliographicResource> .
    }}
    FILTER NOT EXISTS {{
        GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {{
            <{DATA3}> a <http://purl.org/dc/terms/BibliographicResource> .
        }}
    }}
}}""",
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "update_dataset_full",
        "update with protocol-specified dataset (both named and default graphs)",
        refused=UNHELD_USING_GRAPH,
        requests=(
            Req("POST",
                UPDATE,
                params=(("using-graph-uri", DATA1), ("using-named-graph-uri", DATA2)),
                content_type="application/sparql-update",
                body=f"""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {{
    GRAPH <{DATA1}> {{ <{DATA1}> a foaf:Document }}
    GRAPH <{DATA2}> {{ <{DATA2}> a foaf:Document }}
    GRAPH <{DATA3}> {{ <{DATA3}> a foaf:Document }}
}} ;
INSERT {{
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {{
        ?s <http://example.org/in> ?in
    }}
}}
WHERE {{
    {{
        GRAPH ?g {{ ?s a foaf:Document }}
        BIND(?g AS ?in)
    }}
    UNION
    {{
        ?s a foaf:Document .
        BIND("default" AS ?in)
    }}
}}""",
                expect=OK),
            Req("POST",
                QUERY,
                content_type="application/sparql-query",
                body=f"""ASK {{
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {{
        <{DATA1}> <http://example.org/in> "default" .
        <{DATA2}> <http://example.org/in> <{DATA2}> .
    }}
    FILTER NOT EXISTS {{
        GRAPH <http://example.org/protocol-update-dataset-full-test/> {{
            <{DATA3}> ?p ?o
        }}
    }}
}}""",
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "update_post_form",
        "update via URL-encoded POST",
        requests=(
            Req("POST", UPDATE, content_type="application/x-www-form-urlencoded", body="update=CLEAR+ALL", expect=OK),
        ),
    ),
    Case(
        "update_post_direct",
        "update via POST directly",
        requests=(
            Req("POST", UPDATE, content_type="application/sparql-update", body="CLEAR ALL", expect=OK),
        ),
    ),
    Case(
        "update_base_uri",
        'test for service-defined BASE URI ("which MAY be the service endpoint")',
        requests=(
            Req("POST",
                UPDATE,
                content_type="application/sparql-update",
                body="""CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;
INSERT DATA { GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> """
                     """<test> } }""",
                expect=OK),
            Req("POST",
                QUERY,
                content_type="application/sparql-query",
                body="""ASK {
    GRAPH <http://example.org/protocol-base-test/> {
        <http://example.org/s> <http://example.org/p> ?o
        FILTER (isIRI(?o) && STR(?o) != "test")
    }
}""",
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "query_post_direct",
        "query via POST directly",
        requests=(
            Req("POST",
                QUERY,
                content_type="application/sparql-query",
                body="ASK {}",
                expect=OK,
                boolean=True,
                format="boolean"),
        ),
    ),
    Case(
        "bad_query_method",
        "invoke query operation with a method other than GET or POST",
        requests=(
            Req("PUT",
                QUERY,
                params=(("query", "ASK {}"), ("default-graph-uri", DATA0)),
                content_type="application/x-www-form-urlencoded",
                expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_multiple_queries",
        "invoke query operation with more than one query string",
        requests=(
            Req("GET", QUERY, params=(("query", "ASK {}"), ("query", "SELECT * {}")), expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_query_wrong_media_type",
        "invoke query operation with a POST with media type that's not url-encoded or application/sparql-query",
        requests=(
            Req("POST", QUERY, content_type="text/plain", body="ASK {}", expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_query_missing_form_type",
        "invoke query operation with url-encoded body, but without application/x-www-form-urlencoded media type",
        requests=(
            Req("POST", QUERY, body="query=ASK%20%7B%7D", expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_query_missing_direct_type",
        "invoke query operation with SPARQL body, but without application/sparql-query media type",
        requests=(
            Req("POST", QUERY, body="ASK {}", expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_query_non_utf8",
        "invoke query operation with direct POST, but with a non-UTF8 encoding (UTF-16)",
        requests=(
            Req("POST",
                QUERY,
                content_type="application/sparql-query; charset=UTF-16",
                body="ASK {}",
                encoding="UTF-16",
                expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_query_syntax",
        "invoke query operation with invalid query syntax (4XX result)",
        requests=(
            Req("GET", QUERY, params=(("query", "ASK {"),), expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_update_get",
        "invoke update operation with GET",
        store_unchanged=True,
        requests=(
            Req("GET", UPDATE, params=(("update", "CLEAR ALL"),), expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_multiple_updates",
        "invoke update operation with more than one update string",
        store_unchanged=True,
        requests=(
            Req("POST",
                UPDATE,
                content_type="application/x-www-form-urlencoded",
                body="update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_update_wrong_media_type",
        "invoke update operation with a POST with media type that's not url-encoded or application/sparql-update",
        store_unchanged=True,
        requests=(
            Req("POST", UPDATE, content_type="text/plain", body="CLEAR NAMED", expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_update_missing_form_type",
        "invoke update operation with url-encoded body, but without application/x-www-form-urlencoded media type",
        store_unchanged=True,
        requests=(
            Req("POST", UPDATE, body="update=CLEAR%20NAMED", expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_update_non_utf8",
        "invoke update operation with direct POST, but with a non-UTF8 encoding",
        store_unchanged=True,
        requests=(
            Req("POST",
                UPDATE,
                content_type="application/sparql-update; charset=UTF-16",
                body="CLEAR NAMED",
                encoding="UTF-16",
                expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_update_syntax",
        "invoke update operation with invalid update syntax",
        store_unchanged=True,
        requests=(
            Req("POST",
                UPDATE,
                content_type="application/x-www-form-urlencoded",
                body="update=CLEAR%20XYZ",
                expect=CLIENT_ERROR),
        ),
    ),
    Case(
        "bad_update_dataset_conflict",
        "invoke update with both using-graph-uri/using-named-graph-uri parameter and USING/WITH clause",
        store_unchanged=True,
        requests=(
            Req("POST",
                UPDATE,
                params=(("using-named-graph-uri", "http://example/people"),),
                content_type="application/sparql-update",
                body="""PREFIX foaf:  <http://xmlns.com/foaf/0.1/>
WITH <http://example/addresses>
DELETE { ?person foaf:givenName 'Bill' }
INSERT { ?person foaf:givenName 'William' }
WHERE {
    ?person foaf:givenName 'Bill'
}""",
                expect=CLIENT_ERROR),
        ),
    ),
)
