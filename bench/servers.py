"""Start and stop real SPARQL servers on loopback for tests and benchmarks (never a mock)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

OXIGRAPH = Path(sys.executable).with_name("oxigraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_cli() -> str:
    found = str(OXIGRAPH) if OXIGRAPH.exists() else shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the oxigraph CLI (PyPI package 'oxigraph') is not installed")
    return found


def wait_until_up(url: str, process: subprocess.Popen[bytes], *, attempts: int = 600) -> None:
    """Poll `url` until it answers (or the process dies); bounded by a number of attempts, not a clock."""
    for _ in range(attempts):
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up")


@contextmanager
def process(args: list[str], probe: str, *, attempts: int = 600) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(probe, proc, attempts=attempts)
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Terminate a server we started (by its own handle, never by name), killing it if it lingers."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def oxigraph_serve(location: Path | None = None) -> Iterator[str]:
    """`oxigraph serve` on 127.0.0.1:<free port> with the union default graph; yields its base URL."""
    port = free_port()
    args = [oxigraph_cli(), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    if location is not None:
        args += ["--location", str(location)]
    base = f"http://127.0.0.1:{port}"
    with process(args, f"{base}/query?query=ASK%7B%7D"):
        yield base
