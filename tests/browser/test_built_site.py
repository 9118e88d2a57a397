"""The built site as files: valid HTML, stylesheets that load nothing missing, and
addresses that follow ``site_url``, so the site works on any host and under any path.

- ``test_page_is_valid_html``: every page parses with no error (html5lib, the WHATWG
  parsing algorithm); the error that mattered here was a test-harness comment against a
  fence turning into ``<p><div>...</p>``; no table has an empty header cell, no dialog
  is without a name, no id is used twice, and no test-harness comment is left in the page;
- ``test_stylesheet_urls_resolve``: every ``url()`` and ``@import`` in every stylesheet
  the site ships names a file of the site (or is a ``data:`` URI);
- ``test_site_url_comes_from_the_environment``: ``SITE_URL`` sets ``site_url`` (by
  default what ``make serve`` serves);
- ``test_the_tested_site_is_built_for_another_host`` and
  ``test_canonical_links_and_sitemap_follow_site_url``: the site under test is built
  with ``SITE_URL=https://example.org/last-layer/``, its canonical links and sitemap are
  on that address, and its pages link to their assets relatively, so it works under
  /last-layer/ (where every browser test serves it);
- ``test_server_serves_under_its_prefix``: the test server the browser tests use
  serves the site under a sub-path only (a link that assumes the root of the host fails).

The browser tests (test_site.py) load every page served under /last-layer/.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import html5lib
import pytest

import sitecheck

PAGES = sitecheck.source_pages()
ANOTHER_HOST = sitecheck.TESTED_SITE_URL


def _parse(path: Path):
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    tree = parser.parse(path.read_bytes())
    return tree, parser.errors


def _text(el) -> str:
    return "".join(el.itertext()).strip()


def html_problems(path: Path) -> list[str]:
    """Parse errors and the markup errors a parser does not see, for one built page."""
    text = path.read_text(encoding="utf-8")
    tree, errors = _parse(path)
    lines = text.splitlines()
    problems = []
    for (line, col), code, data in errors:
        where = lines[line - 1][max(0, col - 60): col + 20].strip() if 0 < line <= len(lines) else ""
        problems.append(f"line {line}:{col}: {code} {data or ''} near {where!r}")
    for table in tree.iter("table"):
        for th in table.iterfind("thead/tr/th"):
            if not _text(th) and not th.get("aria-label"):
                first = _text(table)[:60]
                problems.append(f"a table header cell is empty (table starting {first!r})")
    for el in tree.iter():
        if el.get("role") in ("dialog", "alertdialog") and not (
            el.get("aria-label") or el.get("aria-labelledby")
        ):
            problems.append(f"<{el.tag} role={el.get('role')!r} class={el.get('class')!r}> has no name")
    ids: dict[str, int] = {}
    for el in tree.iter():
        if el.get("id"):
            ids[el.get("id")] = ids.get(el.get("id"), 0) + 1
    problems += [f"id {i!r} used {n} times" for i, n in ids.items() if n > 1]
    problems += [f"test-harness comment left in the page: {c[:60]!r}"
                 for c in re.findall(r"<!--\s*pytest[-.].*?-->", text, re.DOTALL)]
    return problems


@pytest.mark.parametrize("page", PAGES, ids=[p.id for p in PAGES])
def test_page_is_valid_html(page, site_dir):
    path = site_dir / page.url / "index.html"
    if not path.is_file():
        pytest.fail(f"/{page.url} was not built", pytrace=False)
    problems = html_problems(path)
    assert not problems, f"/{page.url}:\n  - " + "\n  - ".join(problems)


def test_html_check_catches_a_comment_against_a_fence(tmp_path):
    """The check fails on what Markdown made of ``<!--...-->`` right against a fence."""
    page = tmp_path / "index.html"
    page.write_text(
        "<!doctype html><html lang=en><head><title>t</title></head><body>"
        '<p><!--pytest-codeblocks:expected-output--><div class="highlight"><pre>1</pre></div></p>'
        "<table><thead><tr><th></th><th>b</th></tr></thead></table>"
        '<div role="dialog"></div><p id="x"></p><p id="x"></p></body></html>',
        encoding="utf-8",
    )
    problems = "\n".join(html_problems(page))
    for expected in ("unexpected-end-tag", "header cell is empty", "has no name",
                     "id 'x' used 2 times", "test-harness comment"):
        assert expected in problems, problems


# --------------------------------------------------------------------------------------
# Stylesheets
# --------------------------------------------------------------------------------------

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""")
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""")


def stylesheet_references(css: str) -> list[str]:
    """The addresses in ``url()`` and ``@import`` of a stylesheet, comments left out."""
    css = _CSS_COMMENT.sub("", css)
    refs = []
    for pattern in (_CSS_URL, _CSS_IMPORT):
        refs += [next(g for g in m.groups() if g is not None) for m in pattern.finditer(css)]
    return refs


def missing_references(site_dir: Path, css_file: Path) -> list[str]:
    """References of ``css_file`` that are not a file of the site (data: URIs and
    in-document fragments such as ``url(#a)`` are fine; anything off the site is not)."""
    problems = []
    rel = css_file.relative_to(site_dir).as_posix()
    for ref in stylesheet_references(css_file.read_text(encoding="utf-8")):
        if ref.startswith(("data:", "#")):
            continue
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            problems.append(f"{rel}: {ref} is outside the site")
            continue
        target = urlsplit(urljoin("/" + rel, ref)).path
        if not (site_dir / unquote(target).lstrip("/")).is_file():
            problems.append(f"{rel}: {ref} -> {target} is not in the site")
    return problems


def test_stylesheet_urls_resolve(site_dir):
    sheets = sorted(site_dir.rglob("*.css"))
    assert any(s.name == "math.css" for s in sheets), "the math stylesheet is not in the site"
    problems = [p for sheet in sheets for p in missing_references(site_dir, sheet)]
    assert not problems, "\n".join(problems)


def test_stylesheet_check_catches_a_missing_font(tmp_path):
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "here.woff2").write_bytes(b"")
    sheet = tmp_path / "a.css"
    sheet.write_text(
        "/* url(commented.woff) */ @font-face { src: url(fonts/here.woff2),"
        " url('fonts/gone.woff') format('woff'), url(\"https://cdn.example/x.ttf\") }"
        " .i { background: url(\"data:image/svg+xml,<svg xmlns='x'/>\") }",
        encoding="utf-8",
    )
    problems = missing_references(tmp_path, sheet)
    assert len(problems) == 2, problems
    assert "gone.woff" in problems[0] and "outside the site" in problems[1]


# --------------------------------------------------------------------------------------
# site_url, canonical links, sitemap; serving under a sub-path
# --------------------------------------------------------------------------------------


def _canonical(page_html: str) -> str | None:
    match = re.search(r'<link rel="canonical" href="([^"]+)"', page_html)
    return match.group(1) if match else None


def address_problems(site_dir: Path, site_url: str) -> list[str]:
    """Every page's canonical link is ``site_url`` + its URL; the sitemap lists exactly
    the pages, on ``site_url``; no page links to an asset by an absolute path."""
    problems = []
    pages = sitecheck.built_pages(site_dir)
    for url in pages:
        text = (site_dir / url / "index.html").read_text(encoding="utf-8")
        canonical = _canonical(text)
        if canonical != site_url + url:
            problems.append(f"/{url}: canonical {canonical!r}, expected {site_url + url!r}")
        rooted = re.findall(r'\s(?:href|src)="(/(?!/)[^"]*)"', text)
        if rooted:
            problems.append(f"/{url}: links from the root of the host, which break under a "
                            f"sub-path: {rooted[:3]}")
    sitemap = (site_dir / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>(.*?)</loc>", sitemap)
    if sorted(locs) != sorted(site_url + u for u in pages):
        problems.append(f"sitemap.xml lists {sorted(locs)[:3]}..., expected the pages on {site_url}")
    return problems


def test_canonical_links_and_sitemap_follow_site_url(site_dir):
    site_url = sitecheck.site_url_of(site_dir)
    assert site_url, "the home page has no canonical link"
    problems = address_problems(site_dir, site_url)
    assert not problems, "\n".join(problems)


def test_site_url_comes_from_the_environment(monkeypatch):
    from mkdocs.config import load_config

    monkeypatch.delenv("SITE_URL", raising=False)
    assert load_config(str(sitecheck.ROOT / "mkdocs.yml"))["site_url"] == "http://127.0.0.1:8000/"
    monkeypatch.setenv("SITE_URL", ANOTHER_HOST)
    assert load_config(str(sitecheck.ROOT / "mkdocs.yml"))["site_url"] == ANOTHER_HOST


def test_the_tested_site_is_built_for_another_host(site_dir):
    """The site under test was built with ``SITE_URL=https://example.org/last-layer/``
    (as ``make test`` builds it), so the checks above are those of a project site on a
    real host, and every browser test runs it served under /last-layer/: one build
    serves both, none is made twice."""
    assert sitecheck.site_url_of(site_dir) == ANOTHER_HOST, (
        f"{site_dir} was built for {sitecheck.site_url_of(site_dir)!r}; build it with "
        f"SITE_URL={ANOTHER_HOST} (make test does)")


def _get(url: str) -> tuple[int, str | None]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url) as response:
            return response.status, None
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location")


def test_server_serves_under_its_prefix(site_dir):
    with sitecheck.SiteServer(site_dir, prefix=sitecheck.SERVED_UNDER) as server:
        origin, prefix = server.origin, sitecheck.SERVED_UNDER
        assert server.base == origin + prefix
        assert _get(server.base)[0] == 200
        assert _get(server.base + "losses/mse/")[0] == 200
        assert _get(server.base + "losses/mse") == (301, prefix + "losses/mse/")
        assert _get(origin + prefix.rstrip("/")) == (301, prefix)
        assert _get(origin + "/losses/mse/")[0] == 404  # the site is not at the root
        assert _get(origin + "/")[0] == 404
