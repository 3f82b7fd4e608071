"""Configuration from environment variables (prefix KG_), with defaults that work from a checkout."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

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
    query_workers: int = Field(default=2, ge=1, le=64, description="Worker processes that evaluate queries.")
    evidence_index_max_claims: int = Field(default=1_000_000, ge=0, description=(
        "Most claims a query worker indexes in memory (~1 KB each); beyond, evidence is read per claim."))
    update_token: SecretStr | None = Field(default=None, description="Bearer token enabling SPARQL Update; unset: off.")
    cors_origins: str = Field(default="*", description="Comma-separated origins allowed by CORS ('*' for any).")
    load_if_empty: bool = Field(default=True, description="`kg serve` builds the graph first when the store is empty.")

    @field_validator("update_token")
    @classmethod
    def _strong_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        token = value.get_secret_value()
        if len(token) < 24 or len(set(token)) < 8:
            raise ValueError("KG_UPDATE_TOKEN must be at least 24 characters with at least 8 distinct ones")
        return value
