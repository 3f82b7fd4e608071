"""HTTP layer of the knowledge graph: translates HTTP to calls of the `kg` library, nothing more."""

from .app import create_app

__all__ = ["create_app"]
