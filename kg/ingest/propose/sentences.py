"""Sentences and clauses of a document, as spans of its unchanged text.

The text is never altered: tokens keep their offsets into it, so every quote is cut straight out of
the original (`text[start:end]`) and is verbatim by construction. Whitespace tokens are dropped from
the token sequence the matchers see, so a name wrapped over a line break ("Framework\\nfor ...") still
matches. Page furniture (navigation lines, Federal Register bracket headers, rules of '=') is marked
so that nothing is proposed from it and no quote runs across it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

_FURNITURE = [re.compile(p, re.IGNORECASE) for p in (
    r"^\s*skip to (main )?content\s*$",
    r"^\s*\[\[?\s*page \d+\s*\]?\]\s*$",
    r"^\s*[=\-_*\u2022\u00b7~#]+\s*$",
    r"^\s*\[[^\]]*\]\s*$",
    r"^\s*from the federal register online via\b.*$",
    r"^\s*(home|menu|search|share|print|back to top|sign in|log in|subscribe|advertisement|"
    r"related articles?|read more|cookie settings)\s*$",
    r"^\s*([^|\u203a\u00bb]{1,30}\s*[|\u203a\u00bb]\s*){2,}[^|\u203a\u00bb]{0,30}$",  # Home | News | Tech
)]
_TERMINAL = {".", "?", "!", ":", ";", "\u201d", '"', "\u2026"}
_CLAUSE_PUNCT = {",", ";", ":", "\u2014", "\u2013", "(", ")", "--"}
_CLAUSE_WORDS = {"while", "whereas", "but", "although", "though", "because", "which", "where", "who"}
_BULLET = re.compile(r"^\s*([-\u2022*\u00b7]|\d+[.)])\s+")


@dataclass
class Sentence:
    index: int
    start: int  # token range [start, end)
    end: int
    question: bool
    heading: bool


@dataclass
class Text:
    """A document's text with its compact token sequence, sentences and clause breaks."""

    raw: str
    doc: Doc
    offsets: list[int]  # token i starts at raw[offsets[i]]
    sentences: list[Sentence] = field(default_factory=list)
    sentence_of: list[int] = field(default_factory=list)
    clause_breaks: set[int] = field(default_factory=set)  # token indices that end a clause
    heading_tokens: set[int] = field(default_factory=set)
    lower: list[str] = field(default_factory=list)  # lower-cased tokens, read far more often than the Doc

    def char_start(self, i: int) -> int:
        return self.offsets[i]

    def char_end(self, i: int) -> int:
        return self.offsets[i] + len(self.doc[i].text)

    def span_text(self, start: int, end: int) -> str:
        return self.raw[self.char_start(start):self.char_end(end - 1)]

    def in_heading(self, i: int) -> bool:
        return i in self.heading_tokens

    def is_sentence_start(self, i: int) -> bool:
        s = self.sentences[self.sentence_of[i]]
        j = s.start
        # Bullets and opening quotes do not count as the first word.
        while j < s.end and not self.doc[j].is_alpha:
            j += 1
        return i == j

    def clause_span(self, sentence: Sentence, lo: int, hi: int) -> tuple[int, int]:
        """The smallest run of whole clauses of `sentence` covering tokens lo..hi (inclusive)."""
        start = lo
        while start > sentence.start and (start - 1) not in self.clause_breaks:
            start -= 1
        end = hi + 1
        while end < sentence.end and (end - 1) not in self.clause_breaks:
            end += 1
        # Drop separators at the edges, keep the sentence's own final punctuation.
        while start < end and self.doc[start].text in _CLAUSE_PUNCT | {"-", "\u2022"}:
            start += 1
        while end > start + 1 and end < sentence.end and self.doc[end - 1].text in _CLAUSE_PUNCT:
            end -= 1
        if end == sentence.end:
            while end > start + 1 and self.doc[end - 1].text in _CLAUSE_PUNCT:
                end -= 1
        return start, end


def read_text(nlp: Language, raw: str) -> Text:
    """Tokenise, drop whitespace tokens, then split sentences at hard line breaks and punctuation."""
    tokens = [t for t in nlp.tokenizer(raw) if not t.is_space]
    words = [t.text for t in tokens]
    offsets = [t.idx for t in tokens]
    spaces = [bool(t.whitespace_) or (i + 1 < len(tokens) and tokens[i + 1].idx > t.idx + len(t.text))
              for i, t in enumerate(tokens)]
    furniture, headings = _line_kinds(raw)
    line_starts = _line_starts(raw)
    keep: list[int] = []
    for i, off in enumerate(offsets):
        if _line_of(line_starts, off) not in furniture:
            keep.append(i)
    words = [words[i] for i in keep]
    spaces = [spaces[i] for i in keep]
    offsets = [offsets[i] for i in keep]
    sent_starts: list[bool | int | None] = []
    lines = _lines(raw)
    for i in range(len(words)):
        if i == 0:
            sent_starts.append(True)
            continue
        gap = raw[offsets[i - 1] + len(words[i - 1]):offsets[i]]
        prev_line, this_line = _line_of(line_starts, offsets[i - 1]), _line_of(line_starts, offsets[i])
        if this_line != prev_line and _hard_break(lines, prev_line, this_line, gap, furniture, words[i - 1]):
            sent_starts.append(True)
        else:
            sent_starts.append(None)
    doc = Doc(nlp.vocab, words=words, spaces=spaces, sent_starts=sent_starts)
    doc = nlp.get_pipe("sentencizer")(doc)
    text = Text(raw, doc, offsets, lower=[w.lower() for w in words])
    for sent in doc.sents:
        first_line = _line_of(line_starts, offsets[sent.start])
        last_line = _line_of(line_starts, offsets[sent.end - 1])
        # A title wrapped over several lines is a heading when each of its lines is.
        heading = all(n in headings for n in range(first_line, last_line + 1)) and (
            last_line == first_line or doc[sent.end - 1].text not in (".", "!", "?"))
        text.sentences.append(Sentence(len(text.sentences), sent.start, sent.end,
                                       doc[sent.end - 1].text == "?", heading))
        text.sentence_of.extend([len(text.sentences) - 1] * (sent.end - sent.start))
        if heading:
            text.heading_tokens.update(range(sent.start, sent.end))
        for i in range(sent.start, sent.end):
            if doc[i].text in _CLAUSE_PUNCT:
                text.clause_breaks.add(i)
            elif doc[i].lower_ in _CLAUSE_WORDS and i > sent.start:
                text.clause_breaks.add(i - 1)
    # "- Key Takeaway Title: body": the label before the colon is a heading, the body is not.
    for s in text.sentences:
        if _BULLET.match(raw[raw.rfind("\n", 0, offsets[s.start]) + 1:offsets[s.start] + 2] or ""):
            for i in range(s.start, min(s.end, s.start + 12)):
                if doc[i].text == ":":
                    text.heading_tokens.update(range(s.start, i + 1))
                    break
    return text


def _line_starts(raw: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", raw)]


def _line_of(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _lines(raw: str) -> list[str]:
    return raw.split("\n")


def _line_kinds(raw: str) -> tuple[set[int], set[int]]:
    furniture: set[int] = set()
    headings: set[int] = set()
    for n, line in enumerate(_lines(raw)):
        stripped = line.strip()
        if not stripped:
            continue
        if any(p.match(line) for p in _FURNITURE):
            furniture.add(n)
            continue
        words = re.findall(r"[A-Za-z][\w\u2019'-]*", stripped)
        if not words or stripped[-1] in ".!;,\u201d\"" or len(stripped) > 120:
            continue
        titled = sum(1 for w in words if w[0].isupper())
        # Title-case lines without final punctuation are headings ("Frequently Asked Questions").
        if titled >= max(1, 0.6 * len(words)) or len(words) <= 3:
            headings.add(n)
    return furniture, headings


def _hard_break(lines: list[str], prev_line: int, this_line: int, gap: str, furniture: set[int],
                prev_word: str) -> bool:
    if gap.count("\n") >= 2 or any(n in furniture for n in range(prev_line + 1, this_line)):
        return True
    if this_line - prev_line > 1:
        return True
    if prev_word in _TERMINAL:
        return True
    prev_text, this_text = lines[prev_line], lines[this_line]
    if _BULLET.match(this_text):
        return True
    # A wrapped line is long and runs on; a short line without final punctuation is a heading.
    return len(prev_text.strip()) < 50 and not (this_text.strip()[:1].islower())
