"""The JSON Schema of the document JSON (docs/schema.json is generated from it).

Generated from the pydantic records in `flashpoint.model`, so the schema users read and
the code that produces the JSON cannot drift apart; a test compares docs/schema.json
with this output.
"""

from __future__ import annotations

from typing import Any

from flashpoint.__about__ import __version__
from flashpoint.model import Document


def document_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of `Document.to_dict()` output."""
    schema = Document.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://flashpoint.example.org/schema/document.json",
        "title": "flashpoint document",
        "description": (
            "One article with its mentions, statements and PLOVER events. Every span is "
            "{start, end, text} with text == document.text[start:end]. "
            f"Generated from flashpoint {__version__}."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }
