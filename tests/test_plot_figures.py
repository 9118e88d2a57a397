"""The site's figures plot what their pages say they plot (hooks/plot_figures.py).

Each figure has a small function that computes the numbers behind it; these tests check
those numbers against the library and against identities that must hold, and check
that each SVG is reproducible (two calls, one text) and stays small.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from backprop.activations import softmax

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


plots = _load("plot_figures")

MAX_BYTES = 60_000


# --- iris-softmax.svg ----------------------------------------------------------------

def test_iris_figure_uses_the_worked_example_of_the_cce_page():
    page = (ROOT / "docs" / "losses" / "cce-softmax.md").read_text(encoding="utf-8")
    z = ", ".join(f"{v:.1f}" for v in plots.IRIS_LOGITS)
    assert f"z = np.array([[{z}]])" in page
    assert f"c = np.array([{plots.IRIS_OBSERVED}])" in page
    assert plots.IRIS_CLASSES[plots.IRIS_OBSERVED] == "virginica"


def test_iris_bars_are_p_y_and_their_difference():
    data = plots.iris_softmax_data()
    p, y, grad = data["p"], data["y"], data["grad_z"]
    np.testing.assert_allclose(p, np.exp(data["z"]) / np.exp(data["z"]).sum(), rtol=1e-15)
    np.testing.assert_array_equal(y, [0.0, 0.0, 1.0])
    np.testing.assert_allclose(grad, p - y, atol=1e-15)
    assert p.sum() == pytest.approx(1.0, abs=1e-15)
    assert grad.sum() == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(p.round(4), [0.6590, 0.2424, 0.0986])  # the page's table


def test_iris_heat_map_is_the_softmax_jacobian():
    data = plots.iris_softmax_data()
    p, jac = data["p"], data["jacobian"]
    np.testing.assert_allclose(jac, np.diag(p) - np.outer(p, p), atol=1e-16)
    np.testing.assert_allclose(jac, jac.T, atol=0)        # symmetric
    np.testing.assert_allclose(jac.sum(axis=1), 0, atol=1e-16)  # rows sum to 0
    # and it is the derivative of softmax, by central differences
    from backprop.gradcheck import numerical_gradient
    numeric = np.stack([numerical_gradient(lambda z: softmax(z)[i], data["z"])
                        for i in range(3)])
    np.testing.assert_allclose(jac, numeric, atol=1e-9)


# --- every figure ----------------------------------------------------------------------

FIGURES = [
    plots.iris_softmax_svg,
]


@pytest.mark.parametrize("draw", FIGURES, ids=lambda f: f.__name__)
def test_figure_is_reproducible_and_small(draw):
    first, second = draw(), draw()
    assert first == second
    assert first.lstrip().startswith("<?xml") and first.rstrip().endswith("</svg>")
    assert len(first.encode()) < MAX_BYTES
    assert "<text" not in first  # glyphs are paths: no font needed


def test_the_hook_registers_every_figure():
    import sys
    sys.path.insert(0, str(ROOT / "hooks"))
    try:
        hook = _load("plots")
    finally:
        sys.path.remove(str(ROOT / "hooks"))
    registered = {f.__name__ for f in hook.FIGURES.values()}
    assert {f.__name__ for f in FIGURES} <= registered
