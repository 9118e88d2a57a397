"""Every loss gradient checked three ways: symbolically (SymPy), numerically (central
differences) and against an independent autograd implementation of the loss."""

import autograd.numpy as anp
import numpy as np
import pytest
import sympy as sp
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backprop import losses
from backprop.activations import sigmoid, sigmoid_grad, softmax, softmax_backward
from backprop.gradcheck import numerical_gradient, relative_error

pytestmark = pytest.mark.filterwarnings("error")  # no RuntimeWarning may pass silently

PROPERTY = settings(deadline=None, max_examples=50, derandomize=True, database=None)
REDUCTIONS = ["mean", "sum"]
DTYPES = [np.float32, np.float64]
ELEMENTWISE_SHAPES = [(1,), (5,), (4, 3), (2, 3, 4)]
MULTICLASS_SHAPES = [(1, 2), (4, 3), (7, 5), (3, 10)]
TARGET_KINDS = ["indices", "one_hot", "soft"]


def central_difference(f, x, eps=1e-3):
    """Richardson-extrapolated central differences, built on numerical_gradient: the
    eps**2 error term cancels, so a larger eps (less rounding) still gives ~1e-10."""
    return (4 * numerical_gradient(f, x, eps / 2) - numerical_gradient(f, x, eps)) / 3


# ---------------------------------------------------------------- inputs


def _seed(key):
    """A stable seed from a test's parameters (hash() of str is salted per run)."""
    return sum((i + 1) * ord(c) for i, c in enumerate(repr(key)))


def multiclass_targets(kind, n, k, rng):
    labels = rng.integers(0, k, size=n)
    if kind == "indices":
        return labels
    if kind == "one_hot":
        return np.eye(k)[labels]
    weights = rng.uniform(0.1, 1.0, size=(n, k))
    return weights / weights.sum(axis=1, keepdims=True)


def one_hot(y, k):
    """Targets as probability rows, for the references."""
    return np.eye(k)[y] if y.ndim == 1 else y


def probability_rows(n, k, rng, low=0.2):
    """Probabilities in [low, 1), not normalised: the gradient treats each p_k as free."""
    return rng.uniform(low, 1.0, size=(n, k)) / k ** 0.5


# ---------------------------------------------------------------- autograd references


def reduce(values, reduction, n):
    if reduction == "none":
        return values
    return anp.sum(values) / n if reduction == "mean" else anp.sum(values)


def ref_mse(a, b, reduction):
    return reduce((a - b) ** 2, reduction, a.size)


def ref_bce(p, y, reduction):
    return reduce(-(y * anp.log(p) + (1 - y) * anp.log(1 - p)), reduction, p.size)


def ref_bce_logits(z, y, reduction):
    s = 1 / (1 + anp.exp(-z))
    return reduce(-(y * anp.log(s) + (1 - y) * anp.log(1 - s)), reduction, z.size)


def ref_cce(p, y, reduction):
    y = one_hot(y, p.shape[1])
    return reduce(-anp.sum(y * anp.log(p), axis=1), reduction, p.shape[0])


def ref_softmax_ce(z, y, reduction):
    y = one_hot(y, z.shape[1])
    log_p = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
    return reduce(-anp.sum(y * log_p, axis=1), reduction, z.shape[0])


def elementwise_case(name, shape, rng):
    """(prediction, target) for an element-wise loss, away from clamps, with every
    |prediction - target| >= 0.05 (in probability) so no gradient entry is tiny
    enough for rounding in the central differences to matter."""
    draw = {
        "mse": lambda size: rng.normal(size=size),
        "binary_cross_entropy": lambda size: rng.uniform(0.05, 0.95, size=size),
        "binary_cross_entropy_with_logits": lambda size: rng.normal(0, 3, size=size),
    }[name]
    as_probability = sigmoid if name.endswith("logits") else (lambda x: x)
    target = rng.normal(size=shape) if name == "mse" else rng.uniform(0, 1, size=shape)
    pred = draw(shape)
    while True:
        close = np.abs(as_probability(pred) - target) < 0.05
        if not close.any():
            return pred, target
        pred[close] = draw(close.sum())


ELEMENTWISE = {
    "mse": (losses.mse, losses.mse_grad, ref_mse),
    "binary_cross_entropy": (
        losses.binary_cross_entropy,
        losses.binary_cross_entropy_grad,
        ref_bce,
    ),
    "binary_cross_entropy_with_logits": (
        losses.binary_cross_entropy_with_logits,
        losses.binary_cross_entropy_with_logits_grad,
        ref_bce_logits,
    ),
}
MULTICLASS = {
    "categorical_cross_entropy": (
        losses.categorical_cross_entropy,
        losses.categorical_cross_entropy_grad,
        ref_cce,
    ),
    "softmax_cross_entropy": (
        losses.softmax_cross_entropy,
        losses.softmax_cross_entropy_grad,
        ref_softmax_ce,
    ),
}


def multiclass_case(name, shape, kind, rng):
    n, k = shape
    if name.startswith("categorical"):
        pred = probability_rows(n, k, rng)
    else:  # moderate logits: every p_k, hence every gradient entry, stays >~ 1e-3
        pred = rng.normal(0, 1.5, size=shape)
    return pred, multiclass_targets(kind, n, k, rng)


# ---------------------------------------------------------------- numerical and autograd


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", ELEMENTWISE_SHAPES)
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_loss_gradients(name, shape, reduction):
    loss, loss_grad, reference = ELEMENTWISE[name]
    pred, target = elementwise_case(name, shape, np.random.default_rng(_seed((name, shape))))
    analytic = loss_grad(pred, target, reduction)
    assert analytic.shape == pred.shape
    # (2) central differences of our own loss
    numeric = central_difference(lambda x: loss(x, target, reduction), pred)
    assert relative_error(numeric, analytic) <= 1e-7
    # (3) autograd on an independent implementation
    assert relative_error(loss(pred, target, reduction), reference(pred, target, reduction)) <= 1e-10
    per_element = loss(pred, target, "none")
    assert per_element.shape == pred.shape
    assert relative_error(per_element, reference(pred, target, "none")) <= 1e-10
    expected = grad(reference)(pred, target, reduction)
    assert relative_error(analytic, expected) <= 1e-10


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", TARGET_KINDS)
@pytest.mark.parametrize("shape", MULTICLASS_SHAPES)
@pytest.mark.parametrize("name", sorted(MULTICLASS))
def test_multiclass_loss_gradients(name, shape, kind, reduction):
    loss, loss_grad, reference = MULTICLASS[name]
    pred, y = multiclass_case(name, shape, kind, np.random.default_rng(_seed((name, shape, kind))))
    analytic = loss_grad(pred, y, reduction)
    assert analytic.shape == pred.shape
    eps = 1e-4 if name.startswith("categorical") else 1e-3  # log p curves fast near 0
    numeric = central_difference(lambda x: loss(x, y, reduction), pred, eps)
    assert relative_error(numeric, analytic) <= 1e-7
    assert relative_error(loss(pred, y, reduction), reference(pred, y, reduction)) <= 1e-10
    per_row = loss(pred, y, "none")
    assert per_row.shape == (len(pred),)
    assert relative_error(per_row, reference(pred, y, "none")) <= 1e-10
    expected = grad(reference)(pred, y, reduction)
    assert relative_error(analytic, expected) <= 1e-10


# ---------------------------------------------------------------- symbolic (SymPy)


def test_mse_gradient_symbolic():
    """L = (1/n) sum (a_i - b_i)^2 gives dL/da_i = 2 (a_i - b_i) / n; with the
    1/2 convention, L = 1/2 sum (a_i - b_i)^2, the 2 cancels: dL/da_i = a_i - b_i."""
    a, b = sp.symbols("a0:3", real=True), sp.symbols("b0:3", real=True)
    mean_loss = sum((ai - bi) ** 2 for ai, bi in zip(a, b)) / 3
    half_loss = sum((ai - bi) ** 2 for ai, bi in zip(a, b)) / 2
    for ai, bi in zip(a, b):
        assert sp.simplify(sp.diff(mean_loss, ai) - 2 * (ai - bi) / 3) == 0
        assert sp.simplify(sp.diff(half_loss, ai) - (ai - bi)) == 0
    values = {s: v for s, v in zip(a + b, [0.5, -1.0, 2.0, 1.5, 0.25, -0.75])}
    expected = [float(sp.diff(mean_loss, ai).subs(values)) for ai in a]
    got = losses.mse_grad([0.5, -1.0, 2.0], [1.5, 0.25, -0.75])
    assert relative_error(got, expected) <= 1e-15


p_sym, y_sym, z_sym = sp.symbols("p y z", real=True)
BCE_SYM = -(y_sym * sp.log(p_sym) + (1 - y_sym) * sp.log(1 - p_sym))
SIGMA_SYM = 1 / (1 + sp.exp(-z_sym))


def test_bce_gradient_symbolic():
    assert sp.simplify(sp.diff(BCE_SYM, p_sym) - (p_sym - y_sym) / (p_sym * (1 - p_sym))) == 0
    point = {p_sym: sp.Rational(3, 10), y_sym: sp.Rational(4, 5)}
    expected = float(sp.diff(BCE_SYM, p_sym).subs(point))
    got = losses.binary_cross_entropy_grad([0.3], [0.8])[0]
    assert relative_error(got, expected) <= 1e-15


def test_bce_of_sigmoid_collapses_to_sigma_minus_y():
    """d/dz BCE(sigma(z), y) - (sigma(z) - y) simplifies to 0."""
    composed = BCE_SYM.subs(p_sym, SIGMA_SYM)
    assert sp.simplify(sp.diff(composed, z_sym) - (SIGMA_SYM - y_sym)) == 0


@pytest.mark.parametrize("sign", [1, -1])
def test_stable_bce_with_logits_formula_symbolic(sign):
    """max(z, 0) - z y + log(1 + exp(-|z|)) is BCE(sigma(z), y) on both sides of 0."""
    t = sp.symbols("t", positive=True)
    z = sign * t
    stable = sp.Max(z, 0) - z * y_sym + sp.log(1 + sp.exp(-sp.Abs(z)))
    textbook = BCE_SYM.subs(p_sym, SIGMA_SYM).subs(z_sym, z)
    assert sp.simplify(sp.expand_log(stable - textbook, force=True)) == 0


def test_categorical_ce_gradient_symbolic():
    p, y = sp.symbols("p0:3", positive=True), sp.symbols("y0:3", real=True)
    loss = -sum(yk * sp.log(pk) for yk, pk in zip(y, p))
    for pk, yk in zip(p, y):
        assert sp.simplify(sp.diff(loss, pk) + yk / pk) == 0


def softmax_sym(z):
    total = sum(sp.exp(zk) for zk in z)
    return [sp.exp(zk) / total for zk in z]


def test_softmax_ce_collapses_to_p_minus_y():
    """For K = 3 and targets summing to 1: dL/dz_k = p_k - y_k."""
    z = sp.symbols("z0:3", real=True)
    y1, y2 = sp.symbols("y1 y2", real=True)
    y = [1 - y1 - y2, y1, y2]  # any target row that sums to 1
    p = softmax_sym(z)
    loss = -sum(yk * sp.log(pk) for yk, pk in zip(y, p))
    for k in range(3):
        assert sp.simplify(sp.diff(loss, z[k]) - (p[k] - y[k])) == 0


def test_softmax_backward_of_categorical_gradient_is_p_minus_y():
    """J^T (-y / p) = p - y when y sums to 1: the two paths give the same gradient."""
    z = sp.symbols("z0:3", real=True)
    y1, y2 = sp.symbols("y1 y2", real=True)
    y = sp.Matrix([1 - y1 - y2, y1, y2])
    p = sp.Matrix(softmax_sym(z))
    grad_p = sp.Matrix([-y[k] / p[k] for k in range(3)])
    assert sp.simplify(p.jacobian(z).T * grad_p - (p - y)) == sp.zeros(3, 1)


# ---------------------------------------------------------------- properties


@st.composite
def multiclass_batches(draw, max_magnitude=1e4, dtypes=DTYPES):
    """(z, y): logits of random shape, dtype and magnitude, with a random kind of target."""
    dtype = draw(st.sampled_from(dtypes))
    n, k = draw(st.integers(1, 6)), draw(st.integers(2, 6))
    z = draw(
        hnp.arrays(
            dtype, (n, k), elements=st.floats(-max_magnitude, max_magnitude, width=32)
        )
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(TARGET_KINDS))
    return z, multiclass_targets(kind, n, k, rng)


@st.composite
def binary_batches(draw, max_magnitude=1e4, dtypes=DTYPES):
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5))
    z = draw(hnp.arrays(dtype, shape, elements=st.floats(-max_magnitude, max_magnitude, width=32)))
    y = draw(hnp.arrays(dtype, shape, elements=st.floats(0, 1, width=32)))
    return z, y


@PROPERTY
@given(batch=multiclass_batches(), reduction=st.sampled_from(REDUCTIONS))
def test_softmax_ce_grad_rows_sum_to_zero(batch, reduction):
    """Each row of softmax(z) - y sums to 1 - 1 = 0 (times 1/N for "mean")."""
    z, y = batch
    grad_z = losses.softmax_cross_entropy_grad(z, y, reduction)
    n = len(z) if reduction == "mean" else 1
    tolerance = 1e-5 if z.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(grad_z.sum(axis=1) * n, 0, atol=tolerance)


@PROPERTY
@given(batch=multiclass_batches(max_magnitude=10, dtypes=[np.float64]))
def test_the_two_multiclass_paths_agree(batch):
    """softmax + categorical CE equals the fused softmax CE: losses and gradients.
    (|z| <= 10 keeps every p_k above e^-20 / 6 >> EPS = 1e-12, where the clamp of
    the probability form would make the paths differ on purpose.)"""
    z, y = batch
    p = softmax(z)
    np.testing.assert_allclose(
        losses.categorical_cross_entropy(p, y),
        losses.softmax_cross_entropy(z, y),
        rtol=1e-9,
        atol=1e-12,
    )
    chained = softmax_backward(p, losses.categorical_cross_entropy_grad(p, y))
    np.testing.assert_allclose(chained, losses.softmax_cross_entropy_grad(z, y), atol=1e-12)


@PROPERTY
@given(batch=binary_batches(max_magnitude=10, dtypes=[np.float64]))
def test_the_two_binary_paths_agree(batch):
    """sigmoid + BCE equals the fused BCE with logits: losses and gradients."""
    z, y = batch
    p = sigmoid(z)
    np.testing.assert_allclose(
        losses.binary_cross_entropy(p, y),
        losses.binary_cross_entropy_with_logits(z, y),
        rtol=1e-9,
        atol=1e-12,
    )
    chained = losses.binary_cross_entropy_grad(p, y) * sigmoid_grad(z)
    np.testing.assert_allclose(
        chained, losses.binary_cross_entropy_with_logits_grad(z, y), rtol=1e-7, atol=1e-14
    )


ALL_LOSSES = {**ELEMENTWISE, **MULTICLASS}


def batch_for(name, z, y):
    """Turn logits into the argument the loss expects (probabilities where needed)."""
    if name == "binary_cross_entropy":
        return sigmoid(z), y
    if name == "categorical_cross_entropy":
        return softmax(z), y
    return z, y


@PROPERTY
@given(
    name=st.sampled_from(sorted(ALL_LOSSES)),
    multiclass=multiclass_batches(),
    binary=binary_batches(),
)
def test_mean_is_sum_over_n_and_everything_is_finite(name, multiclass, binary):
    """Any shape, float32 or float64, logits up to 1e4: finite losses and gradients in
    the input's dtype, and "mean" = "sum" / n (n = elements, or rows for multi-class)."""
    loss, loss_grad, _ = ALL_LOSSES[name]
    z, y = multiclass if name in MULTICLASS else binary
    pred, y = batch_for(name, z, y)
    n = len(pred) if name in MULTICLASS else pred.size
    values = {r: (loss(pred, y, r), loss_grad(pred, y, r)) for r in REDUCTIONS}
    for value, gradient in values.values():
        assert np.isfinite(value) and np.isfinite(gradient).all()
        assert value.dtype == pred.dtype and gradient.dtype == pred.dtype
    rtol = 1e-5 if pred.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(values["mean"][0], values["sum"][0] / n, rtol=rtol)
    np.testing.assert_allclose(values["mean"][1], values["sum"][1] / n, rtol=rtol)
    each = loss(pred, y, "none")  # one per row (multi-class) or per element
    assert each.shape == ((len(pred),) if name in MULTICLASS else pred.shape)
    assert each.dtype == pred.dtype and np.isfinite(each).all()
    np.testing.assert_allclose(each.sum(), values["sum"][0], rtol=rtol, atol=1e-30)


# ---------------------------------------------------------------- extreme values


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_ce_at_extreme_logits(dtype):
    z = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype)
    y = np.array([0, 1, 2])
    loss = losses.softmax_cross_entropy(z, y, "sum")
    grad_z = losses.softmax_cross_entropy_grad(z, y, "sum")
    assert loss.dtype == dtype and grad_z.dtype == dtype
    # row 0 is right (0), row 1 is wrong by 2e4, row 2 is uniform (log 3)
    np.testing.assert_allclose(loss, 2e4 + np.log(3), rtol=1e-6)
    expected = np.array([[0, 0, 0], [1, -1, 0], [1 / 3, 1 / 3, -2 / 3]], dtype=dtype)
    np.testing.assert_allclose(grad_z, expected, rtol=1e-6, atol=1e-7)
    one_hot_rows = np.eye(3, dtype=dtype)[y]
    np.testing.assert_array_equal(
        losses.softmax_cross_entropy_grad(z, one_hot_rows, "sum"), grad_z
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_at_extreme_logits(dtype):
    z = np.array([1e4, -1e4, 1e4, -1e4, 0.0], dtype=dtype)
    y = np.array([1, 0, 0, 1, 1], dtype=dtype)
    per_element = [0, 0, 1e4, 1e4, np.log(2)]
    loss = losses.binary_cross_entropy_with_logits(z, y, "sum")
    assert loss.dtype == dtype
    np.testing.assert_allclose(loss, sum(per_element), rtol=1e-6)
    grad_z = losses.binary_cross_entropy_with_logits_grad(z, y, "sum")
    np.testing.assert_array_equal(grad_z, np.array([0, 0, 1, -1, -0.5], dtype=dtype))


def test_perfect_predictions_have_loss_exactly_zero():
    p = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert losses.binary_cross_entropy(p, p) == 0
    np.testing.assert_array_equal(losses.binary_cross_entropy_grad(p, p), 0)
    assert losses.categorical_cross_entropy(p, np.array([1, 0])) == 0
    assert losses.categorical_cross_entropy(p, p) == 0
    np.testing.assert_array_equal(
        losses.categorical_cross_entropy_grad(p, p), [[0, -0.5], [-0.5, 0]]
    )
    z = np.array([[-1e4, 1e4], [1e4, -1e4]])
    assert losses.softmax_cross_entropy(z, np.array([1, 0])) == 0
    assert losses.binary_cross_entropy_with_logits(z, p) == 0
    assert not np.signbit(losses.binary_cross_entropy(p, p))  # +0, not -0


def test_probability_clamps_match_pytorch():
    """log is clamped at -100 and gradient denominators at 1e-12, as in BCELoss."""
    p, y = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    assert losses.binary_cross_entropy(p, y, "sum") == 200.0
    np.testing.assert_array_equal(losses.binary_cross_entropy_grad(p, y, "sum"), [-1e12, 1e12])
    assert losses.categorical_cross_entropy(np.array([[0.0, 1.0]]), np.array([0])) == 100.0
    np.testing.assert_array_equal(
        losses.categorical_cross_entropy_grad(np.array([[0.0, 1.0]]), np.array([0])),
        [[-1e12, 0.0]],
    )
    tiny = np.array([1e-300])  # log is -690.8: clamped to -100
    assert losses.binary_cross_entropy(tiny, np.array([1.0])) == 100.0
    np.testing.assert_array_equal(losses.clamped_log(np.array([0.0, 1e-300, 0.5])),
                                  [-100.0, -100.0, np.log(0.5)])


@pytest.mark.parametrize("dtype", DTYPES)
def test_float32_in_float32_out(dtype):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 3)).astype(dtype)
    y_index, y_rows = np.array([0, 2, 1, 1]), np.eye(3)[[0, 2, 1, 1]]  # rows in float64
    p = softmax(z)
    b = rng.uniform(size=(4, 3))  # float64 targets
    for value in [
        losses.mse(z, b), losses.mse_grad(z, b),
        losses.binary_cross_entropy(sigmoid(z), b), losses.binary_cross_entropy_grad(sigmoid(z), b),
        losses.binary_cross_entropy_with_logits(z, b), losses.binary_cross_entropy_with_logits_grad(z, b),
        losses.categorical_cross_entropy(p, y_index), losses.categorical_cross_entropy_grad(p, y_rows),
        losses.softmax_cross_entropy(z, y_rows), losses.softmax_cross_entropy_grad(z, y_index),
    ]:
        assert value.dtype == dtype


def test_large_batch_gradient_matches_reference():
    """Enough rows for several cache blocks of the fused softmax gradient."""
    rng = np.random.default_rng(5)
    z, y = rng.normal(0, 2, size=(3000, 50)), rng.integers(0, 50, size=3000)
    expected = grad(ref_softmax_ce)(z, y, "mean")
    assert relative_error(losses.softmax_cross_entropy_grad(z, y), expected) <= 1e-10


# ---------------------------------------------------------------- rejections

Z = np.zeros((4, 3))
P = np.full((4, 3), 1 / 3)
Y = np.array([0, 1, 2, 0])
ONE_HOT = np.eye(3)[Y]
sce, sce_grad = losses.softmax_cross_entropy, losses.softmax_cross_entropy_grad
cce, cce_grad = losses.categorical_cross_entropy, losses.categorical_cross_entropy_grad
bce, bce_grad = losses.binary_cross_entropy, losses.binary_cross_entropy_grad
bcel, bcel_grad = losses.binary_cross_entropy_with_logits, losses.binary_cross_entropy_with_logits_grad

REJECTIONS = [
    # class indices
    (sce_grad, (Z, np.array([0, 1, 3, 0])), ValueError, r"y: class index 3 out of range for 3 classes"),
    (sce, (Z, np.array([0, -1, 2, 0])), ValueError, r"y: class index -1 out of range for 3 classes"),
    (cce_grad, (P, np.array([0.0, 1.0, 2.0, 0.0])), ValueError, r"y: expected integer class indices, got dtype float64"),
    (sce_grad, (Z, np.array([True, False, True, False])), ValueError, r"y: expected integer class indices, got dtype bool"),
    (sce_grad, (Z, np.array([0, 1, 2])), ValueError, r"y: expected 4 class indices, one per row, got 3"),
    (sce_grad, (Z, Y[:, None]), ValueError, r"y: expected class indices of shape \(4,\) or probability rows of shape \(4, 3\) like z, got shape \(4, 1\)"),
    (sce_grad, (Z, np.array(["a", "b", "c", "d"])), TypeError, r"y: expected a numeric array, got dtype <U1"),
    (sce_grad, (Z, np.array([], dtype=int)), ValueError, r"y: expected a non-empty array, got shape \(0,\)"),
    # probability rows
    (sce_grad, (Z, np.eye(4)[Y]), ValueError, r"y: expected class indices of shape \(4,\) or probability rows of shape \(4, 3\) like z, got shape \(4, 4\)"),
    (cce, (P, ONE_HOT * 0.9), ValueError, r"y: expected rows of probabilities summing to 1 \(tolerance 1.0e-06\), got row 0 summing to 0.9"),
    (sce_grad, (Z.astype(np.float32), ONE_HOT * 0.999), ValueError, r"tolerance 1.2e-05\), got row 0 summing to 0.999"),
    (sce_grad, (Z, ONE_HOT * 2 - ONE_HOT.mean(axis=1, keepdims=True) * 3), ValueError, r"y: expected non-negative probabilities, got -1.0"),
    (sce_grad, (Z, np.where(ONE_HOT == 1, np.nan, 0)), ValueError, r"y: expected finite values, got nan at index \(0, 0\)"),
    # logits and probabilities
    (sce_grad, (np.zeros(3), np.array([0])), ValueError, r"z: expected a 2-D array, got 1-D with shape \(3,\)"),
    (sce, (np.zeros((2, 2, 3)), np.array([0, 1])), ValueError, r"z: expected a 2-D array, got 3-D"),
    (sce_grad, (np.zeros((0, 3)), np.array([], dtype=int)), ValueError, r"z: expected a non-empty array, got shape \(0, 3\)"),
    (sce_grad, (np.where(Z == 0, np.inf, 0), Y), ValueError, r"z: expected finite values, got inf at index \(0, 0\)"),
    (sce_grad, (np.array([["a"]]), np.array([0])), TypeError, r"z: expected a numeric array, got dtype <U1"),
    (cce_grad, (P * 4, Y), ValueError, r"p: expected values in \[0, 1\], got 1.33"),
    (cce, (P - 0.5, Y), ValueError, r"p: expected values in \[0, 1\], got -0.16"),
    (bce, (np.array([0.5, 1.5]), np.array([0.0, 1.0])), ValueError, r"p: expected values in \[0, 1\], got 1.5"),
    (bce_grad, (np.array([0.5, np.nan]), np.array([0.0, 1.0])), ValueError, r"p: expected finite values, got nan at index \(1,\)"),
    # binary targets
    (bcel_grad, (np.zeros(4), np.zeros((4, 1))), ValueError, r"y: expected the shape of z \(4,\), got \(4, 1\)"),
    (bcel, (np.zeros((4, 1)), np.zeros(4)), ValueError, r"y: expected the shape of z \(4, 1\), got \(4,\)"),
    (bce_grad, (np.full(2, 0.5), np.array([0.0, 2.0])), ValueError, r"y: expected values in \[0, 1\], got 2.0"),
    (bcel_grad, (np.zeros(2), np.array([-0.5, 1.0])), ValueError, r"y: expected values in \[0, 1\], got -0.5"),
    (bcel_grad, (np.zeros(2), np.array([0.5, np.inf])), ValueError, r"y: expected finite values, got inf at index \(1,\)"),
    (bcel_grad, (np.zeros(2), [1j, 0]), TypeError, r"y: expected real numbers, got dtype complex128"),
    # mse
    (losses.mse, (np.zeros(3), np.zeros((3, 1))), ValueError, r"y_true: expected the shape of y_pred \(3,\), got \(3, 1\)"),
    (losses.mse_grad, (np.zeros(3), [0, np.nan, 0]), ValueError, r"y_true: expected finite values, got nan at index \(1,\)"),
    (losses.mse_grad, (np.zeros(0), np.zeros(0)), ValueError, r"y_pred: expected a non-empty array, got shape \(0,\)"),
]
REJECTIONS += [  # every loss rejects an unknown reduction
    (f, args, ValueError, r"reduction: expected 'mean', 'sum' or 'none', got 'average'")
    for f, args in [
        (losses.mse, (Z, Z)), (losses.mse_grad, (Z, Z)),
        (bce, (P, P)), (bce_grad, (P, P)), (bcel, (Z, P)), (bcel_grad, (Z, P)),
        (cce, (P, Y)), (cce_grad, (P, ONE_HOT)), (sce, (Z, ONE_HOT)), (sce_grad, (Z, Y)),
    ]
]


@pytest.mark.parametrize("function, args, error, message", REJECTIONS)
def test_rejects_bad_input(function, args, error, message):
    reduction = {"reduction": "average"} if "reduction" in message else {}
    with pytest.raises(error, match=message):
        function(*args, **reduction)


GRADIENTS = {
    "mse_grad": (losses.mse_grad, (Z, Z)),
    "binary_cross_entropy_grad": (bce_grad, (P, P)),
    "binary_cross_entropy_with_logits_grad": (bcel_grad, (Z, P)),
    "categorical_cross_entropy_grad": (cce_grad, (P, Y)),
    "softmax_cross_entropy_grad": (sce_grad, (Z, ONE_HOT)),
}


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_gradients_refuse_none_and_say_what_to_use(name):
    function, args = GRADIENTS[name]
    message = (
        r"reduction: a gradient needs a scalar loss, 'mean' or 'sum', got 'none'; "
        r"the per-sample gradients are the rows of the reduction='sum' gradient"
    )
    with pytest.raises(ValueError, match=message):
        function(*args, reduction="none")


# ---------------------------------------------------------------- defects found by other suites


INTEGER_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                  np.uint64, np.intp, np.uintp]


@pytest.mark.parametrize("dtype", INTEGER_DTYPES)
def test_every_integer_label_dtype_works(dtype):
    """uint64 labels once made the flat index of the fused gradient float (IndexError)."""
    rng = np.random.default_rng(11)
    z, labels = rng.normal(size=(5, 4)), np.array([1, 0, 3, 2, 1])
    p = softmax(z)
    for function, pred in ((sce, z), (sce_grad, z), (cce, p), (cce_grad, p)):
        for reduction in REDUCTIONS:
            np.testing.assert_array_equal(
                function(pred, labels.astype(dtype), reduction), function(pred, labels, reduction)
            )


def test_bce_uses_log1p_for_the_negative_term():
    """-log(1 - p) for a small p, in float32: 1 - p rounds, log1p(-p) does not."""
    for p in (1e-6, 5e-8, 1e-20):
        p32 = np.array([p], np.float32)
        exact = -np.log1p(-np.float64(p32[0]))  # the float32 input, evaluated in float64
        got = bce(p32, np.zeros(1, np.float32), "sum")
        assert got.dtype == np.float32
        assert got > 0
        np.testing.assert_allclose(got, exact, rtol=1e-6)
    # the gradient is unchanged, and at p = 1 the clamp still gives 100
    assert bce(np.array([1.0]), np.array([0.0]), "sum") == 100.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_is_exact_at_confident_logits(dtype):
    """sigma(z) - y cancels for a confident right answer; the loss and gradient must not:
    for y = 1 the gradient is -sigma(-z) and the loss softplus(-z), and mirrored for y = 0."""
    z = np.array([-700, -100, -50, -15, -1, 0, 1, 15, 50, 100, 700], dtype=dtype)
    if dtype == np.float32:
        z = z[np.abs(z) <= 50]
    z64 = z.astype(np.float64)
    for y, sign in ((1.0, -1), (0.0, 1)):
        target = np.full_like(z, y)
        exact_grad = sign / (1 + np.exp(-sign * z64))  # -sigma(-z) or sigma(z), no cancellation
        exact_loss = np.logaddexp(0, sign * z64)  # softplus(-z) or softplus(z)
        got_grad = bcel_grad(z, target, "sum")
        got_loss = np.array([bcel(z[i : i + 1], target[i : i + 1], "sum") for i in range(len(z))])
        assert got_grad.dtype == dtype and got_loss.dtype == dtype
        tiny = np.finfo(dtype).tiny  # below it the exact values underflow in dtype
        rtol = 1e-6 if dtype == np.float32 else 1e-14
        ok = np.abs(exact_grad) > tiny
        np.testing.assert_allclose(got_grad[ok], exact_grad[ok], rtol=rtol)
        ok = exact_loss > tiny
        np.testing.assert_allclose(got_loss[ok], exact_loss[ok], rtol=rtol)
    assert bcel_grad(np.array([50.0]), np.array([1.0]), "sum")[0] == pytest.approx(-1.9287498479639178e-22, rel=1e-15)
