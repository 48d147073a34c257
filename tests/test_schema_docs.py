"""docs/schema.json is the generated schema, and documents validate against it."""

from __future__ import annotations

import json
from pathlib import Path

from flashpoint.schema import document_schema

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_docs_schema_is_up_to_date() -> None:
    on_disk = json.loads((DOCS / "schema.json").read_text(encoding="utf-8"))
    assert on_disk == document_schema(), "regenerate with: make docs"


def test_schema_names_the_contract_fields() -> None:
    schema = document_schema()
    assert set(schema["required"]) >= {"id", "text", "coder"}
    defs = schema["$defs"]
    assert {"Span", "Actor", "Mention", "Statement", "Event", "Modality"} <= set(defs)
    assert set(defs["Event"]["properties"]) >= {
        "id", "type", "mode", "contexts", "source", "target", "location", "date",
        "date_precision", "modality", "reported_by", "evidence", "confidence"}
