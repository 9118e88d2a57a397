"""The built site, page by page, in Chromium.

For every page MkDocs builds (found through MkDocs' own configuration and plugins, so a
new page is tested as soon as it exists; ``test_every_built_page_is_tested`` checks the
built site has no page beyond those):

- ``test_page_loads_cleanly``: on a first visit no request leaves the local server,
  nothing fails, no console error; every formula is rendered (no raw TeX in the text,
  ``<math>`` present when the page's source has math);
- ``test_page_budget``: bytes transferred on that first visit (everything the page
  loads, gzip as a static host sends it) and elements in its DOM within budget (with
  the time until the math is shown, measured and reported, not asserted:
  artifacts/page-metrics.json, table in the terminal summary);
- ``test_math_after_instant_navigation``: from the page a reader's tab shows (it goes
  from page to page), click the page's link; Material's instant navigation fetches it
  and swaps it in (checked: no page load); same math checks;
- ``test_copy_buttons``: each copy button puts its block's code on the clipboard;
- ``test_color_scheme``: the palette toggle flips default <-> slate; math and code keep
  a contrast >= 4.5 in both schemes (the rest of the article's text too: 4.5, or 3 when
  large); with SCREENSHOTS=1, screenshots of both in artifacts/screenshots/;
- ``test_phone_layout``: at 390 px nothing is cut off: what scrolls sideways is
  reachable and shows a cue; the learning path's answer boxes are on the first screen;
- ``test_accessibility``: no serious or critical axe-core violation beyond AXE_ALLOWED
  (every rule, default scheme; the theme in slate: test_dark_system_preference...).

And: the search box finds the pages readers look for (``test_search``); a reader whose
system is in dark mode gets slate (``test_dark_system_preference_opens_in_slate``).

To keep the run short, each page is loaded once, cold, for every check that looks at it
(``page_visit``), and reached once more by instant navigation; the test items then
report their own part. One browser for everything; a page's tests run on one worker
(the scheduler in conftest.py).
"""

from __future__ import annotations


import pytest

import sitecheck
from sitecheck import AxeAllowed

PAGES = sitecheck.source_pages()
PAGE_IDS = [p.id for p in PAGES]
PATH = sitecheck.path_pages()  # the learning path, "Start here" in nav
# the pages of the path that open with an answer box (the derivations and the notebook)
# (a `!!! success` box on a Markdown page, a `<div class="admonition success">` in a notebook)
ANSWER_FIRST = {p.url for p in PAGES if p.url in PATH and p.src and any(
    box in sitecheck.markdown_of(sitecheck.DOCS / p.src)
    for box in ("!!! success", 'class="admonition success"'))}

# Serious/critical axe-core findings accepted on purpose. Keep this short: each entry
# needs a reason, and a fix that is ours to make belongs in docs/assets/extra.css or
# mkdocs.yml instead.
AXE_ALLOWED: list[AxeAllowed] = []

SEARCHES = [
    ("mean squared error", "losses/mse/"),
    ("dvalues", "corrections/y-true-over-dvalues/"),
]


def has_math(page: sitecheck.SitePage) -> bool | None:
    if page.src is None:
        return None
    return sitecheck.source_has_math(sitecheck.DOCS / page.src)


def require_built(site_dir, page: sitecheck.SitePage) -> None:
    if not (site_dir / page.url / "index.html").is_file():
        pytest.fail(f"/{page.url} ({page.src}) was not built", pytrace=False)


def check(problems: list[str], what: str) -> None:
    if problems:
        pytest.fail(f"{what}:\n  - " + "\n  - ".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def page_visit(browser, server):
    """Each page opened once, as on a first visit (system in light mode, nothing cached:
    one tab per worker with the cache off, storage cleared at each load), and on that
    one load, in order:

    - measured (bytes, time to math) and checked: requests, console, math ("load");
    - scheme is 'default'; contrast; screenshot; axe; copy buttons;
    - toggle to slate: contrast, screenshot; toggle back ("scheme");
    - at a phone's width ("phone").

    Memoised per page (per worker: a page's tests run on one worker).
    """
    done: dict[str, dict] = {}
    context = sitecheck.make_context(browser, server.origin, "light")
    context.add_init_script(sitecheck.MATH_SEEN_INIT)
    context.add_init_script(path=sitecheck.AXE_JS)  # each load: cheaper than injecting it
    tab = context.new_page()
    cdp = sitecheck.disable_cache(tab)  # noqa: F841 - kept alive with the tab
    watch = sitecheck.PageWatch(tab, server.origin)

    def visit(page: sitecheck.SitePage) -> dict:
        if page.url in done:
            return done[page.url]
        math = has_math(page)
        tab.set_viewport_size(sitecheck.VIEWPORT)  # the previous page ended at a phone's
        watch.reset()
        metrics = sitecheck.measure(tab, server, page.url, math, watch)
        load = watch.problems() + sitecheck.math_problems(tab, math)
        watch.reset()
        scheme = []
        first = sitecheck.scheme(tab)
        if first != "default":
            scheme.append(f"system in light mode: scheme {first!r}, expected 'default'")
        scheme += sitecheck.contrast_problems(tab)
        sitecheck.screenshot(tab, f"{page.slug}.{first}.png")
        # axe: every rule on every page but colour contrast, which it checks only on
        # the theme's own parts, the same on every page, so on the home page (and in
        # slate by test_dark_system_preference...); the article's text, math and
        # code: contrast_problems, on every page in both schemes.
        axe = sitecheck.axe_violations(tab, disable=sitecheck.AXE_COLOUR_RULES)
        if page.url == "":
            axe += sitecheck.axe_violations(tab, sitecheck.AXE_COLOUR_RULES,
                                            include=sitecheck.THEME_CHROME)
        copy = sitecheck.copy_button_problems(tab)[0]
        scheme += sitecheck.toggle_scheme_problems(tab)  # to slate, and its contrast
        second = sitecheck.scheme(tab)
        if second != first:
            tab.evaluate("window.scrollTo(0, 0)")  # the copy clicks scrolled down
            sitecheck.screenshot(tab, f"{page.slug}.{second}.png")
        scheme += sitecheck.toggle_scheme_problems(tab, check_contrast=False)  # back
        if sitecheck.scheme(tab) != first:
            scheme.append(f"toggling twice did not restore {first!r}")
        scheme += watch.problems()
        phone = sitecheck.phone_problems(tab, answer_on_first_screen=page.url in ANSWER_FIRST,
                                         tables_fit=page.url == "")
        sitecheck.screenshot(tab, f"{page.slug}.phone.png")
        phone += watch.problems()
        done[page.url] = {"load": load, "metrics": metrics, "scheme": scheme, "axe": axe,
                          "copy": copy, "phone": phone}
        return done[page.url]

    yield visit
    context.close()


@pytest.fixture(scope="session")
def reader(contexts, server):
    """One tab that stays on the site, as a reader's does: tests move it from page to
    page by clicking links (instant navigation)."""
    tab = contexts["light"].new_page()
    watch = sitecheck.PageWatch(tab, server.origin)
    tab.goto(server.base)
    yield tab, watch
    tab.close()


def test_every_built_page_is_tested(site_dir):
    built = set(sitecheck.built_pages(site_dir))
    tested = {p.url for p in PAGES}
    assert sorted(built - tested) == [], "pages in the built site that no test visits"
    assert sorted(tested - built) == [], "pages MkDocs should build that are missing from the site"


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_loads_cleanly(page, site_dir, page_visit, metrics_store):
    require_built(site_dir, page)
    result = page_visit(page)
    metrics_store["/" + page.url] = result["metrics"].as_dict()
    check(result["load"], f"/{page.url}")


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_budget(page, site_dir, page_visit, metrics_store):
    require_built(site_dir, page)
    metrics = page_visit(page)["metrics"]
    metrics_store["/" + page.url] = metrics.as_dict()
    check(sitecheck.budget_problems(metrics), f"/{page.url} over budget")


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_math_after_instant_navigation(page, site_dir, server, reader):
    """Click the page's link from the page the reader's tab shows (the home page, or the
    page of this worker's previous test: the tab goes from page to page as a reader's
    does): Material fetches it and swaps the content in (no page load); its math must be
    rendered all the same. (The home page is reached from another page.)"""
    require_built(site_dir, page)
    tab, watch = reader
    watch.reset()
    problems = []
    if tab.evaluate("location.pathname") == server.path_of(page.url):
        other = next((p.url for p in PAGES if p.url != page.url), None)
        if other is None:
            pytest.skip("a one-page site has nowhere to navigate from")
        problems += sitecheck.instant_navigation_problems(
            tab, server, other, sitecheck.page_title(site_dir, other), None, check_math=False)
    start = tab.evaluate("location.pathname")
    title = sitecheck.page_title(site_dir, page.url)
    problems += sitecheck.instant_navigation_problems(tab, server, page.url, title, has_math(page))
    check(problems + watch.problems(), f"{start} -> /{page.url}")


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_copy_buttons(page, site_dir, page_visit):
    require_built(site_dir, page)
    check(page_visit(page)["copy"], f"/{page.url}")


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_color_scheme(page, site_dir, page_visit):
    """The page opens in the default scheme (system in light mode); its text, math and
    code are readable; the toggle switches to slate, still readable; and back.
    With SCREENSHOTS=1, screenshots of both schemes in artifacts/screenshots/."""
    require_built(site_dir, page)
    check(page_visit(page)["scheme"], f"/{page.url}")


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_phone_layout(page, site_dir, page_visit):
    """At a phone's width (390 px): the page does not scroll sideways as a whole; every
    formula, table or code block that does is keyboard reachable and shows a cue; on the
    learning path the answer box starts on the first screen; the home page's tables fit.
    With SCREENSHOTS=1, a screenshot in artifacts/screenshots/ (<page>.phone.png)."""
    require_built(site_dir, page)
    check(page_visit(page)["phone"], f"/{page.url} at {sitecheck.PHONE['width']} px")


def test_the_learning_path_is_in_nav():
    assert PATH == ["notation/", "losses/bce-sigmoid/", "losses/cce-softmax/",
                    "delta-recurrence/", "notebooks/iris/"]


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_accessibility(page, site_dir, page_visit, axe_store):
    require_built(site_dir, page)
    violations = page_visit(page)["axe"]
    axe_store[f"/{page.url} (default)"] = violations
    problems, used = sitecheck.axe_problems(violations, AXE_ALLOWED)
    for rule, n in used.items():
        axe_store.setdefault("allowed", {}).setdefault(rule, 0)
        axe_store["allowed"][rule] += n
    check(problems, f"/{page.url}")


def test_dark_system_preference_opens_in_slate(site_dir, server, contexts, axe_store):
    """A reader whose system is in dark mode gets the slate scheme (palette `media`),
    and the theme's own colours (header, navigation, footer) pass axe's contrast rule
    in it. (Every page's article is checked in slate by test_color_scheme.)"""
    tab, watch = sitecheck.open_page(contexts["dark"], server, "")
    try:
        sitecheck.settle(tab)
        assert sitecheck.scheme(tab) == "slate"
        violations = sitecheck.axe_violations(tab, sitecheck.AXE_COLOUR_RULES)
        axe_store["/ (slate)"] = violations
        problems = sitecheck.axe_problems(violations, AXE_ALLOWED)[0]
        check(problems + sitecheck.contrast_problems(tab) + watch.problems(), "/ (dark system)")
    finally:
        tab.close()


def test_axe_allow_list_is_explained():
    for entry in AXE_ALLOWED:
        assert len(entry.reason.split()) >= 8, f"give {entry.rule} a real reason"


@pytest.mark.parametrize(("query", "expected"), SEARCHES, ids=[q for q, _ in SEARCHES])
def test_search(query, expected, site_dir, server, contexts):
    if not (site_dir / expected / "index.html").is_file():
        pytest.fail(f"/{expected} is not in the built site", pytrace=False)
    tab, watch = sitecheck.open_page(contexts["light"], server, "")
    try:
        check(sitecheck.search_problems(tab, server, query, expected) + watch.problems(),
              f"search {query!r}")
    finally:
        tab.close()
