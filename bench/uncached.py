"""Uncached named questions through `kg serve` vs the same SPARQL on `oxigraph serve`.

    python -m bench.uncached --size 1000000      # needs var/bench/<size>/dataset.nq (bench.run makes it)

`bench.run` times /questions as a median of repeats, which the API's answer cache mostly serves. Here
every /questions request has parameters not asked before (vendor x jurisdiction), so each is a cache
miss, and the in-process split (store query vs `ask` with evidence vs `answer_json`) shows where the
time goes. Both servers first answer the same SPARQL twice (cold figures printed), so the comparison
is between warm page caches, as on a server that has been running: the peer's figure is a median of
three repeats of the same query anyway.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from kg.evidence_index import evidence_index
from kg.questions import answer_json, ask, bind_parameters, get_question
from kg.store.base import Table
from kg.store.oxigraph import OxigraphStore
from kg.store.values import bind_values

from .servers import free_port, oxigraph_cli, oxigraph_serve, stop, wait_until_up

QUESTION = "firms-training-outside"
COMBOS = [{"vendor": v, "jurisdiction": j} for j in ("china", "united-states") for v in ("nvidia", "amd", "intel")]
JSON = "application/sparql-results+json"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.uncached", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("var/bench"))
    args = parser.parse_args(argv)
    nq = args.work / str(args.size) / "dataset.nq"
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        store_dir, cli_dir = Path(tmp) / "store", Path(tmp) / "cli"
        OxigraphStore(store_dir).load_file(nq, ox.RdfFormat.N_QUADS)
        subprocess.run([oxigraph_cli(), "load", "--location", str(cli_dir), "--file", str(nq)], check=True,
                       capture_output=True)
        texts = _in_process(store_dir)
        _over_http(store_dir, cli_dir, texts)


def _in_process(store_dir: Path) -> list[str]:
    store = OxigraphStore(store_dir, read_only=True)
    start = time.perf_counter()
    evidence_index(store).build()
    print(f"evidence index of the store version built in {time.perf_counter() - start:.1f} s", flush=True)
    question = get_question(QUESTION)
    texts = []
    for params in COMBOS:
        bound = bind_parameters(store, question, params)
        start = time.perf_counter()
        table = store.query(question.sparql, bound)
        t_query = time.perf_counter() - start
        start = time.perf_counter()
        ask(store, QUESTION, params)
        t_ask = time.perf_counter() - start
        start = time.perf_counter()
        answer_json(store, QUESTION, params)
        t_json = time.perf_counter() - start
        rows = len(table.rows) if isinstance(table, Table) else 0
        print(f"in-process {params}: {rows} rows, store.query {t_query * 1000:.0f} ms, "
              f"ask with evidence {t_ask * 1000:.0f} ms, answer_json (what /questions sends) "
              f"{t_json * 1000:.0f} ms", flush=True)
        texts.append(bind_values(question.sparql, bound))
    store.close()
    return texts


def _over_http(store_dir: Path, cli_dir: Path, texts: list[str]) -> None:
    port = free_port()
    env = dict(os.environ, KG_STORE="oxigraph", KG_STORE_PATH=str(store_dir), KG_LOAD_IF_EMPTY="false",
               KG_QUERY_TIMEOUT="300", KG_MAX_RESULTS="1000000")
    kg = [str(Path(sys.executable).with_name("kg")), "serve", "--port", str(port), "--store-path", str(store_dir)]
    proc = subprocess.Popen(kg, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ratios = []
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", proc)
        with oxigraph_serve(cli_dir) as base, httpx.Client(timeout=600) as client:
            ours_url = f"http://127.0.0.1:{port}"

            def peer_query(text: str) -> float:
                start = time.perf_counter()
                client.post(f"{base}/query", content=text.encode(),
                            headers={"Content-Type": "application/sparql-query", "Accept": JSON}).raise_for_status()
                return time.perf_counter() - start

            # Warm both servers' page caches with the raw SPARQL (twice: `kg serve` has two workers, each
            # with its own store handle); the first, cold, requests are printed too. /questions below
            # still misses the answer cache: it has never seen these parameters.
            for params, text in zip(COMBOS, texts, strict=True):
                cold = []
                for _ in range(2):
                    start = time.perf_counter()
                    client.post(f"{ours_url}/sparql", data={"query": text}, headers={"Accept": JSON}).raise_for_status()
                    cold.append(time.perf_counter() - start)
                peer_cold = [peer_query(text) for _ in range(2)]
                print(f"cold {params}: kg serve /sparql {cold[0] * 1000:.0f}, {cold[1] * 1000:.0f} ms; oxigraph "
                      f"serve {peer_cold[0] * 1000:.0f}, {peer_cold[1] * 1000:.0f} ms", flush=True)
            for params, text in zip(COMBOS, texts, strict=True):
                start = time.perf_counter()
                client.get(f"{ours_url}/questions/{QUESTION}?{urlencode(params)}").raise_for_status()
                ours = time.perf_counter() - start
                peer = statistics.median(peer_query(text) for _ in range(3))
                ratios.append(ours / peer)
                print(f"HTTP {params}: kg serve /questions (uncached) {ours * 1000:.0f} ms; oxigraph serve "
                      f"{peer * 1000:.0f} ms; {ratios[-1]:.2f}x", flush=True)
        print(f"median ratio, uncached /questions to oxigraph serve: {statistics.median(ratios):.2f}x")
    finally:
        stop(proc, timeout=20)


if __name__ == "__main__":
    main()
