"""Stores: one interface, an embedded persistent Oxigraph default and an in-memory rdflib one."""

from .base import QueryResult, Store, Table
from .factory import open_store

__all__ = ["QueryResult", "Store", "Table", "open_store"]
