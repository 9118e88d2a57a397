"""The browser checks do catch what they are meant to catch.

A copy of the built site gets a small model page (a real page of the site cut down to
one paragraph with inline math, one display formula and one code block) and
deliberately broken copies of it, each with one small edit; the same check functions
that test_site.py runs on every page must report, on each broken page, problems that
they do not report on the model.
"""

from __future__ import annotations

import base64
import html as html_lib
import json
import os
import re
import shutil

import pytest

import sitecheck
from test_site import AXE_ALLOWED, PAGES

# One worker makes the broken copy of the site and runs every test on it.

FAKE_SITE_URL = "https://example.test/"

# name -> edit of the original page's HTML
SCRIPT = "<script>{}</script>"


def _in_article(html: str, snippet: str) -> str:
    """Insert ``snippet`` right after the page's <h1>."""
    return re.sub(r"(</h1>)", r"\1" + snippet.replace("\\", "\\\\"), html, count=1)


def _in_head(html: str, snippet: str) -> str:
    return html.replace("</head>", snippet + "</head>", 1)


def _in_body(html: str, snippet: str) -> str:
    return html.replace("</body>", snippet + "</body>", 1)


VARIANTS = {
    # a formula left as TeX, and one that arithmatex marked but nobody rendered
    "raw-math": lambda h: _in_article(
        h, r'<p>Unrendered: $$\frac{a}{b}$$ and <span class="arithmatex">\(\partial L\)</span></p>'
    ),
    # a web font from Google, and a worker that fetches from a CDN
    "external": lambda h: _in_body(
        _in_head(h, '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Roboto">'),
        SCRIPT.format(
            "new Worker(URL.createObjectURL(new Blob("
            "[\"fetch('https://cdn.example.com/lib.js').catch(() => {})\"])));"
        ),
    ),
    # a missing image, a console error, an uncaught exception
    "errors": lambda h: _in_body(
        _in_article(h, '<p><img src="missing.png" alt="a missing picture"></p>'),
        SCRIPT.format('console.error("boom"); window.notAFunction();'),
    ),
    # whatever the button copies, the clipboard gets something else
    "copy-tampered": lambda h: _in_body(
        h,
        SCRIPT.format(
            'document.addEventListener("copy", e => { e.clipboardData.setData("text/plain", '
            '"tampered"); e.preventDefault(); e.stopImmediatePropagation(); }, true);'
        ),
    ),
    # the copy feature switched off: code blocks without a button
    "no-copy": lambda h: h.replace('"content.code.copy", ', "").replace(', "content.code.copy"', ""),
    # pale math and code
    "low-contrast": lambda h: _in_head(
        h,
        "<style>article math { color: #aaa !important }"
        " pre code, pre code * { color: #bbb !important }</style>",
    ),
    # the palette toggle swallowed
    "no-toggle": lambda h: _in_body(
        h,
        SCRIPT.format(
            'document.addEventListener("click", e => { if (e.target.closest('
            '"form[data-md-component=palette]")) { e.preventDefault(); e.stopPropagation(); } }, true);'
        ),
    ),
    # an image without alt text and an empty button (both critical for axe)
    "inaccessible": lambda h: _in_article(
        h,
        '<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><button></button></p>',
    ),
    # 600 kB of incompressible script
    "heavy": lambda h: _in_head(h, '<script src="heavy.js"></script>'),
    # 7,000 more elements (a long page of short lines)
    "big-dom": lambda h: _in_article(h, "<div>" + "<p><span>word</span></p>" * 3500 + "</div>"),
    # formulas only enter the page 1.2 s after the start
    "slow-math": lambda h: _in_body(
        _MATH_ELEMENT.sub(
            lambda m: f'<span class="later-math" data-math="{html_lib.escape(m[0])}"></span>', h
        ),
        SCRIPT.format(
            "setTimeout(() => document.querySelectorAll('.later-math')"
            ".forEach(e => e.outerHTML = e.dataset.math), 1200);"
        ),
    ),
    # instant navigation switched off
    "no-instant": lambda h: h.replace('"navigation.instant", ', "").replace(', "navigation.instant"', ""),
}


_ARTICLE = re.compile(r'(<article class="md-content__inner md-typeset">)(.*?)(</article>)', re.DOTALL)
_MATH_ELEMENT = re.compile(r"<math\b.*?</math>", re.DOTALL)
_INLINE_MATH_PARAGRAPH = re.compile(r"<p>(?:(?!</p>).)*?<math>.*?</p>", re.DOTALL)
_DISPLAY_MATH = re.compile(r'<div class="arithmatex"[^>]*>.*?</div>', re.DOTALL)
_CODE_BLOCK = re.compile(r'<div class="(?:language-\w+ )?highlight"[^>]*>.*?</pre></div>', re.DOTALL)


def _model_page(site_dir) -> tuple[str, str]:
    """A small page made from a real one (below the root, with math and code): the
    site's own header, navigation and scripts around an article of one paragraph with
    inline math, one display formula and one code block. Returns (url, html)."""
    for page in PAGES:
        path = site_dir / page.url / "index.html"
        if page.url.count("/") < 1 or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        article = _ARTICLE.search(text)
        parts = [m.search(article.group(2)) if article else None
                 for m in (_INLINE_MATH_PARAGRAPH, _DISPLAY_MATH, _CODE_BLOCK)]
        if all(parts):
            body = '<h1 id="model">Model page</h1>\n' + "\n".join(p.group(0) for p in parts)
            html = text[: article.start(2)] + body + text[article.end(2):]
            html = re.sub(r"<title>.*?</title>", "<title>Model page</title>", html, count=1)
            return page.url, html
    pytest.skip("no page with inline math, display math and a code block to model")


@pytest.fixture(scope="session")
def broken(site_dir, tmp_path_factory):
    """A copy of the site with a model page and one broken copy of it per VARIANTS
    entry, its own server, sitemap and (empty) search index; yields (server, model url,
    {variant: url})."""
    root = tmp_path_factory.mktemp("broken") / "site"
    shutil.copytree(site_dir, root)
    real, original = _model_page(site_dir)
    depth = real.count("/")  # keep relative links working: same depth as the real page

    def place(name: str, html: str) -> str:
        url = "/".join(["broken"] * (depth - 1) + [name]) + "/"
        (root / url).mkdir(parents=True)
        (root / url / "index.html").write_text(html, encoding="utf-8")
        return url

    model = place("model", original)
    urls = {}
    for name, edit in VARIANTS.items():
        changed = edit(original)
        assert changed != original, f"variant {name} changed nothing"
        urls[name] = place(name, changed)
    (root / urls["heavy"] / "heavy.js").write_text(
        "/*" + base64.b64encode(os.urandom(450_000)).decode() + "*/", encoding="utf-8"
    )
    # Material's instant navigation intercepts only links listed in the sitemap.
    locs = sitecheck.built_pages(root)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(f"<url><loc>{FAKE_SITE_URL}{u}</loc></url>\n" for u in locs)
        + "</urlset>\n",
        encoding="utf-8",
    )
    # A search index that knows no page.
    index = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))
    index["docs"] = []
    (root / "search" / "search_index.json").write_text(json.dumps(index), encoding="utf-8")
    with sitecheck.SiteServer(root, site_url=FAKE_SITE_URL) as server:
        yield server, model, urls


@pytest.fixture(scope="session")
def broken_context(browser, broken):
    server, _, _ = broken
    context = sitecheck.make_context(browser, server.origin)
    yield context
    context.close()


AXE_PROBE_RULES = ["image-alt", "button-name"]  # what the "inaccessible" page breaks

CHECKS = {
    "math": lambda tab, _: sitecheck.math_problems(tab, True),
    "watch": lambda _, watch: watch.problems(),
    "copy": lambda tab, _: sitecheck.copy_button_problems(tab)[0],
    "contrast": lambda tab, _: sitecheck.contrast_problems(tab),
    "axe": lambda tab, _: sitecheck.axe_problems(
        sitecheck.axe_violations(tab, AXE_PROBE_RULES), AXE_ALLOWED)[0],
    # last: it changes the page
    "toggle": lambda tab, _: sitecheck.toggle_scheme_problems(tab, check_contrast=False,
                                                              timeout_ms=1500),
}


def _problems_on(context, server, url, checks: list[str]) -> dict[str, list[str]]:
    tab, watch = sitecheck.open_page(context, server, url)
    try:
        sitecheck.settle(tab)
        if "watch" in checks:
            sitecheck.wait_quiet(tab, server, watch)
        return {name: CHECKS[name](tab, watch) for name in checks}
    finally:
        tab.close()


@pytest.fixture(scope="session")
def unbroken(broken_context, broken) -> dict[str, list[str]]:
    """Every check on the original page, once: what the broken pages must exceed."""
    server, model, _ = broken
    return _problems_on(broken_context, server, model, list(CHECKS))


def _flagged(context, broken, unbroken, variant, check):
    """(problems on the broken page, problems on the original) for ``check``."""
    server, _, urls = broken
    return _problems_on(context, server, urls[variant], [check])[check], unbroken[check]


def _assert_new(bad, good, *patterns):
    for pattern in patterns:
        hits = [p for p in bad if re.search(pattern, p)]
        assert hits, f"no problem matching {pattern!r} reported; got {bad}"
        assert not [p for p in good if re.search(pattern, p)], (
            f"{pattern!r} also reported on the unbroken page: {good}"
        )


def test_raw_and_unrendered_math_are_flagged(broken_context, broken, unbroken):
    bad, good = _flagged(broken_context, broken, unbroken, "raw-math", "math")
    _assert_new(bad, good, r"raw TeX.*'\$\$'", r"raw TeX.*\\\\frac", r"raw TeX.*\\\\partial",
                r"formula not rendered")


def test_page_without_rendered_math_is_flagged(broken_context, broken, unbroken):
    server, model, _ = broken
    tab, _ = sitecheck.open_page(broken_context, server, model)
    try:
        tab.evaluate("document.querySelectorAll('article math').forEach(e => e.remove())")
        bad = sitecheck.math_problems(tab, True)
    finally:
        tab.close()
    _assert_new(bad, unbroken["math"], r"no rendered formula")


def test_raw_math_is_flagged_after_instant_navigation(broken_context, broken):
    server, model, urls = broken
    tab, _ = sitecheck.open_page(broken_context, server, model)
    try:
        title = sitecheck.page_title(server.directory, urls["raw-math"])
        bad = sitecheck.instant_navigation_problems(tab, server, urls["raw-math"], title, True)
    finally:
        tab.close()
    assert not any("full page load" in p for p in bad), bad  # it was instant...
    assert any("raw TeX" in p for p in bad), bad  # ...and the math check ran on the new page


def test_full_page_load_instead_of_instant_navigation_is_flagged(broken_context, broken):
    server, model, urls = broken
    home = next(p.url for p in PAGES if p.url != model)
    title = sitecheck.page_title(server.directory, home)
    results = {}
    for start in (urls["no-instant"], model):
        tab, _ = sitecheck.open_page(broken_context, server, start)
        try:
            results[start] = sitecheck.instant_navigation_problems(tab, server, home, title, None)
        finally:
            tab.close()
    _assert_new(results[urls["no-instant"]], results[model], r"full page load")


def test_outside_requests_are_blocked_and_flagged(broken_context, broken, unbroken):
    bad, good = _flagged(broken_context, broken, unbroken, "external", "watch")
    _assert_new(bad, good, r"outside the local server.*fonts\.googleapis\.com",
                r"outside the local server.*cdn\.example\.com")


def test_failed_requests_and_console_errors_are_flagged(broken_context, broken, unbroken):
    bad, good = _flagged(broken_context, broken, unbroken, "errors", "watch")
    _assert_new(bad, good, r"HTTP 404 .*missing\.png", r"console error: boom",
                r"uncaught: .*notAFunction")


def test_wrong_copied_text_is_flagged(broken_context, broken, unbroken):
    bad, good = _flagged(broken_context, broken, unbroken, "copy-tampered", "copy")
    _assert_new(bad, good, r"copied 'tampered'")


def test_code_block_without_copy_button_is_flagged(broken_context, broken, unbroken):
    bad, good = _flagged(broken_context, broken, unbroken, "no-copy", "copy")
    _assert_new(bad, good, r"code block without a copy button")


def test_low_contrast_math_and_code_are_flagged(broken_context, broken, unbroken):
    bad, good = _flagged(broken_context, broken, unbroken, "low-contrast", "contrast")
    _assert_new(bad, good, r"math text #aaaaaa", r"code text #bbbbbb")


def test_dead_palette_toggle_is_flagged(broken_context, broken, unbroken):
    bad, good = _flagged(broken_context, broken, unbroken, "no-toggle", "toggle")
    _assert_new(bad, good, r"did not switch 'default' to 'slate'")


def test_accessibility_violations_are_flagged(broken_context, broken, unbroken):
    bad, good = _flagged(broken_context, broken, unbroken, "inaccessible", "axe")
    _assert_new(bad, good, r"axe critical image-alt", r"axe critical button-name")


def test_search_that_finds_nothing_is_flagged(broken_context, broken):
    server, model, _ = broken
    tab, _ = sitecheck.open_page(broken_context, server, model)
    try:
        bad = sitecheck.search_problems(tab, server, "the", model, timeout_ms=2000)
    finally:
        tab.close()
    assert any("did not find" in p for p in bad), bad


def test_budgets_are_enforced_and_time_to_math_is_measured(browser, broken):
    """Measured as test_site.py measures every page: one tab, its cache off, page after
    page. The model page is measured a second time in a fresh context (a browser that
    has never seen the site): the tab with its cache off must count the same bytes and
    requests, or its loads are not first visits."""
    server, model, urls = broken
    context = sitecheck.make_context(browser, server.origin)
    context.add_init_script(sitecheck.MATH_SEEN_INIT)
    fresh = browser.new_context(viewport=sitecheck.VIEWPORT)
    fresh.add_init_script(sitecheck.MATH_SEEN_INIT)
    try:
        tab = context.new_page()
        cdp = sitecheck.disable_cache(tab)  # noqa: F841 - kept alive with the tab
        watch = sitecheck.PageWatch(tab, server.origin)
        measured = {url: sitecheck.measure(tab, server, url, True, watch)
                    for url in (model, urls["heavy"], urls["slow-math"], urls["big-dom"], model)}
        first_visit = sitecheck.measure(fresh.new_page(), server, model, expect_math=True)
    finally:
        context.close()
        fresh.close()
    heavy = sitecheck.budget_problems(measured[urls["heavy"]])
    big = sitecheck.budget_problems(measured[urls["big-dom"]])
    good = sitecheck.budget_problems(measured[model])
    _assert_new(heavy, good, r"KiB transferred > budget .*heavy\.js")
    _assert_new(big, good, r"\d+ DOM elements > budget 6000")
    again = measured[model]  # the second measurement of the model, after the others
    assert (again.wire_bytes, again.requests) == (first_visit.wire_bytes, first_visit.requests)
    # time to math is reported, not asserted; but it must measure what it says
    slow, fast = measured[urls["slow-math"]].ms_to_math, first_visit.ms_to_math
    assert slow >= 1200 and slow > fast, (slow, fast)


def test_unlisted_page_is_flagged(broken):
    server, _, urls = broken
    untested = set(sitecheck.built_pages(server.directory)) - {p.url for p in PAGES}
    assert set(urls.values()) <= untested


def test_model_page_passes_every_check(unbroken):
    """The control: the unbroken model page passes every check above."""
    assert {name: problems for name, problems in unbroken.items() if problems} == {}
