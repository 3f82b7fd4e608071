"""The claim proposer: a document's text in, quote-anchored claim proposals out.

In: the unchanged text of one document, its id and date (`FuzzyDate`, the precision the registry
gives), a `LinkIndex` built once from the graph (`LinkIndex.build(data_dir, ontology)`), and the ids
of proposals a curator rejected earlier. Out: a list of claim dicts in the format of
`data/claims/*.yaml` (`id`, `quote`, `by`, `status`, optional `time` and `note`, `facts`), each with
`review: proposed`, a `confidence` in [0, 1] and `why` (the pattern and cues that produced it). New
entities carry `new: true` in their facts. Every quote is a verbatim substring of the text; every
proposal compiles once `review`, `confidence`, `why` and `new` are stripped (those that would not are
dropped and counted, see `propose_counted`). Ids are deterministic, so rejected ones stay rejected.

Nothing here loads anything: the proposals go to a review file that a curator accepts or rejects.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_right
from dataclasses import dataclass

from kg.dates import FuzzyDate

from .check import problems, strip_review
from .cues import Hits, Reading, read_status
from .linking import LinkIndex, Mention, slug
from .relations import _EVENT_CLASSES as EVENT_CLASSES
from .relations import AUTHOR, RULES, Ctx, DocState, Proposal, statements
from .sentences import Sentence, Text, read_text
from .timeexpr import TimeExpr, find_times

__all__ = ["LinkIndex", "ProposalStats", "propose", "propose_counted", "strip_review"]



@dataclass
class ProposalStats:
    proposed: int = 0
    dropped: int = 0  # would not compile
    rejected: int = 0  # filtered by the curator's earlier rejections
    drop_reasons: list[str] | None = None


def propose(text: str, *, document_id: str, document_date: FuzzyDate, index: LinkIndex,
            rejected: frozenset[str] = frozenset()) -> list[dict[str, object]]:
    """Proposed claims for one document (see the module docstring for what enters and leaves)."""
    claims, _ = propose_counted(text, document_id=document_id, document_date=document_date, index=index,
                                rejected=rejected)
    return claims


def propose_counted(text: str, *, document_id: str, document_date: FuzzyDate, index: LinkIndex,
                    rejected: frozenset[str] = frozenset()) -> tuple[list[dict[str, object]], ProposalStats]:
    """`propose`, plus how many proposals were dropped (would not compile) or filtered (rejected)."""
    doc_text = read_text(index.nlp, text)
    mentions = index.mentions(doc_text)
    hits = _cue_hits(index, doc_text)
    state = DocState(document_last=document_date.last.isoformat())
    _topic_rule(doc_text, mentions, hits, index, state, document_id)
    stats = ProposalStats(drop_reasons=[])
    out: list[dict[str, object]] = []
    seen: set[str] = set()
    starts = [m.start for m in mentions]
    used_new: set[str] = set()
    for sentence in doc_text.sentences:
        if sentence.heading or sentence.question:
            continue
        lo, hi = bisect_right(starts, sentence.start - 1), bisect_right(starts, sentence.end - 1)
        sent_mentions = [m for m in mentions[lo:hi] if m.end <= sentence.end]
        sent_hits = hits.get(sentence.index, {})
        times = _times(doc_text, sentence, document_date)
        ctx = Ctx(doc_text, sentence, sent_mentions, sent_hits, times, index, state)
        state.sentence_rules, state.sentence_chips = [], []
        reading = read_status(doc_text, sentence, sent_hits, sent_mentions,
                              lambda m: index.class_is_a(m.cls, "Organization") or m.cls == "Person")
        proposals = [p for rule in RULES for p in rule(ctx)]
        proposals += statements(ctx, reading)
        claims_here = [(p, _claim(p, ctx, reading, document_date)) for p in proposals]
        _remember_events(state, index, sentence, claims_here)
        for _, claim in claims_here:
            facts = claim["facts"]
            if isinstance(facts, dict):
                used_new.update(s for s, body in facts.items() if body.get("new"))
            _offer(claim, index, rejected, seen, out, stats)
        # Names the graph does not know are proposed as entities even when no pattern used them.
        for m in sent_mentions:
            if m.new and m.entity not in used_new and not doc_text.in_heading(m.start):
                used_new.add(m.entity)
                cls = ctx.cls(m)
                p = Proposal("entity", m.entity, {m.entity: {"a": cls, "label": m.label, "new": True}},
                             set(range(m.start, m.end)), 0.3, f"unlinked name, class guessed as {cls}")
                _offer(_claim(p, ctx, Reading("reported", None, set(), ""), document_date), index, rejected,
                       seen, out, stats)
    stats.proposed = len(out)
    return out, stats


def _remember_events(state: DocState, index: LinkIndex, sentence: Sentence,
                     claims: list[tuple[Proposal, dict[str, object]]]) -> None:
    """Activities, rules and observations of this sentence, for 'this shift' / 'the arrangement' later."""
    nodes: list[tuple[str, str, str]] = []
    for p, claim in claims:
        if p.family in ("statement", "follow-up", "entity"):
            continue
        time = claim.get("time")
        when = str(time.get("value", "")) if isinstance(time, dict) else ""
        for subject, body in p.facts.items():
            cls = str(body["a"]) if body.get("a") else index.primary_class(subject)
            if body.get("new") and body.get("a"):
                state.declared.setdefault(subject, {"a": body["a"], "label": body.get("label", subject), "new": True})
            if any(index.class_is_a(cls, k) for k in EVENT_CLASSES):
                nodes.append((subject, cls, when))
    if nodes:
        state.events.append((sentence.index, nodes))


def _offer(claim: dict[str, object], index: LinkIndex, rejected: frozenset[str], seen: set[str],
           out: list[dict[str, object]], stats: ProposalStats) -> None:
    cid = str(claim["id"])
    if cid in seen:
        return
    seen.add(cid)
    if cid in rejected:
        stats.rejected += 1
        return
    found = problems(claim, index)
    if found:
        stats.dropped += 1
        if stats.drop_reasons is not None:
            stats.drop_reasons.append(f"{cid}: {'; '.join(found)}")
        return
    out.append(claim)


def _claim(p: Proposal, ctx: Ctx, reading: Reading, document_date: FuzzyDate) -> dict[str, object]:
    text, sentence = ctx.text, ctx.sentence
    support = set(p.support) | reading.cue_tokens
    if reading.agent is not None:
        support |= reading.agent.tokens
    time = _claim_time(ctx, support)
    if time is not None:
        support |= set(range(time[0], time[1]))
    # Inside the sentence, and not the label of a bullet ("- Policy Shifts: ...").
    support = {i for i in support if sentence.start <= i < sentence.end and not text.in_heading(i)}
    if not support:
        support = {sentence.start}
    start, end = text.clause_span(sentence, min(support), max(support))
    quote = text.span_text(start, end).strip()
    facts = {s: dict(body) for s, body in p.facts.items()}
    status = p.status or reading.status
    by = AUTHOR
    if reading.agent is not None:
        by = reading.agent.id
        if reading.agent.facts and by not in ctx.index.entities:
            facts.setdefault(by, {}).update(reading.agent.facts)
        elif by not in ctx.index.entities and by not in facts:
            facts[by] = {"a": "AnonymousSource", "label": by.replace("-", " "), "new": True}
    elif AUTHOR not in ctx.index.entities:
        facts.setdefault(AUTHOR, {"a": "AnonymousSource", "label": "the document's author (unnamed)",
                                  "new": True})
    claim: dict[str, object] = {
        "id": _claim_id(p, quote, facts),
        "quote": quote,
        "by": by,
        "status": status,
    }
    if time is not None:
        t = time[2]
        claim["time"] = {"value": t.value, "relation": t.relation, "expression": t.expression}
    notes = [n for n in (p.note, time[2].note if time is not None else None) if n]
    if notes:
        claim["note"] = " ".join(notes)
    claim["facts"] = facts
    claim["review"] = "proposed"
    claim["confidence"] = round(_confidence(p, facts, reading), 2)
    claim["why"] = f"{p.family}: {p.why}" + (f"; status {status}: {reading.why}" if reading.why else "")
    return claim


def _confidence(p: Proposal, facts: dict[str, dict[str, object]], reading: Reading) -> float:
    new = sum(1 for body in facts.values() if body.get("new"))
    score = p.confidence - 0.05 * max(0, new - 1)
    if reading.agent is not None:
        score += 0.05
    return max(0.05, min(0.95, score))


def _claim_id(p: Proposal, quote: str, facts: dict[str, dict[str, object]]) -> str:
    # Deterministic from what is proposed, so a rejected id is recognised on the next run.
    payload = json.dumps([quote, facts], sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha1(payload.encode("utf-8")).hexdigest()[:8]
    key = p.key[:40].strip("-")
    return f"{p.family}-{key}-{digest}"


def _claim_time(ctx: Ctx, support: set[int]) -> tuple[int, int, TimeExpr] | None:
    if not support:
        return None
    lo, hi = min(support), max(support)
    start, end = ctx.text.clause_span(ctx.sentence, lo, hi)
    inside = [t for t in ctx.times if start <= t[0] and t[1] <= end]
    if inside:
        return inside[0]
    # A time right after or before the quote's clause still dates it ("In April, regulators blocked ...").
    opening = ctx.sentence.start
    while opening < ctx.sentence.end and not ctx.text.doc[opening].is_alpha:
        opening += 1
    near = [t for t in ctx.times if end <= t[0] <= end + 1 or (t[0] == opening and start - 2 <= t[1] <= start)]
    return near[0] if near else None


def _times(text: Text, sentence: Sentence, document_date: FuzzyDate) -> list[tuple[int, int, TimeExpr]]:
    base = text.char_start(sentence.start)
    raw = text.raw[base:text.char_end(sentence.end - 1)]
    out: list[tuple[int, int, TimeExpr]] = []
    for t in find_times(raw, document_date):
        toks = [i for i in range(sentence.start, sentence.end)
                if text.char_start(i) >= base + t.start and text.char_end(i) <= base + t.end]
        if toks:
            out.append((toks[0], toks[-1] + 1, t))
    return out


def _cue_hits(index: LinkIndex, text: Text) -> dict[int, Hits]:
    out: dict[int, Hits] = {}
    for match_id, start, end in index.cue_matcher(text.doc):
        sentence = text.sentence_of[start]
        if text.sentence_of[end - 1] != sentence:
            continue
        out.setdefault(sentence, {}).setdefault(index.nlp.vocab.strings[match_id], []).append((start, end))
    for hits in out.values():
        for spans in hits.values():
            spans.sort()
    return out


def _topic_rule(text: Text, mentions: list[Mention], hits: dict[int, Hits], index: LinkIndex, state: DocState,
                document_id: str) -> None:
    """What 'this rule' means: a rule the title names, else a new rule of this document."""
    if not any("THIS_RULE" in h for h in hits.values()):
        return
    early = {s.index for s in text.sentences[:6]}
    for m in mentions:
        if text.sentence_of[m.start] in early and index.class_is_a(m.cls, "Regulation") and not m.new:
            state.topic_rule = m.entity
            return
    cite = re.search(r"FR Doc(?:\.|ument)?\s*(?:No[.:]?\s*)?(\d{4}-\d{4,6})", text.raw)
    export = re.search(r"\b(ECCN|Export Administration Regulations|EAR|export)\b", text.raw)
    if cite:
        node, label = f"fr-doc-{cite.group(1)}-rule", f"Rule of FR Doc {cite.group(1)}"
    else:
        node, label = f"{slug(document_id)}-rule", f"The rule of document {document_id}"
    state.topic_rule = node
    state.topic_decl = {"a": "ExportControlRule" if export else "Regulation", "label": label, "new": True}

