"""Incremental OWL RL maintenance (kg.build) against the full closure, for one 40-claim document.

    python -m bench.incremental                       # the generated 1M data set (asserted + provenance)
    python -m bench.incremental --triples 100000      # smaller, quicker

Generates the data set into --work/<triples> when missing (bench.generate's generator, seed 42) and
compiles it with the real compiler (no integrity shapes: they are not what is measured). Then:
`closure_scaled` over every claim graph (what `kg load --full` runs), `IncrementalClosure.build` over
all of them but one synthetic document's 40 claim graphs, and `AssertedCounts.change` + `apply` for
adding that document, changing it (a quarter of its claims withdrawn, a quarter replaced by other
content, a quarter about other subjects) and removing it again, `--repeat` times. After the first
addition the incremental inferred graph is compared with the full closure (identical, or the
benchmark fails). Memory (tracemalloc, in separate untimed runs): what the incremental state
allocates and keeps, plus the term objects it holds; what AssertedCounts keeps; the peak of what one
`apply` allocates.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from rdflib import Graph, URIRef

from kg.build import AssertedCounts, IncrementalClosure
from kg.curation import Compiler, Curated
from kg.documents import read_documents
from kg.loader import Sources
from kg.namespaces import CLAIM
from kg.reasoning_scaled import closure_scaled
from kg.store.base import Triple
from kg.vocabulary import Vocabulary, load_ontology

from .generate import ONTOLOGY, write_dataset
from .timing import peak_rss_mb

T = TypeVar("T")
Contents = dict[URIRef, frozenset[Triple]]


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def compile_claims(data_dir: Path) -> tuple[Graph, Curated]:
    sources = Sources(ONTOLOGY, data_dir)
    ontology = load_ontology(ONTOLOGY)
    curated = Compiler(Vocabulary(ontology), read_documents(sources.registry)).compile(
        sources.claim_files(), sources.reference_files())
    return ontology, curated


def document_claims(graphs: dict[URIRef, Graph]) -> tuple[str, Contents, Contents]:
    """A synthetic document from the middle of the data set: its 40 claim graphs, and those of the next
    document (the content the "change" borrows)."""
    by_doc: dict[str, Contents] = {}
    for name, g in graphs.items():
        doc = str(name).rsplit("/", 1)[0]
        if "/claim/syn_" in doc:
            by_doc.setdefault(doc, {})[name] = frozenset(g)
    docs = sorted(d for d, claims in by_doc.items() if len(claims) == 40)
    doc = docs[len(docs) // 2]
    return doc, by_doc[doc], by_doc[docs[len(docs) // 2 + 1]]


def changed(claims: Contents, other: Contents) -> Contents:
    """The document as re-curated: a quarter of its claims withdrawn, a quarter now stating another
    document's claim (so those triples have two sources), a quarter about a differently named subject,
    a quarter unchanged."""
    names, borrowed = sorted(claims), [other[n] for n in sorted(other)]
    out: Contents = {}
    for i, name in enumerate(names):
        if i % 4 == 0:
            out[name] = frozenset()
        elif i % 4 == 1:
            out[name] = borrowed[i]
        elif i % 4 == 2:  # the claim now names another subject: new facts (type, label, links) about it
            out[name] = frozenset((URIRef(f"{s}-revised"), p, o) for s, p, o in claims[name])
        else:
            out[name] = claims[name]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.incremental", description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="asserted + provenance triples to generate")
    parser.add_argument("--work", type=Path, default=Path("var/bench/incremental"))
    parser.add_argument("--repeat", type=int, default=3, help="add/change/remove cycles timed")
    args = parser.parse_args(argv)
    data = args.work / str(args.triples)
    if not (data / "documents" / "documents.yaml").exists():
        write_dataset(data, triples=args.triples)
    t_compile, (ontology, curated) = timed(lambda: compile_claims(data))
    graphs = dict(curated.claim_graphs)
    asserted = sum(len(g) for g in graphs.values())
    doc, claims, other = document_claims(graphs)
    doc_triples = sum(len(c) for c in claims.values())
    rest = [g for name, g in graphs.items() if name not in claims]
    provenance = len(curated.provenance)
    del curated  # the provenance graph (three quarters of the triples) plays no part in reasoning
    gc.collect()
    print(f"data: {data} ({len(graphs):,} claim graphs, {asserted:,} asserted triples, "
          f"{provenance:,} provenance triples; compiled in {t_compile:.1f} s)", flush=True)
    print(f"document: {doc} ({len(claims)} claims, {doc_triples} asserted triples)", flush=True)

    # Memory, in untimed builds: what building the state allocates and keeps (tracemalloc), plus the term
    # objects its table holds (shared here with the compiled graphs, so not allocated by it).
    remaining = {name: g for name, g in graphs.items() if name not in claims}
    tracemalloc.start()
    probe = IncrementalClosure.build(ontology, rest)
    gc.collect()
    state_mb = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    probe_counts = AssertedCounts({name: frozenset(g) for name, g in remaining.items()})
    counts_mb = (tracemalloc.get_traced_memory()[0] - before) / 2**20
    tracemalloc.stop()
    terms_mb = sum(sys.getsizeof(n) for n in probe._terms.nodes) / 2**20
    del probe, probe_counts
    gc.collect()

    t_build, inc = timed(lambda: IncrementalClosure.build(ontology, rest))
    t_counts, counts = timed(lambda: AssertedCounts({name: frozenset(g) for name, g in remaining.items()}))
    state_total = state_mb + terms_mb
    print(f"IncrementalClosure.build: {t_build:.1f} s, state {inc.stats()}: {state_mb:,.0f} MB allocated "
          f"+ {terms_mb:,.0f} MB of term objects; AssertedCounts: {counts_mb:,.0f} MB, {t_counts:.1f} s", flush=True)

    t_full, full = timed(lambda: closure_scaled(ontology, graphs.values()))
    print(f"closure_scaled (full, all claim graphs): {t_full:.1f} s, {len(full):,} entailments", flush=True)
    expected: set[Triple] | None = set(full)
    full = Graph()

    steps: list[tuple[str, Contents]] = [("add", claims), ("change", changed(claims, other)),
                                         ("remove", {n: frozenset() for n in claims})]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in steps}
    sizes: dict[str, tuple[int, int, int, int]] = {}
    for cycle in range(args.repeat):
        for name, replacement in steps:
            t_change, change = timed(lambda r=replacement: counts.change(r))  # type: ignore[misc]
            t_apply, delta = timed(lambda c=change: inc.apply(c.added, c.removed))  # type: ignore[misc]
            counts.commit(change)
            times[name].append((t_change, t_apply))
            sizes[name] = (len(change.added), len(change.removed), len(delta.inferred_added),
                           len(delta.inferred_removed))
            if cycle == 0 and name == "add":
                t_cmp, same = timed(lambda: set(inc.inferred()) == expected)
                print(f"after adding: inferred() identical to the full closure: {same} ({t_cmp:.1f} s to compare)",
                      flush=True)
                if not same:
                    sys.exit("incremental inferred graph differs from the full closure")
    expected = None

    # A wide change for contrast: the reference assertion that China is disjoint from every other country,
    # which every "outside China" entailment of a data centre, activity or firm rests on.
    wide_label = "reference/disjoint-china"
    wide = CLAIM[wide_label]
    wide_rows: list[tuple[str, float, tuple[int, int, int, int]]] = []
    if wide in counts.graphs:
        wide_content = counts.graphs[wide]
        for label, wide_new in (("remove", frozenset()), ("restore", wide_content)):
            change = counts.change({wide: wide_new})
            t_apply, delta = timed(lambda c=change: inc.apply(c.added, c.removed))  # type: ignore[misc]
            counts.commit(change)
            wide_rows.append((label, t_apply, (len(change.added), len(change.removed), len(delta.inferred_added),
                                               len(delta.inferred_removed))))

    peaks: dict[str, float] = {}
    for name, replacement in steps:
        change = counts.change(replacement)
        tracemalloc.start()
        inc.apply(change.added, change.removed)
        peaks[name] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        counts.commit(change)

    short = doc.rsplit("/", 1)[1]
    print(f"\n| step ({short}, 40 claims) | asserted +/- | inferred +/- | AssertedCounts.change | apply (reasoning) "
          f"| total, median of {args.repeat} | apply peak alloc |")
    print("|---|---|---|---|---|---|---|")
    for name, _ in steps:
        median_change = statistics.median(c for c, _ in times[name]) * 1000
        median_apply = statistics.median(a for _, a in times[name]) * 1000
        median_total = statistics.median(c + a for c, a in times[name]) * 1000
        a, r, ia, ir = sizes[name]
        print(f"| {name} | +{a} / -{r} | +{ia} / -{ir} | {median_change:.1f} ms | {median_apply:.1f} ms "
              f"| {median_total:.1f} ms | {peaks[name]:.1f} MB |")
    for label, t_apply, (a, r, ia, ir) in wide_rows:
        print(f"| {label} claim {wide_label} (wide) | +{a} / -{r} | +{ia} / -{ir} | | {t_apply * 1000:.1f} ms | | |")
    print(f"\nfull closure_scaled: {t_full:.1f} s; IncrementalClosure.build: {t_build:.1f} s; "
          f"state {state_total:,.0f} MB + AssertedCounts {counts_mb:,.0f} MB; "
          f"process peak RSS {peak_rss_mb():,.0f} MB; "
          f"command: python -m bench.incremental {' '.join(argv if argv is not None else sys.argv[1:])}")


if __name__ == "__main__":
    main()
