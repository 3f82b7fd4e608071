"""How well the claim proposer does: recall/precision on the curated document, and throughput.

    .venv/bin/python -m bench.propose_eval            # table
    .venv/bin/python -m bench.propose_eval --json     # the same figures as JSON
    .venv/bin/python -m bench.propose_eval --docs 200 # a shorter throughput run

Quality: the proposer runs on each document with curated claims (data/claims/<doc>.yaml; or those named
with --document) with that document's claims hidden from its LinkIndex (`exclude_documents`), and its
facts are compared with the curated ones as (subject, property, object) triples. For documents that came
through review, the curated claims are the reviewed ones, and the table says how many proposals were
accepted as proposed, edited before acceptance, rejected, and how many claims were written by hand.

- Counted facts ("core"): object-property values (entities, ontology individuals) and typed literals
  (dates, decimals, booleans). Not counted: rdf:type, labels, and free-text strings (purpose,
  description, statementText...), which cannot be compared by equality. The same rule applies to both
  sides. A second line adds the rdf:type facts ("core + types").
- Entity alignment: a proposed id that is an id of the graph (reference data) stays itself. A proposed
  *new* entity is mapped to the curated entity of the same class family (one class equal to or a
  subclass of the other) with the same normalised label (case, articles, parentheses and quote marks
  ignored), otherwise to the one sharing the most counted (property, object) facts, with at least two
  shared, or one for the defining property of activities (TrainingActivity: trainer; ChipSale: seller;
  Partnership: partner; Statement: speaker and overlapping words). Several proposed entities may map to
  one curated entity (the curated one can aggregate several sentences). Unmatched new entities keep
  their ids, so their facts count against precision.
- recall = |curated ∩ proposed| / |curated|; precision = |curated ∩ proposed| / |proposed|.

Throughput: 1,000 synthetic documents (template sentences over the graph's entity names, a few kB each,
written to a temporary directory and read back) go through `propose` in this process with one
LinkIndex; documents/second excludes building the index (reported on its own); peak memory is the
process's maximum resident set size (getrusage).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from kg.dates import parse_fuzzy_date
from kg.ingest.propose import LinkIndex, propose_counted, strip_review

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology" / "aichips.ttl"
DOCUMENT = "000_27b38dd4aa941715"
FREE_TEXT = {"a", "label", "altLabel", "skos:altLabel", "new"}
KEY_PROPS = {"TrainingActivity": ("trainer",), "ChipSale": ("seller",), "Partnership": ("partner",),
             "Statement": ("speaker",)}

Triple = tuple[str, str, str]


# -- quality -----------------------------------------------------------------------------------------


def _values(v: object) -> list[str]:
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def _norm_value(prop: str, value: str, index: LinkIndex) -> str:
    if index.datatype_ranges.get(prop) == "decimal":
        try:
            number = float(value)
            return str(int(number)) if number == int(number) else str(number)
        except ValueError:
            return value
    return value


def _norm_label(text: str, drop_parenthetical: bool = False) -> str:
    text = text.lower()
    if drop_parenthetical:
        text = re.sub(r"\([^)]*\)", "", text)
    text = re.sub(r"^(a|an|the)\s+", "", text.strip())
    return re.sub(r"[^a-z0-9]+", " ", text.replace("\u2019", "")).strip()


def _entities(claims: list[dict[str, Any]]) -> dict[str, dict[str, set[str]]]:
    """subject -> property -> values, merged over claims."""
    out: dict[str, dict[str, set[str]]] = {}
    for claim in claims:
        for subject, body in (claim.get("facts") or {}).items():
            slot = out.setdefault(str(subject), {})
            for prop, value in body.items():
                slot.setdefault(str(prop), set()).update(_values(value))
    return out


def _counted(prop: str, index: LinkIndex) -> bool:
    if prop in FREE_TEXT:
        return False
    return prop in index.object_properties or index.datatype_ranges.get(prop, "string") != "string"


def _compatible(a: set[str], b: set[str], index: LinkIndex) -> bool:
    return any(index.class_is_a(x, y) or index.class_is_a(y, x) for x in a for y in b)


def align(proposed: dict[str, dict[str, set[str]]], curated: dict[str, dict[str, set[str]]],
          new_ids: set[str], index: LinkIndex, quotes: dict[str, set[str]] | None = None) -> dict[str, str]:
    """Map proposed new entities to curated ones (see the module docstring). `quotes`: the quotes of the
    curated claims that declare each entity, the words of a statement that has no statementText."""
    quotes = quotes or {}
    mapping: dict[str, str] = {}
    for _ in range(3):  # objects aligned in one round make more facts comparable in the next
        for pid in sorted(new_ids):
            body = proposed[pid]
            classes = body.get("a", set())
            labels = {_norm_label(x) for x in body.get("label", set())}
            pfacts = {(p, mapping.get(o, o)) for p, vs in body.items() if _counted(p, index) for o in vs}
            best, best_score = None, 0.0
            for cid, cbody in curated.items():
                cclasses = cbody.get("a", set()) | index.classes_of(cid)
                if classes and cclasses and not _compatible(classes, cclasses, index):
                    continue
                names = cbody.get("label", set()) | cbody.get("altLabel", set())
                names |= set(index.entities[cid].labels if cid in index.entities else [])
                # A curated label's parenthetical ("(unnamed)") may be dropped; the proposal's may not.
                clabels = {_norm_label(x) for x in names} | {_norm_label(x, True) for x in names}
                if labels & clabels:
                    score = 100.0
                else:
                    cfacts = {(p, o) for p, vs in cbody.items() if _counted(p, index) for o in vs}
                    shared = len(pfacts & cfacts)
                    keys = [k for c in classes for k in KEY_PROPS.get(c, ())]
                    key_ok = bool(keys) and all(body.get(k) and {mapping.get(v, v) for v in body.get(k, set())}
                                                <= cbody.get(k, set()) for k in keys)
                    if "Statement" in classes and key_ok:
                        ptext = " ".join(body.get("statementText", set())).lower()
                        ctext = " ".join(cbody.get("statementText", set()) or quotes.get(cid, set())).lower()
                        key_ok = bool(ptext and ctext) and (ptext in ctext or ctext in ptext)
                    # Activities and statements need their defining property; other things two shared facts.
                    if (keys and key_ok and shared >= 1) or (not keys and shared >= 2):
                        score = shared + (0.5 if key_ok else 0.0)
                    else:
                        continue
                if score > best_score:
                    best, best_score = cid, score
            if best is not None:
                mapping[pid] = best
    return mapping


def triples(entities: dict[str, dict[str, set[str]]], mapping: dict[str, str], index: LinkIndex,
            with_types: bool) -> set[Triple]:
    out: set[Triple] = set()
    for subject, body in entities.items():
        s = mapping.get(subject, subject)
        for prop, values in body.items():
            if _counted(prop, index) or (with_types and prop == "a"):
                for v in values:
                    out.add((s, prop, mapping.get(v, _norm_value(prop, v, index))))
    return out


def quality(index_data: Path = DATA, document: str = DOCUMENT) -> dict[str, Any]:
    """Proposals for `document` (its claims hidden from the index) against its curated claims."""
    index = LinkIndex.build(index_data, ONTOLOGY, exclude_documents=frozenset({document}))
    registry = yaml.load((index_data / "documents" / "documents.yaml").read_text(encoding="utf-8"),
                         Loader=yaml.BaseLoader)
    entry = next(d for d in registry["documents"] if d["id"] == document)
    text = (index_data / "documents" / entry["file"]).read_text(encoding="utf-8")
    claims, stats = propose_counted(text, document_id=document, document_date=parse_fuzzy_date(entry["date"]),
                                    index=index)
    curated_claims = yaml.load((index_data / "claims" / f"{document}.yaml").read_text(encoding="utf-8"),
                               Loader=yaml.BaseLoader)["claims"]
    stripped = [strip_review(c) for c in claims]
    proposed = _entities(stripped)
    curated = _entities(curated_claims)
    new_ids = {s for c in claims if isinstance(c["facts"], dict) for s, body in c["facts"].items()
               if body.get("new")}
    quotes: dict[str, set[str]] = {}
    for claim in curated_claims:
        for subject, body in (claim.get("facts") or {}).items():
            if isinstance(body, dict) and body.get("a"):
                quotes.setdefault(str(subject), set()).add(str(claim["quote"]).strip("\u201c\u201d"))
    mapping = align(proposed, curated, new_ids, index, quotes)
    result: dict[str, Any] = {
        "document": document,
        "claims_proposed": len(claims),
        "claims_dropped_not_compiling": stats.dropped,
        "quotes_verbatim": sum(1 for c in claims if str(c["quote"]) in text) / max(1, len(claims)),
        "new_entities": len(new_ids),
        "new_entities_aligned": len(mapping),
        "alignment": dict(sorted(mapping.items())),
    }
    for name, with_types in (("core", False), ("core_plus_types", True)):
        gold = triples(curated, {}, index, with_types)
        got = triples(proposed, mapping, index, with_types)
        hit = gold & got
        result[name] = {
            "curated_facts": len(gold), "proposed_facts": len(got), "matched": len(hit),
            "recall": round(len(hit) / max(1, len(gold)), 3), "precision": round(len(hit) / max(1, len(got)), 3),
        }
        if not with_types:
            result["missed_by_property"] = _by_property(gold - got)
            result["unmatched_proposed_by_property"] = _by_property(got - gold)
    result["compiles"] = _compiles(stripped, index_data, document)
    result["review"] = _review_record(index_data, document, curated_claims)
    return result


def _review_record(data: Path, document: str, curated: list[dict[str, Any]]) -> dict[str, int]:
    """How the curator treated the proposals: accepted as proposed, accepted after editing, rejected, and
    claims written by hand (without a review record)."""
    reviewed = [c for c in curated if isinstance(c.get("review"), dict)]
    rejected_file = data / "claims" / f"{document}.rejected.yaml"
    rejected = yaml.load(rejected_file.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)["rejected"] \
        if rejected_file.exists() else []
    return {"accepted_unchanged": sum(1 for c in reviewed if c["review"].get("edited") != "true"),
            "accepted_edited": sum(1 for c in reviewed if c["review"].get("edited") == "true"),
            "rejected": len(rejected), "written_by_hand": len(curated) - len(reviewed)}


def _by_property(facts: set[Triple]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, p, _ in facts:
        counts[p] = counts.get(p, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _compiles(stripped: list[dict[str, object]], data: Path, document: str) -> str:
    """Add the stripped proposals to a copy of the data as a claims file and run the real loader."""
    from kg.errors import LoadError
    from kg.loader import Sources, build

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "data"
        shutil.copytree(data, target)
        # The curated claims stay: reference data points at entities they declare. The proposals go
        # beside them, as a curator who accepted all of them would have them.
        # A reviewed document's claims keep the proposals' ids: suffix them here so both files load.
        renamed = [{**c, "id": f"{c['id']}-as-proposed"} for c in stripped]
        (target / "claims" / f"{document}.accepted-proposals.yaml").write_text(
            yaml.safe_dump({"document": document, "claims": renamed}, allow_unicode=True, sort_keys=False),
            encoding="utf-8")
        try:
            build(Sources(ONTOLOGY, target), reason=False)
        except LoadError as exc:
            return f"no: {exc}"
        except Exception as exc:  # integrity findings come as their own error type
            return f"compiles; integrity shapes refuse it: {str(exc)[:200]}"
    return "yes (kg.loader.build, integrity shapes included)"


# -- throughput ---------------------------------------------------------------------------------------

_TEMPLATES = (
    "{dev} is training large language models in {place} data centres on {vendor} hardware.",
    "According to people familiar with the matter, {dev} leases data centers in {place} from {newop}.",
    "{vendor}'s {chip} chips power the cluster, sources said.",
    "{newdev}, a {adj} AI developer, trains its models at home using stockpiled {vendor} chips.",
    "The {rule} took effect on {month} {day}, {year}, and covers exports to {place}.",
    "In {month}, regulators blocked {chip} sales to {place}, analysts said.",
    "{dev} and {newdev} announced a partnership to develop domestic chips.",
    "Data center capacity in {place} grew {pct}% last year, per industry reports.",
    "{vendor} could face new curbs on {chip} exports, officials anticipate.",
    "{newdev}'s {newmodel} models rank among the leading systems, with {newmodel}'s open version widely used.",
    "The government approved sales of {chip} chips by {vendor} to {place}, stipulating a {pct}% revenue share.",
    "Earlier this year, {dev} moved part of its model training to {place}.",
    "{person}, head of research at {newthink}, said the rules were too strict.",
)
_MONTHS = ("January", "February", "March", "April", "June", "July", "August", "September", "October")
_SYLLABLES = ("ka", "lo", "ri", "zen", "mo", "ta", "vex", "qu", "neo", "sol", "tri", "ar")


def _name(rng: random.Random, suffix: str = "") -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{word}{suffix}"


def synthetic_documents(index: LinkIndex, n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)

    def labels(cls: str) -> list[str]:
        return sorted(e.labels[0] for e in index.entities.values() if e.labels and index.is_a(e.id, cls))

    pools = {"dev": labels("AIDeveloper") or ["Acme AI"], "vendor": labels("ChipVendor") or ["Chipco"],
             "place": labels("Country") + labels("Region"), "chip": [lbl.split()[-1] for lbl in labels("Chip")],
             "rule": labels("ExportControlRule") or ["export rule"]}
    docs = []
    for _ in range(n):
        sentences: list[str] = []
        while sum(len(s) + 1 for s in sentences) < 2500:
            template = rng.choice(_TEMPLATES)
            sentences.append(template.format(
                dev=rng.choice(pools["dev"]), vendor=rng.choice(pools["vendor"]), place=rng.choice(pools["place"]),
                chip=rng.choice(pools["chip"]), rule=rng.choice(pools["rule"]), month=rng.choice(_MONTHS),
                day=rng.randint(1, 28), year=rng.randint(2023, 2025), pct=rng.randint(5, 40),
                adj=rng.choice(("Chinese", "US", "Malaysian")), newdev=_name(rng, " AI"),
                newop=_name(rng, " Data Centres"), newmodel=_name(rng), newthink=_name(rng, " Institute"),
                person=f"{_name(rng)} {_name(rng)}"))
        docs.append(" ".join(sentences) + "\n")
    return docs


def throughput(n: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    index = LinkIndex.build(DATA, ONTOLOGY)
    build_s = time.perf_counter() - t0
    date = parse_fuzzy_date("2025-11-30")
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, text in enumerate(synthetic_documents(index, n)):
            path = Path(tmp) / f"doc{i:04d}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        total_bytes, total_claims, verbatim = 0, 0, 0
        t1, c1 = time.perf_counter(), time.process_time()
        for path in paths:
            text = path.read_text(encoding="utf-8")
            claims, _ = propose_counted(text, document_id=path.stem, document_date=date, index=index)
            total_bytes += len(text.encode("utf-8"))
            total_claims += len(claims)
            verbatim += sum(1 for c in claims if str(c["quote"]) in text)
        elapsed, cpu = time.perf_counter() - t1, time.process_time() - c1
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "documents": n, "mean_document_bytes": round(total_bytes / max(1, n)), "index_build_s": round(build_s, 2),
        "seconds": round(elapsed, 2), "documents_per_second": round(n / elapsed, 1),
        # Per CPU second of this process: what the proposer costs when the machine is shared.
        "documents_per_cpu_second": round(n / max(cpu, 1e-9), 1),
        "claims_per_document": round(total_claims / max(1, n), 1),
        "quotes_verbatim": round(verbatim / max(1, total_claims), 4),
        "peak_rss_mb": round(peak_kb / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--docs", type=int, default=1000, help="synthetic documents for the throughput run")
    parser.add_argument("--document", action="append", help="document ids to evaluate (default: every document "
                        "with curated claims)")
    args = parser.parse_args(argv)
    documents = args.document or sorted(p.name.removesuffix(".yaml") for p in (DATA / "claims").glob("*.yaml")
                                        if not p.name.endswith((".proposed.yaml", ".rejected.yaml")))
    qualities = [quality(DATA, d) for d in documents]
    t = throughput(args.docs)
    result: dict[str, Any] = {"quality": qualities, "throughput": t}
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    for q in qualities:
        _print_quality(q)
    rows = [
        ("synthetic documents (mean bytes)", f"{t['documents']} ({t['mean_document_bytes']})"),
        ("index build", f"{t['index_build_s']} s"),
        ("documents / second (wall; per CPU second)", f"{t['documents_per_second']}; "
                                                       f"{t['documents_per_cpu_second']}"),
        ("claims / document; quotes verbatim", f"{t['claims_per_document']}; {t['quotes_verbatim']:.2%}"),
        ("peak RSS", f"{t['peak_rss_mb']} MB"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


def _print_quality(q: dict[str, Any]) -> None:
    r = q["review"]
    rows = [
        ("document", q["document"]),
        ("claims proposed / dropped (not compiling)", f"{q['claims_proposed']} / {q['claims_dropped_not_compiling']}"),
        ("quotes verbatim", f"{q['quotes_verbatim']:.0%}"),
        ("new entities / aligned to curated", f"{q['new_entities']} / {q['new_entities_aligned']}"),
        ("core facts: curated / proposed / matched",
         f"{q['core']['curated_facts']} / {q['core']['proposed_facts']} / {q['core']['matched']}"),
        ("core recall / precision", f"{q['core']['recall']:.3f} / {q['core']['precision']:.3f}"),
        ("core+types recall / precision",
         f"{q['core_plus_types']['recall']:.3f} / {q['core_plus_types']['precision']:.3f}"),
        ("stripped proposals compile", q["compiles"]),
        ("review: accepted as proposed / edited / rejected / by hand",
         f"{r['accepted_unchanged']} / {r['accepted_edited']} / {r['rejected']} / {r['written_by_hand']}"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print(f"{'missed (by property)':<{width}}  {q['missed_by_property']}")
    print(f"{'unmatched proposed (by property)':<{width}}  {q['unmatched_proposed_by_property']}")
    print()


if __name__ == "__main__":
    sys.exit(main())
