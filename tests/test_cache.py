"""Answers are cached per store version and never served stale after a write."""

from __future__ import annotations

from pathlib import Path

import orjson
from rdflib import Literal
from rdflib.namespace import RDFS

from kg.cache import AnswerCache
from kg.loader import Build
from kg.namespaces import ID
from kg.store import open_store


def test_cached_until_the_store_changes(shipped: Build, tmp_path: Path) -> None:
    store = open_store("oxigraph", tmp_path / "store")
    store.replace_all(shipped.quads())
    cache = AnswerCache()
    params = {"vendor": "nvidia", "jurisdiction": "china"}
    first = cache.answer_json(store, "firms-training-outside", params)
    assert cache.answer_json(store, "firms-training-outside", params) is first
    assert (cache.hits, cache.misses) == (1, 1)
    graph = ID["test-graph"]
    store.replace_graph(graph, [(ID["alibaba"], RDFS.label, Literal("Renamed"))])
    after = cache.answer_json(store, "firms-training-outside", params)
    assert after is not first and cache.misses == 2
    assert "Renamed" in {r["values"]["firmLabel"]["value"] for r in orjson.loads(after)["rows"]}
    store.close()
