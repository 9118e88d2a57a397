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


# --- epsilon-error.svg ---------------------------------------------------------------

GRADCHECK_PAGE = ROOT / "docs" / "practice" / "gradient-checking.md"


def test_epsilon_figure_uses_the_example_function_of_the_gradient_checking_page():
    page = GRADCHECK_PAGE.read_text(encoding="utf-8")
    assert "return one / (one + x * x)" in page and "x = 0.7\n" in page
    assert plots.EPS_X == 0.7
    for x in (0.7, np.float32(0.7), -3.0):
        assert plots.eps_example_f(x) == 1 / (1 + x * x)
        assert type(plots.eps_example_f(x)) is type(x)


def test_epsilon_derivatives_are_exact():
    import sympy as sp

    x = sp.Symbol("x")
    f = 1 / (1 + x**2)
    for order, mine in ((1, plots.eps_example_df), (3, plots.eps_example_d3f)):
        exact = sp.diff(f, x, order)
        for value in (0.7, -1.3, 2.0):
            assert mine(value) == pytest.approx(float(exact.subs(x, value)), rel=1e-14)


def test_epsilon_error_reproduces_the_page_table():
    """The central64 and central32 columns of the page's executed table, digit for digit."""
    page = GRADCHECK_PAGE.read_text(encoding="utf-8")
    rows = [line.split() for line in page.splitlines()
            if line.strip().startswith("1e-") and len(line.split()) == 4]
    assert [r[0] for r in rows] == [f"1e-{k:02d}" for k in range(1, 13)]
    for eps_text, _, central64, central32 in rows:
        eps = float(eps_text)
        assert f"{plots.central_difference_error(eps):.0e}" == central64
        assert f"{plots.central_difference_error(eps, np.float32):.0e}" == central32


def test_epsilon_curves_fall_then_rise_with_the_best_eps_between():
    data = plots.epsilon_error_data()
    eps = data["eps"]
    assert eps[0] == pytest.approx(1e-12) and eps[-1] == pytest.approx(1e-1)
    assert np.all(np.diff(eps) > 0)
    best64, error64 = data["float64_best"]
    lowest64, lowest_error64 = data["float64_argmin"]
    assert 1e-8 < lowest64 < 1e-3 and 1e-8 < best64 < 1e-3
    assert best64 / 10 < lowest64 < best64 * 10
    assert lowest_error64 == data["float64"].min() <= error64 < 1e-9
    best32, error32 = data["float32_best"]
    assert best32 > 100 * best64 and error32 > 1e-6  # float32: bigger step, worse floor
    assert 1e-2 > data["float32"].min() > 1e-6
    # truncation side: the error falls 100-fold per decade of eps, as eps^2 ...
    big = eps >= 1e-3
    slope = np.polyfit(np.log10(eps[big]), np.log10(data["float64"][big]), 1)[0]
    assert slope == pytest.approx(2, abs=0.05)
    np.testing.assert_allclose(data["float64"][big], data["truncation"][big], rtol=0.05)
    # ... rounding side: it rises as eps shrinks, and float32 loses the nudge entirely
    small = eps <= 1e-9
    slope = np.polyfit(np.log10(eps[small]), np.log10(data["float64"][small]), 1)[0]
    assert -1.5 < slope < -0.5
    assert np.all(data["float32"][eps <= 1e-8] == 1.0)  # x +- eps rounds to x
    model = data["float64_rounding"]  # u |f| / (eps |f'|) bounds the rounding, in size
    assert np.all(data["float64"][small] < 10 * model[small])


# --- every figure ----------------------------------------------------------------------

FIGURES = [
    plots.iris_softmax_svg,
    plots.epsilon_error_svg,
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
