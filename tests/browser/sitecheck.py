"""Checks for the built site in a real browser (Chromium driven by Playwright).

Every check is a plain function that takes a Playwright page (and what it needs to know)
and returns a list of problems, one readable string each; an empty list means the page
passed. ``test_site.py`` runs them on every page of the built site;
``test_checks_catch_breakage.py`` runs the same functions on deliberately broken pages
and asserts that they do report problems.

Also here: discovery of the pages, the static file server, and the per-page
measurements (bytes transferred, time until the math is on screen).
"""

from __future__ import annotations

import functools
import gzip
import html
import mimetypes
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
# Screenshots are for people to look at, not a check, and cost time: none by default;
# SCREENSHOTS=1 takes the first screen of every page (both schemes, and a phone's) and
# every widget, SCREENSHOTS=full whole pages (seconds each on long pages).
SCREENSHOT_MODE = os.environ.get("SCREENSHOTS", "")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium phones home (Google services).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
SERVED_UNDER = "/last-layer/"  # the browser tests serve the site under this sub-path
# The site the browser tests check is built for a project site on another host (`make
# test` and `make check` build it so; so does the fixture when SITE_DIR is not given):
# canonical links and sitemap point there, and it is served under SERVED_UNDER.
TESTED_SITE_URL = "https://example.org" + SERVED_UNDER

BUDGET_BYTES = 300 * 1024  # per page, first visit, everything it loads, bytes on the wire
BUDGET_DOM_ELEMENTS = 6000  # per page, elements in the document once loaded, counted in Chromium
MIN_CONTRAST = 4.5  # WCAG 2 AA, normal-size text

SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme -> Material scheme
OTHER_SCHEME = {"default": "slate", "slate": "default"}

# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SitePage:
    url: str  # relative to the site root: "" for the home page, "losses/mse/"
    src: str | None = None  # source file relative to docs/, if known

    @property
    def id(self) -> str:
        return self.url.strip("/") or "home"

    @property
    def slug(self) -> str:
        return self.id.replace("/", "__")


def url_of(src_uri: str) -> str:
    """The directory URL MkDocs gives a page (use_directory_urls: true)."""
    stem = src_uri.rsplit(".", 1)[0]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


@functools.lru_cache(maxsize=None)
def mkdocs_config(root: Path = ROOT):
    """MkDocs' configuration of the site (loaded once per process: it imports the hooks)."""
    from mkdocs.config import load_config

    return load_config(str(root / "mkdocs.yml"))


@functools.lru_cache(maxsize=None)
def source_pages(root: Path = ROOT) -> tuple[SitePage, ...]:
    """Every documentation page MkDocs will build, with its source file.

    Asks MkDocs itself: the configuration, and the ``on_files`` of its plugins (so
    notebook pages made by mkdocs-jupyter count); not of our hooks, which add downloads,
    not pages, and take seconds (test_every_built_page_is_tested compares the result
    with the built site). If the configuration cannot be loaded, falls back to the
    Markdown files in docs/.
    """
    try:
        from mkdocs.structure.files import get_files

        config = mkdocs_config(root)
        files = get_files(config)
        for name, plugin in config.plugins.items():
            if not name.startswith("hooks/") and hasattr(plugin, "on_files"):
                files = plugin.on_files(files, config=config) or files
        pages = [
            SitePage("" if f.url in ("./", ".") else f.url, f.src_uri)
            for f in files.documentation_pages()
        ]
    except Exception:  # noqa: BLE001 - discovery must not break collection
        docs = root / "docs"
        pages = [
            SitePage(url_of(p.relative_to(docs).as_posix()), p.relative_to(docs).as_posix())
            for p in sorted(docs.rglob("*.md"))
        ]
    return tuple(sorted(pages, key=lambda p: (p.url != "", p.url)))


def built_pages(site_dir: Path) -> list[str]:
    """URLs of every page of a built site: each index.html (404.html is not a page)."""
    urls = []
    for index in site_dir.rglob("index.html"):
        rel = index.parent.relative_to(site_dir).as_posix()
        urls.append("" if rel == "." else rel + "/")
    return sorted(urls, key=lambda u: (u != "", u))


def page_title(site_dir: Path, url: str) -> str:
    text = (site_dir / url / "index.html").read_text(encoding="utf-8")
    match = re.search(r"<title>(.*?)</title>", text, re.DOTALL)
    return html.unescape(match.group(1).strip()) if match else ""


_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}).*?^\1\2\s*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SOURCE_MATH = re.compile(
    r"\$\$|\\\(|\\\[|(?<![\\$])\$(?=[^\s$])[^$\n]+?(?<=[^\s$\\])\$(?!\d)"
)


def markdown_of(src: Path) -> str:
    """The Markdown a reader sees: a .md page, or the Markdown cells of a notebook."""
    if src.suffix in {".py", ".ipynb"}:
        import jupytext

        notebook = jupytext.read(src)
        return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    return src.read_text(encoding="utf-8")


def source_has_math(src: Path) -> bool:
    """Whether a page's source contains $...$, $$...$$, \\(...\\) or \\[...\\] math."""
    text = markdown_of(src)
    for pattern in (_FENCE, _COMMENT, _INLINE_CODE):
        text = pattern.sub(" ", text)
    return bool(_SOURCE_MATH.search(text))


# --------------------------------------------------------------------------------------
# Building and serving
# --------------------------------------------------------------------------------------


def build_site(dest: Path, strict: bool = True,
               site_url: str = TESTED_SITE_URL) -> subprocess.CompletedProcess:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    cmd = [str(mkdocs), "build", "--strict" if strict else "--no-strict", "-d", str(dest)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": site_url}
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)


def site_url_of(site_dir: Path) -> str | None:
    """The site_url the site was built with: the canonical link of its home page."""
    text = (site_dir / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<link rel="canonical" href="([^"]+)"', text)
    return match.group(1) if match else None


_COMPRESSIBLE = re.compile(r"^(text/|application/(javascript|json|xml)|image/svg)")


@dataclass
class Served:
    path: str
    status: int
    wire_bytes: int  # body bytes sent (gzip-compressed when the browser accepts gzip)
    raw_bytes: int  # size of the file


class SiteServer:
    """A static file server for a built site on 127.0.0.1, in a thread.

    The site is served under ``prefix`` (a path ending in "/": "/" for the root, or a
    sub-path such as "/last-layer/", as a project site on GitHub Pages is), so that a
    link that only works at the root of a host fails; anything outside the prefix is a
    404. ``base`` is the address of the site's home page. Like any static host (GitHub Pages, Netlify, nginx) it gzips text responses when the
    browser asks for it; fonts and images go out as they are. Every response is logged,
    so a test can sum the bytes a page load transferred. ``sitemap.xml`` is served with
    the site's ``site_url`` replaced by this server's address, as ``mkdocs serve`` does:
    Material's instant navigation only intercepts links listed in the sitemap.
    """

    def __init__(self, directory: Path, site_url: str | None = None, prefix: str = "/"):
        if not (prefix.startswith("/") and prefix.endswith("/")):
            raise ValueError(f"prefix must start and end with '/', got {prefix!r}")
        self.prefix = prefix
        self.directory = Path(directory)
        self.log: list[Served] = []
        self._lock = threading.Lock()
        self._gzip_cache: dict[tuple[str, float], bytes] = {}
        self.site_url = site_url or site_url_of(self.directory)
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(server.directory), **kwargs)

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                server._get(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.httpd.server_port}"
        self.base = self.origin + prefix
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "SiteServer":
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def path_of(self, url: str) -> str:
        """The URL path of a page given relative to the site root ("losses/mse/")."""
        return self.prefix + url

    def mark(self) -> int:
        with self._lock:
            return len(self.log)

    def since(self, mark: int) -> list[Served]:
        with self._lock:
            return list(self.log[mark:])

    def _get(self, h: SimpleHTTPRequestHandler) -> None:
        url_path = unquote(urlsplit(h.path).path)
        if url_path + "/" == self.prefix:  # "/last-layer": redirected to "/last-layer/"
            fs = self.directory
        elif url_path.startswith(self.prefix):
            fs = Path(h.translate_path("/" + h.path[len(self.prefix):]))
        else:  # not under the prefix: a 404, as on a host where the site lives there
            fs = self.directory / "404.html" / "outside-the-prefix"
        if fs.is_dir():
            if not url_path.endswith("/"):
                h.send_response(301)
                h.send_header("Location", url_path + "/")
                h.send_header("Content-Length", "0")
                h.end_headers()
                self._record(url_path, 301, 0, 0)
                return
            fs = fs / "index.html"
        if fs.is_file():
            status, body, ctype = 200, fs.read_bytes(), h.guess_type(str(fs))
            if url_path == self.prefix + "sitemap.xml" and self.site_url:
                body = body.replace(self.site_url.encode(), self.base.encode())
        else:
            status, ctype = 404, "text/html"
            missing = self.directory / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"Not found"
        raw = len(body)
        encoded = False
        if "gzip" in h.headers.get("Accept-Encoding", "") and _COMPRESSIBLE.match(ctype):
            key = (str(fs) + url_path, fs.stat().st_mtime if fs.is_file() else 0.0)
            if key not in self._gzip_cache:
                self._gzip_cache[key] = gzip.compress(body, compresslevel=6)
            body, encoded = self._gzip_cache[key], True
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            h.send_header("Cache-Control", "max-age=600")  # as GitHub Pages sends
            if encoded:
                h.send_header("Content-Encoding", "gzip")
            h.end_headers()
            h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self._record(url_path, status, len(body), raw)

    def _record(self, path: str, status: int, wire: int, raw: int) -> None:
        with self._lock:
            self.log.append(Served(path, status, wire, raw))


mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("application/javascript", ".js")

# --------------------------------------------------------------------------------------
# Watching a page: requests, failures, console
# --------------------------------------------------------------------------------------


class PageWatch:
    """Records, for one Playwright page, everything that must not happen.

    Every request that is not for the local server is aborted and recorded (a reader
    offline, or behind a strict firewall, would not get it either; and the site promises
    no third-party requests). Also recorded: failed requests, HTTP errors (>= 400),
    console messages of type error, and uncaught exceptions.
    """

    def __init__(self, page, origin: str):
        self.origin = origin
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.http_errors: list[str] = []
        self.console_errors: list[str] = []
        self.activity = 0  # request events seen, for wait_quiet
        self.in_flight = 0  # requests started and not yet finished or failed
        page.on("request", self._on_request)
        page.on("requestfinished", self._on_done)
        page.route(re.compile(r"^(?!" + re.escape(origin) + r"/)"), self._block)
        page.on("requestfailed", self._on_failed)
        page.on("response", self._on_response)
        page.on("console", self._on_console)
        page.on("pageerror", lambda err: self.console_errors.append(f"uncaught: {err}"))

    def _on_request(self, _request) -> None:
        self.activity += 1
        self.in_flight += 1

    def _on_done(self, _request) -> None:
        self.activity += 1
        self.in_flight = max(0, self.in_flight - 1)

    def _block(self, route) -> None:
        self.outside.append(route.request.url)
        route.abort("blockedbyclient")

    def _on_failed(self, request) -> None:
        self._on_done(request)
        if request.url in self.outside:
            return  # reported as outside
        if request.failure == "net::ERR_ABORTED":
            return  # cancelled by the page itself (navigation, closing the tab)
        self.failed.append(f"{request.url} ({request.failure})")

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self.http_errors.append(f"HTTP {response.status} {response.url}")

    def _on_console(self, message) -> None:
        if message.type == "error":
            loc = message.location or {}
            where = f" at {loc.get('url')}:{loc.get('lineNumber')}" if loc.get("url") else ""
            text = message.text
            if "net::ERR_BLOCKED_BY_CLIENT" in text:  # our own abort of an outside request
                return
            self.console_errors.append(f"console error: {text}{where}")

    def reset(self) -> None:
        for records in (self.outside, self.failed, self.http_errors, self.console_errors):
            records.clear()

    def problems(self) -> list[str]:
        out = [f"request outside the local server (blocked): {u}" for u in self.outside]
        out += [f"failed request: {f}" for f in self.failed]
        out += self.http_errors
        out += self.console_errors
        return out


def make_context(browser, origin: str, color_scheme: str = "light"):
    """A browser context as a reader's: desktop viewport, the system in ``color_scheme``
    mode, clipboard allowed for ``origin``."""
    context = browser.new_context(viewport=VIEWPORT, color_scheme=color_scheme,
                                  reduced_motion="reduce")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    # Every page load starts from the system preference: forget a palette chosen with
    # the toggle in an earlier test (and whatever else Material stored).
    context.add_init_script("try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}")
    return context


def disable_cache(page):
    """From now on every load in ``page`` fetches everything again (the HTTP and memory
    caches off, as DevTools' "Disable cache"): each load is a first visit, in bytes,
    without the cost of a new context (a new renderer) per page. (A PageWatch's routing
    turns Playwright's use of the cache off as well; this does not depend on it.)
    Returns the CDP session, which must stay referenced."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    return cdp


def open_page(context, server: SiteServer, url: str, wait_until: str = "load"):
    """A new page in ``context`` with a PageWatch, navigated to ``url``."""
    page = context.new_page()
    watch = PageWatch(page, server.origin)
    page.goto(server.base + url, wait_until=wait_until)
    return page, watch


def settle(page) -> None:
    """Wait until the page's fonts have loaded (formulas drawn with their own glyphs)."""
    page.evaluate("document.fonts.ready.then(() => true)")


# --------------------------------------------------------------------------------------
# Math
# --------------------------------------------------------------------------------------

# Text of the article, code left out: every text node outside pre/code/script/style
# (the symbols of rendered formulas count: TeX left inside a formula is flagged too). Only text that is rendered counts, plus text a reader reveals
# with one click (inactive content tabs, collapsed <details>); not, for instance,
# mkdocs-jupyter's hidden copy of each cell's source for its copy button.
_ARTICLE_TEXT_JS = """
() => {
  const article = document.querySelector("article.md-content__inner")
    || document.querySelector(".md-content") || document.body || document.documentElement;
  const skip = "pre, code, script, style, template, noscript, textarea, annotation, .clipboard-copy-txt";
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode: n => (n.parentElement && n.parentElement.closest(skip))
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const shown = el => el.checkVisibility({visibilityProperty: true})
    || el.closest(".tabbed-block, details") !== null;
  const parts = [];
  while (walker.nextNode()) {
    if (shown(walker.currentNode.parentElement)) parts.push(walker.currentNode.data);
  }
  return {
    text: parts.join(""),
    formulas: article.querySelectorAll("math").length,
    unrendered: [...article.querySelectorAll(".arithmatex")]
      .filter(el => !el.querySelector("math"))
      .map(el => el.textContent.trim().slice(0, 80)),
    errors: [...article.querySelectorAll("merror, .temml-error")]
      .map(el => el.textContent.trim().slice(0, 80)),
  };
}
"""

RAW_TEX = re.compile(
    r"\$\$"  # display math delimiters
    r"|\\[()\[\]]"  # \( \) \[ \]
    r"|\\[A-Za-z]{2,}"  # a TeX command: \frac, \partial, \sum, \operatorname ...
    r"|[_^]\{"  # sub/superscript groups: x_{i}, e^{-z}
    r"|(?<![\w$\\])\$(?=[^\s$\d])[^$\n]{1,200}?(?<=[^\s$\\])\$(?!\d)"  # $...$
)


def math_problems(page, has_math: bool | None) -> list[str]:
    """Problems with the formulas of the page currently shown.

    - raw TeX left in the article's text (outside code);
    - formulas pymdownx.arithmatex marked that were not rendered to MathML, or
      rendering errors (<merror>);
    - no rendered formula (<math>) at all although the page's source has math.
    """
    info = page.evaluate(_ARTICLE_TEXT_JS)
    problems = []
    for match in RAW_TEX.finditer(info["text"]):
        start, end = max(0, match.start() - 30), min(len(info["text"]), match.end() + 30)
        context = " ".join(info["text"][start:end].split())
        problems.append(f"raw TeX in the text: {match.group(0)!r} in ...{context}...")
    problems += [f"formula not rendered to MathML: {t!r}" for t in info["unrendered"]]
    problems += [f"math error shown: {t!r}" for t in info["errors"]]
    if has_math and info["formulas"] == 0:
        problems.append("the page's source has math but no rendered formula (<math>) is on the page")
    return problems


# --------------------------------------------------------------------------------------
# Instant navigation
# --------------------------------------------------------------------------------------


def instant_navigation_problems(page, server: SiteServer, target: str, title: str,
                                has_math: bool | None, check_math: bool = True) -> list[str]:
    """Click through to ``target`` from the page shown; check it was an instant (XHR)
    navigation by Material, and (``check_math``) check the math of the new page.

    Clicks the link in the navigation sidebar when there is a visible one, else a link
    added to the article (Material intercepts any internal link it knows from the
    sitemap). A full page load would lose the marker set on ``window`` before the click.
    """
    problems = []
    path = urlsplit(server.base + target).path
    # Material intercepts a link only once it has read the sitemap, fetched after the
    # load: a click before that is a full page load (a race of the test, not a fault).
    sitemap_read = """() => performance.getEntriesByType("resource")
        .some(e => new URL(e.name).pathname.endsWith("/sitemap.xml") && e.responseEnd > 0)"""
    if not page.evaluate(sitemap_read):
        try:
            page.wait_for_function(sitemap_read, timeout=3_000)
            page.wait_for_timeout(100)  # Material parses it after the response
        except Exception:  # noqa: BLE001 - no sitemap fetched: the check below says so
            pass
    page.evaluate("""() => { window.__instantProbe = 'still here';
        window.__oldContainer = document.querySelector('[data-md-component=container]'); }""")
    links = page.locator("nav.md-nav--primary a.md-nav__link[href]")
    index = page.evaluate(
        """path => [...document.querySelectorAll("nav.md-nav--primary a.md-nav__link[href]")]
             .findIndex(a => new URL(a.href).pathname === path && a.checkVisibility())""",
        path,
    )
    link = links.nth(index) if index >= 0 else None
    if link is None:
        page.evaluate(
            """href => { const a = document.createElement("a"); a.id = "__probe_link";
               a.href = href; a.textContent = "probe";
               document.querySelector("article").prepend(a); }""",
            server.base + target,
        )
        link = page.locator("#__probe_link")
    link.click()
    try:
        page.wait_for_function(
            """([path, title]) => location.pathname === path && document.title === title
                 && document.readyState === "complete"
                 && document.querySelector('[data-md-component=container]') !== window.__oldContainer""",
            arg=[path, title],
            timeout=10_000,
        )
    except Exception:  # noqa: BLE001 - Playwright TimeoutError; report, do not raise
        now = page.evaluate("[location.pathname, document.title]")
        return [f"clicking the link to {path} did not show the page (now at {now})"]
    probe = page.evaluate("window.__instantProbe || null")
    if probe != "still here":
        problems.append(
            "navigation was a full page load, not Material's instant navigation "
            "(is site_url set, so that sitemap.xml lists the pages?)"
        )
    if not check_math:
        return problems
    settle(page)
    return problems + math_problems(page, has_math)


# --------------------------------------------------------------------------------------
# Copy buttons
# --------------------------------------------------------------------------------------

# Material's copy button copies the target's innerText, without trailing whitespace;
# mkdocs-jupyter's <clipboard-copy for=id> copies the textContent of the element `id`.
_COPY_CONTROLS_JS = """
() => {
  const article = document.querySelector("article") || document.body;
  const controls = [];
  const selector = 'button.md-code__button[data-md-type="copy"], button.md-clipboard, clipboard-copy[for]';
  article.querySelectorAll(selector).forEach((el, i) => {
    el.setAttribute("data-probe-copy", String(i));
    let target, expected = null;
    if (el.tagName === "CLIPBOARD-COPY") {
      target = document.getElementById(el.getAttribute("for"));
      if (target) expected = target.textContent;
    } else {
      const sel = el.getAttribute("data-clipboard-target");
      target = sel ? document.querySelector(sel) : null;
      if (target) {
        target.setAttribute("data-md-copying", "");
        expected = target.innerText.replace(/\\s+$/, "");
        target.removeAttribute("data-md-copying");
      }
    }
    controls.push({index: i, expected, visible: el.checkVisibility()});
  });
  // Every code block must offer a copy control (notebook output cells excepted).
  const uncovered = [...article.querySelectorAll("pre")]
    .filter(pre => pre.querySelector("code") || pre.closest(".jp-InputArea"))
    .filter(pre => !pre.closest(".jp-OutputArea"))
    .filter(pre => !pre.querySelector(selector)
      && !(pre.closest(".jp-InputArea") && pre.closest(".jp-InputArea").querySelector("clipboard-copy")))
    .map(pre => pre.textContent.trim().slice(0, 60));
  return {controls, uncovered};
}
"""


COPY_CLICKS_PER_PAGE = 10  # every button's target is checked; this many are clicked


def copy_button_problems(page, max_clicks: int = COPY_CLICKS_PER_PAGE) -> tuple[list[str], int]:
    """Every code block of the article must have a copy button pointing at its code;
    click the buttons (all of them, or ``max_clicks`` spread evenly from the first to
    the last on a page with more) as a reader does, and check that the clipboard then
    holds the block's code. Returns (problems, number of buttons clicked).

    Needs the context to have the clipboard-read and clipboard-write permissions.
    """
    info = page.evaluate(_COPY_CONTROLS_JS)
    problems = [f"code block without a copy button: {t!r}" for t in info["uncovered"]]
    clickable = []
    for control in info["controls"]:
        if control["expected"] is None:
            problems.append(f"copy button #{control['index']} points at no element")
        elif control["visible"]:  # not inside a collapsed tab or <details>
            clickable.append(control)
    if len(clickable) > max_clicks:
        step = (len(clickable) - 1) / (max_clicks - 1)
        clickable = [clickable[round(i * step)] for i in range(max_clicks)]
    # Per button: empty the clipboard and bring the button into view; a trusted mouse
    # click (copying needs a user gesture); read the clipboard. The read of one button
    # and the preparation of the next share one round trip.
    indices = [c["index"] for c in clickable]
    if not indices:
        return problems, 0
    x, y = page.evaluate(_COPY_STEP_JS, [None, indices[0]])["next"]
    for n, control in enumerate(clickable):
        page.mouse.click(x, y)
        following = indices[n + 1] if n + 1 < len(indices) else None
        step = page.evaluate(_COPY_STEP_JS, [True, following])
        copied, want = step["copied"].replace("\r\n", "\n"), control["expected"].replace("\r\n", "\n")
        if copied.rstrip() != want.rstrip():
            problems.append(
                f"copy button #{control['index']} copied {copied[:60]!r}..., "
                f"expected {want[:60]!r}..."
            )
        if following is not None:
            x, y = step["next"]
    return problems, len(clickable)


_COPY_STEP_JS = """
async ([read, next]) => {
  let copied = null;
  if (read) {
    for (let i = 0; i < 60 && !copied; i++) {  // up to ~1.5 s
      copied = await navigator.clipboard.readText();
      if (!copied) await new Promise(resolve => setTimeout(resolve, 25));
    }
  }
  let point = null;
  if (next !== null) {
    await navigator.clipboard.writeText("");
    const button = document.querySelector(`[data-probe-copy="${next}"]`);
    button.scrollIntoView({block: "center"});
    const r = button.getBoundingClientRect();
    point = [r.x + r.width / 2, r.y + r.height / 2];
  }
  return {copied: copied || "", next: point};
}
"""


# --------------------------------------------------------------------------------------
# Colour scheme and contrast
# --------------------------------------------------------------------------------------

# For each element with its own text inside rendered math or code: its text colour and
# the colour behind it (ancestors' backgrounds composited, alpha included), and the
# WCAG contrast ratio. Returns one entry per distinct (kind, colour, background).
_CONTRAST_JS = """
(roots) => {
  const canvas = document.createElement("canvas"); canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const parsed = new Map();
  const parse = c => {
    if (parsed.has(c)) return parsed.get(c);
    const m = c.match(/^rgba?\\(\\s*([\\d.]+)[,\\s]+([\\d.]+)[,\\s]+([\\d.]+)(?:\\s*[,/]\\s*([\\d.]+)(%?))?\\s*\\)$/);
    let v;
    if (m) {
      const a = m[4] === undefined ? 1 : (m[5] ? parseFloat(m[4]) / 100 : parseFloat(m[4]));
      v = [+m[1], +m[2], +m[3], a];
    } else {
      ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = "#000"; ctx.fillStyle = c; ctx.fillRect(0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data; v = [d[0], d[1], d[2], d[3] / 255];
    }
    parsed.set(c, v); return v;
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    return [0, 1, 2].map(i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat([a]);
  };
  const bgCache = new Map();
  const background = el => {
    if (!el) return [255, 255, 255, 1];  // the canvas
    if (bgCache.has(el)) return bgCache.get(el);
    const own = parse(getComputedStyle(el).backgroundColor);
    const v = own[3] >= 1 ? own : over(own, background(el.parentElement));
    bgCache.set(el, v); return v;
  };
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const hex = c => "#" + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, "0")).join("");
  const describe = el => el.tagName.toLowerCase() + (el.className && typeof el.className === "string"
    ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const seen = new Map();
  let elements = 0;
  for (const [kind, selector, skip] of roots) {
    for (const root of document.querySelectorAll(selector)) {
      for (const el of [root, ...root.querySelectorAll("*")]) {
        if (skip && el.closest(skip)) continue;
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim());
        if (!own || !el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
        elements++;
        const style = getComputedStyle(el);
        const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
        const large = size >= 24 || (bold && size >= 18.66);
        const bg = background(el);
        let fg = parse(style.color);
        if (fg[3] < 1) fg = over(fg, bg);
        const key = kind + hex(fg) + hex(bg) + large;
        if (!seen.has(key)) {
          seen.set(key, {kind, large, fg: hex(fg), bg: hex(bg), ratio: ratio(fg, bg), count: 0,
                         sample: describe(el), text: el.textContent.trim().slice(0, 30)});
        }
        seen.get(key).count++;
      }
    }
  }
  return {elements, pairs: [...seen.values()]};
}
"""

# [kind, root selector, descendants to leave to another kind]
CONTRAST_ROOTS = [
    ["math", "article math", None],
    ["code", "article pre", None],
    ["code", "article :not(pre) > code", None],
    ["text", "article", "math, pre, code"],
]
MIN_CONTRAST_LARGE_TEXT = 3.0  # WCAG 2 AA for prose >= 24px, or >= 18.66px bold


def contrast_report(page) -> dict:
    return page.evaluate(_CONTRAST_JS, CONTRAST_ROOTS)


def contrast_problems(page, minimum: float = MIN_CONTRAST) -> list[str]:
    """Text of the article whose contrast against its background is below ``minimum``
    (math and code: always; other text: 3.0 when large, as WCAG AA allows)."""
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    report = contrast_report(page)
    problems = []
    for p in report["pairs"]:
        need = MIN_CONTRAST_LARGE_TEXT if p["kind"] == "text" and p["large"] else minimum
        if p["ratio"] < need:
            problems.append(
                f"[{scheme}] {p['kind']} text {p['fg']} on {p['bg']}: contrast {p['ratio']:.2f} < "
                f"{need} ({p['count']} element(s), e.g. {p['sample']} {p['text']!r})"
            )
    return problems


def scheme(page) -> str | None:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def toggle_scheme_problems(page, check_contrast: bool = True, timeout_ms: int = 10_000) -> list[str]:
    """Click the palette toggle; the scheme must flip (default <-> slate), and math and
    code must stay readable in the new scheme. Leaves the page in the other scheme."""
    before = scheme(page)
    if before not in OTHER_SCHEME:
        return [f"unexpected colour scheme before the toggle: {before!r}"]
    toggle = page.locator('form[data-md-component="palette"] label:not([hidden])')
    if toggle.count() != 1:
        return [f"expected one visible palette toggle, found {toggle.count()}"]
    try:
        toggle.click(timeout=timeout_ms)
        page.wait_for_function(
            "s => document.body.getAttribute('data-md-color-scheme') === s",
            arg=OTHER_SCHEME[before],
            timeout=timeout_ms,
        )
    except Exception:  # noqa: BLE001 - timeout
        return [f"the palette toggle did not switch {before!r} to {OTHER_SCHEME[before]!r} "
                f"(still {scheme(page)!r})"]
    return contrast_problems(page) if check_contrast else []


# --------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------


def search_problems(page, server: SiteServer, query: str, expected: str,
                    timeout_ms: int = 10_000) -> list[str]:
    """Type ``query`` into Material's search box on the page shown; a result must link
    to the page ``expected`` (a URL relative to the site root)."""
    path = urlsplit(server.base + expected).path
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=10)
    try:
        page.wait_for_function(
            """path => [...document.querySelectorAll(".md-search-result a")]
                 .some(a => new URL(a.href).pathname === path)""",
            arg=path,
            timeout=timeout_ms,
        )
    except Exception:  # noqa: BLE001 - timeout
        found = page.evaluate(
            """() => [...document.querySelectorAll(".md-search-result a")]
                 .map(a => new URL(a.href).pathname).slice(0, 10)"""
        )
        meta = page.evaluate(
            "document.querySelector('.md-search-result__meta')?.textContent.trim() ?? null"
        )
        return [f"searching {query!r} did not find {path} (status {meta!r}; results {found})"]
    return []


# --------------------------------------------------------------------------------------
# Accessibility (axe-core)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AxeAllowed:
    """A known axe violation that is accepted, with the reason why."""

    rule: str  # axe rule id
    target: str  # regular expression matched against the node's CSS target
    reason: str

    def covers(self, rule: str, target: str) -> bool:
        return rule == self.rule and re.search(self.target, target) is not None


AXE_COLOUR_RULES = ["color-contrast"]


# The theme's own parts of a page (header, navigation, table of contents, footer): what
# axe's colour-contrast rule checks on every page; contrast_problems checks the article.
THEME_CHROME = [["header"], [".md-sidebar"], ["footer"], [".md-tabs"]]


def axe_violations(page, rules: list[str] | None = None, disable: list[str] | None = None,
                   include: list[list[str]] | None = None) -> list[dict]:
    """Run axe-core on the page shown (all rules, only ``rules``, or all but
    ``disable``; on the whole page or only the ``include`` selectors), formulas (MathML)
    included; its violations, every impact level."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async ([rules, disable, include]) => {
          const options = {resultTypes: ["violations"]};
          if (rules) options.runOnly = {type: "rule", values: rules};
          if (disable) options.rules = Object.fromEntries(disable.map(r => [r, {enabled: false}]));
          const context = include
            ? {include: include.filter(([s]) => document.querySelector(s))} : document;
          const result = await axe.run(context, options);
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
          }));
        }""",
        [rules, disable, include],
    )


def axe_problems(violations: list[dict], allowed: list[AxeAllowed],
                 impacts=("serious", "critical")) -> tuple[list[str], dict[str, int]]:
    """Serious and critical violations not covered by ``allowed``; also returns how many
    nodes each allow-list entry (by rule) covered: an entry that never covers anything
    is a candidate for removal."""
    problems, used = [], {}
    for v in violations:
        if v["impact"] not in impacts:
            continue
        for node in v["nodes"]:
            entry = next((a for a in allowed if a.covers(v["id"], node["target"])), None)
            if entry:
                used[entry.rule] = used.get(entry.rule, 0) + 1
                continue
            summary = " ".join(node["summary"].split())
            problems.append(f"axe {v['impact']} {v['id']} ({v['help']}) at {node['target']}: {summary}")
    return problems, used


# --------------------------------------------------------------------------------------
# Measurements: bytes and time until the math is shown
# --------------------------------------------------------------------------------------

# Injected before any page script: the time (performance.now(), 0 = navigation start) at
# which the first rendered formula (<math>) enters the DOM.
MATH_SEEN_INIT = """
(() => {
  window.__mathSeen = null;
  const seen = () => {
    if (window.__mathSeen === null && document.querySelector("math")) {
      window.__mathSeen = performance.now();
      return true;
    }
    return false;
  };
  new MutationObserver((_, observer) => { if (seen()) observer.disconnect(); })
    .observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ["class"]});
})();
"""

_TIMING_JS = """
() => {
  const fonts = performance.getEntriesByType("resource")
    .filter(e => { const path = new URL(e.name).pathname;
                   return path.includes("/assets/math/") && path.endsWith(".woff2"); });
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    math_in_dom: window.__mathSeen,
    first_contentful_paint: paint ? paint.startTime : null,
    math_font_loaded: fonts.length ? Math.max(...fonts.map(f => f.responseEnd)) : null,
    math_fonts: fonts.length,
    dom_content_loaded: nav ? nav.domContentLoadedEventEnd : null,
    load: nav ? nav.loadEventEnd : null,
  };
}
"""


@dataclass
class PageMetrics:
    url: str
    wire_bytes: int = 0
    raw_bytes: int = 0
    requests: int = 0
    dom_elements: int = 0  # document.getElementsByTagName("*").length once loaded
    heaviest: list = field(default_factory=list)  # [(path, wire, raw)] top 3
    ms_to_math: float | None = None
    timing: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "url": "/" + self.url,
            "bytes_transferred": self.wire_bytes,
            "bytes_uncompressed": self.raw_bytes,
            "requests": self.requests,
            "dom_elements": self.dom_elements,
            "heaviest_resources": [
                {"path": p, "bytes_transferred": w, "bytes_uncompressed": r}
                for p, w, r in self.heaviest
            ],
            "ms_to_math": None if self.ms_to_math is None else round(self.ms_to_math, 1),
            "timing_ms": {k: _rounded(v) for k, v in self.timing.items()},
        }


def _rounded(value):
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def measure(page, server: SiteServer, url: str, expect_math: bool | None = False,
            watch: PageWatch | None = None) -> PageMetrics:
    """Load ``url`` in ``page`` (a page of a fresh context: nothing cached, a first
    visit) and measure it. The page must have MATH_SEEN_INIT as an init script.

    DOM: elements in the document once it has loaded and settled (Material's
    scripts have added theirs).
    Bytes: every response body the server sent for this load, until the network is
    idle (so the search index and fonts count), compressed as sent.
    Time to math: the moment the formulas are on screen with the site's math font: the
    latest of (first formula in the DOM, first contentful paint, math font received); None when the page shows no formula (within 10 s if ``expect_math``).
    """
    mark = server.mark()
    page.goto(server.base + url, wait_until="load")
    if expect_math:
        try:
            page.wait_for_function("window.__mathSeen !== null", timeout=10_000)
        except Exception:  # noqa: BLE001 - timeout: no formula; math_problems says so
            pass
    settle(page)
    wait_quiet(page, server, watch)
    timing = page.evaluate(_TIMING_JS)
    served = server.since(mark)
    metrics = PageMetrics(url)
    metrics.dom_elements = dom_elements(page)
    metrics.wire_bytes = sum(s.wire_bytes for s in served)
    metrics.raw_bytes = sum(s.raw_bytes for s in served)
    metrics.requests = len(served)
    metrics.heaviest = [
        (s.path, s.wire_bytes, s.raw_bytes)
        for s in sorted(served, key=lambda s: s.wire_bytes, reverse=True)[:3]
    ]
    metrics.timing = timing
    if timing["math_in_dom"] is not None:
        metrics.ms_to_math = max(
            v for v in (timing["math_in_dom"], timing["first_contentful_paint"],
                        timing["math_font_loaded"]) if v is not None
        )
    return metrics


def dom_elements(page) -> int:
    """Elements in the document shown, as the browser counts them."""
    return page.evaluate("document.getElementsByTagName('*').length")


def budget_problems(metrics: PageMetrics, max_bytes: int = BUDGET_BYTES,
                    max_elements: int = BUDGET_DOM_ELEMENTS) -> list[str]:
    """Bytes and DOM elements over budget. (Time to math is measured and reported,
    never asserted: a timed check on a shared two-core machine fails by noise;
    ``make audit`` times pages, with Lighthouse.)"""
    problems = []
    if metrics.wire_bytes > max_bytes:
        heavy = ", ".join(f"{p} {w / 1024:.0f} KiB" for p, w, _ in metrics.heaviest)
        problems.append(
            f"{metrics.wire_bytes / 1024:.0f} KiB transferred > budget {max_bytes / 1024:.0f} KiB "
            f"(heaviest: {heavy})"
        )
    if metrics.dom_elements > max_elements:
        problems.append(f"{metrics.dom_elements} DOM elements > budget {max_elements}")
    return problems


def metrics_table(rows: list[dict]) -> str:
    lines = [f"{'page':<40} {'KiB sent':>8} {'KiB raw':>8} {'reqs':>5} {'DOM':>6} {'ms to math':>11}"]
    for r in rows:
        ms = "-" if r["ms_to_math"] is None else f"{r['ms_to_math']:.0f}"
        lines.append(f"{r['url']:<40} {r['bytes_transferred'] / 1024:>8.1f} "
                     f"{r['bytes_uncompressed'] / 1024:>8.1f} {r['requests']:>5} "
                     f"{r.get('dom_elements', 0):>6} {ms:>11}")
    if rows:
        heaviest = max(rows, key=lambda r: r["bytes_transferred"])
        lines.append(f"heaviest page: {heaviest['url']} ({heaviest['bytes_transferred'] / 1024:.1f} KiB "
                     f"sent, {heaviest['bytes_uncompressed'] / 1024:.1f} KiB uncompressed)")
    return "\n".join(lines)


def wait_quiet(page, server: SiteServer, watch: PageWatch | None = None,
               quiet_ms: int = 150, limit_ms: int = 5000) -> None:
    """Wait until no request of the page is in flight (``watch``, which also sees
    blocked outside requests, from workers too) and neither the server nor the page has
    seen a new one for ``quiet_ms``: the late requests, such as the search index and its
    worker, are done. (They all start before the load event; without ``watch`` the
    wait is for the server alone, and twice as long.)"""

    def activity() -> int:
        return server.mark() + (watch.activity if watch else 0)

    quiet_s = quiet_ms / 1000 * (1 if watch else 2)
    start = last_change = time.perf_counter()
    count = activity()
    while time.perf_counter() - start < limit_ms / 1000:
        page.wait_for_timeout(25)
        now = activity()
        if now != count or (watch and watch.in_flight):
            count, last_change = now, time.perf_counter()
        elif time.perf_counter() - last_change >= quiet_s:
            return


# --------------------------------------------------------------------------------------
# Phone layout
# --------------------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}  # a common phone's CSS viewport

_PHONE_JS = """
async ([answerOnFirstScreen, tablesFit]) => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  await document.fonts.ready;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const root = document.documentElement, width = root.clientWidth, problems = [];
  if (root.scrollWidth > width + 1)
    problems.push(`the page itself scrolls sideways: ${root.scrollWidth} px of content at ${width} px`);
  const describe = el => (el.className && typeof el.className === "string"
    ? el.tagName.toLowerCase() + "." + el.className.trim().split(/\\s+/)[0] : el.tagName.toLowerCase())
    + ": " + el.textContent.trim().replace(/\\s+/g, " ").slice(0, 50);
  const boxes = ".md-typeset__scrollwrap, .md-typeset div.arithmatex, .md-typeset .derivation";
  let scrolling = 0;
  for (const box of document.querySelectorAll("article " + boxes + ", article pre > code")) {
    if (box.scrollWidth <= box.clientWidth + 1 || !box.checkVisibility()) continue;
    scrolling++;
    if (box.tabIndex < 0) problems.push(`scrolls sideways but is not keyboard reachable: ${describe(box)}`);
    if (box.matches(boxes) && !box.hasAttribute("data-scrolls"))
      problems.push(`scrolls sideways without a visible cue (data-scrolls): ${describe(box)}`);
  }
  if (answerOnFirstScreen) {
    const answer = document.querySelector("article .admonition.success, article details.success");
    if (!answer) problems.push("no answer box (!!! success) on a page of the learning path");
    else {
      const top = answer.getBoundingClientRect().top + window.scrollY;
      if (top > window.innerHeight - 80)
        problems.push(`the answer box starts at ${Math.round(top)} px, below the first screen (${window.innerHeight} px)`);
    }
  }
  if (tablesFit) {
    for (const wrap of document.querySelectorAll("article .md-typeset__scrollwrap")) {
      if (wrap.scrollWidth > wrap.clientWidth + 1)
        problems.push(`a table does not fit the phone's width: ${describe(wrap)}`);
    }
  }
  return {problems, scrolling};
}
"""


def phone_problems(page, answer_on_first_screen: bool = False,
                   tables_fit: bool = False) -> list[str]:
    """Layout problems of the page shown, once its viewport is a phone's (PHONE): the
    page must not scroll sideways as a whole; a box that does (a formula, a table, code)
    must be reachable from the keyboard and, for formulas and tables, show a cue; on
    the learning path the answer box starts on the first screen; ``tables_fit``: no
    table scrolls."""
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    return page.evaluate(_PHONE_JS, [answer_on_first_screen, tables_fit])["problems"]


def path_pages(root: Path = ROOT) -> list[str]:
    """URLs of the pages of the learning path: the nav section "Start here", in order."""
    config = mkdocs_config(root)
    section = next((entry["Start here"] for entry in config["nav"]
                    if isinstance(entry, dict) and "Start here" in entry), [])
    return [url_of(next(iter(item.values()))) for item in section]


def screenshot(target, name: str) -> None:
    """Save a screenshot of ``target`` (a page, or a locator: that element) as
    artifacts/screenshots/``name``, when SCREENSHOT_MODE asks for screenshots."""
    if not SCREENSHOT_MODE:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if hasattr(target, "mouse"):  # a page
        target.screenshot(path=SCREENSHOTS / name, full_page=SCREENSHOT_MODE == "full")
    else:
        target.screenshot(path=SCREENSHOTS / name)
