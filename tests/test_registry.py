"""Every row of the home page's answer table, checked against the library: the row's
formula equals the library's gradient, the library's gradient equals central
differences of the loss, and the page and heading the row links to exist."""

import re
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import markdown
import numpy as np
import pytest
from mkdocs.config import load_config

from backprop import registry
from backprop.gradcheck import numerical_gradient, relative_error

ROOT = Path(__file__).resolve().parents[1]
ROWS = {f"{a.activation} + {a.loss}": a for a in registry.ANSWERS}


def central_difference(f, x, eps=1e-3):
    """Richardson-extrapolated central differences: the eps**2 term cancels, so a
    large eps (little rounding) still resolves gradient entries near 1e-6."""
    return (4 * numerical_gradient(f, x, eps / 2) - numerical_gradient(f, x, eps)) / 3


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("name", list(ROWS))
def test_formula_matches_library_and_library_matches_central_differences(name, reduction):
    row = ROWS[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    z, y = row.sample(rng)
    library = row.gradient(z, y, reduction)
    n = row.n(z, y) if reduction == "mean" else 1
    assert library.shape == z.shape
    assert relative_error(row.formula(z, y, n), library) <= 1e-12
    numeric = central_difference(lambda v: row.loss_fn(v, y, reduction), z)
    assert relative_error(numeric, library) <= 1e-7


@lru_cache(maxsize=None)
def heading_ids(page: str) -> frozenset:
    """The ids a page's headings get when MkDocs renders it (same extensions)."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    md = markdown.Markdown(extensions=config["markdown_extensions"],
                           extension_configs=config["mdx_configs"])
    html = md.convert((ROOT / "docs" / page).read_text(encoding="utf-8"))
    return frozenset(re.findall(r'<h[1-6][^>]* id="([^"]+)"', html))


@pytest.mark.parametrize("name", list(ROWS))
def test_row_links_to_an_existing_page_and_heading(name):
    row = ROWS[name]
    assert (ROOT / "docs" / row.page).is_file(), row.page
    if row.anchor:
        assert row.anchor in heading_ids(row.page), f"{row.page} has no #{row.anchor}"


def test_a_wrong_formula_is_caught():
    """The check above can fail: a formula missing the sigmoid's slope is caught."""
    row = ROWS["sigmoid + mean squared error"]
    z, y = row.sample(np.random.default_rng(0))
    wrong = 2 * (1 / (1 + np.exp(-z)) - y) / z.size
    assert relative_error(wrong, row.gradient(z, y, "mean")) > 0.5


def load_hook():
    import importlib.util

    spec = importlib.util.spec_from_file_location("answers", ROOT / "hooks" / "answers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hook_puts_every_row_on_the_home_page():
    hook = load_hook()
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    page = SimpleNamespace(file=SimpleNamespace(src_uri="index.md"))
    rendered = hook.on_page_markdown(index, page, None, None)
    assert hook.MARKER not in rendered
    for row in registry.ANSWERS:
        assert row.markdown() in rendered
    other = SimpleNamespace(file=SimpleNamespace(src_uri="notation.md"))
    assert hook.on_page_markdown(hook.MARKER, other, None, None) == hook.MARKER


def test_hook_refuses_a_page_without_exactly_one_marker():
    hook = load_hook()
    page = SimpleNamespace(file=SimpleNamespace(src_uri="index.md"))
    with pytest.raises(ValueError, match="marker"):
        hook.on_page_markdown("no table here", page, None, None)


def test_table_shape():
    wrapped = registry.markdown_table().splitlines()
    assert wrapped[0] == '<div class="answers" markdown>' and wrapped[-1] == "</div>"
    table = [line for line in wrapped if line.startswith("|")]
    assert len(table) == 2 + len(registry.ANSWERS)
    assert all(line.count("|") - line.count(r"\|") == 6 for line in table)
