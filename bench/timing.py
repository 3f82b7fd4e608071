"""Measuring: medians of repeated calls, bounded concurrent HTTP load, peak memory, capped subprocesses."""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


def median_ms(fn: Callable[[], object], *, repeat: int = 7, budget_s: float = 30.0) -> tuple[float, int]:
    """Median wall time of `fn` in ms over up to `repeat` runs (fewer if `budget_s` is used up)."""
    times: list[float] = []
    spent = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        times.append(elapsed * 1000)
        spent += elapsed
        if spent > budget_s:
            break
    return statistics.median(times), len(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def text(self) -> str:
        return f"{self.rps:,.0f} req/s, p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms ({self.errors} errors)"


def http_load(make: Callable[[httpx.AsyncClient], Any], *, connections: int, requests: int,
              max_seconds: float = 20.0) -> LoadResult:
    """Send up to `requests` requests on `connections` concurrent loopback connections, for at most
    `max_seconds`; latency percentiles over the requests sent."""
    async def run() -> LoadResult:
        latencies: list[float] = []
        errors = 0
        remaining = requests
        deadline = time.perf_counter() + max_seconds
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:
            async def worker() -> None:
                nonlocal remaining, errors
                while remaining > 0 and time.perf_counter() < deadline:
                    remaining -= 1
                    start = time.perf_counter()
                    response = await make(client)
                    latencies.append((time.perf_counter() - start) * 1000)
                    if response.status_code >= 400:
                        errors += 1
            await make(client)  # warm-up
            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(connections)))
            seconds = time.perf_counter() - start
        latencies.sort()
        return LoadResult(len(latencies), seconds, latencies[len(latencies) // 2],
                          latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], errors)
    return asyncio.run(run())


def capped(code: str, *, cap_s: float) -> dict[str, Any] | None:
    """Run Python `code` (which prints one JSON object last) in a child process; None past `cap_s`."""
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=cap_s,
                              check=True)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        return {"error": exc.stderr.strip().splitlines()[-1] if exc.stderr.strip() else str(exc)}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
