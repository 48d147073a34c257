"""The reference article's acceptance checks that the current milestones cover.

`../shared/acceptance/check.py` scores a `flashpoint extract` output; the mention checks
(M1-M6) and the not-a-person checks belong to the NLP core and must pass. Statement and
event checks belong to later milestones and are not asserted here.
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


def test_mention_and_not_a_person_checks_pass(tmp_path: Path) -> None:
    [article] = list(read_sources([str(ACCEPTANCE / "belarus-2023-02-16.txt")]))
    assert isinstance(article, Article)
    doc = flashpoint.extract(article.text, published=article.published, url=article.url,
                             title=article.title)
    out = tmp_path / "doc.json"
    out.write_text(json.dumps(doc.to_dict()), encoding="utf-8")
    result = subprocess.run([sys.executable, str(ACCEPTANCE / "check.py"), "--json", str(out)],
                            capture_output=True, text=True)
    lines = {line.split()[1]: line for line in result.stdout.splitlines()
             if line.startswith(("ok", "MISS"))}
    ours = {k: v for k, v in lines.items() if k.startswith(("M", "NP-"))}
    assert len(ours) == 10, result.stdout
    assert all(v.startswith("ok") for v in ours.values()), "\n".join(ours.values())
