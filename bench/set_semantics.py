"""Cost of the stored default graph (set semantics, kg/store/oxigraph.py): load time, disk, SPARQL
through `kg serve` against `oxigraph serve --union-default-graph`, and updates.

    python -m bench.set_semantics --size 100000     # needs var/bench/<size>/dataset.nq (bench.run makes it)
    python -m bench.set_semantics --size 1000000
    mkdir -p /tmp/prev && git archive 75f3be7 | tar -x -C /tmp/prev    # the version before, for an A/B:
    python -m bench.set_semantics --size 100000 --previous-src /tmp/prev

Load and disk: the same quads written as the previous version did (named graphs only, compacted), and as
now (each triple once more in the default graph), through `replace_all` (rdflib terms, the loader's path)
and `load_file` (N-Quads). SPARQL: representative queries (the README's tour query, COUNT(*), the three
named questions of bench.run with their parameters bound, a GRAPH ?g query), median of 5 after one warm-up
each, both servers on the same data. Updates: an INSERT DATA (re-checks the triples it names) and a
DELETE/INSERT ... WHERE (compares the whole default graph with the named graphs), each in the write child.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from kg.questions import bind_parameters, get_question
from kg.store.convert import from_ox, to_ox
from kg.store.oxigraph import OxigraphStore
from kg.store.values import bind_values

from .run import QUESTIONS
from .servers import free_port, oxigraph_cli, oxigraph_serve, stop, wait_until_up

JSON = "application/sparql-results+json"
PREFIXES = ("PREFIX aic: <https://w3id.org/aichips/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")


def _du(path: Path) -> float:
    """MB on disk."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _cpu(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU of this process and its threads) seconds: CPU is what a shared machine does not blur."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _rdflib_quads(nq: Path) -> list[Any]:
    return [(from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name))
            for q in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS)]


def _previous_replace_all(target: Path, quads: list[Any]) -> None:
    """What replace_all wrote before: the named graphs only (bulk load, then compaction)."""
    store = ox.Store(str(target))
    store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in quads)
    store.optimize()
    store.flush()


def _previous_load_file(target: Path, nq: Path) -> None:
    store = ox.Store(str(target))
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    store.optimize()
    store.flush()


def load_and_disk(nq: Path, work: Path) -> Path:
    quads = _rdflib_quads(nq)
    n = len(quads)
    print(f"quads: {n:,}", flush=True)
    before, before_cpu = _cpu(partial(_previous_replace_all, work / "prev-replace", quads))
    store = OxigraphStore(work / "new-replace")
    now, now_cpu = _cpu(partial(store.replace_all, quads))
    gen = store.generation
    store.close()
    print(f"replace_all: previous {before:.1f} s wall, {before_cpu:.1f} s CPU ({n / before:,.0f} quads/s); now "
          f"{now:.1f} s wall, {now_cpu:.1f} s CPU ({n / now:,.0f} quads/s); CPU {now_cpu / before_cpu:.2f}x; disk "
          f"{_du(work / 'prev-replace'):,.0f} MB -> {_du(gen):,.0f} MB ({_du(gen) / _du(work / 'prev-replace'):.2f}x)",
          flush=True)
    del quads
    before, before_cpu = _cpu(partial(_previous_load_file, work / "prev-file", nq))
    store = OxigraphStore(work / "new-file")
    now, now_cpu = _cpu(partial(store.load_file, nq, ox.RdfFormat.N_QUADS))
    gen = store.generation
    store.close()
    print(f"load_file: previous {before:.1f} s wall, {before_cpu:.1f} s CPU ({n / before:,.0f} quads/s); now "
          f"{now:.1f} s wall, {now_cpu:.1f} s CPU ({n / now:,.0f} quads/s); CPU {now_cpu / before_cpu:.2f}x; disk "
          f"{_du(work / 'prev-file'):,.0f} MB -> {_du(gen):,.0f} MB", flush=True)
    cli = _timed(lambda: subprocess.run([oxigraph_cli(), "load", "--location", str(work / "cli"), "--file",
                                         str(nq)], check=True, capture_output=True))
    print(f"`oxigraph load` CLI (peer): {cli:.1f} s wall ({n / cli:,.0f} quads/s), disk {_du(work / 'cli'):,.0f} MB",
          flush=True)
    return work / "new-file"


def queries(store_dir: Path) -> list[tuple[str, str]]:
    texts = [("tour query (README)", PREFIXES + "SELECT ?m ?l WHERE { ?m a aic:LargeLanguageModel ; rdfs:label ?l }"),
             ("COUNT(*) over the default graph", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
             ("GRAPH ?g: claims per class", PREFIXES + "SELECT ?c (COUNT(DISTINCT ?g) AS ?n) WHERE "
                                            "{ GRAPH ?g { ?e a ?c } } GROUP BY ?c")]
    store = OxigraphStore(store_dir, read_only=True)
    for name, params in QUESTIONS:
        q = get_question(name)
        bound = bind_parameters(store, q, params)
        texts.append((name, bind_values(q.sparql, bound) if bound else q.sparql))
    store.close()
    return texts


def _median_ms(send: Callable[[], httpx.Response], repeat: int = 5) -> tuple[float, int]:
    rows = len(send().raise_for_status().json()["results"]["bindings"])  # warm-up, and the row count
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        send().raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), rows


@contextmanager
def kg_serve(store_dir: Path, previous_src: Path | None = None) -> Iterator[str]:
    """`kg serve` on the store (with `previous_src`, the previous version's code, from that copy)."""
    port = free_port()
    env = dict(os.environ, KG_STORE="oxigraph", KG_STORE_PATH=str(store_dir), KG_LOAD_IF_EMPTY="false",
               KG_QUERY_TIMEOUT="120", KG_MAX_RESULTS="1000000")
    if previous_src is not None:
        env["PYTHONPATH"] = str(previous_src)
    args = [sys.executable, "-m", "kg", "serve", "--port", str(port), "--store-path", str(store_dir)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", proc)
        yield f"http://127.0.0.1:{port}/sparql"
    finally:
        stop(proc, timeout=20)


def previous_store(nq: Path, target: Path, previous_src: Path) -> Path:
    """The same data loaded by the previous version (named graphs only, the engine's union at query time)."""
    code = ("import sys; from pathlib import Path; import pyoxigraph as ox; from kg.store.oxigraph import "
            "OxigraphStore; OxigraphStore(Path(sys.argv[1])).load_file(Path(sys.argv[2]), ox.RdfFormat.N_QUADS)")
    subprocess.run([sys.executable, "-c", code, str(target), str(nq)], check=True,
                   env=dict(os.environ, PYTHONPATH=str(previous_src)))
    return target


def over_http(store_dir: Path, cli_dir: Path, texts: list[tuple[str, str]], previous: Path | None,
              previous_src: Path | None) -> None:
    ratios = []
    with ExitStack() as stack:
        ours_url = stack.enter_context(kg_serve(store_dir))
        prev_url = stack.enter_context(kg_serve(previous, previous_src)) if previous and previous_src else None
        peer = stack.enter_context(oxigraph_serve(cli_dir)) + "/query"
        client = stack.enter_context(httpx.Client(timeout=300))
        headers = {"Content-Type": "application/sparql-query", "Accept": JSON}
        for label, text in texts:
            body = text.encode()
            ours, rows = _median_ms(partial(client.post, ours_url, content=body, headers=headers))
            theirs, peer_rows = _median_ms(partial(client.post, peer, content=body, headers=headers))
            before = ""
            if prev_url is not None:
                ms, prev_rows = _median_ms(partial(client.post, prev_url, content=body, headers=headers))
                before = f" {ms:,.1f} ({prev_rows:,} rows) |"
            ratios.append(ours / theirs)
            print(f"| {label} | {rows:,} | {ours:,.1f} |{before} {peer_rows:,} | {theirs:,.1f} | "
                  f"{ours / theirs:.2f}x |", flush=True)
    print(f"median ratio /sparql to oxigraph serve: {statistics.median(ratios):.2f}x", flush=True)


def updates(store_dir: Path) -> None:
    store = OxigraphStore(store_dir)
    triple = "<https://w3id.org/aichips/id/bench-x> <https://w3id.org/aichips/ontology#note> \"x\""
    graph = "<https://w3id.org/aichips/graph/bench-scratch>"
    for label, text in (("INSERT DATA (triples it names re-checked)",
                         f"INSERT DATA {{ GRAPH {graph} {{ {triple} }} }}"),
                        ("DELETE/INSERT ... WHERE (whole default graph compared)",
                         f"DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")):
        seconds = _timed(partial(store.update, text, timeout=600))
        print(f"update, {label}: {seconds:.2f} s", flush=True)
    store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.set_semantics", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("var/bench"))
    parser.add_argument("--skip-load", action="store_true", help="only the queries and updates")
    parser.add_argument("--previous-src", type=Path, help="a copy of the previous version's source "
                        "(git archive 75f3be7 | tar -x -C DIR): its `kg serve` is timed too")
    args = parser.parse_args(argv)
    nq = args.work / str(args.size) / "dataset.nq"
    with tempfile.TemporaryDirectory(dir=args.work, prefix="set-semantics-") as tmp:
        work = Path(tmp)
        if args.skip_load:
            OxigraphStore(work / "new-file").load_file(nq, ox.RdfFormat.N_QUADS)
            subprocess.run([oxigraph_cli(), "load", "--location", str(work / "cli"), "--file", str(nq)],
                           check=True, capture_output=True)
            store_dir = work / "new-file"
        else:
            store_dir = load_and_disk(nq, work)
        for scratch in ("prev-replace", "prev-file", "new-replace"):
            shutil.rmtree(work / scratch, ignore_errors=True)
        previous = previous_store(nq, work / "previous", args.previous_src) if args.previous_src else None
        extra = " previous `kg serve` ms |" if previous else ""
        print(f"| query | rows | `kg serve` /sparql ms |{extra} peer rows | `oxigraph serve` ms | ratio |")
        print("|---|---|---|---|---|---|" + ("---|" if previous else ""))
        over_http(store_dir, work / "cli", queries(store_dir), previous, args.previous_src)
        updates(store_dir)


if __name__ == "__main__":
    main()
