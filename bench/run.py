"""Benchmarks side by side with the peers, at each size, in one run.

    python -m bench.run --quick                       # 10k only, small caps: the CI smoke (< 1 min)
    python -m bench.run --sizes 10000,100000,1000000  # the figures in docs/benchmarks.md

Data sets are generated into --work (default var/bench/<size>) when missing; nothing is committed.
Every figure is measured here, now: load (default store vs Oxigraph's own bulk loader), OWL RL
(owlrl vs the scaled reasoner), SHACL (kg.validation: scaled engine vs pyshacl), the named questions through the
store, through `kg serve` and against `oxigraph serve` and rdflib-endpoint over the same data, and a
bounded loopback load test. Slow peers are capped by time and reported as "> N s".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from kg.cache import AnswerCache
from kg.evidence_index import evidence_index
from kg.loader import Build
from kg.questions import answer_json, ask, bind_parameters, get_question
from kg.reasoning_scaled import closure_scaled
from kg.store.oxigraph import OxigraphStore
from kg.store.values import bind_values

from .generate import compile_dataset, write_dataset, write_nquads
from .servers import free_port, oxigraph_cli, oxigraph_serve, process, stop
from .timing import LoadResult, capped, http_load, median_ms, peak_rss_mb

QUESTIONS: list[tuple[str, dict[str, str]]] = [
    ("firms-training-outside", {"vendor": "nvidia", "jurisdiction": "china"}),
    ("models-trained-offshore", {}),
    ("rules-for-chip", {"chip": "syn-chip-nvidia-00001", "destination": "china", "date": "2026-01-01"}),
]
JSON = "application/sparql-results+json"
SKIP: set[str] = set()  # peers left out with --skip


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def section(self, title: str) -> None:
        self.lines += ["", f"### {title}", "", "| measure | value | vs peer |", "|---|---|---|"]
        print(f"\n== {title}", flush=True)

    def row(self, measure: str, value: str, ratio: str = "") -> None:
        self.lines.append(f"| {measure} | {value} | {ratio} |")
        print(f"  {measure:<58} {value:<36} {ratio}", flush=True)


def _secs(value: float | None, cap: float) -> str:
    return f"> {cap:.0f} s" if value is None else f"{value:.2f} s"


def _ratio(ours: float | None, peer: float | None, better: str = "lower") -> str:
    if ours is None or peer is None or ours == 0 or peer == 0:
        return ""
    r = ours / peer
    return f"{r:.2f}x the peer's time" if better == "lower" else f"{r:.2f}x the peer's rate"


def _ok(send: Callable[..., httpx.Response], *args: Any, **kwargs: Any) -> httpx.Response:
    """Send a request and raise on an error status (for timing loops)."""
    return send(*args, **kwargs).raise_for_status()


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def ensure_data(size: int, work: Path) -> Path:
    out = work / str(size)
    if not (out / "dataset.nq").exists():
        shutil.rmtree(out, ignore_errors=True)
        write_dataset(out, triples=size)
        result = compile_dataset(out)
        write_nquads(result.quads(), out / "dataset.nq")
    return out


def bench_size(size: int, work: Path, rep: Report, caps: dict[str, float], quick: bool) -> None:
    data = ensure_data(size, work)
    nq = data / "dataset.nq"
    scratch = Path(tempfile.mkdtemp(prefix=f"kgbench-{size}-", dir=work))
    try:
        _bench(size, data, nq, scratch, rep, caps, quick)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _bench(size: int, data: Path, nq: Path, scratch: Path, rep: Report, caps: dict[str, float],
           quick: bool) -> None:
    from kg.loader import Sources, build

    ontology = Path(__file__).resolve().parent.parent / "ontology" / "aichips.ttl"
    t_compile, built = _timed(lambda: build(Sources(ontology, data), reason=False))
    assert isinstance(built, Build)
    asserted = sum(len(g) for g in built.curated.claim_graphs.values()) + len(built.curated.provenance)
    rep.section(f"{size:,} triples (asserted + provenance: {asserted:,})")
    rep.row("compile curated YAML (quote and term checks, integrity shapes)", f"{t_compile:.2f} s")

    # -- OWL RL ----------------------------------------------------------------------------------------
    t_scaled, inferred = _timed(lambda: closure_scaled(built.ontology, built.curated.claim_graphs.values()))
    built.inferred = inferred
    owl = None if "owlrl" in SKIP else capped(f"""
import json, time
from pathlib import Path
from kg.loader import Sources, build
from kg.reasoning import closure
b = build(Sources(Path({str(ontology)!r}), Path({str(data)!r})), reason=False)
t = time.perf_counter(); closure(b.ontology, b.curated.claim_graphs.values())
print(json.dumps({{"seconds": time.perf_counter() - t}}))
""", cap_s=caps["owlrl"])
    t_owl = owl.get("seconds") if owl else None
    rep.row(f"OWL RL: scaled reasoner ({len(inferred):,} entailments)", f"{t_scaled:.2f} s",
            ("owlrl skipped (--skip)" if "owlrl" in SKIP else f"owlrl {_secs(t_owl, caps['owlrl'])}")
            + (f" ({t_owl / t_scaled:.0f}x faster)" if t_owl else ""))

    # -- load ------------------------------------------------------------------------------------------
    quads = list(built.quads())
    n = len(quads)
    store_dir = scratch / "store"
    store = OxigraphStore(store_dir)
    t_replace, _ = _timed(partial(store.replace_all, quads))
    del quads
    t_file, _ = _timed(lambda: OxigraphStore(scratch / "store-file").load_file(nq, ox.RdfFormat.N_QUADS))
    cli_dir = scratch / "oxigraph-cli"
    t_cli, _ = _timed(lambda: subprocess.run([oxigraph_cli(), "load", "--location", str(cli_dir), "--file", str(nq)],
                                             check=True, capture_output=True))
    rep.row(f"load {n:,} quads: Store.replace_all (default store)", f"{n / t_replace:,.0f} quads/s",
            f"{t_cli / t_replace:.2f}x `oxigraph load` ({n / t_cli:,.0f} quads/s)")
    rep.row("load: OxigraphStore.load_file (N-Quads, bulk loader)", f"{n / t_file:,.0f} quads/s",
            f"{t_cli / t_file:.2f}x `oxigraph load`")

    # -- questions through the store -------------------------------------------------------------------
    repeat = 3 if quick else 7
    budget = caps["query"]
    bound_texts: list[tuple[str, str, dict[str, str]]] = []
    t_index, _ = _timed(lambda: evidence_index(store).build())
    rep.row("evidence index of the store version (claims and their evidence, read once)", _secs(t_index, 1e9))
    for name, params in QUESTIONS:
        q = get_question(name)
        bound = bind_parameters(store, q, params)
        bound_texts.append((name, bind_values(q.sparql, bound) if bound else q.sparql, params))
        t_q, _ = median_ms(partial(store.query, q.sparql, bound), repeat=repeat, budget_s=budget)
        rows = len(store.query(q.sparql, bound).rows)  # type: ignore[union-attr]
        t_ask = float("nan")
        if size < 1_000_000:  # evidence costs ~60 ms per row at 100k (claim-details.rq): once is enough
            t_ask, _ = median_ms(partial(ask, store, name, params), repeat=1 if size >= 100_000 else repeat)
        t_json, _ = median_ms(partial(answer_json, store, name, params), repeat=repeat, budget_s=budget)
        cache = AnswerCache()
        cache.answer_json(store, name, params)
        t_cached, _ = median_ms(partial(cache.answer_json, store, name, params), repeat=repeat)
        rep.row(f"{name} ({rows} rows): store query / ask with evidence / answer_json (what /questions sends) "
                "/ cached", f"{t_q:.2f} / {t_ask:.1f} / {t_json:.1f} / {t_cached:.3f} ms")
    store.close()

    # -- the same SPARQL on the peers ------------------------------------------------------------------
    peer_ms: dict[str, float] = {}
    with oxigraph_serve(cli_dir) as base:
        with httpx.Client(timeout=120) as client:
            for name, text, _ in bound_texts:
                def send(text: str = text) -> None:
                    client.post(f"{base}/query", content=text.encode(),
                                headers={"Content-Type": "application/sparql-query", "Accept": JSON}).raise_for_status()
                peer_ms[name], _ = median_ms(send, repeat=repeat, budget_s=budget)
                rep.row(f"{name}: same SPARQL on `oxigraph serve` (HTTP)", f"{peer_ms[name]:.2f} ms")
        if "rdflib" not in SKIP:
            _rdflib(nq, bound_texts, rep, caps)
        _http(store_dir, base, bound_texts, peer_ms, rep, caps, quick)

    # -- SHACL -----------------------------------------------------------------------------------------
    for engine in ("scaled", "pyshacl") if size <= 100_000 and "pyshacl" not in SKIP else ("scaled",):
        _shacl(engine, store_dir, rep, caps)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rep.row("peak memory: this process / largest child", f"{peak_rss_mb():,.0f} MB / {children:,.0f} MB")


def _shacl(engine: str, store_dir: Path, rep: Report, caps: dict[str, float]) -> None:
    shacl = capped(f"""
import json, time
from pathlib import Path
from kg.store.oxigraph import OxigraphStore
from kg.validation.engine import validate
s = OxigraphStore(Path({str(store_dir)!r}), read_only=True)
t = time.perf_counter(); r = validate(s, evidence=False, engine={engine!r})
print(json.dumps({{"seconds": time.perf_counter() - t, "findings": len(r.findings)}}))
""", cap_s=caps["shacl"])
    if shacl and "error" in shacl:
        rep.row(f"SHACL: kg.validation.validate ({engine})", "failed", shacl["error"][:80])
    else:
        extra = f"{shacl['findings']} findings" if shacl else ""
        rep.row(f"SHACL: kg.validation.validate ({engine} engine, all shapes, store of this size)",
                _secs(shacl["seconds"] if shacl else None, caps["shacl"]), extra)


def _rdflib(nq: Path, bound_texts: list[tuple[str, str, dict[str, str]]], rep: Report,
            caps: dict[str, float]) -> None:
    port = free_port()
    args = [sys.executable, "-m", "bench.rdflib_server", str(nq), str(port)]
    url = f"http://127.0.0.1:{port}/sparql"
    attempts = int(caps["rdflib"] * 10)
    try:
        start = time.perf_counter()
        with process(args, f"{url}?query=ASK%7B%7D", attempts=attempts):
            rep.row("rdflib-endpoint: parse N-Quads into rdflib and start", f"{time.perf_counter() - start:.1f} s")
            with httpx.Client(timeout=caps["rdflib"]) as client:
                for name, text, _ in bound_texts:
                    try:
                        send = partial(_ok, client.post, url, data={"query": text}, headers={"Accept": JSON})
                        ms, _ = median_ms(send, repeat=3, budget_s=caps["rdflib"])
                        rep.row(f"{name}: same SPARQL on rdflib-endpoint", f"{ms:,.1f} ms")
                    except httpx.TimeoutException:
                        rep.row(f"{name}: same SPARQL on rdflib-endpoint", f"> {caps['rdflib']:.0f} s")
                    except httpx.HTTPStatusError as exc:
                        rep.row(f"{name}: same SPARQL on rdflib-endpoint", f"HTTP {exc.response.status_code}")
    except RuntimeError:
        rep.row("rdflib-endpoint: parse N-Quads into rdflib and start", f"> {caps['rdflib']:.0f} s (not measured)")


def _http(store_dir: Path, oxi_base: str, bound_texts: list[tuple[str, str, dict[str, str]]],
          peer_ms: dict[str, float], rep: Report, caps: dict[str, float], quick: bool) -> None:
    port, tport = free_port(), free_port()
    # The peers have no result or time limits: lift ours to compare like with like.
    env = dict(os.environ, KG_STORE="oxigraph", KG_STORE_PATH=str(store_dir), KG_LOAD_IF_EMPTY="false",
               KG_QUERY_TIMEOUT="120", KG_MAX_RESULTS="1000000")
    kg = [str(Path(sys.executable).with_name("kg")), "serve", "--port", str(port), "--store-path", str(store_dir)]
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(kg, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    trivial = [sys.executable, "-m", "bench.trivial_server", str(tport)]
    try:
        from .servers import wait_until_up

        wait_until_up(f"{base}/health", proc)
        with httpx.Client(timeout=120) as client:
            for name, text, params in bound_texts:
                url = f"{base}/questions/{name}?{urlencode(params)}"
                try:
                    ms, _ = median_ms(partial(_ok, client.get, url), repeat=5,
                                      budget_s=caps["query"])
                    rep.row(f"{name}: `kg serve` /questions (evidence)", f"{ms:.2f} ms",
                            _ratio(ms, peer_ms[name]) + " (oxigraph serve)")
                except httpx.HTTPStatusError as exc:
                    rep.row(f"{name}: `kg serve` /questions (evidence)", f"HTTP {exc.response.status_code}",
                            "the service's query timeout (KG_QUERY_TIMEOUT) stopped it")
                try:
                    sp, _ = median_ms(partial(
                        _ok, client.post, f"{base}/sparql", content=text.encode(),
                        headers={"Content-Type": "application/sparql-query", "Accept": JSON}),
                        repeat=5, budget_s=caps["query"])
                    rep.row(f"{name}: `kg serve` /sparql (same SPARQL)", f"{sp:.2f} ms",
                            _ratio(sp, peer_ms[name]) + " (oxigraph serve)")
                except httpx.HTTPStatusError as exc:
                    rep.row(f"{name}: `kg serve` /sparql (same SPARQL)", f"HTTP {exc.response.status_code}",
                            "refused by the service's limits (KG_MAX_RESULTS, KG_QUERY_TIMEOUT)")
        name, text, params = bound_texts[0]
        count = 60 if quick else 400
        targets: dict[str, Callable[[httpx.AsyncClient], Any]] = {
            f"`kg serve` /questions/{name}": lambda c: c.get(f"{base}/questions/{name}", params=params),
            "`kg serve` /sparql (headline SPARQL)": lambda c: c.post(
                f"{base}/sparql", content=text.encode(),
                headers={"Content-Type": "application/sparql-query", "Accept": JSON}),
            "`oxigraph serve` /query (headline SPARQL)": lambda c: c.post(
                f"{oxi_base}/query", content=text.encode(),
                headers={"Content-Type": "application/sparql-query", "Accept": JSON}),
        }
        with process(trivial, f"http://127.0.0.1:{tport}/ping"):
            targets["trivial FastAPI JSON endpoint (ceiling)"] = lambda c: c.get(f"http://127.0.0.1:{tport}/ping")
            for label, make in targets.items():
                for conns in (1, 16):
                    result: LoadResult = http_load(make, connections=conns, requests=count, max_seconds=caps["load"])
                    rep.row(f"load test {label}, {conns} conn", result.text())
    finally:
        stop(proc, timeout=15)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k only, small caps (CI smoke)")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--work", type=Path, default=Path("var/bench"))
    parser.add_argument("--owlrl-cap", type=float, default=120.0, help="seconds before owlrl is reported '> N s'")
    parser.add_argument("--rdflib-cap", type=float, default=120.0, help="seconds for rdflib to load / answer")
    parser.add_argument("--shacl-cap", type=float, default=180.0)
    parser.add_argument("--report", type=Path, help="also write the markdown tables here")
    parser.add_argument("--skip", default="", help="comma-separated peers not to run: owlrl, rdflib, pyshacl")
    args = parser.parse_args(argv)
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    caps = {"owlrl": args.owlrl_cap, "rdflib": args.rdflib_cap, "shacl": args.shacl_cap, "query": 20.0, "load": 10.0}
    SKIP.update(s for s in args.skip.split(",") if s)
    if args.quick:
        caps = {"owlrl": 10.0, "rdflib": 20.0, "shacl": 8.0, "query": 2.0, "load": 1.5}
    args.work.mkdir(parents=True, exist_ok=True)
    rep = Report()
    cmd = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    rep.lines += [f"Command: `{cmd}`; machine: {os.cpu_count()} cores; "
                  f"oxigraph {ox.__version__}; Python {sys.version.split()[0]}."]
    for size in sizes:
        bench_size(size, args.work, rep, caps, args.quick)
    if args.report:
        args.report.write_text("\n".join(rep.lines) + "\n", encoding="utf-8")
    print(json.dumps({"done": sizes}))


if __name__ == "__main__":
    main()
