"""Fixtures and helpers shared by the API tests (tests/test_api_*.py): a store directory built from the
shipped data, an in-process app (TestClient), and a real `kg serve` process on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api import create_app
from kg.config import Settings
from kg.loader import Build
from kg.store import open_store

TOKEN = "test-token-0123456789-abcdefghij"


@pytest.fixture(scope="session", name="api_store_dir")
def api_store_dir_fixture(shipped: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Oxigraph store directory holding the shipped graph, closed (others open it read-only)."""
    path = tmp_path_factory.mktemp("api-store")
    with open_store("oxigraph", path) as store:
        store.replace_all(shipped.quads())
    return path


def copy_store(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest


def settings(store_path: Path, **overrides: Any) -> Settings:
    # The result cap sits above the shipped graph's size (5,285 quads with three documents) so whole-graph
    # reads (GSP ?default) answer; tests of the cap use queries far beyond it.
    base: dict[str, Any] = {"store_path": store_path, "query_timeout": 5.0, "query_workers": 2,
                            "max_results": 20_000, "max_request_bytes": 50_000, "load_if_empty": False}
    return Settings().model_copy(update={**base, **overrides})


@pytest.fixture(scope="session", name="client")
def client_fixture(api_store_dir: Path) -> Iterator[TestClient]:
    """The app in-process on the shipped graph (Oxigraph, worker processes), update off."""
    with TestClient(create_app(settings(api_store_dir))) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.url + path, timeout=60, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.post(self.url + path, timeout=60, **kwargs)


@pytest.fixture(scope="session", name="server")
def server_fixture(api_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real `kg serve` process on a free loopback port, on its own copy of the store, update on."""
    root = tmp_path_factory.mktemp("server")
    store = copy_store(api_store_dir, root / "store")
    port = free_port()
    env = {**os.environ, "KG_STORE_PATH": str(store), "KG_HOST": "127.0.0.1", "KG_PORT": str(port),
           "KG_QUERY_TIMEOUT": "3", "KG_QUERY_WORKERS": "3", "KG_MAX_RESULTS": "20000",
           "KG_MAX_REQUEST_BYTES": "50000", "KG_UPDATE_TOKEN": TOKEN, "KG_LOAD_IF_EMPTY": "false",
           "KG_UPDATE_TIMEOUT": "3"}
    with running_kg_serve(env, root / "server.log") as (url, process):
        yield Server(url, process, root / "server.log")


@contextmanager
def running_kg_serve(env: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`kg serve` as a user starts it, with `env` (KG_HOST/KG_PORT included); yields its URL once it answers."""
    kg = Path(sys.executable).parent / "kg"
    with log.open("wb") as out:
        process = subprocess.Popen([str(kg), "serve"], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://{env['KG_HOST']}:{env['KG_PORT']}"
    try:
        for _ in range(600):  # startup: wait until it answers (not a test threshold)
            if process.poll() is not None:
                raise RuntimeError(f"kg serve exited: {log.read_text()}")
            try:
                if httpx.get(url + "/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"kg serve did not start: {log.read_text()}")
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Listener:
    """A local HTTP server recording every request it receives (the target of SSRF attempts)."""

    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture(name="listener")
def listener_fixture() -> Iterator[Listener]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            seen.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.end_headers()
            self.wfile.write(b"<http://x/s> <http://x/p> <http://x/o> .\n")

        do_GET = do_POST = _record

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Listener(f"http://127.0.0.1:{httpd.server_address[1]}", seen)
    finally:
        httpd.shutdown()
        httpd.server_close()
