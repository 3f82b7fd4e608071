"""Relation patterns: from the linked mentions and cue words of one sentence to facts in the ontology.

Each rule looks for one family of facts (training, hosting, headquarters, partnerships, models,
regulations, sales, amounts, statements) and returns `Proposal`s holding the facts plus the tokens that
support them, from which the quote is cut. Rules only combine what the sentence says with what the
graph already knows about the entities it names (a chip's vendor, a rule's covered chips); they never
invent an entity the sentence does not mention, and name the cue they used in `why`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta

from .cues import Hits, Reading
from .linking import LinkIndex, Mention, slug
from .sentences import Sentence, Text
from .timeexpr import TimeExpr

Facts = dict[str, dict[str, object]]

_ORG_NOUNS = {"firms", "firm", "companies", "company", "giants", "developers", "developer", "startups",
              "groups", "players", "businesses", "labs", "manufacturers", "chipmakers", "vendors", "operators",
              "providers", "conglomerates", "champions"}
_LOCATIVE = {"in", "to", "at", "into", "across", "throughout", "within", "inside"}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10}
_SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12, "bn": 10**9, "m": 10**6}
AUTHOR = "article-author"  # the entity a document's own assertions are attributed to
_NON_TRAINERS = {"ChipVendor", "GovernmentBody", "DataCentreOperator", "ThinkTank", "Person", "PeopleGroup",
                 "AnonymousSource"}


@dataclass
class Proposal:
    family: str
    key: str
    facts: Facts
    support: set[int]
    confidence: float
    why: str
    note: str | None = None
    status: str | None = None  # overrides the status read from cues


@dataclass
class DocState:
    """What earlier sentences established: headquarters, developers, the rule 'this rule' means."""

    hq: dict[str, str] = field(default_factory=dict)
    developer: dict[str, str] = field(default_factory=dict)
    topic_rule: str | None = None
    topic_decl: dict[str, object] = field(default_factory=dict)
    last_rule: dict[str, str] = field(default_factory=dict)
    declared: dict[str, dict[str, object]] = field(default_factory=dict)  # new entity -> its a/label/new
    document_last: str = "9999-12-31"  # last day the document's date allows
    # sentence -> (node, class, time of the claim that named it)
    events: list[tuple[int, list[tuple[str, str, str]]]] = field(default_factory=list)
    sentence_rules: list[str] = field(default_factory=list)  # rules this sentence names or describes
    sentence_chips: list[tuple[str, int, int]] = field(default_factory=list)  # new chips of this sentence
    chip_vendor: dict[str, str] = field(default_factory=dict)  # new chip -> its vendor
    qualifier: dict[str, str] = field(default_factory=dict)  # training activity -> "offshore" | "domestic"


@dataclass
class Ctx:
    """One sentence as the rules see it: its mentions, cue hits and times, plus the document state."""

    text: Text
    sentence: Sentence
    mentions: list[Mention]
    hits: Hits
    times: list[tuple[int, int, TimeExpr]]
    index: LinkIndex
    state: DocState

    # -- helpers -----------------------------------------------------------------------------------

    def tok(self, i: int) -> str:
        lower = self.text.lower
        return lower[i] if 0 <= i < len(lower) else ""

    def is_a(self, m: Mention, cls: str) -> bool:
        return self.index.class_is_a(self.cls(m), cls)

    def cls(self, m: Mention) -> str:
        decl = self.state.declared.get(m.entity)
        return str(decl["a"]) if decl and m.new else m.cls

    def orgs(self) -> list[Mention]:
        return [m for m in self.mentions if m.sense == "name" and self.is_a(m, "Organization")]

    def places(self) -> list[Mention]:
        return [m for m in self.mentions if self.is_a(m, "Place") and not self.is_a(m, "Facility")]

    def of(self, cls: str) -> list[Mention]:
        return [m for m in self.mentions if self.is_a(m, cls)]

    def hit(self, name: str) -> list[tuple[int, int]]:
        return self.hits.get(name, [])

    def first_hit(self, name: str) -> tuple[int, int] | None:
        h = self.hit(name)
        return h[0] if h else None

    def near(self, i: int, name: str, before: int = 0, after: int = 0) -> bool:
        return any(i - before <= s and e <= i + after + 1 for s, e in self.hit(name))

    def clause_end(self, i: int) -> int:
        end = i
        while end < self.sentence.end - 1 and end not in self.text.clause_breaks:
            end += 1
        return end

    def ref(self, p: Proposal, m: Mention, cls: str | None = None) -> str:
        """The entity id of a mention; a new entity is declared in the proposal (and remembered)."""
        if m.new:
            decl = self.state.declared.get(m.entity)
            if decl is None or (cls and decl["a"] in ("org:Organization", "Company") and cls != decl["a"]):
                decl = {"a": cls or m.cls, "label": m.label, "new": True}
                self.state.declared[m.entity] = decl
            p.facts.setdefault(m.entity, {}).update({k: v for k, v in decl.items()
                                                     if k not in p.facts.get(m.entity, {})})
        return m.entity

    def government(self, country: str) -> str | None:
        return self.index.government_of.get(country)

    def country_of(self, m: Mention) -> str | None:
        if self.is_a(m, "Jurisdiction"):
            return m.entity
        return self.index.country_of_government.get(m.entity)

    def time_in(self, lo: int, hi: int) -> TimeExpr | None:
        for s, e, t in self.times:
            if lo <= s and e <= hi + 1:
                return t
        return None


def add(facts: Facts, subject: str, prop: str, value: object) -> None:
    body = facts.setdefault(subject, {})
    if prop not in body:
        body[prop] = value
        return
    old = body[prop]
    values = old if isinstance(old, list) else [old]
    new = value if isinstance(value, list) else [value]
    merged = values + [v for v in new if v not in values]
    body[prop] = merged if len(merged) > 1 else merged[0]


def span_of(ms: list[Mention]) -> set[int]:
    out: set[int] = set()
    for m in ms:
        out.update(range(m.start, m.end))
    return out


def _conjuncts(ctx: Ctx, first: Mention, pool: list[Mention]) -> list[Mention]:
    """`first` and the mentions joined to it by 'and' / ',' ('Alibaba and ByteDance')."""
    out = [first]
    pos = first.end
    for m in sorted(pool, key=lambda x: x.start):
        if m.start < pos or m is first:
            continue
        between = [ctx.tok(i) for i in range(pos, m.start)]
        if between and all(w in (",", "and", "or", "&") for w in between) and len(between) <= 2:
            out.append(m)
            pos = m.end
        elif m.start >= pos:
            break
    return out


# -- headquarters -----------------------------------------------------------------------------------


def headquarters(ctx: Ctx) -> list[Proposal]:
    out: list[Proposal] = []
    doc = ctx.text.doc
    countries = [m for m in ctx.mentions if ctx.is_a(m, "Jurisdiction") or ctx.is_a(m, "Region")]
    orgs = [m for m in ctx.orgs() if not ctx.is_a(m, "GovernmentBody")]
    for c in countries:
        # "China's major tech firms, including A and B" / "Chinese firms like A and B".
        window = [ctx.tok(i) for i in range(c.end, min(c.end + 6, ctx.sentence.end))]
        if not any(w in _ORG_NOUNS for w in window):
            continue
        noun_at = c.end + next(i for i, w in enumerate(window) if w in _ORG_NOUNS)
        intro = [i for i in range(noun_at + 1, min(noun_at + 4, ctx.sentence.end))
                 if ctx.tok(i) in ("including", "like", "such")]
        firms: list[Mention] = []
        if intro:
            after = [m for m in orgs if m.start > intro[0] and m.start <= intro[0] + 3]
            if after:
                firms = _conjuncts(ctx, after[0], orgs)
        if not firms:
            continue
        p = Proposal("headquarters", firms[0].entity, {}, span_of([c, *firms]) | set(range(c.start, noun_at + 1)),
                     0.7, f"'{ctx.text.span_text(c.start, noun_at + 1)} {ctx.tok(intro[0])} X': X is "
                          f"headquartered in {ctx.index.label(c.entity)}")
        for f in firms:
            fid = ctx.ref(p, f, "AIDeveloper" if "tech" in window or "ai" in window else "Company")
            add(p.facts, fid, "headquarteredIn", ctx.country_of(c) or c.entity)
            ctx.state.hq[fid] = ctx.country_of(c) or c.entity
        out.append(p)
    for org in orgs:
        # Appositive: "DeepSeek, a prominent Chinese AI developer".
        if org.end < ctx.sentence.end and doc[org.end].text == "," and ctx.tok(org.end + 1) in ("a", "an", "the"):
            end = org.end + 2
            while end < ctx.sentence.end and doc[end].text not in (",", ".", ";") and end - org.end < 9:
                end += 1
            adj = [c for c in countries if org.end < c.start < end and c.sense == "adjective"]
            head = {ctx.tok(i) for i in range(org.end + 2, end)}
            if adj and head & (_ORG_NOUNS | {"developer", "chipmaker", "manufacturer", "startup", "company"}):
                cls = "AIDeveloper" if "developer" in head or "ai" in head else "Company"
                p = Proposal("headquarters", org.entity, {}, set(range(org.start, end)), 0.7,
                             f"appositive '{ctx.text.span_text(org.end + 1, end)}' names the country")
                fid = ctx.ref(p, org, cls)
                add(p.facts, fid, "headquarteredIn", adj[0].entity)
                ctx.state.hq[fid] = adj[0].entity
                out.append(p)
        # "X, headquartered in P" / "X is based in P" / "P-based X".
        for s, e in ctx.hit("HQ"):
            if 0 <= s - org.end <= 3:
                places = [c for c in countries if e <= c.start <= e + 2]
                if places:
                    prop = "headquarteredIn" if "headquarter" in ctx.tok(s) else "basedIn"
                    p = Proposal("headquarters", org.entity, {}, span_of([org, places[0]]) | set(range(s, e)), 0.8,
                                 f"'{ctx.text.span_text(s, e)}'")
                    add(p.facts, ctx.ref(p, org), prop, places[0].entity)
                    out.append(p)
        if org.start >= 3 and doc[org.start - 1].lower_ == "based" and doc[org.start - 2].text == "-":
            places = [c for c in countries if c.end == org.start - 2]
            if places:
                p = Proposal("headquarters", org.entity, {}, set(range(places[0].start, org.end)), 0.7,
                             "'<place>-based <organisation>'")
                add(p.facts, ctx.ref(p, org), "basedIn", places[0].entity)
                out.append(p)
    return out


# -- training -----------------------------------------------------------------------------------------


def training(ctx: Ctx) -> list[Proposal]:
    cue = ctx.first_hit("TRAIN")
    if cue is None:
        return []
    trainers_all = [m for m in ctx.orgs() if not any(ctx.is_a(m, c) for c in _NON_TRAINERS)
                    and not (m.end < len(ctx.text.doc) and ctx.text.doc[m.end].text in ("\u2019s", "'s")
                             and ctx.tok(m.end + 1) not in ("model", "models"))]
    trainers_all = [m for m in trainers_all if m.start < cue[0] and not ctx.is_a(m, "AIModel")]
    if not trainers_all:
        return []
    first = trainers_all[0]
    trainers = _conjuncts(ctx, first, trainers_all)
    core_end = ctx.clause_end(cue[1] - 1) + 1
    # Training abroad usually continues into a purpose clause ("..., to access X's hardware").
    while core_end < ctx.sentence.end and ctx.tok(core_end) in ("to", "for", "on", "using") :
        core_end = ctx.clause_end(core_end + 1) + 1
    core = range(first.start, core_end)
    places: list[Mention] = []
    for m in ctx.places():
        if m.start not in core or m.start < cue[0] - 8:
            continue
        nxt = ctx.tok(m.end)
        if nxt in ("-", "\u2019s", "'s"):
            continue
        prev = [ctx.tok(i) for i in range(max(first.end, m.start - 4), m.start)]
        locative = any(w in _LOCATIVE for w in prev) or (places and prev[-1:] in (["and"], [","]))
        if m.sense == "adjective":
            locative = locative and ctx.near(m.end, "DATACENTRE", after=3)
        if any(w in ("from", "against", "over") for w in prev[-2:]) or _after_rule_noun(ctx, m):
            continue
        if locative:
            places.append(m)
    vendors = [m for m in ctx.of("ChipVendor") if m.start in core and _hardware_use(ctx, m)]
    chips = [m for m in ctx.of("Chip") if m.start in core and _chip_use(ctx, m)]
    models = [m for m in ctx.of("AIModel") if m.start in core and m.start > cue[0]]
    access = ("LeasedCapacity" if ctx.hit("LEASE") else "Stockpiled" if ctx.hit("STOCKPILE")
              else "DomesticChips" if ctx.hit("DOMESTIC_CHIPS") else None)
    domestic = any(ctx.tok(s) in ("domestic", "domestically", "at") for s, _ in ctx.hit("DOMESTIC")
                   if abs(s - cue[0]) <= 3)
    offshore = any(abs(s - cue[0]) <= 6 for s, _ in ctx.hit("OFFSHORE"))
    support = span_of(trainers + places + vendors + chips + models) | set(range(*cue))
    p = Proposal("training", trainers[0].entity, {}, support, 0.75 if (places or vendors or chips) else 0.55,
                 f"training cue '{ctx.text.span_text(*cue)}' with trainer(s) before it"
                 + (", place after a locative" if places else "")
                 + (", hardware vendor/chip after a use cue" if vendors or chips else ""))
    for t in trainers:
        tid = ctx.ref(p, t, "AIDeveloper")
        hq = ctx.state.hq.get(tid) or next(iter(ctx.index.values(tid, "headquarteredIn")), None)
        where = [m.entity for m in places]
        if domestic and not where and hq:
            where = [hq]
        qual = ("offshore" if offshore or (hq and where and any(w != hq for w in where))
                else "domestic" if domestic or (hq and where and where == [hq]) else "")
        act = f"{tid}-{qual}-training" if qual else f"{tid}-training"
        if qual:
            ctx.state.qualifier[act] = qual
        label = f"{ctx.index.label(tid) if not t.new else t.label}'s model training" + (
            " abroad" if qual == "offshore" else " at home" if qual == "domestic" else "")
        add(p.facts, act, "a", "TrainingActivity")
        add(p.facts, act, "label", label)
        p.facts[act]["new"] = True
        add(p.facts, act, "trainer", tid)
        for w in where:
            add(p.facts, act, "locatedIn", w)
        for v in vendors:
            add(p.facts, act, "usesHardwareFrom", v.entity)
        for c in chips:
            add(p.facts, act, "usesChip", ctx.ref(p, c))
        for m in models:
            add(p.facts, act, "trainedModel", ctx.ref(p, m, "LargeLanguageModel"))
        if access:
            add(p.facts, act, "hardwareAccess", access)
    causal = [h for h in ctx.hit("CAUSAL") if h[0] > first.start]
    for act in [a for a in p.facts if p.facts[a].get("a") == "TrainingActivity"]:
        if act in ctx.index.entities:
            p.facts[act].pop("new", None)
        if causal:
            for rule in ctx.state.sentence_rules:
                add(p.facts, act, "causedBy", rule)
    if causal and ctx.state.sentence_rules:
        p.support.update(range(*causal[0]))
        p.why += f"; caused by the sentence's rule ('{ctx.text.span_text(*causal[0])}')"
    return [p]


def _hardware_use(ctx: Ctx, m: Mention) -> bool:
    after = any(m.end <= s <= m.end + 4 for s, _ in ctx.hit("HARDWARE"))
    before_use = any(m.start - 4 <= s < m.start for s, _ in ctx.hit("USE") + ctx.hit("EQUIPPED"))
    return (after or before_use) and not _after_rule_noun(ctx, m)


def _chip_use(ctx: Ctx, m: Mention) -> bool:
    return any(m.start - 5 <= s < m.start for s, _ in ctx.hit("USE") + ctx.hit("EQUIPPED")) \
        and not _after_rule_noun(ctx, m)


def _after_rule_noun(ctx: Ctx, m: Mention) -> bool:
    return any(m.start - 4 <= s < m.start for s, _ in ctx.hit("RULE") + ctx.hit("BLOCK"))


# -- facilities ---------------------------------------------------------------------------------------


def facilities(ctx: Ctx) -> list[Proposal]:
    out: list[Proposal] = []
    for s, e in ctx.hit("DATACENTRE"):
        places = [m for m in ctx.places() if (m.end == s) or (e <= m.start <= e + 3 and ctx.tok(m.start - 1) in
                                                                   ("in", "and", ","))]
        if places and places[0].end == s:
            places = _conjuncts_before(ctx, places[0], ctx.places())
        elif places:
            places = _conjuncts(ctx, places[0], ctx.places())
        if not places:
            continue
        equip = [m for m in ctx.of("ChipVendor") if any(e <= a <= m.start <= a + 6 for a, _ in ctx.hit("EQUIPPED"))]
        lessees = [m for m in ctx.orgs() if m.start < s and ctx.hit("LEASE")
                   and any(m.end <= a < s for a, _ in ctx.hit("LEASE"))]
        operators = [m for m in ctx.orgs() if any(a <= m.start <= a + 3 for _, a in ctx.hit("OPERATE")
                                                  if ctx.tok(a - 1) == "by")
                     or (m.end <= s and any(m.end <= a < s for a, _ in ctx.hit("OPERATE")))
                     # "leases data centres in X from Y": Y owns or runs them.
                     or (lessees and m.start > e and ctx.tok(m.start - 1) == "from")]
        # "Data centre clusters in X have expanded": the data centres are the sentence's subject
        # (not "data centre capacity", where they only qualify the noun).
        initial = (s <= ctx.sentence.start + 1 or min(p.start for p in places) <= ctx.sentence.start + 1) and \
            ctx.tok(e) not in ("capacity", "expansions", "expansion", "market", "markets", "demand", "growth")
        if not (equip or lessees or operators or initial):
            continue
        support = span_of(places + equip + lessees + operators) | set(range(s, e))
        p = Proposal("facility", places[0].entity, {}, support, 0.6,
                     f"'{ctx.text.span_text(s, e)}' with a place" + (", 'equipped with' a vendor" if equip else "")
                     + (", leased by" if lessees else "") + (", operated by" if operators else ""))
        for pl in places:
            dc = f"{pl.entity}-data-centres"
            add(p.facts, dc, "a", "DataCentre")
            add(p.facts, dc, "label", f"Data centres in {ctx.index.label(pl.entity) if not pl.new else pl.label}")
            p.facts[dc]["new"] = True
            add(p.facts, dc, "locatedIn", pl.entity)
            for v in equip:
                add(p.facts, dc, "equippedWithHardwareFrom", v.entity)
            for m in lessees:
                add(p.facts, dc, "leasedBy", ctx.ref(p, m))
            for m in operators:
                add(p.facts, dc, "operatedBy", ctx.ref(p, m, "DataCentreOperator"))
        out.append(p)
        break
    return out


def _conjuncts_before(ctx: Ctx, last: Mention, pool: list[Mention]) -> list[Mention]:
    out = [last]
    for m in sorted(pool, key=lambda x: -x.start):
        if m.end > out[0].start:
            continue
        between = [ctx.tok(i) for i in range(m.end, out[0].start)]
        if between and all(w in (",", "and", "or") for w in between) and len(between) <= 2:
            out.insert(0, m)
        else:
            break
    return out


# -- partnerships, models, people -------------------------------------------------------------------


def partnerships(ctx: Ctx) -> list[Proposal]:
    cue = ctx.first_hit("PARTNER")
    if cue is None:
        return []
    partners = [m for m in ctx.orgs() if not ctx.is_a(m, "GovernmentBody")]
    ids = sorted({m.entity for m in partners})
    if len(ids) < 2:
        return []
    p = Proposal("partnership", ids[0], {}, span_of(partners) | set(range(*cue)), 0.7,
                 f"partnership cue '{ctx.text.span_text(*cue)}' with {len(ids)} organisations")
    node = "-".join(ids) + "-partnership"
    add(p.facts, node, "a", "Partnership")
    add(p.facts, node, "label", " and ".join(ctx.index.label(i) if i in ctx.index.entities else
                                              next(m.label for m in partners if m.entity == i) for i in ids)
        + " partnership")
    p.facts[node]["new"] = True
    for m in partners:
        add(p.facts, node, "partner", ctx.ref(p, m))
    if ctx.hit("DOMESTIC_CHIPS") or re.search(r"\b(indigenous|domestic|local)\b[^.]{0,20}\b(chip|semiconductor)",
                                              ctx.text.span_text(ctx.sentence.start, ctx.sentence.end), re.I):
        add(p.facts, node, "aim", "DomesticChipDevelopment")
    if node in ctx.index.entities:
        p.facts[node].pop("new", None)
    return [p]


def models(ctx: Ctx) -> list[Proposal]:
    out: list[Proposal] = []
    doc = ctx.text.doc
    for m in ctx.mentions:
        if not (m.new and ctx.cls(m) in ("LargeLanguageModel", "AIModel")) and not ctx.is_a(m, "AIModel"):
            continue
        # "<Developer>'s <Model>"
        if m.start >= 2 and doc[m.start - 1].text in ("\u2019s", "'s"):
            dev = [o for o in ctx.orgs() if o.end == m.start - 1]
            if dev and not ctx.is_a(dev[0], "ChipVendor"):
                p = Proposal("model", m.entity, {}, set(range(dev[0].start, m.end)), 0.7,
                             "'<developer>'s <model>'")
                mid = ctx.ref(p, m, "LargeLanguageModel")
                add(p.facts, mid, "developer", ctx.ref(p, dev[0], "AIDeveloper"))
                ctx.state.developer[mid] = dev[0].entity
                out.append(p)
        # "<Model>'s open(-source|-weight) version|variant"
        if m.end + 1 < len(doc) and doc[m.end].text in ("\u2019s", "'s") and ctx.tok(m.end + 1) == "open":
            j = m.end + 2
            while j < min(len(doc), m.end + 6) and ctx.tok(j) not in ("version", "variant", "release", "model",
                                                                        "edition"):
                j += 1
            if j < min(len(doc), m.end + 6):
                p = Proposal("model", m.entity + "-open", {}, set(range(m.start, j + 1)), 0.65,
                             "'<model>'s open ... version': an open-weight variant")
                base = ctx.ref(p, m, "LargeLanguageModel")
                node = f"{base}-open"
                add(p.facts, node, "a", "LargeLanguageModel")
                add(p.facts, node, "label", f"{m.label or ctx.index.label(base)} (open version)")
                if node not in ctx.index.entities:
                    p.facts[node]["new"] = True
                add(p.facts, node, "variantOf", base)
                add(p.facts, node, "openWeights", "true")
                maker = ctx.state.developer.get(base) or next(iter(ctx.index.values(base, "developer")), None)
                if maker:
                    if maker not in ctx.index.entities and maker in ctx.state.declared:
                        p.facts.setdefault(maker, {}).update(ctx.state.declared[maker])
                    add(p.facts, node, "developer", maker)
                out.append(p)
    for s, e in ctx.hit("DEVELOP"):
        if ctx.tok(e - 1) == "by":
            devs = [o for o in ctx.orgs() if e <= o.start <= e + 1]
            mods = [m for m in ctx.mentions if m.end <= s and (ctx.is_a(m, "AIModel") or
                                                                (m.new and ctx.cls(m) == "LargeLanguageModel"))]
        else:
            devs = [o for o in ctx.orgs() if o.end <= s and s - o.end <= 2]
            mods = [m for m in ctx.mentions if e <= m.start <= e + 3 and (ctx.is_a(m, "AIModel") or
                                                                          (m.new and ctx.tok(m.end) in ("model",
                                                                                                        "llm")))]
        if devs and mods:
            p = Proposal("model", mods[-1].entity, {}, span_of([devs[0], mods[-1]]) | set(range(s, e)), 0.7,
                         f"development cue '{ctx.text.span_text(s, e)}'")
            add(p.facts, ctx.ref(p, mods[-1], "LargeLanguageModel"), "developer", ctx.ref(p, devs[0], "AIDeveloper"))
            out.append(p)
    return out


def parents(ctx: Ctx) -> list[Proposal]:
    """"<Body A>'s <Body B>" (the Commerce Department's Bureau of ...): B is part of A."""
    out: list[Proposal] = []
    doc = ctx.text.doc
    bodies = [m for m in ctx.orgs() if ctx.is_a(m, "GovernmentBody") or ctx.cls(m) == "GovernmentBody"]
    for a in bodies:
        if a.end < len(doc) and doc[a.end].text in ("\u2019s", "'s"):
            for b in bodies:
                if b.start == a.end + 1 and b.entity != a.entity:
                    p = Proposal("organisation", b.entity, {}, set(range(a.start, b.end)), 0.7,
                                 "'<body>'s <body>': parent organisation")
                    add(p.facts, ctx.ref(p, b, "GovernmentBody"), "parentOrganization",
                        ctx.ref(p, a, "GovernmentBody"))
                    out.append(p)
    return out


def executives(ctx: Ctx) -> list[Proposal]:
    """"<Organisation>'s CEO [Name]": who heads it, a new unnamed person when no name follows."""
    out: list[Proposal] = []
    doc = ctx.text.doc
    for org in ctx.orgs():
        if not (org.end + 1 < len(doc) and doc[org.end].text in ("\u2019s", "'s")
                and ctx.tok(org.end + 1) in ("ceo", "chief", "founder", "chairman")):
            continue
        role_end = org.end + (3 if ctx.tok(org.end + 1) == "chief" else 2)
        named = [m for m in ctx.mentions if m.start == role_end and ctx.cls(m) == "Person"]
        p = Proposal("person", org.entity, {}, set(range(org.start, named[0].end if named else role_end)), 0.6,
                     "'<organisation>'s CEO'")
        if named:
            pid = ctx.ref(p, named[0], "Person")
        else:
            pid = f"{org.entity}-ceo"
            add(p.facts, pid, "a", "Person")
            add(p.facts, pid, "label", f"{ctx.text.span_text(org.start, role_end)} (not named)")
            p.facts[pid]["new"] = True
        add(p.facts, pid, "ceoOf", org.entity)
        out.append(p)
    return out


_CHANNEL = re.compile(r"\b(unofficial|informal|illicit|illegal|grey-market|gray-market|smuggling)\s+"
                      r"(channels?|routes?|networks?|means)\b")


def import_channels(ctx: Ctx) -> list[Proposal]:
    """'X still enter China through unofficial channels': an unofficial import route into a place."""
    sent = ctx.text.span_text(ctx.sentence.start, ctx.sentence.end)
    m = _CHANNEL.search(sent.lower())
    if not m:
        return []
    places = [p for p in ctx.places() if ctx.tok(p.start - 1) in ("enter", "enters", "into", "reach", "reaches")]
    if not places:
        return []
    place = places[0]
    node = f"unofficial-channels-into-{place.entity}"
    base = ctx.text.char_start(ctx.sentence.start)
    lo, hi = _char_tokens(ctx, base + m.start(), base + m.end())
    p = Proposal("import", node, {}, set(range(lo, hi)) | set(range(place.start - 1, place.end)), 0.55,
                 f"'{m.group(0)}' into a place")
    add(p.facts, node, "a", "ImportChannel")
    add(p.facts, node, "label", f"Unofficial channels into {ctx.index.label(place.entity)}")
    p.facts[node]["new"] = True
    add(p.facts, node, "destination", place.entity)
    add(p.facts, node, "official", "false")
    return [p]


def exclusions(ctx: Ctx) -> list[Proposal]:
    """'..., excluding Nvidia's offerings from ...' under a rule: an organisation the rule shuts out."""
    for i in range(ctx.sentence.start, ctx.sentence.end - 2):
        if ctx.tok(i) not in ("excluding", "excludes", "excluded", "shutting", "barring"):
            continue
        orgs = [o for o in ctx.orgs() if i < o.start <= i + 3 and not ctx.is_a(o, "GovernmentBody")]
        rule = ctx.state.sentence_rules[0] if ctx.state.sentence_rules else None
        if not orgs or rule is None:
            continue
        org = orgs[0]
        node = f"{org.entity}-excluded-by-{rule}"
        end = min(ctx.clause_end(i) + 1, ctx.sentence.end)
        p = Proposal("observation", node, {}, set(range(i, end)), 0.5,
                     f"'{ctx.tok(i)} <organisation>' under the sentence's rule")
        add(p.facts, node, "a", "Observation")
        add(p.facts, node, "label", f"{ctx.index.label(org.entity)} excluded under {ctx.index.label(rule)}")
        p.facts[node]["new"] = True
        add(p.facts, node, "affectedOrganization", ctx.ref(p, org))
        add(p.facts, node, "causedBy", rule)
        for j in ctx.index.values(rule, "jurisdiction")[:1]:
            add(p.facts, node, "observedIn", j)
        decl = ctx.state.declared.get(rule)
        if decl and rule not in ctx.index.entities:
            p.facts.setdefault(rule, {}).update(decl)
        return [p]
    return []


def people(ctx: Ctx) -> list[Proposal]:
    """"<Person>, <role> at|of the <Organisation>": role and membership."""
    out: list[Proposal] = []
    doc = ctx.text.doc
    for m in ctx.mentions:
        if ctx.cls(m) != "Person" or m.end >= ctx.sentence.end or doc[m.end].text != ",":
            continue
        j = m.end + 1
        orgs: list[Mention] = []
        while j < min(ctx.sentence.end, m.end + 10) and doc[j].text != ",":
            if ctx.tok(j) in ("at", "of"):
                orgs = [o for o in ctx.orgs() if j < o.start <= j + 2]
                if orgs:
                    break
            j += 1
        role = ctx.text.span_text(m.end + 1, j)
        if not orgs or not role or role[0].isupper():
            continue
        p = Proposal("person", m.entity, {}, set(range(m.start, orgs[0].end)), 0.7,
                     "'<person>, <role> at <organisation>'")
        pid = ctx.ref(p, m, "Person")
        add(p.facts, pid, "roleDescription", role)
        add(p.facts, pid, "org:memberOf", ctx.ref(p, orgs[0], "ThinkTank" if orgs[0].new and ctx.cls(orgs[0]) ==
                                                  "ThinkTank" else None))
        out.append(p)
    return out


# -- chips ----------------------------------------------------------------------------------------------


def chips(ctx: Ctx) -> list[Proposal]:
    out: list[Proposal] = []
    doc = ctx.text.doc
    for c in ctx.of("Chip"):
        vendors = [v for v in ctx.of("ChipVendor") if v.end + 1 <= c.start <= v.end + 5
                   and doc[v.end].text in ("\u2019s", "'s")]
        specific = [m for m in ctx.places() if c.start - 4 <= m.start < c.start and ctx.tok(m.end) == "-"
                    and ctx.tok(m.end + 1) == "specific"]
        if not vendors and not specific:
            continue
        lo = min([c.start] + [v.start for v in vendors] + [m.start for m in specific])
        p = Proposal("chip", c.entity, {}, set(range(lo, c.end)), 0.7,
                     "'<vendor>'s <chip>'" + (", '<country>-specific'" if specific else ""))
        cid = ctx.ref(p, c, "Chip")
        for v in vendors:
            add(p.facts, cid, "chipVendor", v.entity)
        if specific:
            add(p.facts, cid, "chinaSpecific" if specific[0].entity == "china" else "description",
                "true" if specific[0].entity == "china" else f"{specific[0].label or specific[0].entity}-specific")
        out.append(p)
    return out


_VERSION = re.compile(r"\b(restricted|cut-down|downgraded|scaled-down|modified|weaker|china-specific) version of$")


def chip_versions(ctx: Ctx) -> list[Proposal]:
    """'a restricted version of <vendor>'s <line or chip> processor': a new chip derived from a known one."""
    out: list[Proposal] = []
    doc = ctx.text.doc
    for base in ctx.mentions:
        if not (ctx.is_a(base, "ChipProductLine") or ctx.is_a(base, "Chip")):
            continue
        lo = base.start
        vendor = None
        j = base.start - 1
        while j > ctx.sentence.start and base.start - j <= 3 and doc[j].text not in ("\u2019s", "'s"):
            j -= 1
        if doc[j].text in ("\u2019s", "'s"):
            vendor = next((v for v in ctx.of("ChipVendor") if v.end == j), None)
            lo = vendor.start if vendor else lo
        before = " ".join(t.lower_ for t in doc[max(ctx.sentence.start, lo - 4):lo])
        m = _VERSION.search(before)
        if not m:
            continue
        vendor_id = vendor.entity if vendor else next(iter(ctx.index.values(base.entity, "vendorOfLine")
                                                            + ctx.index.values(base.entity, "chipVendor")), None)
        node = f"{vendor_id + '-' if vendor_id else ''}{base.entity}-{m.group(1).replace('-', '')}-version"
        start = lo - len(m.group(0).split())
        end = base.end + (1 if ctx.tok(base.end) in ("processor", "chip", "gpu", "accelerator") else 0)
        p = Proposal("chip", node, {}, set(range(start, end)), 0.6, f"'{m.group(0)} <chip or product line>'")
        add(p.facts, node, "a", "Chip")
        add(p.facts, node, "label", f"{m.group(1).capitalize()} version of {ctx.index.label(base.entity)}")
        p.facts[node]["new"] = True
        if vendor_id:
            add(p.facts, node, "chipVendor", vendor_id)
        if ctx.is_a(base, "ChipProductLine"):
            add(p.facts, node, "productLine", base.entity)
        add(p.facts, node, "restrictedVersionOf", base.entity)
        ctx.state.declared[node] = {"a": "Chip", "label": p.facts[node]["label"], "new": True}
        ctx.state.sentence_chips.append((node, start, end))
        if vendor_id:
            ctx.state.chip_vendor[node] = vendor_id
        out.append(p)
    return out


def hints(ctx: Ctx) -> list[Proposal]:
    """'hinted at allowing X for China', 'potentially easing X export limits': a hinted authorisation."""
    out: list[Proposal] = []
    for hs, he in ctx.hit("PROSPECTIVE"):
        if ctx.tok(hs) not in ("hinted", "hints", "potentially", "considering", "could", "may", "might"):
            continue
        verbs = [h for h in ctx.hit("EASE") + ctx.hit("APPROVE") if he <= h[0] <= he + 2]
        if not verbs:
            continue
        vs, ve = verbs[0]
        targets = [(c, s, e) for c, s, e in ctx.state.sentence_chips if ve <= s <= ve + 4]
        targets += [(m.entity, m.start, m.end) for m in ctx.of("Chip") if ve <= m.start <= ve + 4 and not m.new]
        if not targets:
            continue
        chip, _, ce = targets[0]
        dests = [m for m in ctx.places() if ctx.tok(m.start - 1) in ("for", "to") and m.sense == "name"]
        node = f"hinted-{chip}-approval"
        p = Proposal("regulation", node, {}, set(range(hs, ce)) | span_of(dests[:1]), 0.5,
                     f"hedge '{ctx.tok(hs)}' before '{ctx.text.span_text(vs, ve)}' a chip: a hinted authorisation")
        add(p.facts, node, "a", "Authorization")
        chip_label = ctx.index.label(chip) if chip in ctx.index.entities else str(
            ctx.state.declared.get(chip, {}).get("label", chip))
        add(p.facts, node, "label", f"Hinted approval for {chip_label}")
        p.facts[node]["new"] = True
        add(p.facts, node, "regulationStatus", "Hinted")
        decl = ctx.state.declared.get(chip)
        if decl and chip not in ctx.index.entities:
            p.facts.setdefault(chip, {}).update(decl)
        add(p.facts, node, "coversChip", chip)
        for v in ctx.index.values(chip, "chipVendor") or ([ctx.state.chip_vendor[chip]]
                                                          if chip in ctx.state.chip_vendor else []):
            add(p.facts, node, "coversVendor", v)
        for d in dests[:1]:
            add(p.facts, node, "coversDestination", d.entity)
        out.append(p)
    return out


_EVENT_CLASSES = ("TrainingActivity", "Partnership", "Regulation", "RevenueShareCondition", "Observation")
_ANAPHORS: dict[str, tuple[str, ...]] = {
    "relocation": ("TrainingActivity",), "shift": ("TrainingActivity",), "move": ("TrainingActivity",),
    "strategy": ("TrainingActivity",), "approach": ("TrainingActivity", "Partnership"),
    "maneuvers": ("TrainingActivity",), "manoeuvres": ("TrainingActivity",), "trend": ("TrainingActivity",),
    "pivot": ("Regulation", "RevenueShareCondition"), "arrangement": ("Regulation", "RevenueShareCondition"),
    "deal": ("Regulation", "RevenueShareCondition"), "decision": ("Regulation",), "gap": ("Observation",),
    "lead": ("Observation",), "this": _EVENT_CLASSES,
}


def anaphor(ctx: Ctx) -> tuple[str, list[str]] | None:
    """'This shift', 'The relocation', 'the arrangement', 'view this as': the events of the sentences before."""
    doc = ctx.text.doc
    start = ctx.sentence.start
    while start < ctx.sentence.end and not doc[start].is_alpha:
        start += 1
    word = None
    # "This shift", "This dual approach", "The recent relocation": a determiner, at most one modifier.
    heads = [ctx.tok(start + 1), ctx.tok(start + 2)] if ctx.tok(start) in ("this", "these", "the", "such") else []
    if heads and (heads[0] in _ANAPHORS or (heads[1] in _ANAPHORS and heads[1] != "this")):
        word = heads[0] if heads[0] in _ANAPHORS else heads[1]
    else:
        for i in range(start, ctx.sentence.end - 1):
            if ctx.tok(i) in ("the", "this") and ctx.tok(i + 1) in ("arrangement", "deal", "pivot", "decision"):
                word = ctx.tok(i + 1)
                break
            if ctx.tok(i) in ("view", "views", "see", "sees") and ctx.tok(i + 1) == "this":
                word = "this"
                break
    month = _month_qualified(ctx)
    if month is not None:
        # "Trump's August deal", "August's conditional approval": the earlier rule of that month.
        hits = [n for _, nodes in ctx.state.events for n, c, t in nodes
                if t[:7] == month and ctx.index.class_is_a(c, "Authorization")]
        if hits:
            return "month", sorted(set(hits))
    if word is None:
        return None
    kinds = _ANAPHORS[word]
    for sentence, nodes in reversed(ctx.state.events[-3:]):
        if sentence >= ctx.sentence.index:
            continue
        hits = [n for n, c, _ in nodes if any(ctx.index.class_is_a(c, k) for k in kinds)]
        if hits:
            return word, sorted(set(hits))
    return None


_DEAL_NOUNS = {"deal", "approval", "arrangement", "decision", "pivot", "agreement"}


def _month_qualified(ctx: Ctx) -> str | None:
    for _, b, t in ctx.times:
        if len(t.value) == 7 and any(ctx.tok(i) in _DEAL_NOUNS for i in range(b, min(b + 4, ctx.sentence.end))):
            return t.value
    return None


def follow_ups(ctx: Ctx) -> list[Proposal]:
    """'This shift ... follows the US ban on H20 sales in April': start and cause of the earlier events."""
    found = anaphor(ctx)
    if found is None or found[0] == "this":
        return []
    word, events = found
    events = [e for e in events if _event_class(ctx, e) == "TrainingActivity"]
    cue = ctx.first_hit("CAUSAL")
    if not events or cue is None:
        return []
    time = next((t for s, e, t in ctx.times if s >= cue[0]), None)
    p = Proposal("follow-up", events[0], {}, set(range(ctx.sentence.start, ctx.sentence.start + 2)) |
                 set(range(*cue)), 0.5, f"'{word}' refers to the training of the sentence before; "
                                        f"'{ctx.text.span_text(*cue)}' dates or explains it")
    for e in events:
        decl = ctx.state.declared.get(e)
        if decl:
            p.facts.setdefault(e, {}).update(decl)
        if time is not None and ctx.tok(cue[0]) in ("follows", "followed", "after", "since", "began", "started"):
            add(p.facts, e, "startDate", time.value)
        for rule in ctx.state.sentence_rules:
            add(p.facts, e, "causedBy", rule)
    if time is not None:
        p.support.update(range(*_tokens_of(ctx, time)))
    if not any(k in body for body in p.facts.values() for k in ("startDate", "causedBy")):
        return []
    return [p]


def _event_class(ctx: Ctx, node: str) -> str:
    decl = ctx.state.declared.get(node)
    return str(decl["a"]) if decl else ctx.index.primary_class(node)


def trends(ctx: Ctx) -> list[Proposal]:
    """'offshore training has accelerated since the April restrictions': a dated trend observation."""
    out: list[Proposal] = []
    for s, e in ctx.hit("TREND"):
        time = next((t for a, b, t in ctx.times if a >= e - 1 and t.relation in ("since", "after")), None)
        if time is None or _percent(ctx) is not None:
            continue
        doc = ctx.text.doc
        if ctx.tok(s) in ("rise", "increase", "surge", "growth") and ctx.tok(e) == "in":
            subject = [t for t in doc[e + 1:min(ctx.clause_end(e), e + 6)] if t.is_alpha and t.lower_ not in
                       ("such", "the", "a", "an")]
            words = []
            for t in subject:
                if t.lower_ in ("since", "after", "post", "with", "in", "from"):
                    break
                words.append(t.lower_)
        else:
            j = s - 1
            while j > ctx.sentence.start and ctx.tok(j) in ("has", "have", "had", "been", "steadily", "sharply"):
                j -= 1
            words = []
            while j >= ctx.sentence.start and doc[j].is_alpha and ctx.tok(j) not in ("that", "the", "a", "noted",
                                                                                       "said", "indicate"):
                words.insert(0, ctx.tok(j))
                j -= 1
        if not words:
            continue
        node = f"{slug(' '.join(words))}-trend"
        places = [m for m in ctx.places() if ctx.tok(m.start - 1) in _LOCATIVE | {"with"} or m.sense == "adjective"]
        p = Proposal("trend", node, {}, set(range(s, e)) | set(range(*_tokens_of(ctx, time))) | span_of(places[:1]),
                     0.5, f"trend cue '{ctx.text.span_text(s, e)}' with '{time.expression}'")
        add(p.facts, node, "a", "Observation")
        add(p.facts, node, "label", f"Trend: {' '.join(words)} ({ctx.text.span_text(s, e)} {time.expression})")
        p.facts[node]["new"] = True
        add(p.facts, node, "startDate", time.value)
        for pl in places[:1]:
            add(p.facts, node, "observedIn", pl.entity)
        for rule in ctx.state.sentence_rules:
            add(p.facts, node, "causedBy", rule)
        if {"training", "activities", "operations"} & set(words):
            # A trend in "offshore training" is about the training activities the document described.
            qual = "offshore" if {"offshore", "overseas", "abroad"} & set(words) else \
                "domestic" if "domestic" in words else None
            for event in _recent(ctx, ("TrainingActivity",), 6, qual):
                decl = ctx.state.declared.get(event)
                if decl and event not in ctx.index.entities:
                    p.facts.setdefault(event, {}).update(decl)
                add(p.facts, node, "about", event)
        out.append(p)
        break
    return out


def _recent(ctx: Ctx, kinds: tuple[str, ...], back: int, qualifier: str | None = None) -> list[str]:
    """Events of the last `back` sentences of these classes (and, for training, of this kind)."""
    found: list[str] = []
    for sentence, nodes in ctx.state.events:
        if ctx.sentence.index - back <= sentence < ctx.sentence.index:
            found += [n for n, c, _ in nodes if any(ctx.index.class_is_a(c, k) for k in kinds)
                      and (qualifier is None or ctx.state.qualifier.get(n) == qualifier)]
    return sorted(set(found))


# -- regulations --------------------------------------------------------------------------------------


def regulations(ctx: Ctx) -> list[Proposal]:
    out: list[Proposal] = []
    text = ctx.text
    rule_hits = ctx.hit("RULE") + ctx.hit("THIS_RULE")
    linked = [m for m in ctx.of("Regulation") if not m.new]
    this_rule = ctx.first_hit("THIS_RULE")
    chips = [m for m in ctx.of("Chip")]
    eccns = [m for m in ctx.of("ExportClassification")]
    juris = [m for m in ctx.mentions if ctx.country_of(m) and not _destination(ctx, m)]
    govs = [m for m in ctx.mentions if ctx.is_a(m, "GovernmentBody")]
    dests = [m for m in ctx.places() if _destination(ctx, m)]
    mandate = bool(ctx.hit("DOMESTIC_CHIPS"))
    rule: str | None = None
    support: set[int] = set()
    why = ""
    decl: dict[str, object] = {}
    if linked:
        rule, support = linked[0].entity, span_of(linked[:1])
        why = f"names the rule {ctx.index.label(rule)}"
    elif this_rule is not None and ctx.state.topic_rule:
        rule, support, why = ctx.state.topic_rule, set(range(*this_rule)), f"'{text.span_text(*this_rule)}': " \
                                                                          "the document's own rule"
        decl = ctx.state.topic_decl
    elif ctx.state.topic_rule and text.span_text(ctx.sentence.start, ctx.sentence.end).startswith("AGENCY"):
        rule, support, why = ctx.state.topic_rule, {ctx.sentence.start}, "'AGENCY:' heads the document's rule"
        decl = ctx.state.topic_decl
    elif rule_hits and (chips or eccns or mandate or ctx.times):
        rule, support, why, decl = _described_rule(ctx, rule_hits, chips, eccns, juris, mandate)
    if rule is None:
        return out
    facts: Facts = {}
    p = Proposal("regulation", rule, facts, set(support), 0.6, why)
    if decl:
        facts[rule] = dict(decl)
    cls = _rule_class(ctx, rule, decl)
    is_mandate = ctx.index.class_is_a(cls, "DomesticChipMandate")
    # Covered chips and classifications: those the sentence puts next to the rule.
    for c in chips:
        if ctx.tok(c.start - 1) in ("potential", "possible", "future", "proposed"):
            continue  # "potential H200 relaxations": not what the rule covers now
        if any(abs(c.start - s) <= 6 and _same_clause(ctx, c.start, s) for s, _ in rule_hits + ctx.hit("BLOCK")):
            add(facts, rule, "coversChip", ctx.ref(p, c, "Chip"))
            p.support.update(range(c.start, c.end))
    for e in eccns:
        add(facts, rule, "coversClassification", e.entity)
        p.support.update(range(e.start, e.end))
    anchors = [s for s, _ in rule_hits] + [m.start for m in linked[:1]]
    for j in juris:
        country = ctx.country_of(j)
        # The jurisdiction qualifies the rule phrase itself: "US export restrictions", "Beijing's policies".
        close = any(0 <= a - j.end <= 3 for a in anchors)
        if country and close and (j.sense in ("adjective", "government") or ctx.is_a(j, "GovernmentBody")
                                  or ctx.tok(j.end) in ("\u2019s", "'s") or j.entity == "united-states") \
                and not ctx.is_a(j, "Region"):
            add(facts, rule, "jurisdiction", country)
            p.support.update(range(j.start, j.end))
            break
    issue_at = [s for s, _ in ctx.hit("ISSUE")]
    for g in sorted(govs, key=lambda g: min([abs(a - g.end) for a in issue_at] or [99])):
        # The issuer is the body that issues (nearest an issuing verb), owns the rule ("Beijing's
        # policies"), or heads the document ("AGENCY: ...") — not the one comments go to.
        owner = ctx.tok(g.end) in ("\u2019s", "'s") and not any(
            o.start == g.end + 1 and ctx.is_a(o, "GovernmentBody") for o in govs)
        issuing = (issue_at and any(0 <= a - g.end <= 3 or (ctx.tok(a + 1) == "by" and g.start - a <= 3)
                                    for a in issue_at)) or owner or (
            text.span_text(ctx.sentence.start, ctx.sentence.end).startswith("AGENCY") and g is govs[0])
        if issuing:
            add(facts, rule, "issuedBy", ctx.ref(p, g, "GovernmentBody"))
            p.support.update(range(g.start, g.end))
            break
    if is_mandate:
        if ctx.hit("STATEFUNDED"):
            add(facts, rule, "coversStateFundedFacilities", "true")
            p.support.update(range(*ctx.hit("STATEFUNDED")[0]))
        add(facts, rule, "aim", "DomesticChipDevelopment")
        if ctx.hit("DOMESTIC_CHIPS"):
            p.support.update(range(*ctx.hit("DOMESTIC_CHIPS")[0]))
    for d in dests:
        if not is_mandate:
            add(facts, rule, "coversDestination", d.entity)
            p.support.update(range(d.start, d.end))
    _dates(ctx, p, rule)
    _rescission(ctx, p, rule)
    review = ("a presumption of denial" if ctx.hit("DENIAL") else "case-by-case review"
              if ctx.hit("CASE") and not is_mandate else None)
    if review:
        # The ontology has no licence-review property: the policy is kept in words.
        add(facts, rule, "description", f"licence applications get {review}")
        p.support.update(range(*(ctx.hit("DENIAL") or ctx.hit("CASE"))[0]))
        p.why += f"; licence review policy '{review}' (kept as description: no ontology property)"
    if ctx.hit("PROSPECTIVE") and any(ctx.tok(s) in ("hinted", "hints") for s, _ in ctx.hit("PROSPECTIVE")):
        add(facts, rule, "regulationStatus", "Hinted")
    ctx.state.sentence_rules.append(rule)
    body = facts.get(rule, {})
    if not any(k not in ("a", "label", "new") for k in body) and len(facts) <= 1:
        return out
    ctx.state.last_rule[cls] = rule
    out.append(p)
    return out


def _destination(ctx: Ctx, m: Mention) -> bool:
    """'sales to China', 'exports to X', 'a version ... for China': a place goods are bound for."""
    prev = ctx.tok(m.start - 1)
    if prev not in ("to", "for") or not ctx.is_a(m, "Place") or m.sense != "name":
        return False
    return any(m.start - 8 <= s < m.start and _same_clause(ctx, s, m.start)
               for s, _ in ctx.hit("SALE") + ctx.hit("APPROVE") + ctx.hit("BLOCK"))


def _same_clause(ctx: Ctx, a: int, b: int) -> bool:
    lo, hi = min(a, b), max(a, b)
    return not any(lo <= i < hi for i in ctx.text.clause_breaks)


def _later(ctx: Ctx, entity: str) -> bool:
    """A rule first dated after the document cannot be the one it describes."""
    dates = (ctx.index.values(entity, "announcedDate") + ctx.index.values(entity, "effectiveDate")
             + ctx.index.values(entity, "publicationDate"))
    return bool(dates) and min(dates) > ctx.state.document_last


def _rule_class(ctx: Ctx, rule: str, decl: dict[str, object]) -> str:
    if decl.get("a"):
        return str(decl["a"])
    return ctx.index.primary_class(rule) if rule in ctx.index.entities else "ExportControlRule"


def _described_rule(ctx: Ctx, rule_hits: list[tuple[int, int]], chips: list[Mention], eccns: list[Mention],
                    juris: list[Mention], mandate: bool) -> tuple[str | None, set[int], str, dict[str, object]]:
    """A rule described by what it covers ('US export restrictions on H20 chips') -> a graph rule or a new one."""
    anchors = [s for s, _ in rule_hits]
    countries = {c for c in (ctx.country_of(j) for j in juris if any(0 <= a - j.end <= 3 for a in anchors)) if c}
    time = ctx.time_in(ctx.sentence.start, ctx.sentence.end)
    best, best_score = None, 0
    for e in ctx.index.instances("Regulation"):
        if ctx.index.is_a(e.id, "Authorization") or _later(ctx, e.id):
            continue
        score = 0
        covered = set(e.values("coversChip"))
        score += 2 * sum(1 for c in chips if c.entity in covered)
        score += 2 * sum(1 for c in eccns if c.entity in set(e.values("coversClassification")))
        if mandate and ctx.index.is_a(e.id, "DomesticChipMandate"):
            score += 2
        elif mandate:
            continue
        jur = set(e.values("jurisdiction"))
        if countries and jur and not (jur & countries):
            continue
        if countries & jur:
            score += 1
        if time is not None:
            dates = e.values("effectiveDate") + e.values("announcedDate")
            if any(d.startswith(time.value[:7]) or time.value.startswith(d[:7]) for d in dates):
                score += 1
        if score > best_score:
            best, best_score = e.id, score
    support = set(range(*rule_hits[0]))
    if best_score < 2 and time is not None and time.relation != "until":
        # "the April restrictions": a rule named only by its month, when exactly one rule has that month.
        dated = [e.id for e in ctx.index.instances("ExportControlRule") if not _later(ctx, e.id)
                 and any(d[:7] == time.value[:7] for d in e.values("effectiveDate"))]
        if len(dated) == 1 and len(time.value) >= 7:
            return dated[0], support | set(range(*_tokens_of(ctx, time))), (
                f"the only rule of the graph in effect from {time.value[:7]} ('{time.expression}')"), {}
    if best is not None and best_score >= 2:
        return best, support, (f"rule described by what it covers ('{ctx.text.span_text(*rule_hits[0])}'), "
                               f"matched to {best} (score {best_score})"), {}
    if mandate:
        prior = ctx.state.last_rule.get("DomesticChipMandate")
        if prior:
            return prior, support, "domestic-chip mandate of an earlier sentence", {}
        country = next(iter(sorted(countries)), None)
        if country is None:
            return None, set(), "", {}
        node = f"{country}-domestic-chip-mandate"
        return node, support, "domestic-chip cue with a rule word", {
            "a": "DomesticChipMandate", "label": f"{ctx.index.label(country)} domestic-chip mandate", "new": True}
    if chips and countries:
        country = sorted(countries)[0]
        node = f"{slug(ctx.index.label(country))}-{chips[0].entity}-restriction"
        chip_label = chips[0].label or ctx.index.label(chips[0].entity)
        return node, support, "rule word with a jurisdiction and a covered chip", {
            "a": "ExportControlRule", "label": f"{ctx.index.label(country)} restriction on {chip_label}", "new": True}
    return None, set(), "", {}


_DAYS_AFTER = re.compile(r"(\d+|one hundred twenty|ninety|sixty|thirty)\s+days\s+(?:from|after)\s+(?:the\s+)?"
                         r"(?:date\s+of\s+)?publication", re.IGNORECASE)


def _dates(ctx: Ctx, p: Proposal, rule: str) -> None:
    text = ctx.text
    sent = text.span_text(ctx.sentence.start, ctx.sentence.end)
    base = text.char_start(ctx.sentence.start)
    for s, e in ctx.hit("EFFECTIVE"):
        t = next((t for a, b, t in ctx.times if a >= e - 1 and a - e <= 8), None)
        if t is not None:
            add(p.facts, rule, "effectiveDate", t.value)
            p.support.update(range(s, e))
            p.support.update(range(*_tokens_of(ctx, t)))
            p.why += f"; effective date '{t.expression}'"
            break
    if re.search(r"\beffective (up)?on publication\b", sent, re.IGNORECASE):
        published = next(iter(ctx.index.values(rule, "publicationDate")), None)
        if published:
            add(p.facts, rule, "effectiveDate", published)
            s, e = next(iter(ctx.hit("EFFECTIVE")), (ctx.sentence.start, ctx.sentence.start + 1))
            p.support.update(range(s, e + 2))
            p.note = (p.note + " " if p.note else "") + (
                f"'Effective upon publication': the publication date {published} is the graph's.")
    if ctx.hit("COMPLY"):
        m = _DAYS_AFTER.search(sent)
        if m:
            days = int(m.group(1)) if m.group(1).isdigit() else {"one hundred twenty": 120, "ninety": 90,
                                                                   "sixty": 60, "thirty": 30}[m.group(1).lower()]
            lo, hi = _char_tokens(ctx, base + m.start(), base + m.end())
            p.support.update(range(lo, hi))
            p.support.update(range(*ctx.hit("COMPLY")[0]))
            published = next(iter(ctx.index.values(rule, "publicationDate")
                                   or ctx.index.values(rule, "announcedDate")), None)
            if published and len(published) == 10:
                from datetime import date

                day = date.fromisoformat(published) + timedelta(days=days)
                add(p.facts, rule, "complianceDate", day.isoformat())
                p.note = (f"Compliance {days} days from publication; the publication date {published} is the "
                          f"graph's, not stated in this sentence.")
            else:
                add(p.facts, rule, "requiredAction", f"comply within {days} days from date of publication")
                p.note = f"Compliance {days} days from publication; the publication date is not known."
            p.why += f"; compliance '{m.group(0)}'"
        else:
            t = next((t for a, b, t in ctx.times if a >= ctx.hit("COMPLY")[0][0]), None)
            if t is not None and t.relation in ("at", "until"):
                add(p.facts, rule, "complianceDate", t.value)
                p.support.update(range(*_tokens_of(ctx, t)))


def _rescission(ctx: Ctx, p: Proposal, rule: str) -> None:
    cue = ctx.first_hit("RESCIND")
    if cue is None:
        return
    add(p.facts, rule, "regulationStatus", "Rescinded")
    p.support.update(range(*cue))
    by = next(iter(ctx.index.values(rule, "rescindedBy")), None)
    if by is None:
        by = next((e.id for e in ctx.index.entities.values() if rule in e.values("rescinds")), None)
    if by is None:
        by = f"{rule}-rescission"
        add(p.facts, by, "a", "Regulation")
        add(p.facts, by, "label", f"Rescission of {ctx.index.label(rule)}")
        p.facts[by]["new"] = True
    add(p.facts, rule, "rescindedBy", by)
    add(p.facts, by, "rescinds", rule)
    agents = [m for m in ctx.mentions if m.start > cue[0] and ctx.tok(m.start - 1) in ("by", "the")
              and ctx.tok(cue[1]) == "by" and (ctx.is_a(m, "GovernmentBody") or ctx.cls(m) == "GovernmentBody")]
    if agents:
        add(p.facts, by, "issuedBy", ctx.ref(p, agents[0], "GovernmentBody"))
        p.support.update(range(agents[0].start, agents[0].end))
    p.why += f"; rescission cue '{ctx.text.span_text(*cue)}'"


def _tokens_of(ctx: Ctx, t: TimeExpr) -> tuple[int, int]:
    for a, b, x in ctx.times:
        if x is t:
            return a, b
    return 0, 0


def _char_tokens(ctx: Ctx, lo: int, hi: int) -> tuple[int, int]:
    toks = [i for i in range(ctx.sentence.start, ctx.sentence.end)
            if ctx.text.char_start(i) >= lo and ctx.text.char_end(i) <= hi]
    return (toks[0], toks[-1] + 1) if toks else (ctx.sentence.start, ctx.sentence.start)


# -- sales, approvals, revenue shares -----------------------------------------------------------------


def sales(ctx: Ctx) -> list[Proposal]:
    sale = ctx.first_hit("SALE")
    if sale is None:
        return []
    # Verbs only: "limits on H20 sales" is the rule, "blocked H20 sales" the event.
    blocked = [h for h in ctx.hit("BLOCK") if abs(h[0] - sale[0]) <= 6 and h[1] - h[0] == 1]
    approved = [h for h in ctx.hit("APPROVE") if abs(h[0] - sale[0]) <= 6 and ctx.tok(h[0]) != "approval"]
    if ctx.tok(sale[0]) in ("export", "exports") and ctx.tok(sale[1]) in ("restrictions", "controls", "rules",
                                                                           "limits", "curbs", "ban", "bans"):
        return []
    if not blocked and not approved:
        return []
    chips = [m for m in ctx.of("Chip") if abs(m.start - sale[0]) <= 6]
    vendors = [m for m in ctx.of("ChipVendor") if abs(m.start - sale[0]) <= 10]
    sellers = sorted({v.entity for v in vendors} | {v for c in chips for v in ctx.index.values(c.entity,
                                                                                                 "chipVendor")})
    if not sellers:
        return []
    dests = [m for m in ctx.places() if ctx.tok(m.start - 1) == "to" and m.start > sale[0]]
    status = "SalesBlocked" if blocked and not approved else "SalesPermitted"
    cue = (blocked or approved)[0]
    p = Proposal("sale", sellers[0], {}, span_of(chips + vendors + dests) | set(range(*sale)) | set(range(*cue)),
                 0.7, f"sale cue '{ctx.text.span_text(*sale)}' with '{ctx.text.span_text(*cue)}'")
    what = chips[0].entity if len(chips) == 1 else "ai-chip"
    node = "-".join(sellers) + f"-{what}-sales" + (f"-to-{dests[0].entity}" if dests else "")
    add(p.facts, node, "a", "ChipSale")
    add(p.facts, node, "label", " and ".join(ctx.index.label(s) for s in sellers) + " "
        + (ctx.text.span_text(chips[0].start, chips[0].end) if len(chips) == 1 else "AI-chip") + " sales"
        + (f" to {ctx.index.label(dests[0].entity)}" if dests else ""))
    p.facts[node]["new"] = True
    for s in sellers:
        add(p.facts, node, "seller", s)
    for c in chips:
        add(p.facts, node, "chipSold", c.entity)
    for d in dests:
        add(p.facts, node, "destination", d.entity)
    add(p.facts, node, "saleStatus", status)
    juris = [c for c in (ctx.country_of(m) for m in ctx.mentions if m not in dests
                         and (m.sense != "name" or ctx.is_a(m, "GovernmentBody") or m.entity == "united-states"))
             if c]
    if status == "SalesBlocked" and chips:
        # Blocking sales of a chip is what a rule covering that chip does: name the graph's rule.
        rule = _rule_for(ctx, chips, juris)
        if rule:
            add(p.facts, rule, "coversChip", [c.entity for c in chips])
            for s in sellers:
                add(p.facts, rule, "coversVendor", s)
            for d in dests:
                add(p.facts, rule, "coversDestination", d.entity)
            ctx.state.sentence_rules.append(rule)
            p.why += f"; the block is the graph's rule {rule} (covers {', '.join(c.entity for c in chips)})"
    if status == "SalesPermitted":
        auth = _authorization(ctx, p, sellers, dests, juris)
        add(p.facts, node, "underAuthorization", auth)
    if node in ctx.index.entities:
        p.facts[node].pop("new", None)
    return [p]


def _rule_for(ctx: Ctx, chips: list[Mention], juris: list[str]) -> str | None:
    time = ctx.time_in(ctx.sentence.start, ctx.sentence.end)
    best, best_score = None, 0
    for e in ctx.index.instances("ExportControlRule"):
        if _later(ctx, e.id):
            continue
        score = 2 * sum(1 for c in chips if c.entity in e.values("coversChip"))
        if score == 0:
            continue
        if juris and set(e.values("jurisdiction")) & set(juris):
            score += 1
        if time is not None and any(d.startswith(time.value[:7]) for d in e.values("effectiveDate")):
            score += 1
        if score > best_score:
            best, best_score = e.id, score
    return best


def _authorization(ctx: Ctx, p: Proposal, sellers: list[str], dests: list[Mention], juris: list[str]) -> str:
    time = ctx.time_in(ctx.sentence.start, ctx.sentence.end)
    dest_ids = {d.entity for d in dests}
    best, best_score = None, 0
    for e in ctx.index.instances("Authorization"):
        if _later(ctx, e.id):
            continue
        score = sum(1 for s in sellers if s in e.values("grantedTo") + e.values("coversVendor"))
        score += sum(1 for d in dest_ids if d in e.values("coversDestination"))
        if time is not None and any(d.startswith(time.value[:7]) for d in e.values("effectiveDate")
                                    + e.values("announcedDate")):
            score += 1
        if score > best_score:
            best, best_score = e.id, score
    if best is None or best_score < len(sellers) + 1:
        best = "-".join(sellers) + "-sales-approval" + (f"-{sorted(dest_ids)[0]}" if dest_ids else "")
        add(p.facts, best, "a", "Authorization")
        add(p.facts, best, "label", "Approval of " + " and ".join(ctx.index.label(s) for s in sellers) + " sales")
        p.facts[best]["new"] = True
    else:
        p.why += f"; approval matched to the graph's {best} (score {best_score})"
    for s in sellers:
        add(p.facts, best, "grantedTo", s)
    for d in sorted(dest_ids):
        add(p.facts, best, "coversDestination", d)
    country = next((j for j in juris if j not in dest_ids), None)
    if country:
        add(p.facts, best, "jurisdiction", country)
        gov = ctx.government(country)
        if gov and (ctx.of("Person") or ctx.of("GovernmentBody")):
            add(p.facts, best, "issuedBy", gov)
    share = _revenue_share(ctx, p, country)
    if share:
        add(p.facts, best, "hasCondition", share)
    return best


def _revenue_share(ctx: Ctx, p: Proposal, country: str | None) -> str | None:
    pct = _percent(ctx)
    if pct is None or not ctx.hit("REVSHARE"):
        return None
    value, (lo, hi) = pct
    best = next((e.id for e in ctx.index.instances("RevenueShareCondition")
                 if value in e.values("revenueSharePercent")), None)
    node = best or f"revenue-share-{value.replace('.', '-')}"
    if best is None:
        add(p.facts, node, "a", "RevenueShareCondition")
        add(p.facts, node, "label", f"{value}% revenue share")
        p.facts[node]["new"] = True
    add(p.facts, node, "revenueSharePercent", value)
    gov = ctx.government(country) if country else None
    if gov:
        add(p.facts, node, "payableTo", gov)
    p.support.update(range(lo, hi))
    p.support.update(range(*ctx.hit("REVSHARE")[0]))
    return node


def _percent(ctx: Ctx) -> tuple[str, tuple[int, int]] | None:
    doc = ctx.text.doc
    for i in range(ctx.sentence.start, ctx.sentence.end - 1):
        if doc[i].like_num and doc[i + 1].text in ("%", "percent", "per"):
            return doc[i].text.replace(",", ""), (i, i + 2)
        m = re.fullmatch(r"(\d+(?:\.\d+)?)%", doc[i].text)
        if m:
            return m.group(1), (i, i + 1)
    return None


# -- amounts and observations -------------------------------------------------------------------------


def amounts(ctx: Ctx) -> list[Proposal]:
    out: list[Proposal] = []
    doc = ctx.text.doc
    growth = ctx.first_hit("GROWTH")
    pct = _percent(ctx)
    places = [m for m in ctx.places() if ctx.tok(m.start - 1) in _LOCATIVE or ctx.near(m.end, "DATACENTRE", after=2)]
    if growth and pct and places and (ctx.hit("DATACENTRE") or "capacity" in
                                      {t.lower_ for t in doc[ctx.sentence.start:ctx.sentence.end]}):
        value, (lo, hi) = pct
        place = places[0]
        node = f"{place.entity}-data-centre-capacity-growth"
        p = Proposal("amount", node, {}, set(range(lo, hi)) | set(range(*growth)) | span_of([place]), 0.65,
                     f"growth cue '{ctx.text.span_text(*growth)}' with a percentage and a place")
        add(p.facts, node, "a", "Observation")
        add(p.facts, node, "label", f"Growth of data-centre capacity in {ctx.index.label(place.entity)}")
        p.facts[node]["new"] = True
        add(p.facts, node, "observedIn", place.entity)
        add(p.facts, node, "capacityGrowthPercent", value)
        out.append(p)
    loss = ctx.first_hit("LOSS")
    if loss:
        orgs = [m for m in ctx.orgs() if m.start < loss[0] and not ctx.is_a(m, "GovernmentBody")]
        money = _money(ctx)
        if orgs:
            org = orgs[0]
            node = f"{org.entity}-losses"
            p = Proposal("amount", node, {}, span_of([org]) | set(range(*loss)), 0.6,
                         f"loss cue '{ctx.text.span_text(*loss)}' with the organisation before it")
            add(p.facts, node, "a", "Observation")
            add(p.facts, node, "label", f"Losses of {ctx.index.label(org.entity) if not org.new else org.label}")
            p.facts[node]["new"] = True
            add(p.facts, node, "affectedOrganization", ctx.ref(p, org))
            if money:
                amount, (lo, hi) = money
                add(p.facts, node, "amountUSD", amount)
                add(p.facts, node, "amountDescription", ctx.text.span_text(lo, hi))
                p.support.update(range(lo, hi))
            else:
                lo = loss[0]
                while lo > org.end and ctx.tok(lo - 1) not in ("reported", "posted", "recorded", "suffered",
                                                                 "booked", "to"):
                    lo -= 1
                add(p.facts, node, "amountDescription", ctx.text.span_text(lo, loss[1]))
            rule_chips = [m for m in ctx.of("Chip")]
            rule = _rule_for(ctx, rule_chips, []) if rule_chips and (ctx.hit("BLOCK") or ctx.hit("RULE")) else None
            if rule:
                add(p.facts, node, "causedBy", rule)
                p.support.update(span_of(rule_chips))
            out.append(p)
    lead = _lead(ctx)
    if lead:
        out.append(lead)
    return out


def _money(ctx: Ctx) -> tuple[str, tuple[int, int]] | None:
    doc = ctx.text.doc
    for i in range(ctx.sentence.start, ctx.sentence.end - 1):
        if doc[i].text in ("$", "USD", "US$") and doc[i + 1].like_num:
            try:
                number = float(doc[i + 1].text.replace(",", ""))
            except ValueError:
                continue
            scale = _SCALE.get(ctx.tok(i + 2), 1)
            end = i + 3 if scale != 1 else i + 2
            return f"{number * scale:.0f}", (i, end)
    return None


def _lead(ctx: Ctx) -> Proposal | None:
    """'<A> maintains a one- to two-year lead in <field> over <B>': a technology lead in years."""
    for i in range(ctx.sentence.start, ctx.sentence.end):
        if ctx.tok(i) != "lead":
            continue
        window = [ctx.tok(j).strip("-") for j in range(max(ctx.sentence.start, i - 6), i)]
        nums = [_NUMBER_WORDS.get(w) or (int(w) if w.isdigit() else None) for w in window]
        years = [n for n in nums if n]
        if not years or "year" not in window:
            continue
        leaders = [m for m in ctx.places() if m.end <= i - len(window) + 1 or m.start < i - 6]
        over = [m for m in ctx.places() if m.start > i and ctx.tok(m.start - 1) == "over"]
        if not leaders or not over:
            continue
        a, b = leaders[-1], over[0]
        node = f"{a.entity}-{b.entity}-lead"
        p = Proposal("amount", node, {}, span_of([a, b]) | set(range(i - 6, i + 1)), 0.6,
                     "'<A> ... N- to M-year lead ... over <B>'")
        add(p.facts, node, "a", "Observation")
        add(p.facts, node, "label", f"Lead of {ctx.index.label(a.entity)} over {ctx.index.label(b.entity)}")
        p.facts[node]["new"] = True
        add(p.facts, node, "leader", a.entity)
        add(p.facts, node, "follower", b.entity)
        add(p.facts, node, "leadYearsMin", str(min(years)))
        add(p.facts, node, "leadYearsMax", str(max(years)))
        return p
    return None


def statements(ctx: Ctx, reading: Reading) -> list[Proposal]:
    """An opinion becomes a Statement of its speaker, with its words and stance."""
    agent_said = reading.agent is not None and reading.status == "prospective" and reading.agent.id != AUTHOR
    if reading.status != "opinion" and not agent_said:
        return []
    speaker = reading.agent.id if reading.agent is not None else AUTHOR
    if reading.speech is not None:
        lo, hi = reading.speech
        support = set(range(lo - 1, min(hi + 1, ctx.sentence.end)))
    else:
        lo, hi = ctx.sentence.start, ctx.sentence.end
        support = set(range(lo, hi))
    words = ctx.text.span_text(lo, hi).strip()
    if not words:
        return []
    node = f"statement-{speaker}-{hashlib.sha1(words.encode('utf-8')).hexdigest()[:6]}"
    p = Proposal("statement", speaker, {}, support, 0.55,
                 "quoted speech" if reading.speech is not None else "evaluative sentence")
    add(p.facts, node, "a", "Statement")
    if speaker in ctx.index.entities:
        who = ctx.index.label(speaker)
    elif reading.agent is not None and reading.agent.facts.get("label"):
        who = str(reading.agent.facts["label"])
    else:
        who = "The document" if speaker == AUTHOR else speaker.replace("-", " ")
    add(p.facts, node, "label", f"{who}: {' '.join(words.split()[:8])}\u2026")
    p.facts[node]["new"] = True
    add(p.facts, node, "speaker", speaker)
    add(p.facts, node, "statementText", words)
    add(p.facts, node, "stance", reading.stance or "Descriptive")
    found = anaphor(ctx)
    if found is not None:
        for event in found[1]:
            decl = ctx.state.declared.get(event)
            if decl and event not in ctx.index.entities:
                p.facts.setdefault(event, {}).update(decl)
            add(p.facts, node, "about", event)
        p.why += f"; about what '{found[0]}' refers to in the sentences before"
    return [p]


RULES = (headquarters, regulations, sales, training, follow_ups, trends, facilities, partnerships, models, parents,
         people, executives, chips, chip_versions, hints, import_channels, exclusions, amounts)
