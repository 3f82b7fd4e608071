"""One error hierarchy for the core; the CLI and the HTTP layer map these to exit codes and statuses."""

from __future__ import annotations


class KGError(Exception):
    """Base of every error the core raises on purpose."""


class InputError(KGError):
    """Bad user input, located as precisely as we can: file, line and the offending term."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 term: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.term = term
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        term = f" [term: {self.term}]" if self.term else ""
        return f"{where}{self.message}{term}"

    def to_dict(self) -> dict[str, object]:
        return {"error": type(self).__name__, "message": self.message, "file": self.file,
                "line": self.line, "term": self.term}


class LoadError(InputError):
    """Curated data, documents or the ontology cannot be loaded; the store is left as it was."""


class InconsistencyError(LoadError):
    """OWL RL reasoning found the data inconsistent with the ontology."""


class QuerySyntaxError(InputError):
    """A SPARQL query or update does not parse."""


class QueryError(KGError):
    """A well-formed query failed while being evaluated."""


class UnsafeQueryError(InputError):
    """A query would make the server reach out (SERVICE, LOAD, remote FROM) or is otherwise refused."""


class QueryTimeoutError(KGError):
    """A query ran past its time limit and was stopped."""


class ResultTooLargeError(KGError):
    """A query produced more results than the configured cap."""


class UnknownQuestionError(InputError):
    """No named question has this name."""


class ParameterError(InputError):
    """A named question's parameter is missing, unknown or of the wrong type."""


class NotFoundError(KGError):
    """An entity or resource does not exist in the graph."""


class StoreError(KGError):
    """The store cannot be opened or written."""


class UpdateEvaluationError(InputError):
    """A well-formed update that cannot apply to this store as it is (e.g. DROP GRAPH of a graph that
    does not exist, without SILENT): the client's to fix, so a 400, and nothing was changed."""


class StoreCorruptError(StoreError):
    """The store's files are damaged or unreadable (the engine reported corruption or an I/O error)."""
