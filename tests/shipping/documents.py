"""YAML documents (compose.yaml, the CI workflow): loaded as mappings, and validated against
their published schemas (check-jsonschema's vendored copies: no network)."""

import sys
from pathlib import Path
from typing import Any

import yaml

from ..helpers import run


def load_yaml(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), path
    return document


def check_schema(document: Path, schema: str) -> None:
    check_jsonschema = [sys.executable, "-m", "check_jsonschema"]
    run([*check_jsonschema, "--builtin-schema", f"vendor.{schema}", document], cwd=document.parent)
