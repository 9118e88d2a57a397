"""The downloads the build adds to the site (hooks/downloads.py, hooks/site_wheel.py):
a wheel that pip installs, and notebooks that hold exactly the page's code and reproduce
its outputs when executed in a fresh kernel."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbclient
import nbformat
import pytest
from pytest_codeblocks.main import extract_from_buffer

import downloads
import page_code
import site_wheel

ROOT = Path(__file__).resolve().parent.parent
DERIVATION_PAGES = [
    "losses/mse.md",
    "losses/bce-sigmoid.md",
    "losses/cce-softmax.md",
    "activations.md",
    "delta-recurrence.md",
]


@pytest.fixture(scope="module")
def built():
    """(config, {site path: File} of what the hook adds, the hook as MkDocs loaded it),
    made by the build's own ``on_files`` event."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    config = load_config(str(ROOT / "mkdocs.yml"))
    files = config.plugins.on_files(get_files(config), config=config)
    generated = {f.src_uri: f for f in files if f.src_uri.startswith(downloads.FOLDER + "/")}
    return config, generated, config.plugins["hooks/downloads.py"]


def notebook(built, page: str) -> nbformat.NotebookNode:
    _, generated, _ = built
    file = generated[f"{downloads.FOLDER}/{page[:-3]}.ipynb"]
    return nbformat.reads(file.content_string, as_version=4)


# ---- the wheel -----------------------------------------------------------------------

def test_the_wheel_is_reproducible_and_fast():
    start = time.perf_counter()
    name, first = site_wheel.build_wheel(ROOT)
    elapsed = time.perf_counter() - start
    assert site_wheel.build_wheel(ROOT) == (name, first)
    assert elapsed < 1.0
    assert name == "backprop_last_layer-0.1.0-py3-none-any.whl"


def test_the_wheel_holds_the_package_and_a_valid_record():
    name, data = site_wheel.build_wheel(ROOT, {"Source": "https://example.org/repo"})
    wheel = zipfile.ZipFile(io.BytesIO(data))
    dist_info = "backprop_last_layer-0.1.0.dist-info"
    sources = sorted(f"backprop/{p.name}" for p in (ROOT / "src" / "backprop").glob("*.py"))
    assert wheel.namelist() == sources + [f"{dist_info}/{n}" for n in ("METADATA", "WHEEL", "RECORD")]
    for path in sources:
        assert wheel.read(path) == (ROOT / "src" / path).read_bytes()
    record = wheel.read(f"{dist_info}/RECORD").decode().splitlines()
    assert record[-1] == f"{dist_info}/RECORD,,"
    for line in record[:-1]:
        path, digest, size = line.split(",")
        data = wheel.read(path)
        expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert (digest, int(size)) == (f"sha256={expected}", len(data))
    metadata = wheel.read(f"{dist_info}/METADATA").decode()
    for header in ("Name: backprop-last-layer", "Version: 0.1.0", "Requires-Dist: numpy",
                   "Requires-Python: >=3.10", "Project-URL: Source, https://example.org/repo"):
        assert header in metadata.splitlines()
    assert "Tag: py3-none-any" in wheel.read(f"{dist_info}/WHEEL").decode()


def test_a_version_out_of_step_is_refused(tmp_path):
    (tmp_path / "src" / "backprop").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0.2.0"\n')
    (tmp_path / "src" / "backprop" / "__init__.py").write_text('__version__ = "0.1.0"\n')
    with pytest.raises(ValueError, match='expected __version__ = "0.2.0" as in pyproject.toml, got 0.1.0'):
        site_wheel.build_wheel(tmp_path)


def test_pip_installs_the_wheel_and_python_imports_it(tmp_path):
    name, data = site_wheel.build_wheel(ROOT)
    (tmp_path / name).write_bytes(data)
    target = tmp_path / "site-packages"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-index", "--no-deps", "--target", str(target), str(tmp_path / name)],
        check=True,
    )
    probe = (
        "import importlib.metadata as m, backprop, backprop.gradcheck;"
        "print(backprop.__file__);"
        "print(m.version('backprop-last-layer'), m.requires('backprop-last-layer'))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert Path(out[0]).is_relative_to(target)
    assert out[1] == "0.1.0 ['numpy']"


def test_run_the_code_names_the_wheel_the_build_makes(built):
    name, _ = site_wheel.build_wheel(ROOT)
    text = (ROOT / "docs" / "run-the-code.md").read_text(encoding="utf-8")
    named = set(re.findall(r"backprop_last_layer-[^\s)\]`]+\.whl", text))
    assert named == {name}
    assert f"{downloads.FOLDER}/{name}" in built[1]
    assert f"({downloads.FOLDER}/{name})" in text  # the link that strict builds check


# ---- the notebooks -------------------------------------------------------------------

def pages_with_code():
    return sorted(
        p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")
        if any(b.syntax and page_code.language(b.syntax) in page_code.PYTHON_LANGS
               for b in extract_from_buffer(io.StringIO(p.read_text(encoding="utf-8"))))
    )


def test_every_page_with_code_has_a_notebook(built):
    _, generated, _ = built
    made = sorted(uri[len(downloads.FOLDER) + 1:-6] for uri in generated if uri.endswith(".ipynb"))
    notebook_pages = sorted(p.relative_to(ROOT / "docs").as_posix()[:-3]
                            for p in (ROOT / "docs" / "notebooks").glob("*.py"))
    assert made == sorted([p[:-3] for p in pages_with_code()] + notebook_pages)
    assert set(DERIVATION_PAGES) <= {p + ".md" for p in made}


def test_a_notebook_page_downloads_as_its_notebook(built):
    """docs/notebooks/iris.py as .ipynb, with a first cell naming the data it reads,
    and a download line above the rendered notebook."""
    import jupytext
    from mkdocs.structure.files import File

    config, _, hook = built
    source = jupytext.read(ROOT / "docs" / "notebooks" / "iris.py")
    nb = notebook(built, "notebooks/iris.py"[:-3] + ".md")
    nbformat.validate(nb)
    assert [c.source for c in nb.cells[1:]] == [c.source for c in source.cells]
    assert nb.cells[0].source.startswith("*This notebook reads [data/iris.csv](")
    file = File("notebooks/iris.py", str(ROOT / "docs"), config["site_dir"], True)
    page = type("Page", (), {"file": file, "url": "notebooks/iris/"})()
    files = type("Files", (), {"get_file_from_path": lambda self, uri: File(
        uri, str(ROOT / "docs"), config["site_dir"], True)})()
    html = hook.on_page_content('<div class="jupyter-wrapper"></div>', page, config, files)
    assert html.startswith('<p class="page-notebook"><a href="../../downloads/notebooks/iris.ipynb" '
                           'download="iris.ipynb">Download this page as a Jupyter notebook</a>')


def _without_blank_lines(code: str) -> str:
    # pytest-codeblocks drops the blank lines of an indented fence; the notebook keeps them
    return "".join(line for line in code.splitlines(True) if line.strip())


@pytest.mark.parametrize("page", pages_with_code())
def test_the_notebook_holds_the_code_the_tests_run(built, page):
    """Code cells = the harness's runnable blocks, in order, with the same expected
    outputs; every other block is a note."""
    from docs_harness import expand_snippets

    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    blocks = extract_from_buffer(io.StringIO(expand_snippets(text, ROOT)))
    runnable = [b for b in blocks if page_code.language(b.syntax) in page_code.PYTHON_LANGS
                and not any(m.startswith(("pytest.mark.skip", "pytest.mark.xfail")) for m in b.marks)]
    nb = notebook(built, page)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == len(runnable)
    for cell, block in zip(code, runnable):
        assert _without_blank_lines(cell.source + "\n") == _without_blank_lines(block.code)
        assert cell.metadata["page"].get("expected_output") == block.expected_output
        assert not cell.outputs and cell.execution_count is None  # nothing executed at build time
    notes = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("*Left out here")]
    assert len(notes) == len(blocks) - len(runnable)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "pytest" not in markdown and "--8<--" not in markdown
    assert not re.search(r"\]\((?!https?://)[^)]*\.md\b", markdown), "a relative link to a page"


def test_prose_is_flattened_and_links_made_absolute():
    page = "\n".join([
        "# Title",
        "",
        '!!! success "The answer"',
        "",
        "    A [link](other.md#part) and $x$.",
        "",
        '??? tip "Solution"',
        "",
        "    ```python",
        "    print(1)",
        "    ```",
        "",
        "    <!--pytest-codeblocks:expected-output-->",
        "    ```text",
        "    1",
        "    ```",
        "",
        "    After.",
        "",
        '<!--pytest.mark.skip(reason="a shell command")-->',
        "```bash",
        "ls",
        "```",
        "",
        "## Next { #next }",
    ])
    nb = downloads.page_notebook(page, page, title="Title", page_url="x.md",
                                 link=lambda t: "https://site/" + t, preface="Preface.")
    cells = [(c.cell_type, c.source) for c in nb.cells]
    assert cells == [
        ("markdown", "# Title\n\nPreface."),
        ("markdown", "**The answer**\n\nA [link](https://site/other.md#part) and $x$.\n\n**Solution**"),
        ("code", "print(1)"),
        ("markdown", "After."),
        ("markdown", "*Left out here: the page shows a `bash` block (line 21) that is not run: a shell command.*"),
        ("markdown", "## Next"),
    ]
    assert nb.cells[2].metadata["page"] == {"line": 9, "continues": False, "expected_output": "1\n"}
    again = downloads.page_notebook(page, page, title="Title", page_url="x.md",
                                    link=lambda t: "https://site/" + t, preface="Preface.")
    nbformat.validate(nb)
    assert nbformat.writes(again) == nbformat.writes(nb)


def test_every_page_with_a_notebook_links_it(built):
    config, _, hook = built
    from mkdocs.structure.files import File

    file = File("losses/mse.md", str(ROOT / "docs"), config["site_dir"], True)
    page = type("Page", (), {"file": file})()
    markdown = hook.on_page_markdown("# Mean squared error\n\nText.", page, config, None)
    assert markdown.split("\n")[2].startswith(
        '[Download this page as a Jupyter notebook](../downloads/losses/mse.ipynb){ download="mse.ipynb" }'
    )
    table = hook.requirements_table("run-the-code.md")
    assert "| [Mean squared error](losses/mse.md) | NumPy, SymPy, autograd | [mse.ipynb](downloads/losses/mse.ipynb) |" in table


def run_notebook(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """Execute ``nb`` in a fresh kernel with the working tree's package; return
    (page line, expected output, printed output) for each block with an expected output."""
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    client.execute(env=env)
    groups = []
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        printed = "".join(o.get("text", "") for o in cell.outputs
                          if o.output_type == "stream" and o.name == "stdout")
        assert not [o for o in cell.outputs if o.output_type == "error"]
        meta = cell.metadata["page"]
        if meta["continues"] and groups:
            line, expected, before = groups[-1]
            groups[-1] = (line, expected or meta.get("expected_output"), before + printed)
        else:
            groups.append((meta["line"], meta.get("expected_output"), printed))
    return [g for g in groups if g[1] is not None]


@pytest.mark.parametrize("page", [
    pytest.param(p, marks=[] if p == "losses/mse.md" else pytest.mark.notebooks)
    for p in DERIVATION_PAGES
])
def test_the_derivation_notebooks_reproduce_the_page(built, page):
    """The notebook, run top to bottom in a fresh kernel, prints what the page shows."""
    checked = run_notebook(notebook(built, page))
    assert checked, "no block with an expected output"
    for line, expected, printed in checked:
        assert printed == expected, f"{page}, block at line {line}"


def test_repo_url_and_site_url_come_from_the_environment(monkeypatch):
    from mkdocs.config import load_config

    monkeypatch.delenv("REPO_URL", raising=False)
    monkeypatch.delenv("SITE_URL", raising=False)
    default = load_config(str(ROOT / "mkdocs.yml"))
    assert default["repo_url"] is None  # no guessed address: no repository link
    assert default["site_url"] == "http://127.0.0.1:8000/"
    monkeypatch.setenv("REPO_URL", "https://github.com/example/last-layer")
    monkeypatch.setenv("SITE_URL", "https://example.org/last-layer/")
    given = load_config(str(ROOT / "mkdocs.yml"))
    assert given["repo_url"] == "https://github.com/example/last-layer"
    assert given["site_url"] == "https://example.org/last-layer/"
