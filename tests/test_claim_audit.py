"""Audit of the curated claims and reference assertions (issue #12, item 8): each test encodes one class of
over- or under-claiming a reviewer found, so the class cannot come back. They read data/claims/*.yaml and
data/reference/*.yaml as curators wrote them (every scalar a string, as the compiler reads them).

- a causal link (`causedBy`) needs a causal cue in the quote, not a merely temporal one ("since", "after");
- a claim's time is no finer than its words unless the note says which day it means, a rolling period
  ("over the past year") is not a calendar year, "this year" is the document's year, and "since"/"after" an
  event of a known day does not start on the 1st of its month;
- a reference assertion cites a source that mentions what it is cited for (SOURCE_MENTIONS below);
- a claim attributed to someone other than the article (or its publisher) names them in its quote;
- facts specific to a firm (its chips, places, facilities, leases, sales) come from a quote naming it;
- a claim that creates a rule, or names its issuer, quotes normative words (require, ban, mandate...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kg.config import PROJECT_ROOT

DATA = PROJECT_ROOT / "data"
DOCUMENT_AUTHOR = "article-author"
REGULATION_CLASSES = {"Regulation", "ExportControlRule", "LicenceRequirement", "PermitRequirement",
                      "DomesticChipMandate", "Authorization"}
DATE_PROPERTIES = {"startDate", "endDate", "effectiveDate", "announcedDate", "publicationDate",
                   "complianceDate", "rescissionDate", "suspendedFrom", "suspendedUntil"}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")

# What each reference source says something about, among the chip-domain entities (chips, product lines,
# vendors): a reference assertion about one of them, or a rule's scope naming one, must cite a source
# listed here as mentioning it. A new source must be added here.
SOURCE_MENTIONS: dict[str, set[str]] = {
    "wikidata": {"alibaba", "bytedance", "nvidia", "amd", "huawei"},
    "gleif-nvidia": {"nvidia"},
    "ft-2025-11-27": {"alibaba", "bytedance", "nvidia", "deepseek", "huawei"},
    "nvidia-h100-datasheet": {"nvidia", "h100", "hopper"},
    "nvidia-h200-specs": {"nvidia", "h200", "hopper"},
    "nvidia-b200-specs": {"nvidia", "b200", "blackwell"},
    "h20-press-specs": {"nvidia", "h20", "hopper"},
    "nvidia-8k-2025-04-15": {"nvidia", "h20"},  # Nvidia's own filing: nothing about AMD or the MI308
    "bis-2025-05-13": {"huawei", "ascend", "ascend-910b", "ascend-910c", "ascend-910d"},
    "press-2025-08": {"nvidia", "amd", "h20", "mi308"},
    "press-2025-12-08": {"nvidia", "h200", "blackwell"},
    "fr-91-1684": {"h200", "mi325x"},
    "fr-87-62186": set(), "fr-88-2821": set(), "fr-88-73458": set(), "fr-89-96790": set(),
    "fr-90-4544": set(), "bis-ai-diffusion-page": set(), "fr-doc-2025-19001": set(),
    "malaysia-miti-2025-07-14": set(), "reuters-2025-11-05": set(),
    "iso-3166-1": set(), "iso-3166-2-cn": set(), "un-m49": set(), "ear-country-groups": set(),
}
CHIP_DOMAIN_CLASSES = {"Chip", "ChipProductLine", "ChipVendor"}
SCOPE_PROPERTIES = ("coversChip", "coversVendor", "grantedTo")

CAUSAL_CUES = ("led to", "lead to", "leads to", "prompting", "prompted", "driver", "driven by", "because",
               "due to", "caused", "causing", "result", "bypass", "sidestep", "to comply", "excluding",
               "fueled by", "fuelled by")
NORMATIVE_CUES = ("require", "mandate", "must", "ban", "restrict", "rule", "regulation", "approv", "licen",
                  "blocked", "limits", "curb", "control", "permit", "authoriz", "authoris",
                  "agency")  # a Federal Register header's "AGENCY:" names the issuer
ROLLING_PERIOD = re.compile(r"\b(past|last)\s+(year|twelve months|\d+\s+months)\b|year-over-year|year over year")
DOCUMENT_RELATIVE = re.compile(r"\bthis year\b")
ORG_PROPERTIES = ("leasedBy", "trainer", "grantedTo", "seller", "buyer", "partner")
ACTIVITY_SPECIFIC = ("usesChip", "locatedIn", "atFacility", "hardwareAccess", "startDate", "endDate")
STOPWORDS = {"with", "from", "the", "and", "unnamed", "based", "reports", "sources", "their"}


@dataclass(frozen=True)
class Item:
    file: str
    kind: str  # "claim" | "assertion"
    raw: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    @property
    def facts(self) -> dict[str, dict[str, Any]]:
        return dict(self.raw.get("facts") or {})

    @property
    def quote(self) -> str:
        return str(self.raw.get("quote", ""))

    @property
    def note(self) -> str:
        return str(self.raw.get("note", ""))

    def triples(self) -> Iterator[tuple[str, str, str]]:
        for subject, body in self.facts.items():
            for prop, value in (body or {}).items():
                for v in value if isinstance(value, list) else [value]:
                    yield subject, prop, str(v)

    def where(self) -> str:
        return f"{self.file}: {self.id}"


def _load(path: Path) -> dict[str, Any]:
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # every scalar a string
    assert isinstance(loaded, dict), path
    return loaded


@cache
def _items() -> tuple[Item, ...]:
    out: list[Item] = []
    for path in sorted((DATA / "claims").glob("*.yaml")):
        if path.name.endswith((".proposed.yaml", ".rejected.yaml")):
            continue
        out.extend(Item(path.name, "claim", c) for c in _load(path).get("claims") or [])
    for path in sorted((DATA / "reference").glob("*.yaml")):
        out.extend(Item(path.name, "assertion", a) for a in _load(path).get("assertions") or [])
    return tuple(out)


def _claims() -> list[Item]:
    return [i for i in _items() if i.kind == "claim"]


@cache
def _graph() -> dict[str, dict[str, set[str]]]:
    """entity -> property -> values, over every claim and assertion (what the compiler would merge)."""
    g: dict[str, dict[str, set[str]]] = {}
    for item in _items():
        for s, p, o in item.triples():
            g.setdefault(s, {}).setdefault(p, set()).add(o)
    return g


def _values(entity: str, prop: str) -> set[str]:
    return _graph().get(entity, {}).get(prop, set())


def _names(entity: str) -> set[str]:
    return {n.lower() for n in {entity, *_values(entity, "label"), *_values(entity, "altLabel")}}


def _named_in(entity: str, text: str) -> bool:
    low = text.lower()
    return any(n in low for n in _names(entity))


def _precision(value: str) -> int:
    return {4: 1, 7: 2, 10: 3}[len(value)]  # year, month, day


def _expression_precision(expression: str) -> int:
    low = expression.lower()
    if any(m in low for m in MONTHS):
        return 3 if re.search(r"\b\d{1,2}\b", low) else 2
    return 3 if re.search(r"\d{4}-\d{2}-\d{2}", low) else 1


def _dates_a_day(note: str) -> bool:
    """Whether a note says which day it means (ISO, '15 January 2025' or 'January 15, 2025')."""
    months = "|".join(MONTHS)
    return bool(re.search(rf"\d{{4}}-\d{{2}}-\d{{2}}|\b\d{{1,2}} ({months}) \d{{4}}|\b({months}) \d{{1,2}}, \d{{4}}",
                          note.lower()))


def _regulation_dates() -> dict[str, str]:
    """Regulation id -> its effective date, as the reference data records it."""
    out: dict[str, str] = {}
    for entity, props in _graph().items():
        if props.get("a", set()) & REGULATION_CLASSES:
            for d in props.get("effectiveDate", set()):
                out[entity] = d
    return out


def _mentioned(item: Item) -> set[str]:
    return {x for s, _p, o in item.triples() for x in (s, o)}


# --- causal links ------------------------------------------------------------------------------------

def test_causal_links_rest_on_a_causal_cue_not_a_temporal_one() -> None:
    bad = [f"{c.where()} asserts causedBy from {c.quote!r}" for c in _claims()
           if any(p == "causedBy" for _s, p, _o in c.triples())
           and not any(cue in c.quote.lower() for cue in CAUSAL_CUES)]
    assert not bad, "\n".join(bad)


# --- time ----------------------------------------------------------------------------------------------

def test_claim_time_matches_its_expression() -> None:
    bad: list[str] = []
    documents = {str(d["id"]): d for d in _load(DATA / "documents" / "documents.yaml")["documents"]}
    regulation_dates = _regulation_dates()
    for claim_file in sorted((DATA / "claims").glob("*.yaml")):
        if claim_file.name.endswith((".proposed.yaml", ".rejected.yaml")):
            continue
        doc_year = str(documents[str(_load(claim_file)["document"])]["date"])[:4]
        for c in (i for i in _claims() if i.file == claim_file.name):
            time = c.raw.get("time")
            expression = str((time or {}).get("expression", "")).lower()
            limit = _expression_precision(expression) if time else 1
            dates = [(p, o) for _s, p, o in c.triples() if p in DATE_PROPERTIES]
            if time:
                dates.append(("time", str(time["value"])))
            for prop, value in dates:
                if _precision(value) > limit and not _dates_a_day(c.note):
                    bad.append(f"{c.where()}: {prop} {value} is finer than {expression or 'its quote'!r} "
                               "and the note does not say where the day comes from")
            if not time:
                continue
            value, relation = str(time["value"]), str(time.get("relation", "at"))
            if ROLLING_PERIOD.search(expression):
                bad.append(f"{c.where()}: {expression!r} is a rolling period, not the calendar period {value}")
            if DOCUMENT_RELATIVE.search(expression) and (relation != "at" or value[:4] != doc_year):
                bad.append(f"{c.where()}: {expression!r} is within the document's year {doc_year}, "
                           f"not '{relation} {value}'")
            if relation in ("since", "after") and _precision(value) == 2:
                for rule in sorted((_mentioned(c) | set(re.findall(r"[a-z0-9-]+", c.note))) & set(regulation_dates)):
                    day = regulation_dates[rule]
                    if len(day) == 10 and day[:7] == value and day[8:] != "01":
                        bad.append(f"{c.where()}: '{relation} {value}' starts before {rule} ({day}), "
                                   "the event it follows")
    assert not bad, "\n".join(bad)


# --- reference citations -------------------------------------------------------------------------------

def _all_sources() -> set[str]:
    out: set[str] = set()
    for path in sorted((DATA / "reference").glob("*.yaml")):
        out |= {str(s["id"]) for s in _load(path).get("sources") or []}
    return out


def test_reference_sources_mention_what_they_are_cited_for() -> None:
    missing = sorted(_all_sources() - set(SOURCE_MENTIONS))
    assert not missing, f"declare what these sources mention in SOURCE_MENTIONS: {missing}"
    chip_domain = {e for e, props in _graph().items() if props.get("a", set()) & CHIP_DOMAIN_CLASSES}
    bad: list[str] = []
    for a in (i for i in _items() if i.kind == "assertion"):
        if a.raw.get("status") == "unconfirmed" and a.note:
            continue  # an unconfirmed assertion says in its note why its source falls short
        sources = a.raw["source"] if isinstance(a.raw["source"], list) else [a.raw["source"]]
        mentioned = set().union(*(SOURCE_MENTIONS.get(str(s), set()) for s in sources))
        cited_for = {s for s, _p, _o in a.triples() if s in chip_domain}
        cited_for |= {o for _s, p, o in a.triples() if p in SCOPE_PROPERTIES and o in chip_domain}
        for entity in sorted(cited_for - mentioned):
            bad.append(f"{a.where()}: {', '.join(map(str, sources))} does not mention {entity}")
    assert not bad, "\n".join(bad)


# --- attribution ---------------------------------------------------------------------------------------

def test_attributed_agent_is_named_in_the_quote() -> None:
    """...or is the document's own publisher (an official page speaks for the agency that publishes it)."""
    documents = {str(d["id"]): d for d in _load(DATA / "documents" / "documents.yaml")["documents"]}
    publishers = {}
    for path in sorted((DATA / "claims").glob("*.yaml")):
        if not path.name.endswith((".proposed.yaml", ".rejected.yaml")):
            publishers[path.name] = str(documents[str(_load(path)["document"])].get("publisher", "")).lower()
    bad: list[str] = []
    for c in _claims():
        agent = str(c.raw["by"])
        if agent == DOCUMENT_AUTHOR or any(n in publishers[c.file] for n in _names(agent)):
            continue
        words = {w for n in _names(agent) for w in re.findall(r"[a-z]{4,}", n)} - STOPWORDS
        if not any(re.search(rf"\b{w}", c.quote.lower()) for w in words):
            bad.append(f"{c.where()}: attributed to {agent}, whom the quote does not name")
    assert not bad, "\n".join(bad)


# --- firm-specific facts -------------------------------------------------------------------------------

def _named_or_model_named(firm: str, text: str) -> bool:
    models = {m for m, props in _graph().items() if firm in props.get("developer", set())}
    return _named_in(firm, text) or any(_named_in(m, text) for m in models)


def test_firm_specific_facts_come_from_a_quote_naming_the_firm() -> None:
    bad: list[str] = []
    for c in _claims():
        for s, p, o in c.triples():
            if p in ORG_PROPERTIES and "Person" not in _values(o, "a") and not _named_in(o, c.quote):
                bad.append(f"{c.where()}: {s} {p} {o}, but the quote does not name {o}")
            if p in ACTIVITY_SPECIFIC and "TrainingActivity" in _values(s, "a"):
                for firm in sorted(_values(s, "trainer")):
                    if not _named_or_model_named(firm, c.quote):
                        bad.append(f"{c.where()}: {s} {p} {o}, but the quote names neither {firm} nor its models")
    assert not bad, "\n".join(bad)


# --- rules ---------------------------------------------------------------------------------------------

def test_a_rule_or_its_issuer_rests_on_normative_words() -> None:
    bad = [f"{c.where()}: declares a rule or its issuer from {c.quote!r}" for c in _claims()
           if any((p == "a" and o in REGULATION_CLASSES) or p == "issuedBy" for _s, p, o in c.triples())
           and not any(cue in c.quote.lower() for cue in NORMATIVE_CUES)]
    assert not bad, "\n".join(bad)
