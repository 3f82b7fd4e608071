"""Store generations on disk: which one is published, who still reads one, and who may write.

The embedded store keeps its content in generation directories (`gen-000001`, ...) beside a `CURRENT`
symlink naming the published one. Three kinds of lock file, all `flock(2)` locks, which the kernel
drops when their holder dies (a killed worker or writer never leaves a stale lock behind):

- `gen-NNNNNN.lease`: every process holding a handle on a generation holds a shared lock on its lease.
  A generation is deleted only by whoever gets the exclusive lock, i.e. when nobody reads it any more
  (the old "keep the last two" rule deleted generations under slow readers: reads failed with
  "No such file ... .sst" during update streams).
- `WRITE.lock`: one writer at a time across processes (`kg load` beside `kg serve`, two servers).

Publishing is one `rename(2)` of a fresh symlink over `CURRENT`, then an fsync of the directory, so a
published generation survives a power cut and a reader sees the old or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

CURRENT = "CURRENT"
GEN_PREFIX = "gen-"
LEASE_SUFFIX = ".lease"
WRITE_LOCK = "WRITE.lock"


def generation_number(path: Path) -> int | None:
    digits = path.name[len(GEN_PREFIX):]
    if path.name.startswith(GEN_PREFIX) and digits.isdigit():
        return int(digits)
    return None


def generations(root: Path) -> list[Path]:
    found = [p for p in root.glob(f"{GEN_PREFIX}*") if p.is_dir() and generation_number(p) is not None]
    return sorted(found, key=lambda p: generation_number(p) or 0)


def published(root: Path) -> Path | None:
    """The generation CURRENT names, or None for a store never written."""
    link = root / CURRENT
    if not link.is_symlink():
        return None
    return root / os.readlink(link)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(root: Path, gen: Path) -> None:
    """Point CURRENT at `gen` atomically and durably."""
    tmp = root / f".{CURRENT}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(gen.name)
    os.replace(tmp, root / CURRENT)
    fsync_dir(root)


def next_generation(root: Path) -> Path:
    numbers = [generation_number(p) or 0 for p in generations(root)]
    return root / f"{GEN_PREFIX}{max(numbers, default=0) + 1:06d}"


class Lease:
    """A shared lock on one generation: while held, the generation is never deleted."""

    def __init__(self, gen: Path) -> None:
        self.gen = gen
        self._fd: int | None = os.open(_lease_path(gen), os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the flock
            self._fd = None

    def __del__(self) -> None:
        self.release()


def lease_published(root: Path) -> Lease | None:
    """A lease on the published generation; retried if a pruner deleted it between read and lock."""
    for _ in range(100):
        gen = published(root)
        if gen is None:
            return None
        if not gen.is_dir() and published(root) == gen:
            raise DamagedStoreError(f"the store's CURRENT names {gen.name}, which is not a store generation")
        lease = Lease(gen)
        # The pruner deletes a generation while holding the exclusive lock, and only one CURRENT no
        # longer names; so once we hold the shared lock, either the directory is whole or it is gone.
        if (gen / "CURRENT").exists():
            return lease
        lease.release()
        if published(root) == gen:  # not a deletion racing us: the published generation is incomplete
            raise DamagedStoreError(f"store generation {gen.name} is incomplete (it has no CURRENT file)")
    raise OSError(f"the store at {root} keeps changing; cannot settle on a published generation")


class DamagedStoreError(OSError):
    """The published generation is not a whole store (files missing or damaged)."""


META = "KG-META.json"
# Recorded in META by every writer that keeps the generation's default graph equal to the set union of its
# named graphs (kg/store/oxigraph.py, "Set semantics"); kept in step with kg/store/write_child.py.
DEFAULT_GRAPH_MARK = "distinct-union"


def write_meta(gen: Path, *, empty: bool) -> None:
    """What a generation held when it was published, to tell a damaged one on open: a MANIFEST cut on a
    record boundary opens as an empty store without any error from the engine. Also that its default
    graph is the distinct union of its named graphs (`default_graph_is_union`)."""
    path = gen / META
    with path.open("w", encoding="utf-8") as out:
        json.dump({"empty": empty, "default_graph": DEFAULT_GRAPH_MARK}, out)
        out.flush()
        os.fsync(out.fileno())


def default_graph_is_union(gen: Path) -> bool:
    """True if the generation's stored default graph is the distinct union of its named graphs; False for
    a generation written before it was kept so (its default graph is empty: queries must take the union)."""
    try:
        return bool(json.loads((gen / META).read_text(encoding="utf-8")).get("default_graph") == DEFAULT_GRAPH_MARK)
    except (OSError, ValueError, AttributeError):
        return False


def published_empty(gen: Path) -> bool | None:
    """Whether the generation was empty when published (None: not recorded, e.g. an older store)."""
    try:
        return bool(json.loads((gen / META).read_text(encoding="utf-8"))["empty"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextlib.contextmanager
def write_lock(root: Path) -> Iterator[None]:
    fd = os.open(root / WRITE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def prune(root: Path) -> list[Path]:
    """Delete every generation but the published one that no process holds a lease on (also the
    half-written ones a killed writer left). Call with the write lock held. Returns what was deleted."""
    current = published(root)
    removed: list[Path] = []
    for gen in generations(root):
        if current is not None and gen.resolve() == current.resolve():
            continue
        if _delete_if_unleased(gen):
            removed.append(gen)
    # Lease files whose generation is gone (a reader raced a deletion and created one anew).
    for lease in root.glob(f"{GEN_PREFIX}*{LEASE_SUFFIX}"):
        if not (root / lease.name[: -len(LEASE_SUFFIX)]).exists():
            _delete_if_unleased(root / lease.name[: -len(LEASE_SUFFIX)])
    return removed


def _lease_path(gen: Path) -> Path:
    return gen.with_name(gen.name + LEASE_SUFFIX)


def _delete_if_unleased(gen: Path) -> bool:
    path = _lease_path(gen)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        shutil.rmtree(gen, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return True
    finally:
        os.close(fd)
