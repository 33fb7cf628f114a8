"""Per-service input: `specs/<service>.yaml` names the jobspec, pattern and hosts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, field_validator

from generator.pattern_choice import PatternChoice as PatternChoice
from generator.relocation import RelocateField, Relocation
from generator.settings import read_yaml, validation_error


class ServiceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    jobspec: str | None = None
    pattern: PatternChoice = PatternChoice.AUTO
    hostnames: list[str] | None = None
    stateful_set: bool = False
    vars: dict[str, str] = {}
    relocate: RelocateField = Relocation()
    # Decisions no jobspec holds, applied to the rendered module (generator.overrides).
    overrides: dict[str, Any] = {}
    _source: tuple[str, str] | None = PrivateAttr(default=None)  # (file, text): override lines

    @field_validator("pattern", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) and value.lower() != "auto" else value


def load_service_spec(path: Path) -> ServiceSpec:
    text, data = read_yaml(path)
    try:
        spec = ServiceSpec.model_validate(data, context={"file": str(path), "text": text})
    except ValidationError as error:
        raise validation_error(path, text, "invalid-spec", error) from None
    spec._source = (str(path), text)
    return spec


def find_service_spec(specs_dir: Path, service: str) -> tuple[Path | None, ServiceSpec]:
    path = specs_dir / f"{service}.yaml"
    if path.exists():
        return path, load_service_spec(path)
    return None, ServiceSpec()
