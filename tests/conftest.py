"""Shared fixtures: the shipped knowledge graph built once, and stores loaded with it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.config import PROJECT_ROOT
from kg.loader import Build, Sources, build
from kg.store import Store, open_store

DATA = PROJECT_ROOT / "data"
ONTOLOGY = PROJECT_ROOT / "ontology" / "aichips.ttl"


@pytest.fixture(scope="session")
def sources() -> Sources:
    return Sources(ONTOLOGY, DATA)


@pytest.fixture(scope="session")
def shipped(sources: Sources) -> Build:
    """The shipped graph, compiled and reasoned once per test session."""
    return build(sources)


@pytest.fixture(scope="session")
def oxigraph_store(shipped: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store("oxigraph", tmp_path_factory.mktemp("store"))
    store.replace_all(shipped.quads())
    yield store
    store.close()


@pytest.fixture(scope="session")
def memory_store(shipped: Build) -> Store:
    store = open_store("memory")
    store.replace_all(shipped.quads())
    return store


@pytest.fixture(params=["oxigraph", "memory"])
def store(request: pytest.FixtureRequest) -> Store:
    """Both store implementations, loaded with the shipped graph: answers must not depend on the store."""
    fixture: Store = request.getfixturevalue(f"{request.param}_store")
    return fixture


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data directory, for tests that break it on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target
