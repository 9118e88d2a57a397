"""MkDocs hook: render every formula with KaTeX when the site is built.

`pymdownx.arithmatex` (generic mode) leaves formulas in the HTML as
``<span class="arithmatex">\\(...\\)</span>`` and ``<div class="arithmatex">\\[...\\]</div>``.
This hook replaces each one by KaTeX's HTML+MathML, rendered by one long-lived Node
process (``katex_render.cjs``, KaTeX from the npm registry via ``package-lock.json``),
and copies KaTeX's stylesheet and its WOFF2 fonts into ``site/assets/katex/``.

The page then needs no JavaScript for math: nothing to download, nothing to re-render
after Material's instant navigation, and a TeX error is a build warning (fatal under
``mkdocs build --strict``) instead of red text in a reader's browser.
"""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
import subprocess
from pathlib import Path


log = logging.getLogger("mkdocs.hooks.katex")

ROOT = Path(__file__).resolve().parent.parent
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
RENDERER = Path(__file__).with_name("katex_render.cjs")
CSS_TARGET = "assets/katex"

_MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.DOTALL
)

_renderer: subprocess.Popen | None = None
_cache: dict[tuple[str, bool], str | Exception] = {}


class TexError(Exception):
    """KaTeX refused a formula."""


def _process() -> subprocess.Popen:
    global _renderer
    if _renderer is None or _renderer.poll() is not None:
        if not (KATEX_DIST / "katex.min.css").exists():
            raise RuntimeError(
                "KaTeX is not installed: run `make serve` or `make build` "
                "(they run `npm ci`), or `npm ci` yourself."
            )
        _renderer = subprocess.Popen(
            ["node", str(RENDERER)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
    return _renderer


def render(tex: str, display: bool) -> str:
    """Return KaTeX HTML for ``tex``; raise TexError if KaTeX rejects it."""
    key = (tex, display)
    if key not in _cache:
        proc = _process()
        proc.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
        proc.stdin.flush()
        reply = json.loads(proc.stdout.readline())
        _cache[key] = TexError(reply["error"]) if "error" in reply else reply["html"]
    result = _cache[key]
    if isinstance(result, Exception):
        raise result
    return result


def _strip_delimiters(body: str) -> str:
    """``\\(x\\)`` or ``\\[x\\]`` -> ``x``: arithmatex (generic) writes only these."""
    return body[2:-2]


def render_page_math(text: str, where: str = "page") -> str:
    """Replace arithmatex placeholders in ``text`` by rendered math."""

    def replace(match: re.Match) -> str:
        display = match["tag"] == "div"
        tex = html.unescape(_strip_delimiters(match["body"].strip()))
        try:
            rendered = render(tex, display)
        except TexError as err:
            log.warning("%s: TeX error in %r: %s", where, tex, err)
            return match[0]
        return f'<div class="arithmatex">{rendered}</div>' if display else rendered

    return _MATH.sub(replace, text)


def on_post_page(output: str, page, config) -> str:
    return render_page_math(output, page.file.src_uri)


def on_post_build(config) -> None:
    target = Path(config["site_dir"]) / CSS_TARGET
    (target / "fonts").mkdir(parents=True, exist_ok=True)
    shutil.copy2(KATEX_DIST / "katex.min.css", target / "katex.min.css")
    for font in (KATEX_DIST / "fonts").glob("*.woff2"):
        shutil.copy2(font, target / "fonts" / font.name)


def on_shutdown() -> None:
    if _renderer is not None and _renderer.poll() is None:
        _renderer.stdin.close()
        _renderer.wait(timeout=5)
