"""Configuration from environment variables (prefix KG_), with defaults that work from a checkout."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    store: Literal["oxigraph", "memory"] = Field(default="oxigraph", description="Store kind.")
    store_path: Path = Field(default=PROJECT_ROOT / "var" / "store", description="Directory of the embedded store.")
    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Curated data: documents/, claims/, reference/.")
    ontology: Path = Field(default=PROJECT_ROOT / "ontology" / "aichips.ttl", description="The ontology file.")
    shapes_dir: Path = Field(default=PROJECT_ROOT / "shapes", description="SHACL shapes directory.")
    reasoner: Literal["owlrl", "scaled", "auto"] = Field(
        default="auto", description="OWL RL reasoner: owlrl, scaled (kg.reasoning_scaled) or auto.")
