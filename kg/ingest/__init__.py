"""Ingest: the first stage of the document pipeline.

In: a text file (or a folder of them) and what the curator knows of it (title, publisher, date, URL,
licence, whether it is an excerpt). Out: the project's unchanged copy under data/documents/, its SHA-256
and its entry in data/documents/documents.yaml, with the date's precision and how it was inferred
(`kg.ingest.ingest`). Then `kg.ingest.propose` turns the stored text into quote-anchored claim proposals
(data/claims/<doc>.proposed.yaml), which `kg.review` accepts or rejects; nothing proposed is loaded.
"""
