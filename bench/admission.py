"""Admission control under attack: well-behaved clients' throughput with and without clients sending
runaway queries, against a real `kg serve` on the shipped graph.

Each client has its own loopback address (127.0.0.10, 127.0.0.11, ...), as distinct users would, so
per-client limits apply as they would in production. A well-behaved client sends, one after another,
the headline question, a small SPARQL query, an entity page and /health; an attacker sends a query
that runs until the time limit stops it, again and again. Both phases run for the same duration;
the report gives requests per second and every non-2xx answer or connection error.

    python -m bench.admission                       # 32 clients x 60 s, then + 2 attackers
    python -m bench.admission --clients 8 --seconds 10 --attackers 2
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kg.loader import Sources, build
from kg.store import open_store

from .servers import free_port, process

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MIX = [("/questions/firms-training-outside", {"vendor": "nvidia", "jurisdiction": "china"}),
       ("/sparql", {"query": "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 50"}),
       ("/entities/alibaba", {}),
       ("/health", {})]


@dataclass
class Tally:
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: str | None) -> None:
        with self.lock:
            if outcome is None:
                self.ok += 1
            else:
                self.errors[outcome] += 1


def _client(url: str, address: str, until: float, tally: Tally, runaway: bool) -> None:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=url, transport=transport, timeout=60) as client:
        i = 0
        while time.monotonic() < until:
            path, params = ("/sparql", {"query": RUNAWAY}) if runaway else MIX[i % len(MIX)]
            i += 1
            try:
                r = client.get(path, params=params, headers={"Accept": "application/json"} if path != "/sparql"
                               else {"Accept": "application/sparql-results+json"})
                tally.add(None if r.is_success else f"{r.status_code} {path}")
            except httpx.HTTPError as exc:
                tally.add(f"{type(exc).__name__} {path}")


def phase(url: str, clients: int, attackers: int, seconds: float) -> tuple[Tally, Tally, float]:
    good, bad = Tally(), Tally()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(url, f"127.0.0.{10 + i}", until, good, False))
               for i in range(clients)]
    threads += [threading.Thread(target=_client, args=(url, f"127.0.1.{10 + i}", until, bad, True))
                for i in range(attackers)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return good, bad, time.monotonic() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.admission", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--attackers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=0, help="KG_QUERY_WORKERS (0: the service's default)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kg-admission-") as tmp:
        store_dir = Path(tmp) / "store"
        with open_store("oxigraph", store_dir) as store:
            store.replace_all(build(Sources(ROOT / "ontology" / "aichips.ttl", ROOT / "data")).quads())
        port = free_port()
        env = {**os.environ, "KG_STORE_PATH": str(store_dir), "KG_HOST": "127.0.0.1", "KG_PORT": str(port),
               "KG_LOAD_IF_EMPTY": "false", "KG_QUERY_TIMEOUT": "5"}
        if args.workers:
            env["KG_QUERY_WORKERS"] = str(args.workers)
        kg = str(Path(sys.executable).with_name("kg"))
        url = f"http://127.0.0.1:{port}"
        os.environ.update({k: v for k, v in env.items() if k.startswith("KG_")})
        with process([kg, "serve"], url + "/health"):
            workers = httpx.get(url + "/health").json()["workers"]["workers"]
            print(f"kg serve: {workers:g} workers, {os.cpu_count()} cores; {args.clients} clients x "
                  f"{args.seconds:g} s, then the same with {args.attackers} attackers", flush=True)
            phase(url, min(args.clients, 4), 0, min(5.0, args.seconds))  # warm the caches
            base, _, t0 = phase(url, args.clients, 0, args.seconds)
            under, attacks, t1 = phase(url, args.clients, args.attackers, args.seconds)
    rate0, rate1 = base.ok / t0, under.ok / t1
    print("| phase | well-behaved req/s | their errors | runaway queries sent | their answers |")
    print("|---|---:|---:|---:|---|")
    print(f"| {args.clients} clients alone | {rate0:.1f} | {sum(base.errors.values())} | 0 | |")
    print(f"| + {args.attackers} attackers | {rate1:.1f} | {sum(under.errors.values())} | "
          f"{attacks.ok + sum(attacks.errors.values())} | {dict(attacks.errors)} |")
    print(f"kept {rate1 / rate0:.0%} of the throughput; errors of well-behaved clients: "
          f"{dict(base.errors) or 0} / {dict(under.errors) or 0}")


if __name__ == "__main__":
    main()
