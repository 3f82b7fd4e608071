"""Adding an entry to data/documents/documents.yaml without disturbing what curators wrote in it.

The registry is hand-edited and commented, so an entry is appended as text (never by re-dumping the
file), and the result is read back with the loader's own reader before it replaces the file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .. import yamlio


def entry_text(entry: dict[str, str], comment: str | None) -> str:
    body = yamlio.dump([entry], width=100)
    lines = ["  " + line if line else line for line in body.splitlines()]
    head = [f"  # {part}" for part in comment.splitlines()] if comment else []
    return "\n".join(head + lines) + "\n"


def appended(registry: Path, entry: dict[str, str], comment: str | None = None) -> str:
    """The registry's text with the entry added at the end of its `documents:` list."""
    text = registry.read_text(encoding="utf-8") if registry.exists() else (
        "# Source documents: the registry of documents the project keeps unchanged copies of.\ndocuments:\n")
    if not text.endswith("\n"):
        text += "\n"
    return text + entry_text(entry, comment)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` whole or not at all (a crash leaves the old file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
