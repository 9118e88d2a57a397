"""MkDocs hook: the package's wheel and a Jupyter notebook of every page with code.

Both are *generated* files of the build (like the figures of hooks/plots.py): nothing
is written into ``docs/`` and nothing is executed.

- ``downloads/<wheel>``: the package, zipped by hooks/site_wheel.py.
- ``downloads/<page>.ipynb`` for each Markdown page with a runnable block: the page's
  code blocks in order as code cells, with ``--8<--`` includes expanded as the tests
  expand them (hooks/page_code.py); its prose as Markdown cells (admonitions and tabs
  flattened to bold titles, links made absolute to ``site_url``); a skipped block left
  out with a note. Each code cell's metadata ``page`` holds its line on the page and the
  output the page shows, which tests/test_downloads.py compares with an execution.

Each such page gets a download link under its title, and the table of what each page
needs replaces ``<!-- page-requirements -->`` on run-the-code.md.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jupytext
import nbformat
import page_code  # importable here: MkDocs puts this file's folder on sys.path while loading it
import site_wheel
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.hooks.downloads")

ROOT = Path(__file__).resolve().parent.parent
FOLDER = "downloads"
REQUIREMENTS_MARKER = "<!-- page-requirements -->"
RUN_THE_CODE = "run-the-code.md"
# import name -> (what a reader installs, the name the table uses)
PACKAGES = {
    "backprop": (None, "backprop"),
    "numpy": ("numpy", "NumPy"),
    "sympy": ("sympy", "SymPy"),
    "autograd": ("autograd", "autograd"),
    "torch": ("torch", "PyTorch"),
    "matplotlib": ("matplotlib", "Matplotlib"),
    "IPython": ("ipython", "IPython (part of Jupyter)"),
}

_OPENER = re.compile(r'^(\s*)(?:!!!|\?\?\?\+?)\s+([\w-]+)(?:\s+"([^"]*)")?\s*$')
_TAB = re.compile(r'^(\s*)===\+?\s+"([^"]*)"\s*$')
_HEADING_ATTRS = re.compile(r"^(#{1,6}\s.*?)\s*\{[^}]*\}\s*$")
_AFTER_LINK_ATTRS = re.compile(r"(\]\([^)\s]*\))\{[^}]*\}")
_LINK = re.compile(r"(\]\()([^)\s]+)(\))")
_FIGURE_TAGS = re.compile(r"</?(figure|figcaption)\b[^>]*>")

_pages: dict[str, dict] = {}   # src_uri -> {"notebook": File, "needs": set, "title": str}
_notebook_pages: dict[str, File] = {}  # a notebook page (docs/notebooks/*.py) -> its .ipynb


# ---- the notebook of one page ---------------------------------------------------------

class _Prose:
    """Turns a page's prose into notebook Markdown, keeping track of the admonitions and
    tabs it is inside across the code blocks that interrupt it."""

    def __init__(self, link):
        self.link = link          # relative link -> absolute URL
        self.depth: list[int] = []  # content indents of the open admonitions and tabs

    def convert(self, chunk: str) -> str:
        out = []
        for line in chunk.split("\n"):
            indent = len(line) - len(line.lstrip())
            if line.strip():
                while self.depth and indent < self.depth[-1]:
                    self.depth.pop()
            text = line[min(indent, 4 * len(self.depth)):]
            opener, tab = _OPENER.match(line), _TAB.match(line)
            if opener or tab:
                title = tab[2] if tab else (opener[3] or opener[2].capitalize())
                text = f"**{title}**" if title else ""
                self.depth.append(indent + 4)
            text = _HEADING_ATTRS.sub(r"\1", text)
            text = _FIGURE_TAGS.sub("", _AFTER_LINK_ATTRS.sub(r"\1", text))
            out.append(_LINK.sub(lambda m: m[1] + self.link(m[2]) + m[3], text))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def page_notebook(written: str, expanded: str, *, title: str, page_url: str, link,
                  preface: str, parts=None) -> nbformat.NotebookNode:
    """The notebook of a page, from its text as written and with snippets expanded
    (``parts``: ``split_page(expanded)``, if already made).

    ``link`` makes a relative link of the page absolute; ``preface`` is the Markdown
    shown under the title.
    """
    as_written = [p for p in page_code.split_page(written) if isinstance(p, page_code.Fence)]
    parts = page_code.split_page(expanded) if parts is None else parts
    fences = [p for p in parts if isinstance(p, page_code.Fence)]
    if len(as_written) != len(fences):
        raise ValueError(f"{page_url}: an include added or removed a fence")
    line_of = {id(f): w.lineno for f, w in zip(fences, as_written)}
    prose = _Prose(link)
    cells = [_cell("markdown", f"# {title}\n\n{preface}")]
    for part in parts:
        if isinstance(part, str):
            text = prose.convert(part)
            if cells[1:] == [] and text.startswith("# "):
                text = text.split("\n", 1)[1].strip() if "\n" in text else ""  # the title is above
            if text:
                cells.append(_cell("markdown", text))
        elif part.runs:
            meta = {"line": line_of[id(part)], "continues": part.continues}
            if part.expected_output is not None:
                meta["expected_output"] = part.expected_output
            cells.append(_cell("code", part.code.rstrip("\n"), {"page": meta}))
        else:
            lang = page_code.language(part.info) or "plain text"
            reason = f": {part.skip_reason}" if part.skip_reason else ""
            cells.append(_cell("markdown",
                f"*Left out here: the page shows a `{lang}` block (line {line_of[id(part)]}) "
                f"that is not run{reason}.*"
            ))
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"  # fixed ids: the same page gives the same bytes
    return nbformat.from_dict({
        "nbformat": 4, "nbformat_minor": 5, "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    })


def _cell(kind: str, source: str, metadata: dict | None = None) -> dict:
    """A notebook cell as nbformat 4.5 writes it (validated by the tests, not at each
    build: nbformat's per-cell validation would cost more than the rest of the hook)."""
    cell = {"cell_type": kind, "id": "", "metadata": metadata or {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def needs(fences) -> set[str]:
    """Import names of the non-standard modules the runnable fences import."""
    return set().union(*(page_code.imports(f.code) for f in fences if f.runs))


def in_repository(name: str) -> str | None:
    """'bench/routes.py' when ``name`` is a module of the repository outside the package
    (a page that imports it runs only in a clone), else None."""
    found = sorted(p for p in ROOT.glob(f"*/{name}.py") if p.parts[-2] not in ("src", "docs"))
    return found[0].relative_to(ROOT).as_posix() if found else None


def describe(names: set[str]) -> str:
    """'NumPy, SymPy, autograd' for the packages a page needs besides backprop."""
    known = [label for name, (_, label) in PACKAGES.items() if name in names and name != "backprop"]
    local = sorted(f"`{in_repository(n)}`" for n in names - PACKAGES.keys() if in_repository(n))
    other = sorted(f"`{n}`" for n in names - PACKAGES.keys() if not in_repository(n))
    clone = [f"a clone of the repository ({', '.join(local)})"] if local else []
    return ", ".join(known + other + clone)


@lru_cache(maxsize=4)
def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        name, _, version = line.partition("==")
        if version:
            pins[name.strip().lower()] = version.strip()
    return pins


def pinned(names: set[str], constraints: Path) -> list[str]:
    """``name==version`` from constraints.txt for what a reader installs besides the wheel."""
    pins = _pins(constraints.read_text(encoding="utf-8"))
    wanted = [PACKAGES.get(n, (n, n))[0] for n in sorted(names) if not in_repository(n)]
    return [f"{w}=={pins[w.lower()]}" if w.lower() in pins else w for w in wanted if w]


# ---- the hook ------------------------------------------------------------------------

def _note_data_files(notebook, file, files, config) -> None:
    """Put a first cell in a notebook page's download that names the data files its
    Markdown links (data/iris.csv): the notebook reads them from its own folder."""
    base = posixpath.dirname(file.src_uri)
    needed = []
    for cell in notebook.cells:
        for target in _LINK.findall(cell.source) if cell.cell_type == "markdown" else []:
            path = target[1]
            if urlsplit(path).scheme or path.startswith(("/", "#")) or path.endswith((".md", ".py")):
                continue
            found = files.get_file_from_path(posixpath.normpath(posixpath.join(base, path)))
            if found is not None and path not in [p for p, _ in needed]:
                needed.append((path, _absolute(config, found.url)))
    if needed:
        listed = ", ".join(f"[{path}]({url})" for path, url in needed)
        notebook.cells.insert(0, nbformat.v4.new_markdown_cell(
            f"*This notebook reads {listed}: save it at that path, relative to the "
            "notebook, before running it.*"
        ))
        notebook.cells[0]["id"] = "data-files"


def _absolute(config, url: str) -> str:
    site = config.get("site_url") or ""
    return site.rstrip("/") + "/" + url.lstrip("/") if site else url


_nav: list[str] = []  # the pages in the order of the navigation


def _flatten(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in _flatten(value)]
    if isinstance(nav, list):
        return [p for item in nav for p in _flatten(item)]
    return []


def _nav_position(src_uri: str) -> tuple[int, str]:
    return (_nav.index(src_uri) if src_uri in _nav else len(_nav), src_uri)


def on_files(files, config):
    _pages.clear()
    _notebook_pages.clear()
    _nav[:] = _flatten(config.get("nav") or [])
    wheel_file, wheel_bytes = site_wheel.build_wheel(
        ROOT, {"Documentation": config.get("site_url"), "Source": config.get("repo_url")}
    )
    wheel_uri = f"{FOLDER}/{wheel_file}"
    files.append(File.generated(config, wheel_uri, content=wheel_bytes))
    jupyter = config.plugins.get("mkdocs-jupyter")
    for file in [f for f in files if jupyter is not None and jupyter.should_include(f)]:
        _add_notebook_page(file, files, config)
    options = page_code.snippets_options(config)
    for file in [f for f in files if f.is_documentation_page() and f.src_uri.endswith(".md")]:
        _add_markdown_page(file, files, config, options, wheel_uri)
    return files


def _add_notebook_page(file, files, config) -> None:
    """docs/notebooks/x.py (a notebook page) -> downloads/notebooks/x.ipynb."""
    notebook = jupytext.read(file.abs_src_path)
    _note_data_files(notebook, file, files, config)
    uri = f"{FOLDER}/{file.src_uri.rsplit('.', 1)[0]}.ipynb"
    nb_file = File.generated(config, uri, content=nbformat.writes(notebook) + "\n")
    files.append(nb_file)
    _notebook_pages[file.src_uri] = nb_file
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    heading = next((line[2:].strip() for c in notebook.cells if c.cell_type == "markdown"
                    for line in c.source.splitlines() if line.startswith("# ")), file.name)
    _pages[file.src_uri] = {
        "notebook": nb_file, "title": heading,
        "needs": set().union(*(page_code.imports(page_code.strip_magics(c)) for c in code)),
    }


def _add_markdown_page(file, files, config, options, wheel_uri) -> None:
    """docs/x.md with a runnable block -> downloads/x.ipynb."""
    written = Path(file.abs_src_path).read_text(encoding="utf-8")
    expanded = page_code.expand_snippets(written, options)
    parts = page_code.split_page(expanded)
    fences = [p for p in parts if isinstance(p, page_code.Fence)]
    if not any(f.runs for f in fences):
        return
    names = needs(fences)
    title = next((l[2:].strip() for l in written.splitlines() if l.startswith("# ")), file.name)

    def link(target: str) -> str:
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith(("/", "data:")):
            return target
        if not parts.path:
            return _absolute(config, file.url) + target
        src = posixpath.normpath(posixpath.join(posixpath.dirname(file.src_uri), parts.path))
        found = files.get_file_from_path(src)
        url = found.url if found is not None else src
        return _absolute(config, url) + (f"#{parts.fragment}" if parts.fragment else "")

    install = " ".join(pinned(names - {"backprop"}, ROOT / "constraints.txt"))
    how = files.get_file_from_path(RUN_THE_CODE)
    wheel = posixpath.basename(wheel_uri)
    preface = (
        f"*This notebook is the page [{title}]({_absolute(config, file.url)}) of "
        f"{config['site_name']}, generated when the site was built: the page's code "
        "blocks in order, its text between them. Run the cells from top to bottom. "
        f"They need the package `backprop` ([the wheel]({_absolute(config, wheel_uri)}): "
        f"`pip install {wheel}`)" + (f" and `pip install {install}`" if install else "")
        + (f" ([how to run the code]({_absolute(config, how.url)}))" if how else "")
        + ". The output each cell must print is in its metadata, `page.expected_output`, "
        "as the page shows it.*"
    )
    notebook = page_notebook(written, expanded, title=title, page_url=file.src_uri,
                             link=link, preface=preface, parts=parts)
    text = json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    nb_file = File.generated(config, f"{FOLDER}/{file.src_uri[:-3]}.ipynb", content=text)
    files.append(nb_file)  # nbformat's own layout; validated by the tests, not here
    _pages[file.src_uri] = {"notebook": nb_file, "needs": names, "title": title}


def requirements_table(page_src_uri: str) -> str:
    """The Markdown table of run-the-code.md: each page, what its code needs, its notebook."""
    base = posixpath.dirname(page_src_uri)
    rel = lambda uri: posixpath.relpath(uri, base or ".")
    rows = ["| page | its code needs, besides `backprop` | notebook |", "| --- | --- | --- |"]
    for src, info in sorted(_pages.items(), key=lambda item: _nav_position(item[0])):
        rows.append(
            f"| [{info['title']}]({rel(src)}) | {describe(info['needs']) or 'nothing'} | "
            f"[{posixpath.basename(info['notebook'].src_uri)}]({rel(info['notebook'].src_uri)}) |"
        )
    used = set().union(*(info["needs"] for info in _pages.values())) - {"backprop"}
    pins = ", ".join(f"`{pin}`" for pin in pinned(used, ROOT / "constraints.txt"))
    return "\n".join(rows) + f"\n\nThe site is built and tested with {pins}."


def _link_line(src: str, notebook_uri: str, notebook_link: str, how_link: str) -> str:
    """'Download this page as a Jupyter notebook · how to run it', in either syntax."""
    base = posixpath.dirname(src) or "."
    notebook = posixpath.relpath(notebook_uri, base)
    line = notebook_link.format(text="Download this page as a Jupyter notebook",
                                notebook=notebook, name=posixpath.basename(notebook))
    if src != RUN_THE_CODE:
        line += " · " + how_link.format(text="how to run it", how=posixpath.relpath(RUN_THE_CODE, base))
    return line


def on_page_content(html: str, page, config, files) -> str:
    """The download line of a notebook page, above the notebook (rendered by nbconvert,
    so MkDocs' Markdown never sees it; its links are written as MkDocs would write them)."""
    nb_file = _notebook_pages.get(page.file.src_uri)
    if nb_file is None:
        return html
    how = files.get_file_from_path(RUN_THE_CODE)
    notebook_href = get_relative_url(nb_file.url, page.url)
    line = (
        f'<p class="page-notebook"><a href="{notebook_href}" download="{nb_file.name}.ipynb">'
        "Download this page as a Jupyter notebook</a>"
    )
    if how is not None:
        line += f' · <a href="{get_relative_url(how.url, page.url)}">how to run it</a>'
    return line + "</p>\n" + html


def on_page_markdown(markdown: str, page, config, files) -> str:
    src = page.file.src_uri
    if src == RUN_THE_CODE:
        if REQUIREMENTS_MARKER not in markdown:
            log.warning("%s: no %s to replace", src, REQUIREMENTS_MARKER)
        markdown = markdown.replace(REQUIREMENTS_MARKER, requirements_table(src))
    info = _pages.get(src)
    if info is None or not src.endswith(".md"):
        return markdown
    line = _link_line(src, info["notebook"].src_uri, "[{text}]({notebook}){{ download=\"{name}\" }}",
                      "[{text}]({how})") + "\n{ .page-notebook }"
    lines = markdown.split("\n")
    for i, text in enumerate(lines):
        if text.startswith("# "):
            lines[i + 1:i + 1] = ["", line, ""]
            break
    return "\n".join(lines)
