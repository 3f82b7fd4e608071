"""Core library of the AI-chips knowledge graph: curation, loading, reasoning, stores and questions."""

__version__ = "0.1.0"
