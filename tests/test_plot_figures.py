"""The site's figures plot what their pages say they plot (hooks/plot_figures.py).

Each figure has a small function that computes the numbers behind it; these tests check
those numbers against the library and against identities that must hold, and check
that each SVG is reproducible (two calls, one text) and stays small.
"""

from __future__ import annotations

import importlib.util
import re
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


def _alt_text(page: str, svg: str) -> str:
    """The alt text of the page's image of assets/generated/<svg>."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    found = re.findall(r"!\[(.*?)\]\((?:\.\./)*assets/generated/" + re.escape(svg) + r"\)",
                       text, flags=re.S)
    assert len(found) == 1, f"{page} should show {svg} once"
    return found[0]


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


def test_iris_alt_text_states_the_plotted_numbers():
    alt = _alt_text("losses/cce-softmax.md", "iris-softmax.svg")
    data = plots.iris_softmax_data()
    assert "p = " + ", ".join(f"{v:.2f}" for v in data["p"]) in alt
    assert "p − y = " + ", ".join(f"{v:+.2f}".replace("-", "−") for v in data["grad_z"]) in alt
    jac = data["jacobian"]
    assert "diagonal " + ", ".join(f"{v:+.4f}" for v in np.diag(jac)) in alt
    for (i, j) in ((0, 1), (0, 2), (1, 2)):
        assert f"{jac[i, j]:+.4f}".replace("-", "−") in alt


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


# --- network-backward.svg, network-backward-columns.svg ----------------------------

def test_network_arrays_are_the_mlps_own():
    """The rows-layout arrays are those of MLP([4, 5, 3]): its params, its forward pass,
    and the gradients of its loss_and_gradients (which the figure's δ's reproduce)."""
    data = plots.network_backward_data()
    model, rows, n = data["model"], data["rows"], data["n"]
    assert model.layer_sizes == [4, 5, 3] and n == 6
    (W1, b1), (W2, b2) = model.params
    for key, param in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
        assert rows[key] is param
    np.testing.assert_allclose(rows["P"], model.forward(rows["X"]), rtol=1e-15)
    np.testing.assert_allclose(softmax(rows["Z2"]), rows["P"], rtol=1e-15)
    np.testing.assert_allclose(rows["delta2"], (rows["P"] - rows["Y"]) / n, atol=1e-16)
    delta1 = (rows["delta2"] @ W2.T) * (1 - np.tanh(rows["Z1"]) ** 2)
    np.testing.assert_allclose(rows["delta1"], delta1, rtol=1e-14)
    # the MLP's gradients are BP3/BP4 of these δ's
    np.testing.assert_allclose(rows["dW2"], rows["A1"].T @ rows["delta2"], rtol=1e-13)
    np.testing.assert_allclose(rows["db2"], rows["delta2"].sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(rows["dW1"], rows["X"].T @ rows["delta1"], rtol=1e-13)
    np.testing.assert_allclose(rows["db1"], rows["delta1"].sum(axis=0), rtol=1e-13)
    for (W, b), key in zip(model.params, ("1", "2")):
        assert rows["dW" + key].shape == W.shape and rows["db" + key].shape == b.shape


def test_network_columns_layout_is_the_transpose():
    data = plots.network_backward_data()
    rows, columns = data["rows"], data["columns"]
    assert rows.keys() == columns.keys()
    for key in rows:
        expected = rows[key].T if rows[key].ndim == 2 else rows[key][:, None]
        np.testing.assert_allclose(columns[key], expected, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("layout", ["rows", "columns"])
def test_network_figure_prints_the_shapes_of_the_run(layout):
    data = plots.network_backward_data()
    printed = plots.network_backward_figure_text(layout)
    for key, array in data[layout].items():
        assert printed[key] == "\u00d7".join(map(str, array.shape))
    n, (d0, d1, d2) = 6, (4, 5, 3)
    expected = {
        "rows": {"X": (n, d0), "Z1": (n, d1), "A1": (n, d1), "Z2": (n, d2), "P": (n, d2),
                 "W1": (d0, d1), "W2": (d1, d2), "delta2": (n, d2), "grad_A1": (n, d1),
                 "delta1": (n, d1), "dW1": (d0, d1), "db1": (d1,), "dW2": (d1, d2),
                 "db2": (d2,)},
        "columns": {"X": (d0, n), "Z1": (d1, n), "A1": (d1, n), "Z2": (d2, n),
                    "P": (d2, n), "W1": (d1, d0), "W2": (d2, d1), "delta2": (d2, n),
                    "grad_A1": (d1, n), "delta1": (d1, n), "dW1": (d1, d0),
                    "db1": (d1, 1), "dW2": (d2, d1), "db2": (d2, 1)},
    }[layout]
    for key, shape in expected.items():
        assert data[layout][key].shape == shape, key


def test_network_figure_text_uses_the_site_notation():
    """Layers are [1] and [2]; the letter L is only the loss."""
    for layout in ("rows", "columns"):
        labels = " ".join(plots._LAYOUT_TEXT[layout].values())
        assert "[L]" not in labels and "L_" not in labels


@pytest.mark.parametrize("layout, svg", [("rows", "network-backward.svg"),
                                         ("columns", "network-backward-columns.svg")])
def test_network_alt_text_states_the_printed_shapes(layout, svg):
    alt = _alt_text("delta-recurrence.md", svg)
    printed = plots.network_backward_figure_text(layout)
    for key in ("X", "W1", "Z1", "A1", "W2", "Z2", "P", "delta2", "grad_A1", "delta1",
                "dW2", "db2", "dW1", "db1"):
        assert f"({printed[key]}" in alt or f"{printed[key]})" in alt, key


# --- sigmoid-saturation.svg ----------------------------------------------------------

@pytest.mark.parametrize("dtype, bits", [(np.float64, 53), (np.float32, 24)])
def test_saturation_points_are_where_sigmoid_rounds_to_one(dtype, bits):
    from backprop.activations import sigmoid

    data = plots.sigmoid_saturation_data()
    name = np.dtype(dtype).name
    at = dtype(data[f"{name}_one"])
    assert float(at) == data[f"{name}_one"]          # a number of that dtype
    before = np.nextafter(at, dtype(0))              # the next smaller number of the dtype
    s_at, s_before = sigmoid(np.array([at, before], dtype=dtype))
    assert s_at == 1 and s_before < 1
    assert 1 - s_at == 0 and 1 - s_before > 0
    assert data[f"{name}_zero"] == data[f"{name}_one"]  # 1 - s is exact for s in [1/2, 1]
    # where 1 + e^-z rounds to 1: e^-z <= 2^-bits, z >= bits ln 2 (to about one ulp of exp)
    assert data[f"{name}_one"] == pytest.approx(bits * np.log(2), abs=1e-5)
    # the page's printed grid search agrees
    page = (ROOT / "docs" / "practice" / "stability.md").read_text(encoding="utf-8")
    grid_first = np.ceil(data[f"{name}_one"] * 100) / 100
    assert f"{name}: sigmoid(z) == 1.0 from z = {grid_first:.2f}" in page


def test_saturation_curves():
    from backprop.activations import sigmoid

    data = plots.sigmoid_saturation_data()
    z = data["z"]
    np.testing.assert_array_equal(data["sigma"], sigmoid(z))
    assert np.all(data["tail"] > 0)                     # the exact tail never reaches 0
    np.testing.assert_allclose(data["tail"][z > 0], np.exp(-z[z > 0]) / (1 + np.exp(-z[z > 0])),
                               rtol=1e-15)
    for name in ("float64", "float32"):
        one_minus, at = data[f"{name}_one_minus"], data[f"{name}_one"]
        assert np.all(one_minus[z >= at] == 0) and np.all(one_minus[z < at] > 0)
        dtype = np.dtype(name).type
        np.testing.assert_array_equal(one_minus, 1 - sigmoid(z.astype(dtype)))
    # well before saturation both follow the exact tail
    early = z < 5
    np.testing.assert_allclose(data["float64_one_minus"][early], data["tail"][early], rtol=1e-12)


def test_saturation_alt_text_states_the_points():
    alt = _alt_text("practice/stability.md", "sigmoid-saturation.svg")
    data = plots.sigmoid_saturation_data()
    for name in ("float32", "float64"):
        assert f"z = {data[name + '_one']:.2f} in {name}" in alt
        last = data[f"{name}_one_minus"][data[f"{name}_one_minus"] > 0][-1]
        assert f"{last:.1e}".replace("e-0", "e-") in alt


def test_epsilon_alt_text_states_the_marked_points():
    alt = _alt_text("practice/gradient-checking.md", "epsilon-error.svg")
    data = plots.epsilon_error_data()
    for name in ("float64", "float32"):
        best, error = data[f"{name}_best"]
        short = lambda x: f"{x:.0e}".replace("e-0", "e-")
        assert f"ε* = {short(best)} in {name}" in alt
        assert f"is {short(error)}" in alt or f"it is {short(error)}" in alt


# --- every figure ----------------------------------------------------------------------

FIGURES = [
    plots.iris_softmax_svg,
    plots.epsilon_error_svg,
    plots.network_backward_svg,
    plots.network_backward_columns_svg,
    plots.sigmoid_saturation_svg,
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
