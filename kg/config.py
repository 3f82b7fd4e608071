"""Configuration from environment variables (prefix KG_), with defaults that work from a checkout."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_workers() -> int:
    """Two workers per core, 2 to 8: a runaway query holds one worker, not the service."""
    import os

    return max(2, min(8, 2 * (os.cpu_count() or 1)))


class Settings(BaseSettings):
    # hide_input_in_errors: a refused value (KG_UPDATE_TOKEN above all) never appears in the error text.
    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore", hide_input_in_errors=True)

    store: Literal["oxigraph", "memory", "remote"] = Field(default="oxigraph", description="Store kind.")
    store_path: Path = Field(default=PROJECT_ROOT / "var" / "store", description="Directory of the embedded store.")
    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Curated data: documents/, claims/, reference/.")
    ontology: Path = Field(default=PROJECT_ROOT / "ontology" / "aichips.ttl", description="The ontology file.")
    shapes_dir: Path = Field(default=PROJECT_ROOT / "shapes", description="SHACL shapes directory.")
    reasoner: Literal["owlrl", "scaled", "auto"] = Field(
        default="auto", description="OWL RL reasoner: owlrl, scaled (kg.reasoning_scaled) or auto.")
    validator: Literal["pyshacl", "scaled", "auto"] = Field(
        default="auto", description="SHACL engine: pyshacl, scaled (kg.validation.scaled) or auto.")
    remote_query_url: str | None = Field(default=None, description="SPARQL query endpoint (KG_STORE=remote).")
    remote_update_url: str | None = Field(default=None, description="SPARQL update endpoint (KG_STORE=remote).")
    remote_gsp_url: str | None = Field(default=None, description="Graph Store Protocol endpoint (KG_STORE=remote).")

    # -- HTTP service (`kg serve`); documented in docs/api.md ------------------------------------------
    host: str = Field(default="127.0.0.1", description="Address `kg serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `kg serve` listens on.")
    base_url: str | None = Field(default=None, 
        description="Public base URL of the service (default: from the request).")
    query_timeout: float = Field(default=5.0, gt=0, le=3600, 
        description="Seconds a query may run before it is stopped.")
    max_results: int = Field(default=10_000, ge=1, 
        description="Most rows (SELECT) or triples (CONSTRUCT) a query returns.")
    max_request_bytes: int = Field(default=1_000_000, ge=1024, description="Largest request body or query string.")
    validation_timeout: float = Field(default=120.0, gt=0, le=3600, 
        description="Seconds a validation run may take.")
    query_workers: int = Field(default_factory=lambda: default_workers(), ge=1, le=64,
        description="Worker processes that evaluate queries (default: twice the cores, 2 to 8).")
    queue_max: int = Field(default=64, ge=0, le=10_000,
        description="Requests that may wait for a query worker; beyond, 429 with Retry-After.")
    queue_wait: float | None = Field(default=None, gt=0, le=3600,
        description="Seconds a request may wait for a worker (default: KG_QUERY_TIMEOUT); then 503.")
    client_concurrency: int | None = Field(default=None, ge=1, le=1000,
        description="Requests one client address may have running at once (default: all workers but one).")
    sandbox: Literal["auto", "require", "off"] = Field(default="auto",
        description="Cut query and update evaluation off the network: auto (if the system allows), require, off.")
    update_timeout: float = Field(default=30.0, gt=0, le=3600,
        description="Seconds a SPARQL update may run before it is stopped (nothing applied; 503).")
    base_iri: str = Field(default="https://w3id.org/aichips/",
        description="Base IRI against which relative IRIs in queries and updates resolve.")
    evidence_index_max_claims: int = Field(default=1_000_000, ge=0, description=(
        "Most claims a query worker indexes in memory (~1 KB each); beyond, evidence is read per claim."))
    update_token: SecretStr | None = Field(default=None, description="Bearer token enabling SPARQL Update; unset: off.")
    cors_origins: str = Field(default="", description=(
        "Comma-separated origins (scheme://host[:port]) allowed by CORS, '*' for any; empty: same-origin only. "
        "Never with credentials, never for /sparql/update (api/security.py)."))
    load_if_empty: bool = Field(default=True, description="`kg serve` builds the graph first when the store is empty.")
    max_document_bytes: int = Field(default=2_000_000, ge=1, description=(
        "Largest document `kg ingest` and POST /documents accept (bytes)."))
    reviewer: str | None = Field(default=None, description=(
        "Name recorded as the reviewer of accepted and rejected proposals (default: the login name)."))

    @model_validator(mode="before")
    @classmethod
    def _token_secret_first(cls, data: Any) -> Any:
        """KG_UPDATE_TOKEN becomes a SecretStr before validation, so a ValidationError (its str, errors(),
        json()) can only hold '**********', never the token."""
        if isinstance(data, dict) and isinstance(data.get("update_token"), str):
            return {**data, "update_token": SecretStr(data["update_token"])}
        return data

    @field_validator("update_token")
    @classmethod
    def _strong_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        token = value.get_secret_value()
        if len(token) < 24 or len(set(token)) < 8:
            # The message names the variable and the rule, never the value (nor does the error: see
            # _token_secret_first and hide_input_in_errors).
            raise ValueError("KG_UPDATE_TOKEN must be at least 24 characters with at least 8 distinct ones")
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        origins = [o.strip().rstrip("/").lower() for o in value.split(",") if o.strip()]
        for origin in origins:
            if origin != "*" and not re.fullmatch(r"https?://[a-z0-9.\-\[\]:]+", origin):
                raise ValueError(f"KG_CORS_ORIGINS: '{origin}' is not an origin such as https://example.org "
                                 "(scheme, host, optional port; no path) or '*'")
        return ",".join(origins)

    # -- query log (api/querylog.py); documented in docs/api.md ----------------------------------------
    query_log: str | None = Field(default=None, description=(
        "Structured query log: a file path (JSON lines appended) or '-' for stderr; unset: off."))
    query_log_text: bool = Field(default=True, description=(
        "Write the query text in the query log; false: only its SHA-256 (first 16 hex digits)."))
