"""Fixtures for the browser tests: the built site, a server for it, one Chromium.

The site: ``$SITE_DIR`` if it points at a built site, else ``mkdocs build --strict``
into a temporary directory (built for sitecheck.TESTED_SITE_URL), once per session.
One browser for the whole session; one context per colour scheme (light = Material's
``default``, dark = ``slate``), chosen through ``prefers-color-scheme`` as a reader's
system setting would; the first visits of the pages (test_site.py) share one tab per
worker whose cache is off, so nothing is cached.

With ``-n 2`` (pytest-xdist) the tests of one page run on one worker (the scheduler
below), and the controller merges the workers' page metrics and axe results.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import sitecheck

HERE = Path(__file__).resolve().parent
METRICS = pytest.StashKey[dict]()
AXE = pytest.StashKey[dict]()


def pytest_configure(config):
    config.stash[METRICS] = {}
    config.stash[AXE] = {}


# Tests that share one expensive visit or build run on one worker. pytest-xdist's own
# `--dist loadgroup` cannot be used for this: with pytest 9.2 its `xdist_group` marks
# are silently ignored (pytest-dev/pytest-xdist#1386), and every page was visited once
# per worker. Our scheduler groups by node id instead, and pytest_sessionfinish below
# fails the run if a group was nevertheless split.
SHARED_BY_MODULE = ("test_checks_catch_breakage.py",)  # one broken copy of the site


def visit_group(nodeid: str) -> str:
    """The unit of work a test belongs to: ``page:<id>`` for the per-page tests of
    test_site.py (they share that page's one visit), the file for the tests that
    share one broken copy of the site, else the test itself."""
    path, _, rest = nodeid.partition("::")
    name = path.rsplit("/", 1)[-1]
    if name == "test_site.py" and rest.endswith("]") and "[" in rest:
        return "page:" + rest[rest.index("[") + 1:-1]
    if name in SHARED_BY_MODULE:
        return path
    return nodeid


def pytest_xdist_make_scheduler(config, log):
    """``pytest tests/browser -n 2`` (``--dist`` load, loadscope or loadgroup): whole
    groups (visit_group) per worker. (Loaded when the run names tests/browser, as
    ``make test`` does; the other ``--dist`` modes are left to xdist.)"""
    if config.getvalue("dist") not in ("load", "loadscope", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByVisit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return visit_group(nodeid)

    return ByVisit(config, log)


_WORKERS_OF: dict[str, set[str]] = {}  # group -> the workers that ran its tests


def pytest_runtest_logreport(report):
    """On the controller of an xdist run: which worker ran each group."""
    node = getattr(report, "node", None)
    if node is not None and report.when == "call":
        _WORKERS_OF.setdefault(visit_group(report.nodeid), set()).add(node.gateway.id)


def pytest_testnodedown(node, error):
    """On the controller: merge a worker's page metrics and axe results, so that the
    summary and the artifacts cover every page, not one worker's."""
    data = getattr(node, "workeroutput", {}).get("browser_stash")
    if data:
        metrics, axe = json.loads(data)
        node.config.stash[METRICS].update(metrics)
        allowed = axe.pop("allowed", {})
        merged = node.config.stash[AXE]
        merged.update(axe)
        for rule, n in allowed.items():
            merged.setdefault("allowed", {})[rule] = merged.get("allowed", {}).get(rule, 0) + n


def pytest_sessionfinish(session, exitstatus):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the measurements to the controller
        workeroutput["browser_stash"] = json.dumps(
            [session.config.stash.get(METRICS, {}), session.config.stash.get(AXE, {})])
        return
    split = {g: sorted(w) for g, w in _WORKERS_OF.items() if len(w) > 1}
    if split:
        session.config.get_terminal_writer().line()
        session.config.get_terminal_writer().line(
            f"ERROR: groups meant for one worker ran on several (the scheduler in "
            f"tests/browser/conftest.py is not in use?): {split}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark the browser tests; with ``PAGES=losses/mse,notation`` (what ``make check
    PAGE=...`` sets) keep only those pages' tests and the site-wide ones."""
    wanted = {p.strip().strip("/") for p in os.environ.get("PAGES", "").split(",") if p.strip()}
    wanted = {"home" if p in ("index", "") else p.removesuffix("/index") for p in wanted}
    keep, drop = [], []
    for item in items:
        if HERE not in Path(str(item.fspath)).resolve().parents:
            keep.append(item)
            continue
        item.add_marker(pytest.mark.browser)
        page = getattr(getattr(item, "callspec", None), "params", {}).get("page")
        if page is not None and hasattr(page, "id"):
            if wanted and page.id not in wanted:
                drop.append(item)
                continue
        elif wanted:
            drop.append(item)  # site-wide tests: not part of checking one page
            continue
        keep.append(item)
    if wanted:
        known = {getattr(i.callspec.params.get("page"), "id", None)
                 for i in items if hasattr(i, "callspec")}
        missing = wanted - known
        if missing:
            raise pytest.UsageError(f"PAGES: no such page {sorted(missing)}; pages: "
                                    f"{sorted(p for p in known if p)}")
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    given = os.environ.get("SITE_DIR")
    if given:
        path = Path(given).resolve()
        if not (path / "index.html").is_file():
            pytest.fail(f"SITE_DIR={given} is not a built site (no index.html)")
        return path
    dest = tmp_path_factory.mktemp("site")
    result = sitecheck.build_site(dest, strict=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        pytest.fail(f"mkdocs build --strict failed, no site to test:\n{tail}", pytrace=False)
    return dest


@pytest.fixture(scope="session")
def server(site_dir):
    """The site served under a sub-path (sitecheck.SERVED_UNDER), as a project site is on
    a real host: a link that only works at the root of a host fails the tests."""
    with sitecheck.SiteServer(site_dir, prefix=sitecheck.SERVED_UNDER) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser(server):
    from playwright.sync_api import sync_playwright

    if not Path(sitecheck.CHROMIUM).exists():
        pytest.fail(f"{sitecheck.CHROMIUM} is missing: run `make setup` (installs chromium)",
                    pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=sitecheck.CHROMIUM, args=sitecheck.CHROMIUM_ARGS
        )
        # Warm up (first navigation of a new browser is slow), so that the first page
        # measured is not penalised.
        page = browser.new_page()
        page.goto(server.base)
        page.close()
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def contexts(browser, server):
    made = {scheme: sitecheck.make_context(browser, server.origin, scheme)
            for scheme in sitecheck.SCHEMES}
    yield made
    for context in made.values():
        context.close()


@pytest.fixture
def metrics_store(request) -> dict:
    return request.config.stash[METRICS]


@pytest.fixture
def axe_store(request) -> dict:
    return request.config.stash[AXE]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    metrics = config.stash.get(METRICS, {})
    axe = config.stash.get(AXE, {})
    if not metrics and not axe:
        return
    sitecheck.ARTIFACTS.mkdir(exist_ok=True)
    if metrics:
        rows = [metrics[k] for k in sorted(metrics, key=lambda u: (u != "/", u))]
        heaviest = max(rows, key=lambda r: r["bytes_transferred"])
        (sitecheck.ARTIFACTS / "page-metrics.json").write_text(
            json.dumps(
                {
                    "budgets": {"bytes_transferred": sitecheck.BUDGET_BYTES,
                                "dom_elements": sitecheck.BUDGET_DOM_ELEMENTS},
                    "note": "bytes_transferred: response bodies as sent by a static server "
                            "that gzips text (like GitHub Pages); bytes_uncompressed: the "
                            "files' sizes. First visit, nothing cached. ms_to_math: "
                            "navigation start -> formulas on screen with the math font. "
                            "dom_elements: counted in Chromium once the page has loaded.",
                    "heaviest_page": heaviest["url"],
                    "pages": rows,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        terminalreporter.write_sep("-", "page weight and time to math (artifacts/page-metrics.json)")
        terminalreporter.write_line(sitecheck.metrics_table(rows))
    if axe:
        (sitecheck.ARTIFACTS / "axe-report.json").write_text(
            json.dumps(axe, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        allowed = axe.get("allowed", {})
        counts: dict[tuple[str, str], int] = {}
        for page, violations in axe.items():
            if page == "allowed":
                continue
            for v in violations:
                key = (v["impact"], v["id"])
                counts[key] = counts.get(key, 0) + len(v["nodes"])
        terminalreporter.write_sep("-", "axe-core violations, all impacts (artifacts/axe-report.json)")
        for (impact, rule), n in sorted(counts.items()):
            note = f" ({allowed[rule]} allow-listed)" if rule in allowed else ""
            terminalreporter.write_line(f"{impact:<9} {rule:<32} {n} node(s){note}")
        if not counts:
            terminalreporter.write_line("none")
