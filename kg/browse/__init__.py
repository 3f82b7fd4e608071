"""Read-only views of the graph for browsing: entities, resources as linked data, documents, ontology."""
