"""Errors of the validation layer, placed in the core hierarchy so the CLI and API map them as usual."""

from __future__ import annotations

from ..errors import InputError, LoadError


class ShapesError(InputError):
    """A shapes file cannot be read, does not parse, or holds a shape the engine cannot run."""


class IntegrityError(LoadError):
    """The data breaks an integrity shape; the load is refused and `report` says why, result by result."""

    def __init__(self, message: str, *, report: str) -> None:
        super().__init__(message)
        self.report = report

    def __str__(self) -> str:
        return f"{self.message}\n{self.report}" if getattr(self, "report", None) else self.message

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "report": self.report}
