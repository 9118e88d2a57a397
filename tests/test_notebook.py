"""The notebook pages in docs/notebooks/ run, and their HTML loads nothing from outside.

``mkdocs build`` executes the notebooks too (mkdocs-jupyter, ``execute: true``,
``allow_errors: false``), but pytest alone must catch a broken notebook: these tests
execute each one with nbclient, as Jupyter would, and fail on the first cell that
raises, including the notebook's own ``assert``s on its checks and its accuracy.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
from pathlib import Path
from types import SimpleNamespace

import jupytext
import nbclient
import pytest
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.py"))
PLUGIN = "mkdocs-jupyter"
JUPYTER_CONFIG = ROOT / "hooks" / "jupyter" / "jupyter_nbconvert_config.json"


@pytest.fixture(scope="module")
def mkdocs_config():
    from mkdocs.config import load_config

    return load_config(str(ROOT / "mkdocs.yml"))


def test_there_is_a_notebook():
    assert [p.name for p in NOTEBOOKS] == ["iris.py"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path):
    nb = jupytext.read(path)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        # the working directory Jupyter would use: the notebook's folder
        resources={"metadata": {"path": str(path.parent)}},
        # the build's kernel settings (an encrypted channel to the kernel)
        config=Config(json.loads(JUPYTER_CONFIG.read_text(encoding="utf-8"))),
    )
    client.execute()  # raises CellExecutionError at the first failing cell

    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    printed = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert ": False" not in printed, "a check printed False"
    images = [
        out for out in outputs
        if "data:image/png;base64," in out.get("data", {}).get("text/html", "")
        or "image/png" in out.get("data", {})
    ]
    assert len(images) == 2, "expected the loss and the accuracy plot"


def test_build_executes_notebooks_with_errors_fatal(mkdocs_config):
    options = mkdocs_config["plugins"][PLUGIN].config
    assert options["allow_errors"] is False
    assert options["include_requirejs"] is False
    assert not options["custom_mathjax_url"]
    # `make build` and `make test` leave NOTEBOOKS_EXECUTE unset: the notebook runs
    if "NOTEBOOKS_EXECUTE" not in os.environ:
        assert options["execute"] is True


def test_only_docs_notebooks_are_notebook_pages(mkdocs_config):
    from mkdocs.structure.files import get_files

    plugin = mkdocs_config["plugins"][PLUGIN]
    files = get_files(mkdocs_config)
    notebook_pages = sorted(f.src_uri for f in files if plugin.should_include(f))
    assert notebook_pages == [f"notebooks/{p.name}" for p in NOTEBOOKS]


def _hook(name):
    spec = importlib.util.spec_from_file_location(f"{name}_hook", ROOT / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# src, href, url(...) and @import pointing off the site: absolute or protocol-relative
_EXTERNAL = re.compile(
    r"""(?:\ssrc\s*=\s*["']?|<link\b[^>]*\shref\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)"""
    r"""(?:[a-z][a-z0-9+.-]*:)?//""",
    re.IGNORECASE,
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_html_is_self_contained(path: Path, mkdocs_config, caplog):
    """No script, stylesheet, image or font from outside the site; all math rendered."""
    from mkdocs.structure.files import get_files
    from mkdocs_jupyter.convert import nb2html

    options = mkdocs_config["plugins"][PLUGIN].config
    body = nb2html(
        str(path),
        execute=False,
        include_requirejs=options["include_requirejs"],
        custom_mathjax_url=options["custom_mathjax_url"],
    )
    assert "https://cdnjs" in body  # what nbconvert's template adds, for the hook to remove

    notebooks, math = _hook("notebooks"), _hook("mathml")
    files = get_files(mkdocs_config)
    page = SimpleNamespace(
        file=files.get_file_from_path(f"notebooks/{path.name}"),
        url=f"notebooks/{path.stem}/",
    )
    with caplog.at_level(logging.WARNING):
        html = notebooks.on_page_content(body, page=page, config=mkdocs_config, files=files)
        html = math.render_page_math(html, page.file.src_uri)
    math.on_shutdown()

    assert not caplog.records, [r.getMessage() for r in caplog.records]  # TeX errors, links
    assert not _EXTERNAL.findall(html)
    assert "<script src=" not in html
    assert "mathjax" not in html.lower() and "import(" not in html
    assert 'class="arithmatex">\\(' not in html and 'class="arithmatex">\\[' not in html
    assert html.count("<math") >= 10 and "<merror" not in html
    assert f'<link rel="stylesheet" href="../{notebooks._NB_CSS}">' in html
    code_cells = html.count('class="highlight-ipynb hl-')
    assert code_cells and html.count(
        '<div tabindex="0" data-search-exclude class="highlight-ipynb') == code_cells
    assert "<style" not in html, "nbconvert's inlined stylesheets are removed"
    assert not re.search(r'href="[^"]*\.md(?:#[^"]*)?"', html), "an unresolved .md link"
