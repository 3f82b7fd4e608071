"""Review: the third stage of the document pipeline.

In: a document's proposals file (data/claims/<doc>.proposed.yaml, possibly edited by hand) and a
curator's decision per proposal. Out: accepted claims appended to data/claims/<doc>.yaml, each with a
`review` record (reviewer, day, the proposer's confidence and cue, whether it was edited) that the
compiler turns into a prov:Activity; rejected ids in data/claims/<doc>.rejected.yaml, so the proposer
does not offer them again. Every check `kg load` runs (quotes, terms, integrity shapes, consistency)
runs on the result before any file is written: a refused review writes nothing.
"""

from .accept import Outcome, review

__all__ = ["Outcome", "review"]
