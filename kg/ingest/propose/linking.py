"""Mention -> graph entity: the names, codes and short forms the graph's entities go by in prose.

`LinkIndex.build` reads every entity the curated data declares (reference files and claim files, the
latter optionally hiding some documents so an evaluation cannot peek at their curated answers) and
the ontology's classes and properties, and compiles the surface forms into spaCy PhraseMatchers once.
`LinkIndex.mentions` then finds linked mentions in a tokenised document, plus capitalised names the
graph does not know, which become proposed new entities rather than being dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import compile_suffix_regex, filter_spans

from kg.namespaces import AIC, CURATION_PREFIXES
from kg.vocabulary import Kind, Vocabulary, load_ontology

from .cues import build_cue_matcher
from .sentences import Text

# Prose forms of countries the reference data names only by ISO code, keyed by alpha-2 so that a
# country absent from the graph contributes nothing. Demonyms and short forms are how news text names
# states; capitals are used as metonyms for governments ("Beijing mandates ...").
COUNTRY_FORMS: dict[str, tuple[str, ...]] = {
    "US": ("US", "U.S.", "USA", "U.S.A.", "America", "American", "United States of America"),
    "CN": ("Chinese", "PRC", "People's Republic of China"),
    "SG": ("Singaporean",),
    "MY": ("Malaysian",),
    "HK": ("Hong Kong's",),
    "MO": ("Macanese",),
    "JP": ("Japanese",),
    "KR": ("South Korea", "South Korean", "Korean"),
    "TW": ("Taiwanese",),
    "IN": ("Indian",),
    "GB": ("UK", "U.K.", "Britain", "British"),
    "DE": ("German",),
    "FR": ("French",),
    "NL": ("Dutch",),
    "AE": ("UAE", "Emirati"),
    "SA": ("Saudi", "Saudi Arabian"),
    "VN": ("Vietnamese",),
    "TH": ("Thai",),
    "ID": ("Indonesian",),
    "RU": ("Russian",),
    "IL": ("Israeli",),
}
CAPITALS: dict[str, tuple[str, ...]] = {
    "US": ("Washington",), "CN": ("Beijing",), "MY": ("Kuala Lumpur", "Putrajaya"), "JP": ("Tokyo",),
    "KR": ("Seoul",), "TW": ("Taipei",), "GB": ("London",), "IN": ("New Delhi",), "DE": ("Berlin",),
    "FR": ("Paris",), "NL": ("The Hague",), "AE": ("Abu Dhabi",), "RU": ("Moscow",),
}
# Agencies commonly named by a short form; the canonical label is looked up in the graph first.
AGENCY_ALIASES: dict[str, tuple[str, ...]] = {
    "Department of Commerce": ("Commerce Department", "Commerce", "US Commerce Department",
                               "U.S. Department of Commerce", "US Department of Commerce"),
    "Bureau of Industry and Security": ("BIS",),
    "Ministry of Commerce of China": ("MOFCOM",),
}
CORPORATE_SUFFIXES = {"group", "inc", "inc.", "corporation", "corp", "corp.", "ltd", "ltd.", "limited",
                      "holdings", "co", "co.", "plc", "llc", "sa", "ag"}
RULE_NOUNS = {"rule", "rules", "requirement", "requirements", "regulation", "regulations", "mandate",
              "framework", "controls", "policy", "ban", "restrictions"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Capitalised words that start sentences or headings and are never names on their own.
_NOT_NAMES = {w.lower() for w in MONTHS + _WEEKDAYS} | {
    "the", "a", "an", "this", "that", "these", "those", "it", "its", "they", "their", "he", "she", "we",
    "i", "you", "our", "his", "her", "key", "major", "new", "early", "later", "overall", "however",
    "despite", "while", "although", "current", "recent", "chinese", "reports", "analysts",
    "sources", "conclusion", "summary", "and", "or", "but", "if", "as", "by", "in", "on", "for", "of",
    "to", "with", "from", "at", "not", "all", "two", "one", "three", "faq", "ai", "llms", "llm", "gpu",
    "gpus", "ceo", "ifr", "ecc", "eccn", "ecns", "agency", "action", "dates", "addresses", "president",
    "mr", "ms", "dr", "why", "what", "how", "who", "when", "where", "which", "read", "explore",
    "discover", "please", "note", "remarks", "public", "frequently", "asked", "questions", "comments",
    "comment", "effective", "date", "department", "bureau", "federal", "register",
}
_TITLES = {"President", "Secretary", "Minister", "Premier", "Chancellor", "Senator", "Governor", "Mr.",
           "Ms.", "Mrs.", "Dr.", "CEO", "Chairman", "Commissioner", "Ambassador", "Prime"}
_NAME_CONNECTORS = {"of", "for", "de"}


@dataclass
class EntityInfo:
    """What the graph says about one entity that helps to find and relate it in prose."""

    id: str
    classes: set[str] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)
    facts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else self.id.replace("-", " ")

    def values(self, prop: str) -> list[str]:
        return self.facts.get(prop, [])


@dataclass(frozen=True)
class Mention:
    """A span of the compact token sequence that names an entity (linked or proposed as new)."""

    start: int  # token range [start, end) in Text.doc
    end: int
    entity: str
    cls: str  # class as written in curated YAML: `AIDeveloper`, `org:Organization`
    sense: str  # "name" | "adjective" (Chinese, US) | "government" (Beijing's, Washington)
    new: bool = False
    label: str = ""


@dataclass
class LinkIndex:
    """The graph's entities and vocabulary, with matchers compiled once for many documents."""

    entities: dict[str, EntityInfo]
    vocab: Vocabulary
    ancestors: dict[str, set[str]]  # class name -> itself and its superclasses (names)
    individuals: set[str]
    object_properties: set[str]
    datatype_ranges: dict[str, str]  # datatype property -> "date" | "decimal" | "boolean" | "string"
    nlp: Language
    phrase_orth: PhraseMatcher
    phrase_lower: PhraseMatcher
    name_matcher: Matcher
    forms: dict[str, tuple[str, str]]  # match key -> (entity id, sense)
    government_of: dict[str, str]  # country id -> government body id
    country_of_government: dict[str, str]
    cue_matcher: PhraseMatcher
    _instances: dict[str, list[EntityInfo]] = field(default_factory=dict)

    # -- construction ------------------------------------------------------------------------------

    @classmethod
    def build(cls, data_dir: Path, ontology: Path, exclude_documents: frozenset[str] = frozenset()) -> LinkIndex:
        graph = load_ontology(ontology)
        vocab = Vocabulary(graph)
        entities: dict[str, EntityInfo] = {}
        for path in sorted((data_dir / "reference").glob("*.yaml")):
            _read_facts(path, "assertions", entities)
        for path in sorted((data_dir / "claims").glob("*.yaml")):
            if ".proposed." in path.name:
                continue  # proposals are not curated knowledge
            doc_id = _claims_document(path)
            if doc_id in exclude_documents or path.stem in exclude_documents:
                continue
            _read_facts(path, "claims", entities)
        ancestors = _class_ancestors(graph)
        individuals, objects, ranges = _terms(vocab)
        nlp = spacy.blank("en")
        # Model names end in a digit-letter pair ("Ascend 910B."): split the full stop off them too.
        suffixes = [*list(nlp.Defaults.suffixes or []), r"(?<=[0-9][A-Za-z])\.$"]
        tokenizer = nlp.tokenizer
        if isinstance(tokenizer, Tokenizer):
            tokenizer.suffix_search = compile_suffix_regex(suffixes).search
        nlp.add_pipe("sentencizer")
        index = cls(entities, vocab, ancestors, individuals, objects, ranges, nlp,
                    PhraseMatcher(nlp.vocab, attr="ORTH"), PhraseMatcher(nlp.vocab, attr="LOWER"),
                    Matcher(nlp.vocab), {}, {}, {}, build_cue_matcher(nlp))
        index._compile()
        return index

    def _compile(self) -> None:
        by_iso: dict[str, str] = {}
        for e in self.entities.values():
            if self.is_a(e.id, "Jurisdiction"):
                for code in e.values("isoAlpha2"):
                    by_iso[code] = e.id
        for e in self.entities.values():
            if self.is_a(e.id, "GovernmentBody"):
                text = " ".join(e.labels).lower()
                if "government" not in text:
                    continue
                for code, country in by_iso.items():
                    names = [n.lower() for n in self.entities[country].labels + list(COUNTRY_FORMS.get(code, ()))]
                    if any(re.search(rf"\b{re.escape(n)}\b", text) for n in names):
                        self.government_of.setdefault(country, e.id)
                        self.country_of_government.setdefault(e.id, country)
        forms: list[tuple[str, str, str]] = []  # (surface, entity, sense)
        exact: dict[str, set[str]] = {}
        derived: dict[str, set[str]] = {}
        for e in self.entities.values():
            for label in e.labels:
                exact.setdefault(label.lower(), set()).add(e.id)
            for surface in self._surfaces(e):
                derived.setdefault(surface.lower(), set()).add(e.id)
        for e in self.entities.values():
            for surface in self._surfaces(e):
                key = surface.lower()
                # A derived short form that two entities share, or that is another entity's own label,
                # would link by chance: leave it to the exact labels.
                if key not in exact and len(derived[key]) > 1:
                    continue
                if key in exact and e.id not in exact[key]:
                    continue
                forms.append((surface, e.id, "name"))
        for code, country in by_iso.items():
            for surface in COUNTRY_FORMS.get(code, ()):
                sense = "adjective" if surface.endswith(("an", "ese", "ish", "i", "ch")) else "name"
                forms.append((surface, country, sense))
            gov = self.government_of.get(country)
            for capital in CAPITALS.get(code, ()):
                if gov:
                    forms.append((capital, gov, "government"))
        for e in self.entities.values():
            for label in e.labels:
                if label.endswith(("Asia", "Africa", "Europe", "America")):
                    forms.append((label + "n", e.id, "adjective"))
        for canonical, aliases in AGENCY_ALIASES.items():
            target = self.find_label(canonical)
            for alias in (canonical, *aliases):
                if target:
                    forms.append((alias, target, "name"))
                elif canonical == "Department of Commerce":
                    # Not in the graph: proposed as a new body (see `new_entity`), found by its forms.
                    forms.append((alias, "new:GovernmentBody:Department of Commerce", "name"))
        seen: set[tuple[str, str]] = set()
        for surface, entity, sense in forms:
            surface = surface.strip()
            if not surface or (surface, entity) in seen:
                continue
            seen.add((surface, entity))
            tokens = self.nlp.make_doc(surface)
            key = f"{entity}|{sense}|{len(self.forms)}"
            self.forms[key] = (entity, sense)
            # Multi-word names are safe to match without case; one-word forms ("US", "AMD") are not.
            matcher = self.phrase_lower if len(tokens) > 1 and not surface.isupper() else self.phrase_orth
            matcher.add(key, [tokens])
        title = {"IS_TITLE": True}
        camel = {"TEXT": {"REGEX": r"^[A-Z][a-z]+[A-Z][A-Za-z]*$"}}
        upper = {"TEXT": {"REGEX": r"^[A-Z][A-Z0-9&]{1,}[a-z]?$"}}
        connector = {"LOWER": {"IN": sorted(_NAME_CONNECTORS)}}
        self.name_matcher.add("NAME", [
            [title, {"IS_TITLE": True, "OP": "+"}],
            [title, connector, {"IS_TITLE": True, "OP": "+"}],
            [camel], [upper, {"IS_TITLE": True, "OP": "+"}],
            [{"IS_TITLE": True}, {"TEXT": {"REGEX": r"^(AI|Labs?)$"}}],
            [title],
        ], greedy="LONGEST")

    def _surfaces(self, e: EntityInfo) -> Iterable[str]:
        for label in e.labels:
            yield label
            bare = re.sub(r"\s*\([^)]*\)", "", label).strip()
            yield bare
            words = bare.split()
            if len(words) > 1 and words[-1].lower() in CORPORATE_SUFFIXES:
                yield " ".join(words[:-1])
            caps = [w for w in re.split(r"[\s,]+", bare) if w and w[0].isupper()]
            if self.is_a(e.id, "Organization") and len(caps) >= 3 and len(caps) == len(
                    [w for w in re.split(r"[\s,]+", bare) if w and w.lower() not in _NAME_CONNECTORS]):
                yield "".join(w[0] for w in caps)  # Bureau of Industry and Security -> BIS
            if self.is_a(e.id, "Chip"):
                vendor_words = {w.lower() for v in e.values("chipVendor") if v in self.entities
                                for lbl in self.entities[v].labels for w in lbl.split()}
                rest = [w for w in words if w.lower() not in vendor_words]
                for i in range(len(rest)):
                    if any(c.isdigit() for c in rest[-1]):
                        yield " ".join(rest[i:])
            if self.is_a(e.id, "Regulation") and len(words) >= 3 and " of " not in f" {bare.lower()} ":
                # "AI Diffusion rule" is also "the diffusion rule": trailing sub-phrases ending in a rule noun
                # (not for "Rescission of the X rule", which names another act about X).
                for i in range(1, len(words) - 1):
                    if words[-1].lower() in RULE_NOUNS:
                        yield " ".join(words[i:])
        for notation in e.values("skos:notation"):
            yield notation
            yield f"ECCN {notation}"
            yield f"Export Control Classification Number {notation}"
            yield f"Export Control Classification Number (ECCN) {notation}"

    # -- queries -----------------------------------------------------------------------------------

    def instances(self, cls: str) -> list[EntityInfo]:
        """The graph's entities of a class (subclasses included), computed once per class."""
        cached = self._instances.get(cls)
        if cached is None:
            cached = self._instances[cls] = [e for e in self.entities.values() if self.is_a(e.id, cls)]
        return cached

    def classes_of(self, entity: str) -> set[str]:
        info = self.entities.get(entity)
        return info.classes if info else set()

    def is_a(self, entity: str, cls: str) -> bool:
        return any(cls in self.ancestors.get(c, {c}) for c in self.classes_of(entity))

    def class_is_a(self, cls: str, parent: str) -> bool:
        return cls == parent or parent in self.ancestors.get(cls, ())

    def find_label(self, label: str) -> str | None:
        wanted = label.lower()
        for e in self.entities.values():
            if any(lbl.lower() == wanted for lbl in e.labels):
                return e.id
        return None

    def label(self, entity: str) -> str:
        info = self.entities.get(entity)
        return info.label if info else entity

    def values(self, entity: str, prop: str) -> list[str]:
        info = self.entities.get(entity)
        return info.values(prop) if info else []

    def is_term(self, name: str, *kinds: Kind) -> bool:
        return self.vocab.lookup(name, *kinds) is not None

    # -- mentions ----------------------------------------------------------------------------------

    def mentions(self, text: Text) -> list[Mention]:
        """Linked mentions, longest first where they overlap, then unlinked capitalised names."""
        doc = text.doc
        spans = []
        for matcher in (self.phrase_orth, self.phrase_lower):
            for match_id, start, end in matcher(doc):
                key = self.nlp.vocab.strings[match_id]
                spans.append(_Span(start, end, key))
        chosen = _longest(spans)
        out: list[Mention] = []
        taken: set[int] = set()
        for span in chosen:
            entity, sense = self.forms[span.key]
            if text.in_heading(span.start) and sense == "government":
                continue
            if sense == "government" and not _state_context(doc, span.start, span.end):
                continue
            if entity.startswith("new:"):
                _, cls, label = entity.split(":", 2)
                out.append(Mention(span.start, span.end, slug(label), cls, "name", True, label))
            else:
                # "Chinese government" is the government, not the country, when a body is known.
                if sense == "adjective" and span.end < len(doc) and doc[span.end].lower_ in ("government",
                                                                                                "authorities"):
                    gov = self.government_of.get(entity)
                    if gov:
                        out.append(Mention(span.start, span.end + 1, gov, self.primary_class(gov), "name"))
                        taken.update(range(span.start, span.end + 1))
                        continue
                out.append(Mention(span.start, span.end, entity, self.primary_class(entity), sense))
            taken.update(range(span.start, span.end))
        out.extend(self._unlinked(text, taken, out))
        out.sort(key=lambda m: m.start)
        return out

    def primary_class(self, entity: str) -> str:
        classes = sorted(self.classes_of(entity), key=lambda c: -len(self.ancestors.get(c, {c})))
        return classes[0] if classes else "org:Organization"

    def _unlinked(self, text: Text, taken: set[int], linked: list[Mention]) -> list[Mention]:
        doc = text.doc
        spans: list[tuple[int, int]] = []
        for span in filter_spans(self._name_matches(text)):
            if text.in_heading(span.start):
                continue
            start, end = span.start, span.end
            # Around a linked name ("Commerce Secretary Gina Raimondo"), keep the unlinked rest.
            while start < end and start in taken:
                start += 1
            while end > start and (end - 1) in taken:
                end -= 1
            if any(i in taken for i in range(start, end)):
                continue
            while start < end and (doc[start].lower_ in _NOT_NAMES and doc[start].text not in _TITLES):
                start += 1
            while end > start and doc[end - 1].lower_ in (_NOT_NAMES - _ORG_SUFFIX) | _NAME_CONNECTORS:
                end -= 1
            # "Representatives of Quillon Partners": a plural noun opening the sentence is not part of the name.
            if end - start > 2 and text.is_sentence_start(start) and doc[start].lower_.endswith("s") \
                    and doc[start + 1].lower_ == "of":
                start += 2
            if start < end:
                spans.append((start, end))
        # A capitalised word is a name when the document also uses it mid-sentence (not just as a first word).
        mid_sentence = {doc[s].text for s, e in spans if e - s == 1 and not text.is_sentence_start(s)}
        counts: dict[str, int] = {}
        for s, e in spans:
            counts[doc[s].text] = counts.get(doc[s].text, 0) + (e - s == 1)
        out: list[Mention] = []
        people: dict[str, str] = {}
        pending: list[tuple[int, int, str]] = []
        for start, end in spans:
            words = [t.text for t in doc[start:end]]
            if len(words) == 1:
                word = words[0]
                camel = bool(re.match(r"^[A-Z][a-z]+[A-Z]", word))
                if word.lower() in _NOT_NAMES or (text.is_sentence_start(start) and word not in mid_sentence
                                                  and not camel):
                    continue
                if start > 0 and doc[start - 1].text == "-":
                    continue  # "post-April": part of a compound, not a name
                # One capitalised word is a name if the text keeps using it, or uses it as one.
                named = camel or counts.get(word, 0) >= 2 or any(c.isdigit() for c in word) or (
                    end < len(doc) and doc[end].text in ("\u2019s", "'s", ",")) or (
                    start > 0 and doc[start - 1].lower_ in ("like", "as", "including", "by", "with", "\u2019s", "'s"))
                if not named:
                    continue
                if start + 2 < len(doc) and doc[start + 1].text == "-" and doc[start + 2].lower_ in (
                        "era", "based", "led", "backed", "style", "specific", "made"):
                    continue
            if all(w in MONTHS for w in words):
                continue
            # "the Trump administration": a government named after its head.
            if end < len(doc) and doc[end].lower_ in ("administration", "government", "ministry", "cabinet"):
                end += 1
                words.append(doc[end - 1].text)
            label = " ".join(words)
            cls = guess_class(doc, start, end, self)
            if cls == "Person" and len(words) > 1:
                people[words[-1]] = slug(label)
            pending.append((start, end, cls))
        votes: dict[str, str] = {}
        for start, end, cls in pending:
            label = " ".join(t.text for t in doc[start:end])
            entity = people.get(label, slug(label)) if end - start == 1 else slug(label)
            if entity != slug(label):
                cls = "Person"
            if cls != "org:Organization" and entity not in votes:
                votes[entity] = cls
            out.append(Mention(start, end, entity, cls, "name", True, label))
        # One class per new entity: the most specific guess any of its mentions allows.
        labels = {m.entity: m.label for m in out if m.entity == slug(m.label)}
        return [Mention(m.start, m.end, m.entity, votes.get(m.entity, m.cls), m.sense, True,
                        labels.get(m.entity, m.label)) for m in out]

    def _name_matches(self, text: Text) -> list[Span]:
        # Cut at sentence ends, so a heading's last word and the next sentence's first never make one name.
        out: list[Span] = []
        doc = text.doc
        for _, start, end in self.name_matcher(doc):
            sentence = text.sentences[text.sentence_of[start]]
            out.append(doc[start:min(end, sentence.end)])
        return out


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    key: str


def _longest(spans: list[_Span]) -> list[_Span]:
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), s.start))
    taken: set[int] = set()
    out = []
    for s in ordered:
        if any(i in taken for i in range(s.start, s.end)):
            continue
        taken.update(range(s.start, s.end))
        out.append(s)
    return sorted(out, key=lambda s: s.start)


def _state_context(doc: Doc, start: int, end: int) -> bool:
    """A capital names its government unless it is a place someone is in, at or from."""
    prev = doc[start - 1].lower_ if start > 0 else ""
    return prev not in ("in", "at", "near", "from", "to", "around", "outside", "via")


_CLASS_NOUNS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("developer", "startup", "start-up", "lab", "labs", "ai company", "ai firm"), "AIDeveloper"),
    (("chipmaker", "chip designer", "manufacturer", "manufacturers", "vendor", "foundry"), "ChipVendor"),
    (("operator", "operators", "cloud provider", "hosting"), "DataCentreOperator"),
    (("think tank", "foundation", "institute", "university", "centre for", "center for"), "ThinkTank"),
    (("ministry", "department", "agency", "bureau", "regulator", "commission", "government",
      "administration", "office"), "GovernmentBody"),
    (("model", "models", "llm", "llms", "chatbot"), "LargeLanguageModel"),
    (("chip", "chips", "processor", "processors", "gpu", "gpus", "accelerator", "accelerators"), "Chip"),
    (("data center", "data centre", "data centers", "data centres", "campus", "facility"), "DataCentre"),
    (("firm", "company", "group", "corporation", "giant", "conglomerate"), "Company"),
)
_ORG_SUFFIX = {"inc", "inc.", "corp", "corp.", "corporation", "ltd", "ltd.", "group", "holdings",
               "technologies", "technology", "systems", "ai", "labs", "lab", "capital", "partners"}
_GOV_WORDS = {"ministry", "department", "bureau", "agency", "commission", "administration", "council",
              "government", "office", "parliament", "congress", "senate"}
_THINK_WORDS = {"foundation", "institute", "university", "center", "centre", "council", "school"}
_RULE_WORDS = {"regulations", "act", "rule", "directive", "law", "order", "ordinance"}
_NOT_PERSON = {"network", "international", "national", "safety", "security", "federal", "global", "new",
               "united", "interim", "final", "end", "user", "data", "computing", "export", "control"}
_DC_WORDS = {"campus", "park", "datacenter", "hub"}


def guess_class(doc: Doc, start: int, end: int, index: LinkIndex) -> str:
    """The class a new name most likely has, from its own words, then its appositive or neighbours."""
    words = [t.lower_ for t in doc[start:end]]
    if (start > 0 and doc[start - 1].text in _TITLES) or doc[start].text in _TITLES:
        return "Person"
    if words[0] in _GOV_WORDS or words[-1] in _GOV_WORDS:
        return "GovernmentBody"
    if words[-1] in _THINK_WORDS or words[0] in _THINK_WORDS:
        return "ThinkTank"
    if words[-1] in _DC_WORDS or (len(words) > 1 and words[-2:] == ["data", "center"]):
        return "DataCentre"
    if words[-1] in ("ai", "labs", "lab"):
        return "AIDeveloper"
    # Appositive: "DeepSeek, a prominent Chinese AI developer".
    after = " ".join(t.lower_ for t in doc[end:min(len(doc), end + 8)])
    if after.startswith((", a ", ", an ", ", the ")):
        head = after.split(",")[1] if after.count(",") >= 2 else after
        for nouns, cls in _CLASS_NOUNS:
            if any(re.search(rf"\b{re.escape(n)}\b", head) for n in nouns):
                return cls
    following = " ".join(t.lower_ for t in doc[end:min(len(doc), end + 2)])
    for nouns, cls in _CLASS_NOUNS:
        if cls in ("LargeLanguageModel", "Chip") and any(following.startswith(n) for n in nouns):
            return cls
    before = " ".join(t.lower_ for t in doc[max(0, start - 3):start])
    if re.search(r"\b(models?|llms?) (like|such as|including)$", before):
        return "LargeLanguageModel"
    if start >= 2 and doc[start - 1].text in ("\u2019s", "'s"):
        return "LargeLanguageModel" if _next_and_models(doc, end) else "Chip" if following.startswith("chip") \
            else "org:Organization"
    if words[-1] in _ORG_SUFFIX:
        return "Company"
    if words[-1] in _RULE_WORDS:
        return "Regulation"
    nxt = doc[end].lower_ if end < len(doc) else ""
    if nxt in ("authorization", "authorisation", "licence", "license"):
        return "Authorization"
    # Two capitalised words are a person only when the text treats them as one: "X, head of ...", "X said".
    if 2 <= len(words) <= 3 and all(doc[i].is_title for i in range(start, end)) and not any(
            w in _ORG_SUFFIX | _GOV_WORDS | _THINK_WORDS | _NOT_PERSON for w in words) and (
            after.startswith((", head", ", chief", ", director", ", ceo", ", founder", ", president", ", minister",
                              ", secretary", ", spokes", ", professor", ", an analyst", ", a senior", ", who"))
            or nxt in ("said", "says", "told", "noted", "critiqued", "argued", "warned", "wrote")):
        return "Person"
    return "org:Organization"


def _next_and_models(doc: Doc, end: int) -> bool:
    window = [t.lower_ for t in doc[end:min(len(doc), end + 6)]]
    return any(w in ("model", "models", "llm", "llms") for w in window)


def slug(text: str) -> str:
    """A stable entity id from a name: lower-case, ASCII letters and digits joined by dashes."""
    folded = text.replace("\u2019", "").replace("'", "").replace("&", " and ")
    s = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return s or "entity"


# -- reading the curated data ----------------------------------------------------------------------


def _claims_document(path: Path) -> str | None:
    try:
        root = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, yaml.YAMLError):
        return None
    return str(root.get("document")) if isinstance(root, dict) and root.get("document") else None


def _read_facts(path: Path, key: str, entities: dict[str, EntityInfo]) -> None:
    # BaseLoader keeps every scalar a string, as the curation compiler reads them.
    try:
        root: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, yaml.YAMLError):
        return  # a broken file is the loader's business; the proposer works with what it can read
    if not isinstance(root, dict):
        return
    for item in root.get(key) or []:
        facts = item.get("facts") if isinstance(item, dict) else None
        if not isinstance(facts, dict):
            continue
        for subject, body in facts.items():
            if not isinstance(body, dict):
                continue
            info = entities.setdefault(str(subject), EntityInfo(str(subject)))
            for prop, value in body.items():
                values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
                if prop == "a":
                    info.classes.update(values)
                elif prop in ("label", "altLabel", "skos:altLabel", "skos:prefLabel"):
                    for v in values:
                        if v not in info.labels:
                            info.labels.insert(0, v) if prop == "label" else info.labels.append(v)
                else:
                    bucket = info.facts.setdefault(str(prop), [])
                    bucket.extend(v for v in values if v not in bucket)


def _name(iri: URIRef) -> str:
    text = str(iri)
    if text.startswith(str(AIC)):
        return text[len(str(AIC)):]
    for prefix, ns in CURATION_PREFIXES.items():
        if text.startswith(str(ns)):
            return f"{prefix}:{text[len(str(ns)):]}"
    return text


def _class_ancestors(graph: Graph) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {}
    for s in graph.subjects(RDF.type, OWL.Class):
        if isinstance(s, URIRef):
            parents.setdefault(_name(s), set())
    for s, o in graph.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            parents.setdefault(_name(s), set()).add(_name(o))
    out: dict[str, set[str]] = {}
    for cls in parents:
        seen = {cls}
        todo = [cls]
        while todo:
            for p in parents.get(todo.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        # Local aliases so rules can ask for "Organization" whichever vocabulary defines it.
        out[cls] = seen | {n.split(":", 1)[1] for n in seen if ":" in n}
    return out


def _terms(vocab: Vocabulary) -> tuple[set[str], set[str], dict[str, str]]:
    individuals: set[str] = set()
    objects: set[str] = set()
    ranges: dict[str, str] = {}
    for iri, term in vocab.terms.items():
        name = _name(iri)
        if term.kind is Kind.INDIVIDUAL:
            individuals.add(name)
        elif term.kind is Kind.OBJECT:
            objects.add(name)
        elif term.kind in (Kind.DATATYPE, Kind.ANNOTATION):
            rng = str(term.range or "")
            ranges[name] = ("date" if rng.endswith("#date") else "decimal" if rng.endswith(("#decimal", "#integer"))
                            else "boolean" if rng.endswith("#boolean") else "string")
    return individuals, objects, ranges
