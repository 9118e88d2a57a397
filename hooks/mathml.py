"""MkDocs hook: render every formula to MathML with Temml when the site is built.

`pymdownx.arithmatex` (generic mode) leaves formulas in the HTML as
``<span class="arithmatex">\\(...\\)</span>`` and ``<div class="arithmatex">\\[...\\]</div>``.
This hook replaces each one by MathML (MathML Core, which Chromium, Firefox and Safari
lay out natively), rendered by Temml in one long-lived Node process
(``mathml_render.cjs``; Temml from the npm registry via ``package-lock.json``). A display
formula keeps its ``<div class="arithmatex">`` box (it scrolls sideways on a phone);
an inline one becomes a bare ``<math>``.

The page then needs no JavaScript for math, and each formula costs one element per
symbol instead of KaTeX's HTML copy plus its MathML copy (about three times as many).
Screen readers read the MathML itself. A TeX error is a build warning (fatal under
``mkdocs build --strict``).

``on_post_build`` writes ``assets/math/``: ``math.css`` (Temml's stylesheet for STIX Two
Math, its ``@font-face`` pointing at the file below) and ``STIXTwoMath.woff2``, the
OpenType MATH font from ``@fontsource/stix-two-math`` cut down with fontTools to the
characters the site's formulas use (with their italic forms, stretchy variants and
glyph assemblies: the MATH table is kept), plus the font's licence (OFL).
"""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.math")

ROOT = Path(__file__).resolve().parent.parent
TEMML_DIST = ROOT / "node_modules" / "temml" / "dist"
FONT_PACKAGE = ROOT / "node_modules" / "@fontsource" / "stix-two-math"
FONT_SOURCE = FONT_PACKAGE / "files" / "stix-two-math-latin-400-normal.woff"
RENDERER = Path(__file__).with_name("mathml_render.cjs")
TARGET = "assets/math"
FONT_FILE = "STIXTwoMath.woff2"

_MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex"(?P<attrs>[^>]*)>(?P<body>.*?)</(?P=tag)>',
    re.DOTALL,
)
_TAG = re.compile(r"<[^>]*>")

_renderer: subprocess.Popen | None = None
_cache: dict[tuple[str, bool], str | Exception] = {}
_chars: set[str] = set()  # every character in a rendered formula of this build


class TexError(Exception):
    """Temml refused a formula."""


def _process() -> subprocess.Popen:
    global _renderer
    if _renderer is None or _renderer.poll() is not None:
        if not (TEMML_DIST / "temml.cjs").exists():
            raise RuntimeError(
                "Temml is not installed: run `make serve` or `make build` "
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
    """Return the MathML for ``tex``; raise TexError if Temml rejects it."""
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
        _chars.update(html.unescape(_TAG.sub("", rendered)))
        return f'<div class="arithmatex"{match["attrs"]}>{rendered}</div>' if display else rendered

    return _MATH.sub(replace, text)


# MathML Core draws a one-letter <mi> in italic by mapping it to the Mathematical
# Italic block: the font must have those code points for every letter used.
def _italic(char: str) -> str | None:
    c = ord(char)
    special = {"h": 0x210E, "ı": 0x1D6A4, "ȷ": 0x1D6A5, "∂": 0x1D715, "∇": 0x1D6FB,
               "ϵ": 0x1D716, "ϑ": 0x1D717, "ϰ": 0x1D718, "ϕ": 0x1D719, "ϱ": 0x1D71A, "ϖ": 0x1D71B}
    if char in special:
        return chr(special[char])
    if "A" <= char <= "Z":
        return chr(0x1D434 + c - ord("A"))
    if "a" <= char <= "z":
        return chr(0x1D44E + c - ord("a"))
    if 0x391 <= c <= 0x3A9 and c != 0x3A2:
        return chr(0x1D6E2 + c - 0x391)
    if 0x3B1 <= c <= 0x3C9:
        return chr(0x1D6FC + c - 0x3B1)
    return None


def font_characters(chars: set[str]) -> set[str]:
    """The characters the math font must cover: those seen, their italic forms, ASCII."""
    wanted = set(chars) | {chr(c) for c in range(0x20, 0x7F)}
    wanted |= {i for i in map(_italic, list(wanted)) if i}
    return wanted


def subset_font(source: Path, dest: Path, chars: set[str]) -> None:
    """Write a WOFF2 of ``source`` with only ``chars`` (and what the MATH, GSUB and
    GPOS tables reach from them: size variants, assemblies, ligatures)."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes={ord(c) for c in chars})
        subsetter.subset(font)
        if "MATH" not in font:
            raise RuntimeError(f"{source.name}: the subset lost its MATH table")
        subset.save_font(font, str(dest), options)
    finally:
        font.close()  # the source file stays open until the font is closed


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


def stylesheet() -> str:
    """Temml's stylesheet for STIX Two Math, with our font file as the only source."""
    css = (TEMML_DIST / "Temml-STIX2.css").read_text(encoding="utf-8")
    face = (
        "@font-face {\n  font-family: STIX2;\n"
        f"  src: url('{FONT_FILE}') format('woff2');\n"
        "  font-display: swap;\n}"
    )
    css, n = _FONT_FACE.subn(face, css, count=1)
    if n != 1:
        raise RuntimeError("Temml-STIX2.css has no @font-face to replace")
    return (
        "/* Temml's Temml-STIX2.css (npm package temml), written by hooks/mathml.py with the\n"
        f"   font it ships: {FONT_FILE}, a subset of STIX Two Math (OFL, see OFL.txt). */\n"
        + css
    )


def on_pre_build(config) -> None:
    _chars.clear()


def on_post_page(output: str, page, config) -> str:
    return render_page_math(output, page.file.src_uri)


def on_post_build(config) -> None:
    target = Path(config["site_dir"]) / TARGET
    target.mkdir(parents=True, exist_ok=True)
    (target / "math.css").write_text(stylesheet(), encoding="utf-8")
    subset_font(FONT_SOURCE, target / FONT_FILE, font_characters(_chars))
    shutil.copy2(FONT_PACKAGE / "LICENSE", target / "OFL.txt")


def on_shutdown() -> None:
    if _renderer is not None and _renderer.poll() is not None:
        return
    if _renderer is not None:
        _renderer.stdin.close()
        _renderer.wait(timeout=5)
