"""The options PyTorch adds (class weights, ignore_index, label smoothing, pos_weight,
reduction="none"), checked against torch.nn.functional in float64, against central
differences of our own loss, and against autograd on an independent implementation
written from PyTorch's documented formulas; then the properties they must have."""

import autograd.numpy as anp
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st
from test_losses import _seed, central_difference, multiclass_targets

from backprop import losses
from backprop.gradcheck import relative_error

pytestmark = pytest.mark.filterwarnings("error")

PROPERTY = settings(deadline=None, max_examples=40, derandomize=True, database=None)
REDUCTIONS = ["mean", "sum", "none"]
sce, sce_grad = losses.softmax_cross_entropy, losses.softmax_cross_entropy_grad
bcel, bcel_grad = losses.binary_cross_entropy_with_logits, losses.binary_cross_entropy_with_logits_grad
N, K = 7, 4


def tensor(x):
    return None if x is None else torch.as_tensor(np.asarray(x))


def torch_value_and_grad(loss, z, **options):
    """PyTorch's loss at z (float64) and, for a scalar reduction, its gradient."""
    z_t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    value = loss(z_t, **options)
    if options.get("reduction") == "none":
        return value.detach().numpy(), None
    value.backward()
    return value.detach().numpy(), z_t.grad.numpy()


# ---------------------------------------------------------------- softmax cross-entropy

WEIGHT = np.array([0.5, 2.0, 1.0, 4.0])
TARGETS = ["indices", "one_hot", "soft"]
IGNORE = [None, -100, 1, 9]  # nothing; PyTorch's default value; a real class; never occurs
SMOOTHING = [0.0, 0.1, 1.0]


def class_batch(kind, ignore_index, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 1.5, size=(N, K))
    y = multiclass_targets(kind, N, K, rng)
    if kind == "indices":
        y[2] = 1  # so that ignore_index=1, a real class, has a row to ignore
        if ignore_index == -100:
            y[[1, 4]] = -100  # padding rows
    return z, y


def reference_ce(z, y, reduction, weight, ignore_index, eps):
    """PyTorch's CrossEntropyLoss as documented, term by term, in autograd.numpy."""
    k = z.shape[1]
    w = np.ones(k) if weight is None else weight
    log_p = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
    if y.ndim == 2:  # probability rows: smoothed targets, divide by N
        target = (1 - eps) * y + eps / k
        per_row = -anp.sum(w * target * log_p, axis=1)
        divisor = len(z)
    else:
        keep = np.ones(len(y), bool) if ignore_index is None else y != ignore_index
        labels = np.where(keep, y, 0)
        picked = anp.sum(np.eye(k)[labels] * log_p, axis=1)  # log p[n, c_n]
        nll = -w[labels] * picked
        uniform = -anp.sum(w * log_p, axis=1) / k
        per_row = keep * ((1 - eps) * nll + eps * uniform)
        divisor = np.sum(w[labels] * keep)
    if reduction == "none":
        return per_row
    return anp.sum(per_row) / (divisor if reduction == "mean" else 1)


def assert_four_ways(loss, loss_grad, z, y, reduction, options, torch_result, reference,
                     shape_none):
    """The loss and its gradient against torch (1e-9), against the reference written
    from PyTorch's documentation in autograd.numpy (value, and gradient by autograd:
    1e-12), and the gradient against central differences (1e-7); with "none", the
    per-element values, and the gradient refused."""
    expected, expected_grad = torch_result
    value = loss(z, y, reduction, **options)
    assert np.shape(value) == (shape_none if reduction == "none" else ())
    assert relative_error(value, expected) <= 1e-9
    assert relative_error(value, reference(z)) <= 1e-12
    if reduction == "none":
        with pytest.raises(ValueError, match="rows of the reduction='sum' gradient"):
            loss_grad(z, y, reduction, **options)
        return
    gradient = loss_grad(z, y, reduction, **options)
    assert relative_error(gradient, expected_grad) <= 1e-9
    assert relative_error(gradient, grad(reference)(z)) <= 1e-12
    numeric = central_difference(lambda v: loss(v, y, reduction, **options), z)
    assert relative_error(numeric, gradient) <= 1e-7


CE_CASES = [
    (kind, weight, ignore_index, eps)
    for kind in TARGETS
    for weight in (None, WEIGHT)
    for ignore_index in (IGNORE if kind == "indices" else [None])
    for eps in SMOOTHING
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind, weight, ignore_index, eps", CE_CASES)
def test_cross_entropy_options_match_torch(kind, weight, ignore_index, eps, reduction):
    z, y = class_batch(kind, ignore_index, _seed((kind, ignore_index)))
    options = dict(weight=weight, ignore_index=ignore_index, label_smoothing=eps)
    torch_options = dict(weight=tensor(weight), label_smoothing=eps, reduction=reduction)
    if ignore_index is not None:
        torch_options["ignore_index"] = ignore_index
    torch_result = torch_value_and_grad(
        lambda z_t, **o: F.cross_entropy(z_t, tensor(y), **o), z, **torch_options
    )
    assert_four_ways(sce, sce_grad, z, y, reduction, options, torch_result,
                     lambda v: reference_ce(v, y, reduction, weight, ignore_index, eps), (N,))


def test_weighted_mean_index_and_probability_targets_differ():
    """The same one-hot targets: 1.24 as class indices (divided by the sum of the
    targets' weights, 13), 4.04 as probability rows (divided by N = 4), in PyTorch too."""
    z = np.array([[1.0, 0.0, 0.0], [0.0, 3.0, -2.0], [4.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    labels, weight = np.array([0, 1, 0, 2]), np.array([1.0, 1.0, 10.0])
    rows = np.eye(3)[labels]
    as_indices, as_rows = sce(z, labels, weight=weight), sce(z, rows, weight=weight)
    assert round(float(as_indices), 2) == 1.24 and round(float(as_rows), 2) == 4.04
    np.testing.assert_allclose(as_rows / as_indices, 13 / 4, rtol=1e-14)
    for y, ours in ((labels, as_indices), (rows, as_rows)):
        theirs = F.cross_entropy(tensor(z), tensor(y), weight=tensor(weight))
        assert relative_error(ours, theirs.numpy()) <= 1e-12
    np.testing.assert_allclose(sce_grad(z, rows, weight=weight), sce_grad(z, labels, weight=weight) * 13 / 4,
                               rtol=1e-14)


@pytest.mark.parametrize("weight", [None, WEIGHT])
@pytest.mark.parametrize("eps", [0.0, 0.3])
def test_all_ignored_batch_is_zero_with_zero_gradient(weight, eps):
    """PyTorch returns NaN (0 / 0); a batch of padding only should change nothing."""
    z = np.random.default_rng(3).normal(size=(3, K))
    y = np.full(3, -100)
    assert np.isnan(F.cross_entropy(tensor(z), tensor(y), weight=tensor(weight), label_smoothing=eps).item())
    for reduction in ("mean", "sum"):
        options = dict(weight=weight, ignore_index=-100, label_smoothing=eps)
        loss = sce(z, y, reduction, **options)
        assert loss == 0 and not np.signbit(loss)
        np.testing.assert_array_equal(sce_grad(z, y, reduction, **options), np.zeros((3, K)))
    np.testing.assert_array_equal(sce(z, y, "none", ignore_index=-100), np.zeros(3))


def test_zero_weight_targets_with_smoothing_fall_back_to_the_sum():
    """Every target's weight 0 makes the divisor 0; with smoothing the sum is not 0.
    PyTorch gives NaN; we give the sum (never NaN) and its exact gradient."""
    z = np.random.default_rng(4).normal(size=(2, 3))
    y, weight = np.array([0, 0]), np.array([0.0, 1.0, 2.0])
    options = dict(weight=weight, label_smoothing=0.2)
    assert np.isnan(F.cross_entropy(tensor(z), tensor(y), weight=tensor(weight), label_smoothing=0.2).item())
    assert sce(z, y, **options) == sce(z, y, "sum", **options) > 0
    np.testing.assert_array_equal(sce_grad(z, y, **options), sce_grad(z, y, "sum", **options))
    assert sce(z, y, weight=weight) == 0  # without smoothing: 0, with a zero gradient
    np.testing.assert_array_equal(sce_grad(z, y, weight=weight), 0)


def test_ignore_index_may_be_a_real_class_and_labels_beyond_are_refused():
    z, y = np.zeros((3, 3)), np.array([0, 2, 2])
    np.testing.assert_array_equal(sce_grad(z, y, ignore_index=2)[1:], 0)  # class 2 ignored
    with pytest.raises(ValueError, match=r"y: class index 5 out of range for 3 classes \(ignore_index is -100\)"):
        sce(z, np.array([0, 5, -100]), ignore_index=-100)
    with pytest.raises(ValueError, match=r"y: class index -100 out of range for 3 classes$"):
        sce(z, np.array([0, 1, -100]))  # PyTorch's default is -100; ours is None


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.uint32, np.uint64])
def test_options_accept_every_integer_label_dtype(dtype):
    z, labels = np.random.default_rng(5).normal(size=(4, 3)), np.array([1, 0, 2, 2])
    for ignore in (2, 200):
        options = dict(weight=[1.0, 2.0, 3.0], ignore_index=ignore, label_smoothing=0.1)
        np.testing.assert_array_equal(sce_grad(z, labels.astype(dtype), **options), sce_grad(z, labels, **options))
        np.testing.assert_array_equal(sce(z, labels.astype(dtype), "none", **options), sce(z, labels, "none", **options))


# ---------------------------------------------------------------- BCE with logits

BCE_SHAPES = {  # z's shape -> weights that broadcast to it, pos_weights along the last axis
    (N, K): ([None, (K,), (N, 1), (N, K), ()], [None, (K,), (1,)]),
    (N,): ([None, (N,), (1,)], [None, (1,)]),
    (2, 3, K): ([None, (3, 1), (2, 3, K)], [None, (K,)]),
}
BCE_CASES = [
    (shape, weight, pos_weight)
    for shape, (weights, pos_weights) in BCE_SHAPES.items()
    for weight in weights
    for pos_weight in pos_weights
]


def reference_bce(z, y, reduction, weight, pos_weight):
    """PyTorch's BCEWithLogitsLoss as documented, in autograd.numpy."""
    s = 1 / (1 + anp.exp(-z))
    w = 1.0 if weight is None else weight
    p_w = 1.0 if pos_weight is None else pos_weight
    each = -w * (p_w * y * anp.log(s) + (1 - y) * anp.log(1 - s))
    if reduction == "none":
        return each
    return anp.sum(each) / (z.size if reduction == "mean" else 1)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape, weight_shape, pos_weight_shape", BCE_CASES)
def test_bce_with_logits_options_match_torch(shape, weight_shape, pos_weight_shape, reduction):
    rng = np.random.default_rng(_seed((shape, weight_shape, pos_weight_shape)))
    z, y = rng.normal(0, 2, size=shape), rng.uniform(0, 1, size=shape)
    y.reshape(-1)[::3] = rng.integers(0, 2, size=y.reshape(-1)[::3].size)  # some hard labels
    weight = None if weight_shape is None else rng.uniform(0.2, 3, size=weight_shape)
    pos_weight = None if pos_weight_shape is None else rng.uniform(0.5, 5, size=pos_weight_shape)
    options = dict(weight=weight, pos_weight=pos_weight)
    torch_result = torch_value_and_grad(
        lambda z_t, **o: F.binary_cross_entropy_with_logits(z_t, tensor(y), **o), z,
        weight=tensor(weight), pos_weight=tensor(pos_weight), reduction=reduction,
    )
    assert_four_ways(bcel, bcel_grad, z, y, reduction, options, torch_result,
                     lambda v: reference_bce(v, y, reduction, weight, pos_weight), shape)


def test_pos_weight_gradient_formula():
    """dl/dz = w [sigma(z) (1 + (p_w - 1) y) - p_w y], the form the page derives."""
    rng = np.random.default_rng(6)
    z, y = rng.normal(0, 3, size=(5, 3)), rng.uniform(0, 1, size=(5, 3))
    w, p_w = rng.uniform(0.5, 2, size=(5, 1)), np.array([1.0, 3.0, 0.25])
    s = 1 / (1 + np.exp(-z))
    formula = w * (s * (1 + (p_w - 1) * y) - p_w * y)
    np.testing.assert_allclose(bcel_grad(z, y, "sum", weight=w, pos_weight=p_w), formula, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- float32 and PyTorch's default dtype


def test_float32_in_float32_out_with_options():
    rng = np.random.default_rng(7)
    z = rng.normal(size=(4, 3)).astype(np.float32)
    labels, b = np.array([0, 2, -100, 1]), rng.uniform(size=(4, 3))  # float64 targets
    class_options = dict(weight=[1.0, 2.0, 3.0], ignore_index=-100, label_smoothing=0.1)
    binary_options = dict(weight=np.ones((4, 1)), pos_weight=[1.0, 2.0, 3.0])
    for reduction in REDUCTIONS:
        assert sce(z, labels, reduction, **class_options).dtype == np.float32
        assert sce(z, np.eye(3)[[0, 2, 1, 1]], reduction, weight=[1, 2, 3], label_smoothing=0.2).dtype == np.float32
        assert bcel(z, b, reduction, **binary_options).dtype == np.float32
    assert sce_grad(z, labels, **class_options).dtype == np.float32
    assert bcel_grad(z, b, **binary_options).dtype == np.float32
    expected = F.cross_entropy(torch.tensor(z), torch.tensor(labels), weight=torch.tensor([1.0, 2.0, 3.0]),
                               ignore_index=-100, label_smoothing=0.1)
    np.testing.assert_allclose(sce(z, labels, **class_options), expected.numpy(), rtol=1e-6)


# ---------------------------------------------------------------- properties


@st.composite
def class_problems(draw):
    """(z, y, weight, ignore_index): logits, a random kind of targets, maybe weights,
    maybe an ignore_index (a real class, or -100 on some padding rows)."""
    n, k = draw(st.integers(1, 5)), draw(st.integers(2, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    z = rng.normal(0, draw(st.sampled_from([0.5, 2.0, 8.0])), size=(n, k))
    kind = draw(st.sampled_from(TARGETS))
    y = multiclass_targets(kind, n, k, rng)
    weight = rng.uniform(0, 3, size=k) if draw(st.booleans()) else None
    ignore_index = None
    if kind == "indices" and draw(st.booleans()):
        ignore_index = draw(st.sampled_from([-100, 0]))
        if ignore_index == -100:
            y[rng.random(n) < 0.3] = -100
    return z, y, weight, ignore_index


def both(z, y, reduction="mean", **options):
    return sce(z, y, reduction, **options), sce_grad(z, y, reduction, **options)


def assert_same(a, b, rtol=1e-12):
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=1e-15)


@PROPERTY
@given(problem=class_problems(), reduction=st.sampled_from(["mean", "sum"]))
def test_all_ones_weights_are_no_weights(problem, reduction):
    z, y, _, ignore_index = problem
    options = dict(ignore_index=ignore_index)
    assert_same(both(z, y, reduction, weight=np.ones(z.shape[1]), **options), both(z, y, reduction, **options))
    zb, yb = z, np.random.default_rng(0).uniform(size=z.shape)
    assert_same(
        (bcel(zb, yb, reduction, weight=np.ones(z.shape), pos_weight=np.ones(z.shape[1])),
         bcel_grad(zb, yb, reduction, weight=np.ones(z.shape), pos_weight=np.ones(z.shape[1]))),
        (bcel(zb, yb, reduction), bcel_grad(zb, yb, reduction)),
    )


@PROPERTY
@given(problem=class_problems(), eps=st.floats(0, 1), reduction=st.sampled_from(["mean", "sum"]))
def test_zero_smoothing_is_no_smoothing_and_the_loss_is_affine_in_eps(problem, eps, reduction):
    """eps = 0 gives the unsmoothed result (another code path when no other option is
    set), and the targets are affine in eps, so L(eps) = (1 - eps) L(0) + eps L(1)."""
    z, y, weight, ignore_index = problem
    options = dict(weight=weight, ignore_index=ignore_index)
    plain = both(z, y, reduction, **options)
    assert_same(both(z, y, reduction, label_smoothing=0.0, **options), plain)
    full = both(z, y, reduction, label_smoothing=1.0, **options)
    mixed = [(1 - eps) * a + eps * b for a, b in zip(plain, full)]
    assert_same(both(z, y, reduction, label_smoothing=eps, **options), mixed, rtol=1e-9)


@PROPERTY
@given(problem=class_problems(), reduction=st.sampled_from(REDUCTIONS))
def test_an_ignore_index_that_never_occurs_changes_nothing(problem, reduction):
    z, y, weight, _ = problem
    y = y.argmax(axis=1) if y.ndim == 2 else np.where(y == -100, 0, y)  # no padding rows
    for absent in (-100, z.shape[1], 2**40):
        got = sce(z, y, reduction, weight=weight, ignore_index=absent)
        np.testing.assert_allclose(got, sce(z, y, reduction, weight=weight), rtol=1e-12, atol=1e-15)
        if reduction != "none":
            np.testing.assert_allclose(sce_grad(z, y, reduction, weight=weight, ignore_index=absent),
                                       sce_grad(z, y, reduction, weight=weight), rtol=1e-12, atol=1e-15)


@PROPERTY
@given(problem=class_problems(), eps=st.sampled_from([0.0, 0.25]))
def test_rows_of_the_sum_gradient_are_the_per_sample_gradients(problem, eps):
    """l_n from reduction="none" depends on row n only, and its gradient is row n of the
    "sum" gradient: central differences of each l_n, against that row."""
    z, y, weight, ignore_index = problem
    options = dict(weight=weight, ignore_index=ignore_index, label_smoothing=eps)
    rows = sce_grad(z, y, "sum", **options)
    for n in range(len(z)):
        per_sample = central_difference(lambda v: sce(v, y, "none", **options)[n], z)
        expected = np.zeros_like(z)
        expected[n] = rows[n]
        np.testing.assert_allclose(per_sample, expected, rtol=1e-7, atol=1e-9)
    # the "mean" gradient is the "sum" gradient over the mean's divisor D
    divisor = sce(z, y, "sum", **options) / sce(z, y, **options) if sce(z, y, **options) else 1
    np.testing.assert_allclose(sce_grad(z, y, **options) * divisor, rows, rtol=1e-9, atol=1e-15)


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), shape=st.sampled_from([(3,), (2, 3), (2, 2, 2)]))
def test_elements_of_the_sum_gradient_are_the_per_element_gradients(seed, shape):
    rng = np.random.default_rng(seed)
    z, y = rng.normal(0, 2, size=shape), rng.uniform(size=shape)
    options = dict(weight=rng.uniform(0.5, 2, size=shape[-1:]), pos_weight=rng.uniform(0.5, 3, size=shape[-1:]))
    each = bcel(z, y, "none", **options)
    total = bcel_grad(z, y, "sum", **options)
    for index in np.ndindex(shape):
        per_element = central_difference(lambda v: bcel(v, y, "none", **options)[index], z)
        expected = np.zeros_like(z)
        expected[index] = total[index]
        np.testing.assert_allclose(per_element, expected, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(each.sum(), bcel(z, y, "sum", **options), rtol=1e-12)


# ---------------------------------------------------------------- rejections

Z, Y, ROWS = np.zeros((4, 3)), np.array([0, 1, 2, 0]), np.full((4, 3), 1 / 3)
ZB, YB = np.zeros((4, 3)), np.full((4, 3), 0.5)

OPTION_REJECTIONS = [
    (sce, (Z, Y), dict(weight=[1.0, 2.0]), ValueError, r"weight: expected shape \(3,\), one weight per class, got \(2,\)"),
    (sce_grad, (Z, Y), dict(weight=np.ones((3, 1))), ValueError, r"weight: expected shape \(3,\), one weight per class, got \(3, 1\)"),
    (sce_grad, (Z, Y), dict(weight=[1.0, np.nan, 1.0]), ValueError, r"weight: expected finite values, got nan at index \(1,\)"),
    (sce, (Z, ROWS), dict(weight=[1.0, np.inf, 1.0]), ValueError, r"weight: expected finite values, got inf at index \(1,\)"),
    (sce, (Z, Y), dict(weight=[1.0, -1.0, 1.0]), ValueError, r"weight: expected non-negative weights, got -1.0"),
    (sce, (Z, Y), dict(weight=["a", "b", "c"]), TypeError, r"weight: expected a numeric array, got dtype <U1"),
    (sce_grad, (Z, Y), dict(label_smoothing=1.5), ValueError, r"label_smoothing: expected a number in \[0, 1\], got 1.5"),
    (sce, (Z, Y), dict(label_smoothing=-0.1), ValueError, r"label_smoothing: expected a number in \[0, 1\], got -0.1"),
    (sce, (Z, Y), dict(label_smoothing=np.nan), ValueError, r"label_smoothing: expected a finite number, got nan"),
    (sce, (Z, Y), dict(label_smoothing=True), TypeError, r"label_smoothing: expected a real number, got True"),
    (sce, (Z, ROWS), dict(ignore_index=-100), ValueError, r"ignore_index: applies to class-index targets only, got -100 with probability rows y of shape \(4, 3\)"),
    (sce_grad, (Z, Y), dict(ignore_index=1.5), ValueError, r"ignore_index: expected an int or None, got 1.5"),
    (sce_grad, (Z, Y), dict(ignore_index=1.0), TypeError, r"ignore_index: expected an int or None, got 1.0"),
    (sce, (Z, Y), dict(ignore_index=True), ValueError, r"ignore_index: expected an int or None, got True"),
    (sce, (Z, Y), dict(ignore_index="pad"), ValueError, r"ignore_index: expected an int or None, got 'pad'"),
    (sce, (Z, Y), dict(ignore_index=2**70), ValueError, r"ignore_index: expected an int64, got 1180591620717411303424"),
    (bcel, (ZB, YB), dict(weight=np.ones(4)), ValueError, r"weight: expected a shape that broadcasts to z's \(4, 3\), got \(4,\)"),
    (bcel_grad, (ZB, YB), dict(weight=np.ones((2, 4, 3))), ValueError, r"weight: expected a shape that broadcasts to z's \(4, 3\), got \(2, 4, 3\)"),
    (bcel_grad, (ZB, YB), dict(weight=np.full((4, 1), np.nan)), ValueError, r"weight: expected finite values, got nan at index \(0, 0\)"),
    (bcel, (ZB, YB), dict(pos_weight=np.ones(4)), ValueError, r"pos_weight: expected shape \(3,\), one weight per output along the last axis of z, or \(1,\), got \(4,\)"),
    (bcel_grad, (ZB, YB), dict(pos_weight=np.ones((1, 3))), ValueError, r"pos_weight: expected shape \(3,\), .*, got \(1, 3\)"),
    (bcel_grad, (ZB, YB), dict(pos_weight=[1.0, np.inf, 1.0]), ValueError, r"pos_weight: expected finite values, got inf at index \(1,\)"),
    (bcel, (ZB, YB), dict(pos_weight=[1.0, -2.0, 1.0]), ValueError, r"pos_weight: expected non-negative weights, got -2.0"),
]


@pytest.mark.parametrize("function, args, options, error, message", OPTION_REJECTIONS)
def test_rejects_bad_options(function, args, options, error, message):
    with pytest.raises(error, match=message):
        function(*args, **options)
