"""Security promises that tests/test_api.py and tests/test_watch.py do not already pin
down: checks over the whole code base, so that the next endpoint, query, template or
HTTP client is held to the same rules without anyone remembering to add a test.

docs/security.md lists every promise with the test that keeps it.
"""

from __future__ import annotations

import ast
import hmac
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

import flashpoint.serve.dependencies as dependencies
from flashpoint.analyze import report
from flashpoint.serve import ServerSettings, create_app
from flashpoint.serve.dashboard import env as dashboard_env
from flashpoint.store import Store
from serve_data import serving  # the real-HTTP server thread the API tests use

SRC = Path(__file__).resolve().parents[1] / "src" / "flashpoint"
ROOT = SRC.parents[1]
TOKEN = "s3cret-token-of-enough-length"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Endpoints that take a body but write nothing: each one is checked to store nothing
# (tests/test_api.py::test_extract_returns_the_document_and_stores_nothing).
COMPUTE_ONLY = {"/extract"}  # paths inside the /api router


def _parse_all() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
            for path in sorted(SRC.rglob("*.py"))]


# Parsed once, at collection: in one full run, `ast.parse` (CPython 3.11.7) raised
# "SystemError: AST constructor recursion depth mismatch" after other tests had run in
# the process (an interpreter bug, not ours); before any test runs it parses cleanly.
_PARSED = _parse_all()


def _sources() -> list[tuple[Path, ast.Module]]:
    return _PARSED


def _api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every endpoint, also inside included routers (FastAPI includes them lazily)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _api_routes(inner.routes)


def test_every_write_endpoint_needs_the_token(tmp_path: Path) -> None:
    with Store(str(tmp_path / "s.db")) as store:
        app = create_app(store, ServerSettings(token=TOKEN))
        writes = [r for r in _api_routes(app.routes) if r.methods & WRITES]
        assert writes, "no write endpoint found: the check would prove nothing"
        for route in writes:
            guards = {dep.call for dep in route.dependant.dependencies}
            if route.path in COMPUTE_ONLY:
                continue
            assert dependencies.require_token in guards, (
                f"{sorted(route.methods)} {route.path} writes without require_token")
        # And nothing but the routers' own endpoints accepts a write method.
        assert {r.path for r in writes} - COMPUTE_ONLY == {"/documents"}


def test_token_is_compared_in_constant_time(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The check goes through `hmac.compare_digest`, for right and wrong tokens alike
    (a spy around the real function; the answers are the real ones)."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(dependencies.hmac, "compare_digest", spy)
    with Store(str(tmp_path / "s.db")) as store, \
            serving(create_app(store, ServerSettings(token=TOKEN))) as base:
        for token in ("wrong-token-of-the-same-size!", TOKEN[:-1]):  # a prefix: no shortcut
            answer = httpx.post(f"{base}/api/documents", json={"text": "x" * 3},
                                headers={"Authorization": f"Bearer {token}"}, timeout=30)
            assert answer.status_code == 401
    assert len(calls) == 2 and all(b == TOKEN.encode() for _, b in calls)


# Calls that send SQL text to the database, and the argument that holds it.
_SQL_CALLS = {"text", "literal_column", "exec_driver_sql", "execute", "executescript"}
# The only strings formatted into SQL, each with why it is safe.
_ALLOWED = {
    ("store/db.py", "PRAGMA busy_timeout"): "an int formatted with :d, from our own setting",
    ("store/db.py", "PRAGMA mmap_size"): "an int constant formatted with :d",
    ("store/migrations/versions/0001_initial.py", "DROP TRIGGER"): "names from a constant tuple",
    ("store/migrations/versions/0001_initial.py", "PG_INDEXED_CHARS:d"): "an int constant",
}


def _formatted(node: ast.expr) -> bool:
    """An f-string, `%` or `+` on strings, or `.format(...)`: text built at run time."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return any(isinstance(side, ast.Constant | ast.JoinedStr) and
                   isinstance(getattr(side, "value", ""), str)
                   for side in (node.left, node.right))
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format")


def test_no_sql_is_built_from_strings() -> None:
    """Every statement is SQLAlchemy Core with bound parameters; the two formatted
    strings in the package are listed above with their reason."""
    found: list[str] = []
    for path, tree in _sources():
        rel = path.relative_to(SRC).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in _SQL_CALLS and _formatted(node.args[0]):
                snippet = ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
                if not any(rel == f and key in snippet for f, key in _ALLOWED):
                    found.append(f"{rel}:{node.lineno}: {snippet[:80]}")
    assert not found, "SQL built from strings:\n" + "\n".join(found)


def test_every_html_template_autoescapes() -> None:
    """The dashboard's environment escapes every template, whatever its name; the
    report's HTML environment too (behaviour with hostile text: tests/test_dashboard.py,
    tests/test_analyze_report.py)."""
    assert dashboard_env.autoescape is True and dashboard_env.list_templates()
    for name in dashboard_env.list_templates():
        text = (SRC / "serve" / "templates" / name).read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b", text), f"{name} turns escaping off"
    html = report._environment(autoescape=True)
    assert html.autoescape is True and "report.html.j2" in html.list_templates()
    assert "<script>" not in html.from_string("{{ x }}").render(x="<script>alert(1)</script>")
    source = (SRC / "analyze" / "report.py").read_text(encoding="utf-8")
    assert '_environment(autoescape=fmt == "html")' in source  # HTML reports always escape


# Modules allowed to open network connections, and why each is safe.
_HTTP_CLIENTS = {
    "watch/fetch.py": "every request through GuardedTransport (watch/safety.py)",
    "watch/safety.py": "the guard itself",
    "analyze/alert_store.py": "POSTs alerts to the webhook through GuardedTransport",
}
_NETWORK_MODULES = ("httpx", "urllib.request", "http.client", "requests", "aiohttp",
                    "socket", "trafilatura.downloads")


def test_every_url_fetch_goes_through_the_ssrf_guard() -> None:
    """Only the watcher fetches URLs (feeds, pages, redirects) and the alert webhook
    posts to one; both clients are built on the guarded transport. A new module that
    opens connections fails here until it is listed."""
    users: set[str] = set()
    for path, tree in _sources():
        rel = path.relative_to(SRC).as_posix()
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == m or n.startswith(m + ".") for n in names for m in _NETWORK_MODULES):
                users.add(rel)
    assert users <= set(_HTTP_CLIENTS), f"unreviewed network code: {users - set(_HTTP_CLIENTS)}"
    fetch = (SRC / "watch" / "fetch.py").read_text(encoding="utf-8")
    assert fetch.count("httpx.Client(") == 1 and "transport=GuardedTransport(" in fetch
    assert "trust_env=False" in fetch and "follow_redirects=False" in fetch
    webhook = (SRC / "analyze" / "alert_store.py").read_text(encoding="utf-8")
    assert webhook.count("httpx.Client(") == 1
    assert "transport=GuardedTransport(" in webhook and "follow_redirects=False" in webhook


def _pip_audit() -> str | None:
    found = shutil.which("pip-audit") or str(Path(sys.executable).with_name("pip-audit"))
    return found if Path(found).exists() else None


def _vulnerability_service_reachable() -> str | None:
    """None when pip-audit's service answers, else why not. pip-audit asks the PyPI JSON
    API for each installed version (/pypi/NAME/VERSION/json, whose "vulnerabilities"
    come from the OSV database); a mirror may serve /pypi/NAME/json but not that."""
    url = f"https://pypi.org/pypi/httpx/{httpx.__version__}/json"
    try:
        answer = httpx.get(url, timeout=5)
    except httpx.HTTPError as exc:
        return f"cannot reach the PyPI JSON API that pip-audit queries ({type(exc).__name__})"
    if answer.status_code != 200 or "vulnerabilities" not in answer.text:
        return (f"the PyPI JSON API gives no vulnerability data here ({url} answered "
                f"{answer.status_code})")
    return None


def test_dependencies_have_no_known_vulnerabilities() -> None:
    """`pip-audit` over the installed environment (this project itself is skipped: it is
    not on PyPI). Skips, never fails, when the vulnerability service is out of reach."""
    tool = _pip_audit()
    if tool is None:
        pytest.skip("pip-audit is not installed (it is in the dev extra)")
    why = _vulnerability_service_reachable()
    if why is not None:
        pytest.skip(why)
    done = subprocess.run([tool, "--format", "json", "--progress-spinner", "off",
                           "--skip-editable"], capture_output=True, text=True, timeout=900,
                          cwd=ROOT)
    if done.returncode not in (0, 1):
        pytest.skip(f"pip-audit could not run: {done.stderr.strip()[-300:]}")
    data: dict[str, Any] = json.loads(done.stdout)
    audited = [d for d in data.get("dependencies", []) if "skip_reason" not in d]
    if not audited:
        pytest.skip("pip-audit could audit no dependency (the service knows none of them)")
    vulnerable = [(d["name"], d["version"], [v["id"] for v in d["vulns"]])
                  for d in data.get("dependencies", []) if d.get("vulns")]
    assert not vulnerable, f"dependencies with known vulnerabilities: {vulnerable}"


def test_the_docs_name_tests_that_exist() -> None:
    """docs/security.md and docs/reliability.md say which test keeps each promise: every
    `file.py::test_name` they cite must be a real test (names drift when tests move)."""
    cited = 0
    for doc in ("security.md", "reliability.md"):
        text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
        current = None
        for match in re.finditer(r"(test_\w+\.py)?::(test_\w+)", text):
            current = match.group(1) or current
            if current is None:
                continue  # "`tests/FILE.py::test_name`": the page explaining the notation
            source = (ROOT / "tests" / current).read_text(encoding="utf-8")
            assert f"def {match.group(2)}(" in source, f"{doc}: {current}::{match.group(2)}"
            cited += 1
    assert cited > 30
