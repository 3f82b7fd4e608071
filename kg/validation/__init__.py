"""SHACL validation of the knowledge graph: integrity shapes (run on every load) and compliance shapes
(one or more per rule, each linked to the regulation node it encodes with `aic:encodesRule`).

    validate(source: Store | DataGraphs, *, as_of: date | None = None, shapes: str = "all",
             inferred: bool = True, shapes_dir: Path | None = None,
             evidence: bool = True) -> ValidationResult

- `source`: an open store, or the graphs of an in-memory build (`DataGraphs`).
- `as_of`: the day of the audit (default today). Every breach that had happened by then is reported,
  each judged by the rule in force on the event's own date: a rule applies from its effective date (its
  announcement date when only that is recorded) to the day before its rescission date, and not while
  suspended; an event lasts from its `aic:startDate` to its `aic:endDate`. The finding's `value` /
  `event_date` is the first day the event fell under the rule. Month- or year-precision dates are
  periods: a breach that is only possible inside such a period is an info ("timing uncertain"), a
  violation only once certain (shapes/compliance.ttl, header). The day enters the data graph as a typed
  literal on a validation-context node, never as text pasted into SPARQL.
- `shapes`: "integrity", "compliance" or "all" (files `integrity.ttl`, `compliance.ttl` in `shapes_dir`,
  default the configured shapes directory).
- `inferred`: validate asserted data plus the OWL RL inferences (True) or asserted data only (False).
- `evidence`: look up, for each result, the quotes and sources of the claims about its focus node.

`ValidationResult` has `.conforms` (no violation; warnings and infos do not count), `.findings`,
`.counts()`, `.to_text()`, `.to_json()`, `.to_turtle()` and `.to_jsonld()` (the last two give pyshacl's
standard sh:ValidationReport). Raises ShapesError (file, line) for a shapes file that cannot be run.

`check_integrity(graphs)` raises IntegrityError (a LoadError carrying the report text) when asserted
data breaks an integrity shape; the loader calls it before touching the store.
"""

from .data import DataGraphs
from .engine import check_integrity, validate
from .errors import IntegrityError, ShapesError
from .report import Finding, RuleInfo, ValidationResult
from .shapes import SHAPE_SETS, load_shapes

__all__ = ["SHAPE_SETS", "DataGraphs", "Finding", "IntegrityError", "RuleInfo", "ShapesError",
           "ValidationResult", "check_integrity", "load_shapes", "validate"]
