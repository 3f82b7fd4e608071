"""Cue words, and what they say about a sentence: its status and to whom the document attributes it.

Attribution ("according to", "per industry reports", "sources said", "confirmed by") names an agent;
the agent is a linked entity when the phrase names one, otherwise a proposed new anonymous source or
group labelled with the document's own words. Hedges ("could", "hinted", "anticipate") make a claim
prospective, "estimated"/"about" estimated, critique or quoted speech an opinion of its speaker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.matcher import PhraseMatcher

if TYPE_CHECKING:
    from .linking import Mention
    from .sentences import Sentence, Text

# Cue families, matched on lower-case tokens. Inflections are listed because spacy.blank has no lemmas.
CUES: dict[str, tuple[str, ...]] = {
    "TRAIN": ("train", "trains", "training", "trained", "pretraining", "pre-training", "fine-tuning"),
    "LEASE": ("lease", "leases", "leasing", "leased", "rent", "rents", "renting", "rented", "rental"),
    "OPERATE": ("operates", "operate", "operated by", "operating", "runs", "run by", "owned by", "owns"),
    "HQ": ("headquartered in", "headquarters in", "based in", "is based", "hq in"),
    "PARTNER": ("partner", "partners", "partnering", "partnered", "partnership", "partnerships",
                "teamed up", "collaborating", "collaboration", "alliance", "joint venture"),
    "DEVELOP": ("developed by", "developed", "develops", "built by", "released", "launched", "unveiled",
                "created by", "made by"),
    "RULE": ("rule", "rules", "restriction", "restrictions", "ban", "bans", "limits", "curbs", "controls",
             "export controls", "requirement", "requirements", "regulation", "regulations", "policy",
             "policies", "mandate", "mandates", "licence requirement", "license requirement", "measures",
             "blocks", "directive"),
    "THIS_RULE": ("this rule", "this interim final rule", "this final rule", "this ifr", "the final rule",
                  "this correcting amendment", "this regulation"),
    "ISSUE": ("issued", "issues", "published", "imposed", "imposes", "announced", "adopted", "revises",
              "introduced", "enacted", "implemented", "mandates", "requires", "require"),
    "EFFECTIVE": ("effective date", "effective", "takes effect", "took effect", "in force",
                  "comes into force", "came into force"),
    "COMPLY": ("comply", "compliance date", "required to comply", "compliance"),
    "RESCIND": ("rescinded", "rescind", "rescinds", "rescission", "eliminated", "revoked", "repealed",
                "scrapped", "withdrawn", "withdrew", "lifted", "abolished"),
    "BLOCK": ("blocked", "blocks", "banned", "barred", "halted", "prohibited", "ban on", "bans on",
              "limits on", "restricted", "restrictions on", "curbs on"),
    "APPROVE": ("approved", "approves", "approval", "authorized", "authorised", "allowed", "allowing",
                "permitted", "cleared", "greenlit", "granted", "licensed"),
    "SALE": ("sale", "sales", "sell", "selling", "sold", "exports", "export", "exporting", "shipments",
             "shipping"),
    "CAUSAL": ("bypass", "comply", "comply with", "sidestep", "avoid", "adhere", "circumvent", "evade",
               "due to", "because of", "prompted by", "prompting", "follows", "followed", "after", "since",
               "in response to", "driven by", "amid"),
    "EASE": ("easing", "ease", "eases", "relaxing", "relax", "lifting", "loosening", "allowing", "allow"),
    "TREND": ("accelerated", "accelerating", "rise", "rose", "surge", "surged", "increase", "increased",
              "grown", "grew", "growth", "expanded", "picked up"),
    "REVSHARE": ("revenue share", "of revenue", "revenue", "of the revenue", "revenue-sharing"),
    "DENIAL": ("presumption of denial",),
    "CASE": ("case-by-case", "case by case", "individual assessments"),
    "DOMESTIC": ("domestic", "domestically", "at home", "home-grown", "homegrown"),
    "OFFSHORE": ("offshore", "abroad", "overseas", "foreign"),
    "STOCKPILE": ("stockpiled", "stockpile", "stockpiles", "stockpiling"),
    "GROWTH": ("surged", "grew", "growth", "increase", "increased", "rose", "expanded", "expansion",
               "expansions", "jumped", "climbed"),
    "LOSS": ("losses", "loss", "charge", "write-down", "writedown", "lost"),
    "STATEFUNDED": ("government-funded", "state-funded", "publicly funded", "state funding",
                    "government funding"),
    "DOMESTIC_CHIPS": ("domestically developed chips", "domestic chips", "local semiconductors",
                       "localization", "localisation", "indigenous chip", "domestic ai chips",
                       "domestic semiconductors", "local chips", "domestically produced chips"),
    "DATACENTRE": ("data center", "data centers", "data centre", "data centres", "data-center",
                   "data-centre", "datacenter", "datacenters"),
    "EQUIPPED": ("equipped with", "powered by", "-powered", "running", "fitted with", "using"),
    "USE": ("access", "using", "use", "uses", "utilizing", "utilising", "on", "with", "powered", "leverage",
            "leveraging", "rely on", "relying on"),
    "HARDWARE": ("hardware", "chips", "chip", "gpus", "gpu", "products", "processors", "processor",
                 "accelerators", "semiconductors", "-powered", "offerings", "servers", "systems"),
    "ATTRIB": ("according to", "per", "sources said", "said", "says", "noted", "note", "told", "reported",
               "reports", "indicate", "indicated", "indicates", "claimed", "stated", "emphasized",
               "emphasised", "added", "explained", "wrote", "believe", "believes", "confirmed by",
               "confirmed", "estimate", "estimates", "view", "views", "anticipate", "anticipates", "expect",
               "expects", "warned", "argued", "critiqued", "criticized", "criticised"),
    "CONFIRMED": ("confirmed", "confirms", "confirm", "verified"),
    "ESTIMATED": ("estimated", "estimates", "estimate", "about", "approximately", "roughly", "around",
                  "an estimated", "some", "nearly", "almost"),
    "PROSPECTIVE": ("could", "may", "might", "would", "hinted", "hints", "hint", "anticipate",
                    "anticipates", "anticipated", "expected to", "potentially", "plans to", "planning to",
                    "considering", "poised to", "likely to", "proposed", "possible", "potential"),
    "CRITIQUE": ("critiqued", "criticized", "criticised", "slammed", "warned", "argued", "condemned",
                 "questioned", "raises security concerns", "raises concerns"),
    "OPINION": ("highlights", "illustrates", "illustrate", "demonstrates", "underscores", "underscore",
                "treats", "pressures", "raises", "offers some relief", "view this as", "views this as",
                "is paramount", "reveals"),
    "PRAISE": ("appeal", "obvious choice", "praised", "welcomed", "best"),
}
_AGENT_NOUNS_ANON = {"sources", "source", "reports", "report", "estimates", "estimate", "documents",
                     "filings", "people", "person"}
_AGENT_NOUNS_GROUP = {"analysts", "insiders", "experts", "officials", "hawks", "observers", "executives",
                      "investors", "lawmakers", "critics", "economists", "researchers", "diplomats",
                      "policymakers", "executive", "official", "analyst", "expert", "spokesperson"}
_AGENT_CLASS_NOUNS = {"operator": "DataCentreOperator", "operators": "DataCentreOperator"}
_POST_MODIFIERS = {"with", "from", "familiar", "of", "close", "in", "at", "who", "that", "briefed", "involved",
                   "knowledgeable"}
_SPEECH_VERBS = {"said", "says", "noted", "told", "emphasized", "emphasised", "added", "explained",
                 "wrote", "stated", "critiqued", "criticized", "criticised", "warned", "argued", "claimed"}


def build_cue_matcher(nlp: Language) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for name, phrases in CUES.items():
        matcher.add(name, [nlp.make_doc(p) for p in phrases])
    return matcher


@dataclass
class Agent:
    """Who a sentence is attributed to; `facts` declare it when it is new."""

    id: str
    tokens: set[int]
    facts: dict[str, object] = field(default_factory=dict)


@dataclass
class Reading:
    status: str
    agent: Agent | None
    cue_tokens: set[int]
    why: str
    stance: str | None = None
    speech: tuple[int, int] | None = None  # token range of quoted speech


def slug_np(text: str) -> str:
    folded = re.sub(r"^(a|an|the)\s+", "", text.strip(), flags=re.IGNORECASE)
    folded = folded.replace("\u2019", "").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "source"


Hits = dict[str, list[tuple[int, int]]]


def read_status(text: Text, sentence: Sentence, hits: Hits, mentions: list[Mention],
                is_org_or_person: Callable[[Mention], bool]) -> Reading:
    """Status, attribution and stance of one sentence, from its cues (see the module docstring)."""
    agent, agent_cue = _agent(text, sentence, hits, mentions, is_org_or_person)
    cue_tokens: set[int] = set(agent.tokens) if agent else set()
    cue_tokens |= agent_cue
    speech = _speech(text, sentence)
    why: list[str] = []
    status, stance = "reported", None
    if speech and (agent is not None or _has_speech_verb(text, sentence)):
        status, why = "opinion", ["quoted speech"]
        stance = "Critical" if hits.get("CRITIQUE") else "Supportive" if hits.get("PRAISE") else "Descriptive"
    elif hits.get("CRITIQUE"):
        status, stance, why = "opinion", "Critical", [f"critique cue '{_words(text, hits['CRITIQUE'][0])}'"]
    elif (hedge := _prospective(text, hits)) is not None:
        status, why = "prospective", [f"hedge '{_words(text, hedge)}'"]
        cue_tokens.update(range(*hedge))
    elif hits.get("OPINION"):
        status, stance, why = "opinion", "Descriptive", [f"evaluative cue '{_words(text, hits['OPINION'][0])}'"]
    elif (estimate := _estimated(text, hits)) is not None:
        status, why = "estimated", [f"estimate cue '{_words(text, estimate)}'"]
        cue_tokens.update(range(*estimate))
    elif hits.get("CONFIRMED"):
        status, why = "confirmed", [f"'{_words(text, hits['CONFIRMED'][0])}'"]
        cue_tokens.update(range(*hits["CONFIRMED"][0]))
    if agent is not None:
        why.append(f"attributed to '{_agent_text(text, agent)}'")
    return Reading(status, agent, cue_tokens, "; ".join(why) or "no status cue: reported by the document",
                   stance, speech)


def _words(text: Text, span: tuple[int, int]) -> str:
    return text.span_text(span[0], span[1])


def _agent_text(text: Text, agent: Agent) -> str:
    return text.span_text(min(agent.tokens), max(agent.tokens) + 1) if agent.tokens else agent.id


def _prospective(text: Text, hits: Hits) -> tuple[int, int] | None:
    doc = text.doc
    for s, e in hits.get("PROSPECTIVE", []):
        if doc[s].text == "May" or (doc[s].lower_ in ("potential", "possible", "proposed") and s > 0
                                    and doc[s - 1].lower_ in ("the", "a")):
            continue
        return s, e
    return None


def _estimated(text: Text, hits: Hits) -> tuple[int, int] | None:
    doc = text.doc
    for s, e in hits.get("ESTIMATED", []):
        if doc[s].lower_.startswith("estimat"):
            return s, e
        if e < len(doc) and (doc[e].like_num or doc[e].text in ("$", "USD", "\u20ac")):
            return s, e
    return None


def _speech(text: Text, sentence: Sentence) -> tuple[int, int] | None:
    doc = text.doc
    opens = [i for i in range(sentence.start, sentence.end) if doc[i].text in ("\u201c", '"', "``")]
    if not opens:
        return None
    closes = [i for i in range(opens[0] + 1, sentence.end) if doc[i].text in ("\u201d", '"', "''")]
    # Scare quotes around a term ("diffusion rule") are not speech: speech is a clause or more.
    if closes and closes[-1] - opens[0] > 6:
        return opens[0] + 1, closes[-1]
    if not closes and sentence.end - opens[0] > 6:
        return opens[0] + 1, sentence.end
    return None


def _has_speech_verb(text: Text, sentence: Sentence) -> bool:
    return any(text.doc[i].lower_ in _SPEECH_VERBS or text.doc[i].text == ":"
               for i in range(sentence.start, sentence.end))


def _agent(text: Text, sentence: Sentence, hits: Hits, mentions: list[Mention],
           is_org_or_person: Callable[[Mention], bool]) -> tuple[Agent | None, set[int]]:
    doc = text.doc
    for s, e in sorted(hits.get("ATTRIB", [])):
        word = doc[s:e].text.lower()
        if word in ("according to", "confirmed by") or (word == "per" and s > sentence.start
                                                        and doc[s - 1].text == ","):
            end = e
            while end < sentence.end and end not in text.clause_breaks and doc[end].text not in (".", ",", ";"):
                end += 1
            if end > e:
                return _np_agent(text, e, end, mentions, is_org_or_person), set(range(s, e))
        elif word in ("sources said",):
            return _np_agent(text, s, s + 1, mentions, is_org_or_person), set(range(s, e))
        elif " " not in word and word not in ("per", "reports", "confirmed", "note", "estimates",
                                               "estimate", "reported"):
            start = sentence.start
            while start < s and not doc[start].is_alpha:
                start += 1
            if s - start < 1 or s - start > 14:
                continue
            agent = _np_agent(text, start, s, mentions, is_org_or_person, verb=word)
            if agent is not None:
                return agent, set(range(s, e))
        elif word == "reports" and s == sentence.start:
            continue
    return None, set()


def _np_agent(text: Text, start: int, end: int, mentions: list[Mention],
              is_org_or_person: Callable[[Mention], bool], verb: str | None = None) -> Agent | None:
    doc = text.doc
    words = [t.lower_ for t in doc[start:end]]
    if not words:
        return None
    # The head noun comes before any post-modifier: "sources [with direct knowledge]".
    cut = next((i for i, w in enumerate(words) if i > 0 and w in _POST_MODIFIERS), len(words))
    head = words[cut - 1]
    inside = [m for m in mentions if start <= m.start and m.end <= end]
    tokens = set(range(start, end))
    # A first name or a named organisation as the subject of a speech verb is the agent.
    people = [m for m in inside if m.cls == "Person" or m.cls == "PeopleGroup"]
    if people and (verb is None or verb in _SPEECH_VERBS or people[0].start == start):
        return Agent(people[0].entity, tokens, _declare(people[0]))
    if head in _AGENT_NOUNS_ANON or head in _AGENT_NOUNS_GROUP or head in _AGENT_CLASS_NOUNS:
        label = text.span_text(start, end)
        if not inside or inside[0].start != start:
            label = label[:1].lower() + label[1:]
        cls = ("AnonymousSource" if head in _AGENT_NOUNS_ANON else _AGENT_CLASS_NOUNS.get(head, "PeopleGroup"))
        facts: dict[str, object] = {"a": cls, "label": label, "new": True}
        for m in inside:
            if m.end < len(doc) - 1 and doc[m.end].text == "-" and doc[m.end + 1].lower_ == "based":
                facts["basedIn"] = m.entity
        return Agent(slug_np(label), tokens, facts)
    orgs = [m for m in inside if is_org_or_person(m) and m.sense == "name"]
    if orgs and verb in _SPEECH_VERBS | {"confirmed", "indicated", "believes", "expects"}:
        return Agent(orgs[0].entity, tokens, _declare(orgs[0]))
    return None


def _declare(m: Mention) -> dict[str, object]:
    return {"a": m.cls, "label": m.label, "new": True} if m.new else {}
