"""The loss atlas in losses.py (L1, Huber, Poisson NLL, sigmoid focal, distillation):
PyTorch's values and gradients for every reduction, central differences, autograd,
SymPy, extreme logits in both precisions against a 60-digit reference, rejections."""

import autograd.numpy as anp
import mpmath as mp
import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backprop import losses
from backprop.gradcheck import numerical_gradient, relative_error

pytestmark = pytest.mark.filterwarnings("error")  # no RuntimeWarning may pass silently

PROPERTY = settings(deadline=None, max_examples=40, derandomize=True, database=None)
REDUCTIONS = ["mean", "sum", "none"]
DTYPES = [np.float32, np.float64]
SHAPES = [(1,), (5,), (4, 3), (2, 3, 4)]
FOCAL_OPTIONS = [
    {}, {"alpha": None}, {"alpha": 0.0, "gamma": 0.0}, {"alpha": 1.0, "gamma": 0.5},
    {"alpha": 0.6, "gamma": 5.0},
]


def central_difference(f, x, eps=1e-3):
    """Richardson-extrapolated central differences (the eps**2 term cancels)."""
    return (4 * numerical_gradient(f, x, eps / 2) - numerical_gradient(f, x, eps)) / 3


def _seed(key):
    return sum((i + 1) * ord(c) for i, c in enumerate(repr(key)))


# ---------------------------------------------------------------- torch references


def torch_focal(z, y, alpha=0.25, gamma=2.0, reduction="mean"):
    """torchvision.ops.sigmoid_focal_loss, written out (torchvision is not a dependency)."""
    p = torch.sigmoid(z)
    ce = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return {"mean": loss.mean, "sum": loss.sum, "none": lambda: loss}[reduction]()


def torch_distillation(z, z_teacher, temperature=1.0, reduction="mean"):
    t = temperature
    pointwise = F.kl_div(F.log_softmax(z / t, dim=1), F.softmax(z_teacher / t, dim=1),
                         reduction="none").sum(dim=1) * t * t
    return {"mean": lambda: pointwise.sum() / len(z), "sum": pointwise.sum,
            "none": lambda: pointwise}[reduction]()


TORCH = {
    "l1": lambda z, y, r, **o: F.l1_loss(z, y, reduction=r),
    "huber": lambda z, y, r, **o: F.huber_loss(z, y, reduction=r, **o),
    "poisson_nll": lambda z, y, r, **o: F.poisson_nll_loss(
        z, y, log_input=True, full=False, reduction=r),
    "sigmoid_focal": lambda z, y, r, **o: torch_focal(z, y, reduction=r, **o),
    "distillation": lambda z, y, r, **o: torch_distillation(z, y, reduction=r, **o),
}
OURS = {name: (getattr(losses, name), getattr(losses, name + "_grad")) for name in TORCH}
OPTIONS = {
    "l1": [{}], "huber": [{}, {"delta": 0.3}, {"delta": 4.0}], "poisson_nll": [{}],
    "sigmoid_focal": FOCAL_OPTIONS, "distillation": [{}, {"temperature": 0.5},
                                                     {"temperature": 4.0}],
}


def case(name, shape, rng):
    """Inputs away from the kinks of L1 and Huber (|d| not near 0, delta)."""
    if name == "distillation":
        shape = shape if len(shape) == 2 else (3, 4)
        return rng.normal(0, 2, size=shape), rng.normal(0, 2, size=shape)
    z = rng.normal(0, 2, size=shape)
    if name == "poisson_nll":
        return z, rng.poisson(3.0, size=shape).astype(float)
    if name == "sigmoid_focal":
        y = rng.uniform(size=shape)
        y.reshape(-1)[::2] = rng.integers(0, 2, size=y.reshape(-1)[::2].size)  # hard and soft
        return z, y
    gap = rng.choice([0.1, 0.2, 0.45, 0.8, 2.5, 6.0], size=shape) * rng.choice([-1, 1], size=shape)
    return z, z - gap


CASES = [(name, shape, i) for name in TORCH for shape in SHAPES
         for i in range(len(OPTIONS[name]))]


@pytest.mark.parametrize("name, shape, option", CASES)
def test_agrees_with_pytorch_for_every_reduction(name, shape, option):
    options = OPTIONS[name][option]
    loss, loss_grad = OURS[name]
    z, y = case(name, shape, np.random.default_rng(_seed((name, shape, option))))
    tolerance = 1e-8 if name == "sigmoid_focal" else 1e-9
    for reduction in REDUCTIONS:
        z_t = torch.tensor(z, requires_grad=True)
        value = TORCH[name](z_t, torch.tensor(y), reduction, **options)
        ours = loss(z, y, reduction, **options)
        assert np.shape(ours) == tuple(value.shape)
        assert relative_error(ours, value.detach().numpy()) <= tolerance
        if reduction != "none":
            value.backward()
            got = loss_grad(z, y, reduction, **options)
            assert got.shape == z.shape
            assert relative_error(got, z_t.grad.numpy()) <= tolerance


# ---------------------------------------------------------------- numerical and autograd


def ref_focal(z, y, alpha=0.25, gamma=2.0):
    p = 1 / (1 + anp.exp(-z))
    ce = -(y * anp.log(p) + (1 - y) * anp.log(1 - p))
    alpha_t = 1.0 if alpha is None else alpha * y + (1 - alpha) * (1 - y)
    return alpha_t * (y * (1 - p) + (1 - y) * p) ** gamma * ce


def ref_distillation(z, z_teacher, temperature=1.0):
    def log_softmax(v):
        return v - anp.log(anp.sum(anp.exp(v), axis=1, keepdims=True))

    log_t, log_s = log_softmax(z_teacher / temperature), log_softmax(z / temperature)
    return temperature ** 2 * anp.sum(anp.exp(log_t) * (log_t - log_s), axis=1)


AUTOGRAD = {  # (elementwise or per-row losses, divisor of "mean")
    "l1": (lambda z, y: anp.abs(z - y), np.size),
    "huber": (lambda z, y, delta=1.0: anp.where(
        anp.abs(z - y) <= delta, (z - y) ** 2 / 2, delta * (anp.abs(z - y) - delta / 2)), np.size),
    "poisson_nll": (lambda z, y: anp.exp(z) - y * z, np.size),
    "sigmoid_focal": (ref_focal, np.size),
    "distillation": (ref_distillation, len),
}


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("name, shape, option", CASES)
def test_gradient_central_differences_and_autograd(name, shape, option, reduction):
    options = OPTIONS[name][option]
    loss, loss_grad = OURS[name]
    z, y = case(name, shape, np.random.default_rng(_seed((name, shape, option))))
    analytic = loss_grad(z, y, reduction, **options)
    numeric = central_difference(lambda v: loss(v, y, reduction, **options), z)
    # an entry far below the largest (focal with gamma = 5: 5e-8 next to 0.05) is
    # resolved to its rounding, ~1e-9 of the largest: below that, compare absolutely
    np.testing.assert_allclose(numeric, analytic, rtol=1e-7, atol=1e-9 * np.abs(analytic).max())
    pointwise, count = AUTOGRAD[name]
    n = count(z) if reduction == "mean" else 1

    def reference(v):
        return anp.sum(pointwise(v, y, **options)) / n

    assert relative_error(loss(z, y, reduction, **options), reference(z)) <= 1e-10
    assert relative_error(analytic, grad(reference)(z)) <= 1e-10


# ---------------------------------------------------------------- symbolic (SymPy)

z_s, y_s, t_s = sp.symbols("z y t", real=True)
alpha_s, gamma_s, delta_s = sp.symbols("alpha gamma delta", positive=True)


def test_poisson_gradient_symbolic():
    loss = sp.exp(z_s) - y_s * z_s
    assert sp.diff(loss, z_s) - (sp.exp(z_s) - y_s) == 0
    assert sp.diff(loss, z_s, 2) == sp.exp(z_s)  # > 0: convex in z


def test_huber_gradient_symbolic():
    """Each piece: d/dd (d^2/2) = d inside, d/dd delta (|d| - delta/2) = +-delta outside;
    the pieces and their slopes meet at |d| = delta."""
    d = sp.symbols("d", real=True)
    inside, outside = d ** 2 / 2, delta_s * (d - delta_s / 2)
    assert sp.diff(inside, d) == d and sp.diff(outside, d) == delta_s
    assert sp.simplify((inside - outside).subs(d, delta_s)) == 0
    assert sp.simplify((sp.diff(inside, d) - sp.diff(outside, d)).subs(d, delta_s)) == 0
    assert sp.diff(delta_s * (-d - delta_s / 2), d) == -delta_s


def test_focal_gradient_symbolic():
    """The library's gradient, written with q = 1 - p_t and r = sigma(z) sigma(-z) / q,
    is the derivative of the torchvision formula, for soft targets too."""
    s = 1 / (1 + sp.exp(-z_s))
    alpha_t = alpha_s * y_s + (1 - alpha_s) * (1 - y_s)
    q = y_s * (1 - s) + (1 - y_s) * s
    ce = -(y_s * sp.log(s) + (1 - y_s) * sp.log(1 - s))
    focal = alpha_t * q ** gamma_s * ce
    r = s * (1 - s) / q
    ours = alpha_t * q ** gamma_s * ((s - y_s) + gamma_s * (1 - 2 * y_s) * r * ce)
    difference = sp.diff(focal, z_s) - ours
    assert sp.simplify(difference) == 0
    for y in (0, 1):  # the hard-label form of the table
        p_t = s if y == 1 else 1 - s
        a_t = alpha_s if y == 1 else 1 - alpha_s
        table = a_t * (2 * y - 1) * (1 - p_t) ** gamma_s * (gamma_s * p_t * sp.log(p_t) + p_t - 1)
        assert sp.simplify(sp.diff(focal.subs(y_s, y), z_s) - table) == 0


def test_distillation_gradient_symbolic():
    """d/dz_k of T^2 KL(softmax(v/T) || softmax(z/T)) = T (softmax(z/T)_k - softmax(v/T)_k)."""
    z, v = sp.symbols("z0:3", real=True), sp.symbols("v0:3", real=True)
    temperature = sp.symbols("T", positive=True)

    def softmax(x):
        total = sum(sp.exp(xk / temperature) for xk in x)
        return [sp.exp(xk / temperature) / total for xk in x]

    p_s, p_t = softmax(z), softmax(v)
    loss = temperature ** 2 * sum(pt * (sp.log(pt) - sp.log(ps)) for pt, ps in zip(p_t, p_s))
    for k in range(3):
        expected = temperature * (p_s[k] - p_t[k])
        assert sp.simplify(sp.expand_log(sp.diff(loss, z[k]) - expected, force=True)) == 0


# ---------------------------------------------------------------- extreme values

mp.mp.dps = 60


def mp_focal(z, y, alpha, gamma):
    """Loss and derivative of one element, in 60-digit arithmetic."""
    z, y = mp.mpf(z), mp.mpf(y)

    def f(x):
        p = 1 / (1 + mp.exp(-x))
        ce = y * mp.log1p(mp.exp(-x)) + (1 - y) * mp.log1p(mp.exp(x))
        alpha_t = 1 if alpha is None else alpha * y + (1 - alpha) * (1 - y)
        return alpha_t * (y * (1 - p) + (1 - y) * p) ** gamma * ce

    return f(z), mp.diff(f, z)


def close(got, exact, dtype):
    """Relative error <= 1e-5 (float32) or 1e-12 (float64); below the smallest normal
    float, an absolute error of one smallest normal."""
    tiny, rtol = np.finfo(dtype).tiny, (1e-5 if dtype == np.float32 else 1e-12)
    exact = float(exact)
    return abs(float(got) - exact) <= max(rtol * abs(exact), tiny)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", [{"alpha": 0.25, "gamma": 2.0}, {"alpha": None, "gamma": 0.0},
                                     {"alpha": 0.5, "gamma": 0.5}, {"alpha": 0.9, "gamma": 5.0}])
def test_focal_is_exact_at_extreme_and_confident_logits(dtype, options):
    z = np.array([-1e4, -700, -80, -30, -1, 0, 1, 30, 80, 700, 1e4], dtype)
    for y_value in (0.0, 1.0, 0.3):
        y = np.full_like(z, y_value)
        values = losses.sigmoid_focal(z, y, "none", **options)
        grads = losses.sigmoid_focal_grad(z, y, "sum", **options)
        assert values.dtype == dtype and grads.dtype == dtype
        for zi, value, gradient in zip(z, values, grads):
            exact_value, exact_grad = mp_focal(float(zi), y_value, options["alpha"], options["gamma"])
            assert close(value, exact_value, dtype), (zi, y_value, value, exact_value)
            assert close(gradient, exact_grad, dtype), (zi, y_value, gradient, exact_grad)


@pytest.mark.parametrize("dtype", DTYPES)
def test_extreme_values_of_the_other_losses(dtype):
    big = np.array([1e4, -1e4, 0.0], dtype)
    zero = np.zeros(3, dtype)
    np.testing.assert_array_equal(losses.l1(big, zero, "none"), [1e4, 1e4, 0])
    np.testing.assert_array_equal(losses.l1_grad(big, zero, "sum"), [1, -1, 0])
    np.testing.assert_array_equal(losses.huber(big, zero, "none"), [1e4 - 0.5, 1e4 - 0.5, 0])
    np.testing.assert_array_equal(losses.huber_grad(big, zero, "sum"), [1, -1, 0])
    counts = np.array([3.0, 0.0], dtype)
    z = np.array([-1e4, -1e4], dtype)  # exp(z) = 0: the loss is -y z, the gradient -y
    np.testing.assert_array_equal(losses.poisson_nll(z, counts, "none"), [3e4, 0])
    np.testing.assert_array_equal(losses.poisson_nll_grad(z, counts, "sum"), [-3, 0])
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], dtype)
    teacher = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]], dtype)
    np.testing.assert_allclose(losses.distillation(logits, teacher, "none"), [0, 2e4], rtol=1e-6)
    np.testing.assert_allclose(losses.distillation_grad(logits, teacher, "sum"),
                               [[0, 0, 0], [-1, 1, 0]], atol=1e-7)
    for value in (losses.l1(big, zero), losses.huber_grad(big, zero),
                  losses.poisson_nll(z, counts), losses.distillation_grad(logits, teacher)):
        assert value.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_refuses_a_rate_no_float_can_hold(dtype):
    limit = np.log(np.finfo(dtype).max)
    z = np.array([limit * 0.999], dtype)
    assert np.isfinite(losses.poisson_nll(z, np.ones(1, dtype)))
    with pytest.raises(ValueError, match=r"z: expected log-rates <= (88.72|709.78)"):
        losses.poisson_nll_grad(np.array([1e4], dtype), np.ones(1, dtype))
    with pytest.raises(ValueError, match=r"z: the sum of exp\(z\) - y z overflows"):
        losses.poisson_nll(np.full(4, limit * 0.999, dtype), np.zeros(4, dtype), "sum")


# ---------------------------------------------------------------- special cases


def test_l1_gradient_at_a_tie_is_zero_as_in_pytorch():
    z, y = np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 4.0])
    z_t = torch.tensor(z, requires_grad=True)
    F.l1_loss(z_t, torch.tensor(y), reduction="sum").backward()
    np.testing.assert_array_equal(losses.l1_grad(z, y, "sum"), [0, 1, -1])
    np.testing.assert_array_equal(z_t.grad.numpy(), [0, 1, -1])


def test_huber_at_the_joint_matches_pytorch():
    d = np.array([-2.0, -1.0, 1.0, 2.0])
    z_t = torch.tensor(d, requires_grad=True)
    F.huber_loss(z_t, torch.zeros(4, dtype=torch.float64), reduction="sum", delta=1.0).backward()
    np.testing.assert_array_equal(losses.huber_grad(d, np.zeros(4), "sum"), z_t.grad.numpy())
    np.testing.assert_array_equal(losses.huber(d, np.zeros(4), "none"), [1.5, 0.5, 0.5, 1.5])


def test_focal_with_gamma_zero_and_no_alpha_is_bce():
    rng = np.random.default_rng(3)
    z, y = rng.normal(0, 3, size=(5, 4)), rng.uniform(size=(5, 4))
    options = {"alpha": None, "gamma": 0.0}
    np.testing.assert_allclose(losses.sigmoid_focal(z, y, **options),
                               losses.binary_cross_entropy_with_logits(z, y), rtol=1e-14)
    np.testing.assert_allclose(losses.sigmoid_focal_grad(z, y, **options),
                               losses.binary_cross_entropy_with_logits_grad(z, y), rtol=1e-13)


def test_distillation_from_oneself_is_zero_and_shift_invariant():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(3, 5))
    assert abs(losses.distillation(z, z, temperature=3.0)) <= 1e-15
    np.testing.assert_array_equal(losses.distillation_grad(z, z, temperature=3.0), 0)
    teacher = rng.normal(size=(3, 5))
    np.testing.assert_allclose(losses.distillation_grad(z + 7.0, teacher - 2.0),
                               losses.distillation_grad(z, teacher), atol=1e-15)


def test_temperature_squared_keeps_the_gradient_scale():
    """T^2 KL has gradient T (p_s - p_t) -> ((z - mean z) - (v - mean v)) / K as T grows."""
    rng = np.random.default_rng(6)
    z, v = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    limit = ((z - z.mean(axis=1, keepdims=True)) - (v - v.mean(axis=1, keepdims=True))) / 4
    errors = [np.abs(losses.distillation_grad(z, v, "sum", temperature=t) - limit).max()
              / np.abs(limit).max() for t in (10.0, 100.0, 1000.0)]
    assert errors[0] < 0.1 and errors[1] < errors[0] / 9 and errors[2] < errors[1] / 9  # O(1/T)
    # without the T^2 the gradient, (p_s - p_t) / T, shrinks like 1 / T^2
    assert np.abs(losses.distillation_grad(z, v, "sum", temperature=100.0)).max() / 100 ** 2 < 1e-4


# ---------------------------------------------------------------- properties


@st.composite
def batches(draw):
    name = draw(st.sampled_from(sorted(TORCH)))
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=2 if name == "distillation" else 1,
                                  max_dims=2 if name == "distillation" else 3, max_side=5))
    top = 80.0 if name == "poisson_nll" else 1e4
    z = draw(hnp.arrays(dtype, shape, elements=st.floats(-1e4, top, width=32)))
    if name == "distillation":
        y = draw(hnp.arrays(dtype, shape, elements=st.floats(-1e4, 1e4, width=32)))
    elif name == "poisson_nll":
        y = draw(hnp.arrays(dtype, shape, elements=st.integers(0, 50).map(float)))
    elif name == "sigmoid_focal":
        y = draw(hnp.arrays(dtype, shape, elements=st.floats(0, 1, width=32)))
    else:
        y = draw(hnp.arrays(dtype, shape, elements=st.floats(-1e4, 1e4, width=32)))
    return name, z, y


@PROPERTY
@given(batch=batches())
def test_reductions_agree_and_everything_is_finite(batch):
    """Any shape, either precision, logits up to 1e4: finite values in the input's
    dtype; "none" sums to "sum", and "mean" is "sum" / n (elements, or rows)."""
    name, z, y = batch
    loss, loss_grad = OURS[name]
    per_sample = loss(z, y, "none")
    total, mean = loss(z, y, "sum"), loss(z, y, "mean")
    grad_sum, grad_mean = loss_grad(z, y, "sum"), loss_grad(z, y, "mean")
    for value in (per_sample, total, mean, grad_sum, grad_mean):
        assert np.isfinite(value).all() and value.dtype == z.dtype
    n = len(z) if name == "distillation" else z.size
    rtol = 1e-5 if z.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(per_sample.sum(dtype=np.float64), total, rtol=rtol, atol=1e-30)
    np.testing.assert_allclose(mean, total / n, rtol=rtol)
    np.testing.assert_allclose(grad_mean, grad_sum / n, rtol=rtol)


# ---------------------------------------------------------------- rejections

Z = np.zeros((2, 3))
Y = np.full((2, 3), 0.5)
ALL = [(losses.l1, {}), (losses.huber, {}), (losses.poisson_nll, {}),
       (losses.sigmoid_focal, {}), (losses.distillation, {})]
GRADS = [(getattr(losses, f.__name__ + "_grad"), o) for f, o in ALL]

REJECTIONS = [
    (losses.huber, {"delta": 0.0}, ValueError, r"delta: expected a number > 0, got 0.0"),
    (losses.huber_grad, {"delta": -1}, ValueError, r"delta: expected a number > 0, got -1.0"),
    (losses.huber, {"delta": True}, TypeError, r"delta: expected a real number, got True"),
    (losses.huber_grad, {"delta": float("nan")}, ValueError, r"delta: expected a finite number"),
    (losses.sigmoid_focal, {"alpha": 1.5}, ValueError, r"alpha: expected a number in \[0, 1\] or None, got 1.5"),
    (losses.sigmoid_focal_grad, {"alpha": -1}, ValueError, r"alpha: expected a number in \[0, 1\] or None, got -1.0"),
    (losses.sigmoid_focal, {"gamma": -0.5}, ValueError, r"gamma: expected a number >= 0, got -0.5"),
    (losses.sigmoid_focal_grad, {"gamma": "2"}, TypeError, r"gamma: expected a real number, got '2'"),
    (losses.distillation, {"temperature": 0}, ValueError, r"temperature: expected a number > 0, got 0.0"),
    (losses.distillation_grad, {"temperature": float("inf")}, ValueError, r"temperature: expected a finite number"),
]


@pytest.mark.parametrize("function, options, error, message", REJECTIONS)
def test_rejects_bad_options(function, options, error, message):
    with pytest.raises(error, match=message):
        function(Z, Y, **options)


@pytest.mark.parametrize("function, options", ALL + GRADS)
def test_rejects_an_unknown_reduction(function, options):
    with pytest.raises(ValueError, match=r"reduction: expected 'mean', 'sum' or 'none', got 'average'"):
        function(Z, Y, "average", **options)


@pytest.mark.parametrize("function, options", GRADS)
def test_a_gradient_refuses_none_and_says_where_the_per_sample_gradients_are(function, options):
    with pytest.raises(ValueError, match=r"per-sample gradients are the rows of the reduction='sum'"):
        function(Z, Y, "none", **options)


@pytest.mark.parametrize("function, options", ALL + GRADS)
def test_rejects_bad_arrays(function, options):
    first = "z" if function.__name__.startswith(("poisson", "sigmoid", "distillation")) else "y_pred"
    with pytest.raises(ValueError, match=rf"expected the shape of {first} \(2, 3\), got \(3, 2\)"):
        function(Z, Y.T, **options)
    with pytest.raises(ValueError, match=rf"{first}: expected finite values, got nan at index \(0, 1\)"):
        function(np.where(np.eye(2, 3, 1) == 1, np.nan, Z), Y, **options)
    with pytest.raises(ValueError, match=r"expected finite values, got inf at index \(1, 0\)"):
        function(Z, np.where(np.eye(2, 3, -1) == 1, np.inf, Y), **options)
    with pytest.raises(TypeError, match=rf"{first}: expected a numeric array, got dtype <U1"):
        function(np.full((2, 3), "a"), Y, **options)


@pytest.mark.parametrize("function", [losses.poisson_nll, losses.poisson_nll_grad])
def test_poisson_rejects_negative_counts(function):
    with pytest.raises(ValueError, match=r"y: expected counts >= 0, got -1.0"):
        function(Z, np.array([[0.0, 1.0, 2.0], [-1.0, 0.0, 0.0]]))


@pytest.mark.parametrize("function", [losses.sigmoid_focal, losses.sigmoid_focal_grad])
def test_focal_rejects_targets_outside_the_unit_interval(function):
    with pytest.raises(ValueError, match=r"y: expected values in \[0, 1\], got 2.0"):
        function(Z, np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]]))


@pytest.mark.parametrize("function", [losses.distillation, losses.distillation_grad])
def test_distillation_needs_rows_of_logits(function):
    with pytest.raises(ValueError, match=r"z: expected a 2-D array, got 1-D with shape \(3,\)"):
        function(np.zeros(3), np.zeros(3))


def test_integer_inputs_work():
    y = np.array([[0, 1, 2], [3, 0, 1]], dtype=np.uint8)
    assert losses.poisson_nll(np.zeros((2, 3)), y) == 1.0
    assert losses.l1(np.zeros((2, 3), np.int64), y) == 7 / 6
    np.testing.assert_array_equal(losses.sigmoid_focal_grad(Z, np.eye(2, 3, dtype=np.int16)).shape, (2, 3))
