"""Damaged store files: the CLI says what is wrong in one line (exit 3, no traceback), and the service never
puts a filesystem path in a 5xx body.

Each corruption is applied to a throwaway copy of a store built from the shipped data. Corruptions that
RocksDB shrugs off (garbage in OPTIONS-*, an empty *.log) are left out: nothing is wrong to report.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.errors import error_response, scrub
from kg.errors import InputError, KGError, QueryError, StoreError
from tests.api_support import api_store_dir_fixture, copy_store, settings  # noqa: F401 - fixture

KG = str(Path(sys.executable).parent / "kg")
ASK = ("ask", "firms-training-outside", "vendor=nvidia", "jurisdiction=china")
LEAKS = ("/tmp/", "gen-0", ".sst", "MANIFEST-", "/private/")


def generation(root: Path) -> Path:
    return Path(os.path.realpath(root / "CURRENT"))


def largest(root: Path, pattern: str) -> Path:
    return max(generation(root).glob(pattern), key=lambda p: p.stat().st_size)


def flip(path: Path, at: float, count: int = 64) -> None:
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    for i in range(start, min(start + count, len(data))):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path: Path, keep: float) -> None:
    path.write_bytes(path.read_bytes()[:int(path.stat().st_size * keep)])


def relink_current(root: Path, target: str) -> None:
    (root / "CURRENT").unlink()
    (root / "CURRENT").symlink_to(target)


def not_a_generation(root: Path) -> None:
    (root / "junk").write_text("not a store\n")
    relink_current(root, "junk")


def flip_data_blocks(root: Path) -> None:
    """Data blocks in the middle of every sizeable SST: the store opens, reads fail half-way."""
    for sst in generation(root).glob("*.sst"):
        if sst.stat().st_size > 8192:
            for at in (0.2, 0.5, 0.8):
                flip(sst, at)


CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "current-symlink-dangling": lambda root: relink_current(root, "gen-999999"),
    "current-symlink-not-a-generation": not_a_generation,
    "manifest-truncated": lambda root: truncate(largest(root, "MANIFEST-*"), 0.3),
    "manifest-bytes-flipped": lambda root: flip(largest(root, "MANIFEST-*"), 0.5),
    "manifest-removed": lambda root: largest(root, "MANIFEST-*").unlink(),
    "sst-truncated": lambda root: truncate(largest(root, "*.sst"), 0.5),
    "sst-data-blocks-flipped": flip_data_blocks,
    "sst-footer-flipped": lambda root: [flip(p, 0.999, 40) for p in generation(root).glob("*.sst")],
    "sst-removed": lambda root: largest(root, "*.sst").unlink(),
    "engine-current-file-garbage": lambda root: (generation(root) / "CURRENT").write_text("MANIFEST-999999\n"),
    "engine-current-file-removed": lambda root: (generation(root) / "CURRENT").unlink(),
}


# A MANIFEST cut on a record boundary is a valid, shorter MANIFEST: RocksDB opens an EMPTY database without
# a word (`kg stats` says 0 quads). Only the store can tell (it would need to record, at publish time, what
# the generation holds and check it on open): the CLI test is an expected failure until it does.
# Damage the engine does not report itself; the store tells it from what the generation held when published
# (kg/store/generations.py, KG-META.json). Empty now: a truncated MANIFEST used to open as an empty store.
SILENT: dict[str, str] = {}


@pytest.fixture(params=sorted(CORRUPTIONS))
def damaged(request: pytest.FixtureRequest, api_store_dir: Path, tmp_path: Path) -> tuple[str, Path]:
    root = copy_store(api_store_dir, tmp_path / "store")
    CORRUPTIONS[request.param](root)
    return request.param, root


def kg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KG_STORE_PATH": str(root), "KG_STORE": "oxigraph"}
    return subprocess.run([KG, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args", [("stats",), ASK], ids=["stats", "ask"])
def test_cli_reports_a_damaged_store_in_one_line(damaged: tuple[str, Path], args: tuple[str, ...]) -> None:
    kind, root = damaged
    result = kg(root, *args)
    if kind in SILENT and result.returncode != 3:  # stats: 0 quads; ask: "unknown entity nvidia" (exit 2)
        pytest.xfail(SILENT[kind])
    assert result.returncode == 3, (kind, result.returncode, result.stderr[-3000:])
    assert "Traceback" not in result.stderr, (kind, result.stderr[-3000:])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, (kind, result.stderr)
    assert lines[0].startswith("error: ") and "store" in lines[0], (kind, lines[0])


def test_kg_serve_refuses_a_damaged_store_in_one_line(api_store_dir: Path, tmp_path: Path) -> None:
    root = copy_store(api_store_dir, tmp_path / "store")
    flip_data_blocks(root)  # opens fine; only reading shows the damage
    env = {**os.environ, "KG_STORE_PATH": str(root), "KG_STORE": "oxigraph", "KG_HOST": "127.0.0.1",
           "KG_PORT": "9", "KG_LOAD_IF_EMPTY": "true"}
    result = subprocess.run([KG, "serve"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 3, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: the store is damaged"), result.stderr


HTTP_PATHS = ("/health", "/sparql?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%2010000",
              "/questions/firms-training-outside?vendor=nvidia&jurisdiction=china",
              "/entities", "/id/nvidia", "/documents")


def test_service_5xx_bodies_name_no_file(damaged: tuple[str, Path]) -> None:
    kind, root = damaged
    try:
        client = TestClient(create_app(settings(root)))
        client.__enter__()
    except KGError as exc:  # start-up refused: fine, as long as it is our error, not a raw engine one
        assert "store" in str(exc), (kind, exc)
        return
    try:
        for path in HTTP_PATHS:
            r = client.get(path, headers={"Accept": "application/json"})
            if r.status_code >= 500:
                assert r.headers["content-type"].startswith("application/json"), (kind, path, r.text)
                leaked = [s for s in (*LEAKS, str(root)) if s in r.text]
                assert not leaked, (kind, path, leaked, r.text)
    finally:
        client.__exit__(None, None, None)


def test_5xx_bodies_are_scrubbed_and_4xx_kept() -> None:
    """Not vacuous: today the damaged stores above are refused at start-up (the workers read the whole
    store to build their index), so the scrubbing is checked on the errors the store and workers raise."""
    path = "/tmp/pytest-of-x/store/gen-000002/000014.sst"
    for exc in (StoreError(f"query worker failed: Corruption: block checksum mismatch in {path} offset 1"),
                QueryError(f"query failed: IO error: While open a file for random read: {path}: No such file"),
                StoreError("cannot open store generation gen-000002: the file /srv/kg/gen-000002/MANIFEST-000021 "
                           "may be corrupted")):
        response = error_response(exc)
        assert response.status_code == 500
        text = bytes(response.body).decode()
        assert not [s for s in (*LEAKS, "/srv/") if s in text], text
        assert "Corruption" in text or "IO error" in text or "corrupted" in text, text
    assert scrub("see https://w3id.org/aichips/id/nvidia") == "see https://w3id.org/aichips/id/nvidia"
    kept = InputError("bad term", file="/data/x.yaml", line=3)
    assert "/data/x.yaml" in bytes(error_response(kept).body).decode()  # 4xx: the user's own file, kept
