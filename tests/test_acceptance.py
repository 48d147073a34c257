"""The reference article's acceptance checks, through the public `flashpoint.extract`.

`../shared/acceptance/check.py` scores the document: the mention checks (M1-M6) and the
not-a-person checks belong to the NLP core, the statement checks (Q1-Q11 direct, I1-I5
indirect) to the statement stage; all must pass. The event checks (E, F) are asserted in
`test_acceptance_events.py`.
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


def _check(tmp_path: Path) -> dict[str, str]:
    [article] = list(read_sources([str(ACCEPTANCE / "belarus-2023-02-16.txt")]))
    assert isinstance(article, Article)
    doc = flashpoint.extract(article.text, published=article.published, url=article.url,
                             title=article.title)
    out = tmp_path / "doc.json"
    out.write_text(json.dumps(doc.to_dict()), encoding="utf-8")
    result = subprocess.run([sys.executable, str(ACCEPTANCE / "check.py"), "--json", str(out)],
                            capture_output=True, text=True)
    return {line.split()[1]: line for line in result.stdout.splitlines()
            if line.startswith(("ok", "MISS"))}


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _check(tmp_path_factory.mktemp("acceptance"))


def test_mention_and_not_a_person_checks_pass(checks: dict[str, str]) -> None:
    ours = {k: v for k, v in checks.items() if k.startswith(("M", "NP-"))}
    assert len(ours) == 10, checks
    assert all(v.startswith("ok") for v in ours.values()), "\n".join(ours.values())


def test_statement_checks_pass(checks: dict[str, str]) -> None:
    ours = {k: v for k, v in checks.items() if k[:1] in ("Q", "I") and k[1:].isdigit()}
    assert len(ours) == 16, checks
    assert all(v.startswith("ok") for v in ours.values()), "\n".join(ours.values())
