"""Activations and their derivatives, each checked three ways: symbolically (SymPy),
numerically (central differences) and against an independent autograd version."""

import autograd.numpy as anp
import mpmath
import numpy as np
import pytest
import sympy as sp
from autograd import elementwise_grad, jacobian
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backprop import activations as act
from backprop.gradcheck import numerical_gradient, relative_error

pytestmark = pytest.mark.filterwarnings("error")  # no RuntimeWarning may pass silently

PROPERTY = settings(deadline=None, max_examples=50, derandomize=True, database=None)
SHAPES = [(1,), (7,), (3, 4), (2, 3, 5)]
DTYPES = [np.float32, np.float64]


def central_difference(f, x, eps=1e-3):
    """Richardson-extrapolated central differences, built on numerical_gradient: the
    eps**2 error term cancels, so a larger eps (less rounding) still gives ~1e-10."""
    return (4 * numerical_gradient(f, x, eps / 2) - numerical_gradient(f, x, eps)) / 3


def away_from_zero(shape, seed, margin=0.1):
    """Random values with |z| >= margin: no kink of relu or leaky_relu within reach."""
    z = np.random.default_rng(seed).normal(0.0, 2.0, size=shape)
    return np.where(np.abs(z) < margin, margin, z)


# Independent references in autograd.numpy (textbook formulas, moderate inputs only).
REFERENCES = {
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": lambda z: (anp.exp(z) - anp.exp(-z)) / (anp.exp(z) + anp.exp(-z)),
    "relu": lambda z: anp.maximum(z, 0.0),
    "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    "identity": lambda z: z * 1.0,
}
PAIRS = {
    "sigmoid": (act.sigmoid, act.sigmoid_grad),
    "tanh": (act.tanh, act.tanh_grad),
    "relu": (act.relu, act.relu_grad),
    "leaky_relu": (act.leaky_relu, act.leaky_relu_grad),
    "identity": (act.identity, act.identity_grad),
}


def reference_softmax(z):
    e = anp.exp(z - anp.max(z, axis=-1, keepdims=True))
    return e / anp.sum(e, axis=-1, keepdims=True)


# ---------------------------------------------------------------- symbolic (SymPy)

z_sym = sp.symbols("z", real=True)


def test_sigmoid_derivative_is_s_times_one_minus_s():
    s = 1 / (1 + sp.exp(-z_sym))
    assert sp.simplify(sp.diff(s, z_sym) - s * (1 - s)) == 0


def test_tanh_derivative_is_one_minus_tanh_squared():
    assert sp.simplify(sp.diff(sp.tanh(z_sym), z_sym) - (1 - sp.tanh(z_sym) ** 2)) == 0


def test_sigmoid_shifted_form_equals_textbook_form():
    """The code's e^(z - c) / (e^-c + e^(z - c)) is sigma(z) for every shift c."""
    c = sp.symbols("c", real=True)
    shifted = sp.exp(z_sym - c) / (sp.exp(-c) + sp.exp(z_sym - c))
    assert sp.simplify(shifted - 1 / (1 + sp.exp(-z_sym))) == 0


@pytest.mark.parametrize(
    "name, expression",
    [
        ("relu", sp.Max(z_sym, 0)),
        ("leaky_relu", sp.Piecewise((z_sym, z_sym > 0), (sp.Rational(1, 100) * z_sym, True))),
        ("sigmoid", 1 / (1 + sp.exp(-z_sym))),
        ("tanh", sp.tanh(z_sym)),
        ("identity", z_sym),
    ],
)
def test_grad_matches_sympy_derivative_at_points(name, expression):
    """Values and derivatives against SymPy, evaluated exactly at points off the kink."""
    f, f_grad = PAIRS[name]
    points = np.array([-3.5, -1.25, -0.5, 0.25, 0.75, 2.0, 4.5])
    derivative = sp.diff(expression, z_sym)
    expected_f = [float(expression.subs(z_sym, sp.Float(v, 30)).evalf(30)) for v in points]
    expected_grad = [float(derivative.subs(z_sym, sp.Float(v, 30)).evalf(30)) for v in points]
    assert relative_error(f(points), expected_f) <= 1e-15
    assert relative_error(f_grad(points), expected_grad) <= 1e-12  # 1 - tanh^2 cancels


def test_relu_grad_at_zero_is_zero_and_leaky_grad_is_slope():
    """PyTorch's choice at the kink: relu'(0) = 0, leaky_relu'(0) = slope."""
    assert act.relu_grad(np.array([0.0]))[0] == 0.0
    assert act.leaky_relu_grad(np.array([0.0]), slope=0.2)[0] == 0.2


def test_softmax_jacobian_symbolic():
    """d softmax_i / d z_j = p_i (delta_ij - p_j) for K = 3 symbols."""
    z = sp.symbols("z0:3", real=True)
    total = sum(sp.exp(zk) for zk in z)
    p = sp.Matrix([sp.exp(zk) / total for zk in z])
    jac = p.jacobian(z)
    expected = sp.diag(*p) - p * p.T
    assert sp.simplify(jac - expected) == sp.zeros(3, 3)


def test_softmax_backward_symbolic():
    """J^T g = p * (g - <g, p>) for K = 3 symbols (J is symmetric)."""
    z = sp.symbols("z0:3", real=True)
    g = sp.Matrix(sp.symbols("g0:3", real=True))
    total = sum(sp.exp(zk) for zk in z)
    p = sp.Matrix([sp.exp(zk) / total for zk in z])
    vjp = p.jacobian(z).T * g
    inner = (g.T * p)[0]
    expected = sp.Matrix([p[i] * (g[i] - inner) for i in range(3)])
    assert sp.simplify(vjp - expected) == sp.zeros(3, 1)


# ---------------------------------------------------------------- numerical and autograd


@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize("shape", SHAPES)
def test_grad_matches_central_differences(name, shape):
    f, f_grad = PAIRS[name]
    z = away_from_zero(shape, seed=len(shape) * 7 + len(name))
    weights = np.random.default_rng(1).uniform(0.5, 1.5, size=shape)
    numeric = central_difference(lambda x: np.sum(weights * f(x)), z)
    assert relative_error(numeric, weights * f_grad(z)) <= 1e-7


@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize("shape", SHAPES)
def test_matches_autograd(name, shape):
    f, f_grad = PAIRS[name]
    z = away_from_zero(shape, seed=sum(shape) + len(name))
    reference = REFERENCES[name]
    assert relative_error(f(z), reference(z)) <= 1e-10
    assert relative_error(f_grad(z), elementwise_grad(reference)(z)) <= 1e-10


@pytest.mark.parametrize("shape", [(1, 2), (4, 3), (5, 10), (3, 2, 4)])
def test_softmax_matches_autograd_and_its_jacobian(shape):
    z = np.random.default_rng(sum(shape)).normal(0, 3, size=shape)
    assert relative_error(act.softmax(z), reference_softmax(z)) <= 1e-10
    rows = z.reshape(-1, shape[-1])
    p = act.softmax(rows)
    expected = np.stack([jacobian(reference_softmax)(row) for row in rows])
    # Entries are <= 1/4; p_i - p_i**2 cancels when p_i ~ 1, hence the absolute floor.
    np.testing.assert_allclose(act.softmax_jacobian(p), expected, rtol=1e-10, atol=1e-16)


@pytest.mark.parametrize("shape", [(1, 2), (4, 3), (6, 7)])
def test_softmax_backward_matches_central_differences(shape):
    rng = np.random.default_rng(shape[1])
    z, grad_p = rng.normal(0, 2, size=shape), rng.uniform(0.5, 1.5, size=shape)
    numeric = central_difference(lambda x: np.sum(grad_p * act.softmax(x)), z)
    assert relative_error(act.softmax_backward(act.softmax(z), grad_p), numeric) <= 1e-7


def test_softmax_and_log_softmax_match_50_digit_arithmetic():
    z = np.random.default_rng(3).normal(0, 4, size=(6, 5))
    mpmath.mp.dps = 50
    exact_log = np.array(
        [[float(v - mpmath.log(mpmath.fsum(mpmath.exp(w) for w in row))) for v in row]
         for row in z.tolist()]
    )
    # log(sum) is log(1 + small) for a dominant logit: absolute, not relative, accuracy.
    np.testing.assert_allclose(act.log_softmax(z), exact_log, rtol=1e-14, atol=1e-15)
    assert relative_error(act.softmax(z), np.exp(exact_log)) <= 1e-13


# ---------------------------------------------------------------- properties


def logits(max_magnitude=1e4, min_dims=2, max_dims=2):
    """Finite logits of random shape, dtype and magnitude (up to 1e4)."""
    return st.sampled_from(DTYPES).flatmap(
        lambda dtype: hnp.arrays(
            dtype,
            hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=6),
            elements=st.floats(
                -max_magnitude, max_magnitude, allow_nan=False, width=32
            ),
        )
    )


@PROPERTY
@given(z=logits())
def test_softmax_rows_are_distributions(z):
    p = act.softmax(z)
    assert p.dtype == z.dtype and p.shape == z.shape
    assert np.all(p >= 0) and np.all(p <= 1)
    tolerance = 1e-5 if z.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(p.sum(axis=-1), 1, rtol=0, atol=tolerance)


@PROPERTY
@given(z=logits(max_magnitude=30), seed=st.integers(0, 2**32 - 1))
def test_softmax_backward_equals_jacobian_product(z, seed):
    z = z.astype(np.float64)
    grad_p = np.random.default_rng(seed).normal(size=z.shape)
    p = act.softmax(z)
    via_jacobian = np.einsum("nij,ni->nj", act.softmax_jacobian(p), grad_p)
    np.testing.assert_allclose(act.softmax_backward(p, grad_p), via_jacobian, atol=1e-12)


@PROPERTY
@given(z=logits(min_dims=1, max_dims=3))
def test_elementwise_activations_finite_and_dtype_preserving(z):
    for f, f_grad in PAIRS.values():
        for out in (f(z), f_grad(z)):
            assert out.dtype == z.dtype and out.shape == z.shape
            assert np.isfinite(out).all()
    s = act.sigmoid(z)
    assert np.all((s >= 0) & (s <= 1))


# ---------------------------------------------------------------- extreme values


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_is_exact_up_to_1e4(dtype):
    """Compared with 50-digit mpmath: within 2 units in the last place wherever the
    true value is a normal number of the dtype, and 0 or 1 where it rounds there."""
    z = np.concatenate([np.linspace(-1e4, 1e4, 401), np.linspace(-120, 120, 481)])
    z = z.astype(dtype)
    mpmath.mp.dps = 50
    exact = np.array(
        [float(1 / (1 + mpmath.exp(-mpmath.mpf(float(v))))) for v in z]
    ).astype(dtype)  # correctly rounded to dtype (through float64: fine here)
    got = act.sigmoid(z)
    assert got.dtype == dtype
    tiny = np.finfo(dtype).tiny
    normal = exact >= tiny
    ulps = np.abs(got[normal] - exact[normal]) / np.spacing(exact[normal])
    assert ulps.max() <= 2
    assert np.all(np.abs(got[~normal] - exact[~normal]) <= tiny)


@pytest.mark.parametrize("dtype", DTYPES)
def test_extreme_logits(dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    p = act.softmax(z)
    expected = np.array([[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]], dtype=dtype)
    assert p.dtype == dtype
    np.testing.assert_allclose(p, expected, rtol=1e-6)
    np.testing.assert_array_equal(act.sigmoid(z[0]), np.array([1, 0, 0.5], dtype=dtype))
    np.testing.assert_array_equal(act.sigmoid_grad(z[0]), np.array([0, 0, 0.25], dtype=dtype))
    np.testing.assert_array_equal(act.tanh_grad(z[0]), np.array([0, 0, 1], dtype=dtype))
    log_p = act.log_softmax(z)
    assert np.isfinite(log_p).all() and log_p.dtype == dtype
    np.testing.assert_allclose(log_p[0], [0, -2e4, -1e4], rtol=1e-6)


def test_softmax_with_a_wide_spread_batch_uses_row_shifts():
    """Rows 1000 apart: one batch-wide shift would underflow the lower row to 0/0."""
    z = np.array([[1000.0, 999.0], [0.0, -1.0]])
    row = act.softmax(np.array([1.0, 0.0]))
    np.testing.assert_allclose(act.softmax(z), [row, row], rtol=1e-15)


def test_non_finite_logit_in_a_late_block_is_reported_with_its_index():
    z = np.zeros((30_000, 10))
    z[29_999, 3] = np.nan
    with pytest.raises(ValueError, match=r"z: expected finite values, got nan at index \(29999, 3\)"):
        act.softmax(z)


def test_large_softmax_in_blocks_matches_rowwise():
    """Enough rows to take several cache blocks, with both kinds of shift."""
    rng = np.random.default_rng(0)
    for spread in (3, 300):
        z = rng.normal(0, spread, size=(20_000, 7))
        np.testing.assert_allclose(
            act.softmax(z), reference_softmax(z), rtol=1e-13, atol=1e-300
        )


# ---------------------------------------------------------------- rejections

REJECTIONS = [
    (act.sigmoid, (np.array(["a"]),), TypeError, r"z: expected a numeric array, got dtype <U1"),
    (act.sigmoid, (np.array([1j]),), TypeError, r"z: expected real numbers, got dtype complex128"),
    (act.relu, (np.array([]),), ValueError, r"z: expected a non-empty array, got shape \(0,\)"),
    (act.tanh, (np.array([0.0, np.nan]),), ValueError, r"z: expected finite values, got nan at index \(1,\)"),
    (act.relu_grad, (np.array([np.inf]),), ValueError, r"z: expected finite values, got inf"),
    (act.softmax, (np.float64(1.0),), ValueError, r"z: expected at least 1-D array, got 0-D"),
    (act.softmax, (np.array([[0.0, 1.0], [-np.inf, 0.0]]),), ValueError, r"z: expected finite values, got -inf at index \(1, 0\)"),
    (act.log_softmax, (np.array([[0.0, np.nan]]),), ValueError, r"z: expected finite values, got nan at index \(0, 1\)"),
    (act.leaky_relu, (np.ones(2), "a"), TypeError, r"slope: expected a real number, got 'a'"),
    (act.leaky_relu_grad, (np.ones(2), np.nan), ValueError, r"slope: expected a finite number, got nan"),
    (act.softmax_jacobian, (np.array([0.5, 0.5]),), ValueError, r"p: expected a 2-D array, got 1-D"),
    (act.softmax_jacobian, (np.array([[1.5, -0.5]]),), ValueError, r"p: expected values in \[0, 1\], got -0.5"),
    (act.softmax_backward, (np.full((2, 2), 0.5), np.ones((2, 3))), ValueError,
     r"grad_p: expected the shape of p \(2, 2\), got \(2, 3\)"),
    (act.softmax_backward, (np.full((2, 2), 0.5), np.ones((2, 1))), ValueError,
     r"grad_p: expected the shape of p \(2, 2\), got \(2, 1\)"),
    (act.softmax_backward, (np.full((2, 2), 0.5), [[1, 2], [3, np.inf]]), ValueError,
     r"grad_p: expected finite values, got inf at index \(1, 1\)"),
]


@pytest.mark.parametrize("function, args, error, message", REJECTIONS)
def test_rejects_bad_input(function, args, error, message):
    with pytest.raises(error, match=message):
        function(*args)
