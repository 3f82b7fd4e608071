"""Progress of long work (a batch of documents, a load at 1M triples) so nobody stares at a silent prompt.

On a terminal: a rich progress bar with counts and rate. Elsewhere (CI, a pipe, a log file): a plain line
at most every few seconds and one at the end, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

LOG_EVERY = 5.0  # seconds between plain log lines


class Progress:
    def __init__(self, what: str, total: int | None, unit: str, stream: TextIO | None = None,
                 enabled: bool = True) -> None:
        self.what, self.total, self.unit, self.enabled = what, total, unit, enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = self._last = time.monotonic()
        self._bar = None
        self._task = None
        if enabled and self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                            console=Console(file=self.stream), transient=False)
            self._bar.start()
            self._task = self._bar.add_task(what, total=total, rate="")

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=n, rate=f"{self._rate(now)}")
        elif self.enabled and now - self._last >= LOG_EVERY:
            self._last = now
            self._line(now)

    def close(self) -> None:
        now = time.monotonic()
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, rate=self._rate(now))
            self._bar.stop()
        elif self.enabled:
            self._line(now, final=True)

    def _rate(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        return f"{self.done / elapsed:,.1f} {self.unit}/s"

    def _line(self, now: float, final: bool = False) -> None:
        of = f"/{self.total:,}" if self.total is not None else ""
        tail = f" in {now - self.started:.1f} s" if final else ""
        print(f"{self.what}: {self.done:,}{of} {self.unit} ({self._rate(now)}){tail}", file=self.stream, flush=True)


@contextmanager
def progress(what: str, total: int | None, unit: str, stream: TextIO | None = None,
             enabled: bool = True) -> Iterator[Progress]:
    """`enabled=False` counts silently (one document needs no progress bar)."""
    bar = Progress(what, total, unit, stream, enabled)
    try:
        yield bar
    finally:
        bar.close()


@contextmanager
def stage(what: str, stream: TextIO | None = None) -> Iterator[None]:
    """One step of a long job: its name when it starts, its duration when it ends."""
    out = stream or sys.stderr
    started = time.monotonic()
    print(f"{what} ...", file=out, flush=True)
    yield
    print(f"{what}: done in {time.monotonic() - started:.1f} s", file=out, flush=True)
