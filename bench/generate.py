"""Generate a synthetic curated data set of a given size, in the layout of `data/`.

    python -m bench.generate --triples 10000 --out var/bench/10k [--seed 42] [--nquads]

Writes documents/, claims/ and reference/ under --out (the real loader reads them unchanged: quote
checks, term checks and reasoning all run). With --nquads it also compiles them with the real loader
(reasoner from KG_REASONER, default auto) and writes the complete dataset, every named graph
included, to OUT/dataset.nq for the peers (Oxigraph's bulk loader, `oxigraph serve`, rdflib).
Generated data is never knowledge: keep it out of data/ and out of git (var/ is ignored).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.loader import Build, Sources, build
from kg.store.base import Quad
from kg.store.convert import to_ox

from .world import generate
from .yamlout import write_yaml

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology" / "aichips.ttl"


def write_dataset(out: Path, *, triples: int, seed: int = 42) -> int:
    """Write the curated YAML for about `triples` asserted + provenance triples; return that estimate."""
    world = generate(triples, seed)
    write_yaml(world, out)
    return world.triples


def compile_dataset(data_dir: Path) -> Build:
    """Compile and reason over a generated data set with the project's own loader."""
    return build(Sources(ONTOLOGY, data_dir))


def write_nquads(quads: Iterable[Quad], path: Path) -> None:
    ox.serialize((ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in quads),
                 str(path), ox.RdfFormat.N_QUADS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, required=True, help="asserted + provenance triples to aim for")
    parser.add_argument("--out", type=Path, required=True, help="directory to write (data/ layout)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--nquads", action="store_true", help="also write OUT/dataset.nq (compiled, reasoned)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    estimate = write_dataset(args.out, triples=args.triples, seed=args.seed)
    print(f"wrote {args.out} (~{estimate} asserted + provenance triples) in {time.perf_counter() - start:.1f} s")
    if args.nquads:
        start = time.perf_counter()
        result = compile_dataset(args.out)
        write_nquads(result.quads(), args.out / "dataset.nq")
        print(f"compiled {result.counts} and wrote {args.out / 'dataset.nq'} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
