"""MkDocs hook: derivations whose justifications move under their equations on a phone.

The pages write a derivation as one display formula, one equality a line, each line
justified in a last column:

    \\begin{aligned}
    \\frac{\\partial L}{\\partial a} &= ... && \\text{definition of } L\\\\
    &= ...                            && \\text{chain rule}
    \\end{aligned}

As one formula it cannot reflow: on a 390 px screen the justification column is
off-screen. This hook (before ``mathml.py`` renders the math) rewrites each such
formula into a grid of small formulas, a row per line: the left side, the right side
and the justification, each an ordinary inline formula in display style. Columns keep
the ``=`` signs aligned as ``aligned`` does; below Material's tablet width
(``docs/assets/extra.css``) the justification takes its own line under its equation.

A formula is rewritten only when it is exactly one ``aligned`` environment whose lines
have the ``lhs & rhs && justification`` shape (a line may leave out its justification);
anything else is left as it is.
"""

from __future__ import annotations

import html
import re

# arithmatex (generic mode) writes display math as <div class="arithmatex">\[...\]</div>
# (hooks/page_markup.py adds data-search-exclude, which the grid keeps)
_DISPLAY = re.compile(
    r'<div class="arithmatex"(?P<attrs>[^>]*)>\\\[(?P<tex>.*?)\\\]</div>', re.DOTALL)
_ALIGNED = re.compile(r"^\s*\\begin\{aligned\}(?P<body>.*)\\end\{aligned\}\s*$", re.DOTALL)
_ROW_SPACING = re.compile(r"^\s*\[[^\]]*\]")  # \\[4pt]


def split_top_level(tex: str, separator: str) -> list[str]:
    """``tex`` split at each ``separator`` (``\\\\`` or ``&``) that is outside braces and
    outside nested environments (\\begin{cases}...\\end{cases} keeps its own rows)."""
    parts, depth, env, start, i = [], 0, 0, 0, 0
    while i < len(tex):
        if tex.startswith("\\begin{", i):
            env += 1
        elif tex.startswith("\\end{", i):
            env -= 1
        char = tex[i]
        if char == "\\" and not tex.startswith(separator, i):
            i += 2  # an escaped character or the start of a command: \{ \& \\ ...
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and env == 0 and tex.startswith(separator, i):
            parts.append(tex[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    parts.append(tex[start:])
    return parts


def derivation_rows(tex: str) -> list[tuple[str, str, str]] | None:
    """[(left side, right side, justification), ...] of a derivation, or None if ``tex``
    is not one ``aligned`` environment of that shape with at least one justification."""
    match = _ALIGNED.match(tex)
    if not match:
        return None
    rows = []
    for line in split_top_level(match["body"], "\\\\"):
        line = _ROW_SPACING.sub("", line)
        if not line.strip():
            continue
        cells = [c.strip() for c in split_top_level(line, "&")]
        if len(cells) == 2:
            cells += ["", ""]
        if len(cells) != 4 or cells[2]:
            return None
        rows.append((cells[0], cells[1], cells[3]))
    if not rows or not any(why for _, _, why in rows):
        return None
    return rows


def _inline(tex: str, display: bool = True) -> str:
    style = "\\displaystyle " if display else ""
    return f'<span class="arithmatex">\\({html.escape(style + tex, quote=False)}\\)</span>'


def derivation_html(rows: list[tuple[str, str, str]], attrs: str = "") -> str:
    out = [f'<div class="derivation"{attrs}>']
    for left, right, why in rows:
        out.append(
            '<div class="derivation__row">'
            f'<span class="derivation__lhs">{_inline(left) if left else ""}</span>'
            # {} first: a leading "=" is spaced as a relation, as in `aligned`
            f'<span class="derivation__rhs">{_inline("{}" + right)}</span>'
            f'<span class="derivation__why">{_inline(why, display=False) if why else ""}</span>'
            "</div>"
        )
    out.append("</div>")
    return "".join(out)


def rewrite(content: str) -> str:
    def replace(match: re.Match) -> str:
        rows = derivation_rows(html.unescape(match["tex"]))
        return match[0] if rows is None else derivation_html(rows, match["attrs"])

    return _DISPLAY.sub(replace, content)


def on_page_content(html_text: str, page, config, files) -> str:
    return rewrite(html_text)
