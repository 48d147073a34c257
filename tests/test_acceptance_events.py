"""The reference article's event checks (E1-E12) and forbidden events (F1-F2).

`../shared/acceptance/check.py` scores the coded article; every E and F line must be
`ok`. The article is coded by `flashpoint.extract` (the default pipeline: NLP, statement
and event stages). Skips when `../shared` is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import flashpoint
from flashpoint.ingest import read_sources
from flashpoint.model import Article

SHARED = Path(__file__).resolve().parents[2] / "shared"
ACCEPTANCE = SHARED / "acceptance"

pytestmark = pytest.mark.skipif(not (ACCEPTANCE / "check.py").exists(),
                                reason="../shared is absent")


def test_event_and_forbidden_event_checks_pass(tmp_path: Path) -> None:
    [article] = list(read_sources([str(ACCEPTANCE / "belarus-2023-02-16.txt")]))
    assert isinstance(article, Article)
    doc = flashpoint.extract(article.text, published=article.published, url=article.url,
                             title=article.title)
    for span in doc.spans():
        assert doc.text[span.start : span.end] == span.text
    out = tmp_path / "doc.json"
    out.write_text(json.dumps(doc.to_dict()), encoding="utf-8")
    result = subprocess.run([sys.executable, str(ACCEPTANCE / "check.py"), "--json", str(out)],
                            capture_output=True, text=True)
    lines = {line.split()[1]: line for line in result.stdout.splitlines()
             if line.startswith(("ok", "MISS"))}
    ours = {k: v for k, v in lines.items() if k[:1] in ("E", "F") and k[1:].isdigit()}
    assert len(ours) == 14, result.stdout
    assert all(v.startswith("ok") for v in ours.values()), "\n".join(ours.values())
