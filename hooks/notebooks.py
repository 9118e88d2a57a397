"""MkDocs hook: make the mkdocs-jupyter notebook pages behave like Markdown pages.

Notebook pages are rendered by nbconvert, not by MkDocs' Markdown, so
``on_page_content`` gives them what a Markdown page gets from arithmatex and MkDocs:
their ``$...$`` and ``$$...$$`` become the same placeholders (and so KaTeX HTML), the
MathJax and Mermaid loaders nbconvert's template adds (a ``<script>`` and a CDN import)
are removed, and relative links to pages and files in ``docs/`` are resolved, a missing
page or anchor being a warning like a broken link on a Markdown page. The stylesheets
nbconvert inlines (JupyterLab's, ~590 KB, nearly all unused) are removed and the small
``notebook.css`` next to the notebook is linked instead; code cells that scroll sideways
are made reachable from the keyboard (``tabindex="0"``). Code cells, their outputs and
formulas are marked ``data-search-exclude``, as on Markdown pages (``page_markup.py``).
"""

from __future__ import annotations

import html
import logging
import os
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.hooks.notebooks")

# mkdocs-jupyter executes a notebook through nbconvert, which reads its settings from
# Jupyter's config path. Ours (jupyter/jupyter_nbconvert_config.json beside this file)
# gives the kernel CurveZMQ keys, so code and outputs go over an encrypted channel and
# ipykernel has no reason to warn "Kernel is running over TCP without encryption".
JUPYTER_CONFIG = Path(__file__).with_name("jupyter")
os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
    [str(JUPYTER_CONFIG)] + [p for p in [os.environ.get("JUPYTER_CONFIG_PATH")] if p]
)

_NOTEBOOK = '<div class="jupyter-wrapper">'
_NB_CSS = "notebook.css"  # linked from the notebook pages in its folder
_NB_CODE_CELL = '<div class="highlight-ipynb'
_NB_OUTPUTS = '<div class="jp-OutputArea jp-Cell-outputArea"'  # printed numbers, figures
# nbconvert's lab template loads MathJax (an empty src when no URL is configured) and
# imports Mermaid from cdnjs when a diagram is present; this site needs neither.
_NB_MATHJAX = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->\s*", re.DOTALL
)
_NB_MERMAID = re.compile(
    r'<script type="module">(?:(?!</script>).)*?mermaid.*?</script>'
    r"(?:\s*<style>.*?</style>\s*<!-- End of mermaid configuration -->)?\s*",
    re.DOTALL,
)
# The <style> blocks of nbconvert's template (Pygments, JupyterLab, its theme).
_NB_STYLE = re.compile(r'<style type="text/css">.*?</style>\s*', re.DOTALL)
# A Markdown cell's HTML (or a text/markdown output) runs from this marker to the next cell.
_NB_MARKDOWN = re.compile(
    r'(data-mime-type="text/markdown">)(.*?)(?=<div class="jp-Cell |\Z)', re.DOTALL
)
# Code spans and blocks keep their dollars.
_NB_CODE = re.compile(r"(<(pre|code)\b.*?</\2>)", re.DOTALL)
# A formula alone in its paragraph loses the <p>, which cannot hold a <div>.
_NB_DISPLAY = re.compile(r"<p>\s*\$\$(.+?)\$\$\s*</p>|\$\$(.+?)\$\$", re.DOTALL)
_NB_INLINE = re.compile(r"(?<![\\$])\$(?=\S)([^$]+?)(?<=\S)\$(?!\$)")
_NB_LINK = re.compile(r'(?P<attr>\s(?:href|src))="(?P<url>[^"#][^"]*)"')

# (source page, target page, anchor) for every notebook link to an anchor of a page;
# checked in on_post_build, once every page is written.
_nb_anchors: list = []


def _nb_math(cell: str) -> str:
    """Wrap $$...$$ and $...$ of one Markdown cell's HTML in arithmatex placeholders."""
    parts = _NB_CODE.split(cell)
    for i in range(0, len(parts), 3):  # split() yields text, match, group 2, text, ...
        text = _NB_DISPLAY.sub(
            lambda m: f'<div class="arithmatex" data-search-exclude>\\[{m[1] or m[2]}\\]</div>',
            parts[i],
        )
        parts[i] = _NB_INLINE.sub(
            r'<span class="arithmatex" data-search-exclude>\\(\1\\)</span>', text
        )
    return "".join(part for j, part in enumerate(parts) if j % 3 != 2)


def _nb_link(match: re.Match, page, files) -> str:
    """Resolve a relative link of a notebook page as MkDocs resolves one in Markdown."""
    url = html.unescape(match["url"])
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("/", "data:")):
        return match[0]
    base = posixpath.dirname(page.file.src_uri)
    src_uri = posixpath.normpath(posixpath.join(base, parts.path))
    target = files.get_file_from_path(src_uri)
    if target is None:
        log.warning("%s: link to %r, which is not in docs/", page.file.src_uri, url)
        return match[0]
    if parts.fragment and target.is_documentation_page():
        _nb_anchors.append((page.file.src_uri, target, parts.fragment))
    new = get_relative_url(target.url, page.url)
    if parts.fragment:
        new += f"#{parts.fragment}"
    return f'{match["attr"]}="{html.escape(new)}"'


def on_page_content(content: str, page, config, files) -> str:
    if _NOTEBOOK not in content:
        return content
    content = _NB_STYLE.sub("", _NB_MERMAID.sub("", _NB_MATHJAX.sub("", content)))
    content = content.replace(
        _NB_CODE_CELL, '<div tabindex="0" data-search-exclude class="highlight-ipynb'
    ).replace(_NB_OUTPUTS, _NB_OUTPUTS + " data-search-exclude")
    folder = posixpath.dirname(page.file.src_uri)
    css = files.get_file_from_path(posixpath.join(folder, _NB_CSS))
    if css is not None:
        link = f'<link rel="stylesheet" href="{get_relative_url(css.url, page.url)}">\n'
        content = content.replace(_NOTEBOOK, link + _NOTEBOOK, 1)

    def markdown_cell(match: re.Match) -> str:
        cell = _nb_math(match[2])
        return match[1] + _NB_LINK.sub(lambda link: _nb_link(link, page, files), cell)

    return _NB_MARKDOWN.sub(markdown_cell, content)


def on_pre_build(config) -> None:
    _nb_anchors.clear()


def on_post_build(config) -> None:
    """Check the anchors notebook links point at, once every page is written."""
    for src_uri, target, anchor in _nb_anchors:
        written = Path(target.abs_dest_path)
        text = written.read_text(encoding="utf-8") if written.exists() else ""
        if f'id="{anchor}"' not in text:
            log.warning(
                "%s: link to %s#%s, which has no such anchor", src_uri, target.src_uri, anchor
            )
