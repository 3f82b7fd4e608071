"""SPARQL service core: query safety, formats, execution in killable workers, updates, descriptions."""
