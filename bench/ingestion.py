"""The document pipeline end to end on 1,000 generated documents: ingest, then propose, as a curator's
batch would run them (`kg ingest FOLDER`, then `kg propose` of every new document).

    .venv/bin/python -m bench.ingestion              # 1,000 documents
    .venv/bin/python -m bench.ingestion --docs 200   # shorter

The documents come from bench.propose_eval.synthetic_documents (template sentences over the graph's
names, ~2.5 kB each), each with a dateline so ingest dates it from the text. They are ingested into a
scratch copy of data/ (the shipped registry included, so duplicate and near-duplicate checks run against
it), each registry write atomic and fsynced as in real use; then one Proposer (one LinkIndex) writes
each document's proposals file. Reported: documents/second per stage and overall, and the process's
peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kg.documents import read_documents
from kg.ingest.batch import Proposer, ingest_paths, registered
from kg.ingest.ingest import Metadata
from kg.ingest.propose import LinkIndex

from .propose_eval import DATA, ONTOLOGY, synthetic_documents


def run(n: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kg-ingest-bench-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(DATA, data)
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        texts = synthetic_documents(LinkIndex.build(DATA, ONTOLOGY), n)
        for i, text in enumerate(texts):
            day = 1 + i % 28
            (inbox / f"wire-{i:04d}.txt").write_text(f"SINGAPORE, March {day}, 2026 \u2014 {text}", encoding="utf-8")
        t0 = time.perf_counter()
        batch = ingest_paths(data, [inbox], Metadata(publisher="Example Wire"), max_bytes=2_000_000)
        t1 = time.perf_counter()
        proposer = Proposer(data, ONTOLOGY)
        t2 = time.perf_counter()
        claims = 0
        docs = read_documents(data / "documents" / "documents.yaml")  # once, as `kg propose` of many ids does
        for done in batch.ingested:
            _, proposed = proposer.document(registered(data, done.document_id, docs))
            claims += len(proposed)
        t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"documents": n, "ingested": len(batch.ingested), "refused": len(batch.refused),
            "ingest_s": round(t1 - t0, 2), "ingest_docs_per_s": round(n / (t1 - t0), 1),
            "index_build_s": round(t2 - t1, 2),
            "propose_s": round(t3 - t2, 2), "propose_docs_per_s": round(n / (t3 - t2), 1),
            "overall_docs_per_s": round(n / (t3 - t0), 1), "proposals": claims, "peak_rss_mb": round(peak, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.docs)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:<20} {value}")
    return 0 if result["refused"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
