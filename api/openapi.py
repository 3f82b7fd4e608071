"""The OpenAPI schema as the service behaves: bad parameters are a 400 with the JSON error body
(api/errors.py turns FastAPI's validation errors into one), not FastAPI's default 422 schema."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA = {"type": "object", "required": ["error", "message"], "properties": {
    "error": {"type": "string", "description": "the error class, e.g. ParameterError"},
    "message": {"type": "string"}, "term": {"type": "string"}, "file": {"type": "string"},
    "line": {"type": "integer"}}}


def install(app: FastAPI) -> None:
    def schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description,
                               routes=app.routes)
            for path in spec.get("paths", {}).values():
                for operation in path.values():
                    responses = operation.get("responses", {})
                    if "422" in responses and "Validation Error" in str(responses["422"].get("description")):
                        del responses["422"]
                        responses.setdefault("400", {"description": "Bad parameters"})
                    for status, response in responses.items():
                        if status[0] in "45":
                            response.setdefault("content", {})["application/json"] = {"schema": ERROR_SCHEMA}
            for name in ("HTTPValidationError", "ValidationError"):
                spec.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = schema  # type: ignore[method-assign]
