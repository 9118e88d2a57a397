"""Tests for backprop.gradcheck: the referee must itself be right."""

import numpy as np
import pytest

from backprop.gradcheck import numerical_gradient, relative_error


@pytest.mark.parametrize("shape", [(), (1,), (5,), (3, 4), (2, 3, 4)])
def test_numerical_gradient_of_a_known_function(shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    # f(x) = sum(sin(x) * x**2) has gradient cos(x) x^2 + 2 x sin(x)
    f = lambda v: float(np.sum(np.sin(v) * v**2))
    expected = np.cos(x) * x**2 + 2 * x * np.sin(x)
    numeric = numerical_gradient(f, x)
    assert numeric.shape == x.shape
    assert relative_error(numeric, expected) <= 1e-7


def test_numerical_gradient_is_second_order_accurate():
    # the error of central differences shrinks like eps^2: 10x smaller eps, 100x smaller error
    f = lambda v: float(np.exp(v).sum())
    x = np.array([1.0])
    errors = [abs(numerical_gradient(f, x, eps=eps)[0] - np.e) for eps in (1e-2, 1e-3)]
    assert 80 < errors[0] / errors[1] < 120


def test_numerical_gradient_does_not_modify_its_input():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    numerical_gradient(lambda v: float((v**3).sum()), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_promotes_to_float64():
    x32 = np.array([0.1, 0.2, 0.3], dtype=np.float32)
    seen = []
    numerical_gradient(lambda v: seen.append(v.dtype) or float(v.sum()), x32)
    assert set(seen) == {np.dtype(np.float64)}


def test_numerical_gradient_sees_each_coordinate_separately():
    # f depends on x[1, 2] only: every other entry of the gradient is exactly 0
    x = np.zeros((2, 3))
    g = numerical_gradient(lambda v: float(3 * v[1, 2]), x)
    expected = np.zeros((2, 3))
    expected[1, 2] = 3
    np.testing.assert_allclose(g, expected, atol=1e-9)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ([1.0, 2.0], [1.0, 2.0], 0.0),
        ([0.0, 0.0], [0.0, 0.0], 0.0),          # both zero counts as 0, not NaN
        ([1.0, 0.0], [1.1, 0.0], 0.1 / 1.1),
        ([1.0], [-1.0], 2.0),                     # opposite signs: the maximum of the scale
        ([0.0], [1e-30], 1.0),                    # one zero: fully wrong, whatever the size
        ([[1.0, 4.0], [2.0, 3.0]], [[1.0, 5.0], [2.0, 3.0]], 0.2),
    ],
)
def test_relative_error_values(a, b, expected):
    assert relative_error(a, b) == pytest.approx(expected, rel=1e-12)


def test_relative_error_is_symmetric_and_scale_free():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=10), rng.normal(size=10)
    assert relative_error(a, b) == relative_error(b, a)
    assert relative_error(1e-20 * a, 1e-20 * b) == pytest.approx(relative_error(a, b))


def test_relative_error_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"b: expected the shape of a \(3,\), got \(3, 1\)"):
        relative_error(np.ones(3), np.ones((3, 1)))


# ---- check_gradient: the grader and its diagnoses -------------------------------------

from backprop.activations import softmax  # noqa: E402
from backprop.gradcheck import GradientCheck, check_gradient  # noqa: E402
from backprop.losses import mse, mse_grad, softmax_cross_entropy  # noqa: E402

N, K = 5, 3  # N != K and neither is 1 or 2, so every factor has one name
RNG = np.random.default_rng(0)
Z = RNG.normal(size=(N, K))
LABELS = np.array([0, 2, 1, 2, 0])
Y = np.eye(K)[LABELS]
TARGET = RNG.normal(size=(N, K))


def cce(z):
    return softmax_cross_entropy(z, LABELS)


def check_cce(grad_fn):
    return check_gradient(cce, grad_fn, Z)


def test_a_right_gradient_passes():
    result = check_cce(lambda z: (softmax(z) - Y) / N)
    assert isinstance(result, GradientCheck)
    assert result.ok is True
    assert result.max_relative_error <= 1e-7
    assert result.diagnosis.startswith("right")
    assert str(result) == result.diagnosis  # short enough for one line


def test_str_wraps_a_long_diagnosis():
    result = check_cce(lambda z: (softmax(z) - Y) / (N * K))
    lines = str(result).split("\n")
    assert len(lines) > 1 and max(map(len, lines)) <= 76
    assert " ".join(line.strip() for line in lines) == result.diagnosis


def test_a_forgotten_one_over_n():
    result = check_cce(lambda z: softmax(z) - Y)
    assert not result.ok
    assert result.max_relative_error == pytest.approx(1 - 1 / N)
    assert "off by a factor of 5" in result.diagnosis
    assert "5 = N, the batch size: was the 1/N of the mean forgotten?" in result.diagnosis


def test_a_mean_over_n_k_where_the_loss_averages_over_n():
    result = check_cce(lambda z: (softmax(z) - Y) / (N * K))
    assert not result.ok
    assert "off by a factor of 1/3: yours is 1/3 of the true gradient" in result.diagnosis
    assert "1/K" in result.diagnosis and "divided by N·K instead of N" in result.diagnosis


def test_a_mean_over_n_where_the_loss_averages_over_n_k():
    result = check_gradient(lambda p: mse(p, TARGET), lambda p: 2 * (p - TARGET) / N, Z)
    assert "3 = K, the number of columns: divided by N instead of N·K" in result.diagnosis


def test_a_forgotten_one_over_n_k_and_a_forgotten_two():
    result = check_gradient(lambda p: mse(p, TARGET), lambda p: p - TARGET, Z)
    assert "off by a factor of 7.5" in result.diagnosis
    assert "N·K/2 (the 1/(N·K) of the mean forgotten, and the 2 of the power rule forgotten?)" in result.diagnosis


@pytest.mark.parametrize(
    "factor, expected",
    [(2, "yours is 2 times the true gradient: does the loss have a ½"),
     (0.5, "yours is 1/2 of the true gradient: was the 2 of the power rule"),
     (1 / N, "1/5 = 1/N, one over the batch size: was the 1/N applied twice?"),
     (N * K, "15 = N·K, the number of elements"), (2 * N, "10 = 2·N (the 1/N of the mean forgotten")],
)
def test_each_named_factor(factor, expected):
    result = check_gradient(lambda p: mse(p, TARGET), lambda p: factor * mse_grad(p, TARGET), Z)
    assert expected in result.diagnosis


def test_an_unexplained_factor_is_called_a_wrong_constant():
    result = check_cce(lambda z: (softmax(z) - Y) / (N + 1))
    assert "off by a factor of 0.8333" in result.diagnosis
    assert "none of N = 5, K = 3, N·K = 15, 2" in result.diagnosis


def test_a_flipped_sign():
    result = check_cce(lambda z: (Y - softmax(z)) / N)
    assert result.max_relative_error == pytest.approx(2.0)
    assert result.diagnosis.startswith("flipped sign: yours is -1 times the true gradient")


def test_a_flipped_sign_and_a_factor():
    result = check_cce(lambda z: Y - softmax(z))
    assert result.diagnosis.startswith("flipped sign, and off by a factor of 5")


def test_a_transposed_result():
    result = check_cce(lambda z: ((softmax(z) - Y) / N).T)
    assert not result.ok and result.max_relative_error == float("inf")
    assert result.diagnosis == "transposed: the gradient has shape (3, 5), x has shape (5, 3); with x's shape it is right"


def test_a_transposed_result_that_is_also_wrong():
    result = check_cce(lambda z: (softmax(z) - Y).T)
    assert result.diagnosis.startswith("transposed")
    assert "still wrong: off by a factor of 5" in result.diagnosis


def test_a_transposed_result_of_a_square_x():
    W = RNG.normal(size=(3, 3))
    result = check_gradient(lambda w: np.sum((Z @ w) ** 2), lambda w: (2 * Z.T @ (Z @ w)).T, W)
    assert result.diagnosis.startswith("transposed: yours is the transpose of the gradient")


def test_a_flattened_or_wrongly_shaped_result():
    flat = check_cce(lambda z: ((softmax(z) - Y) / N).ravel())
    assert flat.diagnosis.startswith("wrongly shaped: the gradient has shape (15,), x has shape (5, 3)")
    summed = check_cce(lambda z: (softmax(z) - Y).sum(axis=0))
    assert summed.diagnosis.startswith("wrong shape: the gradient has shape (3,), x has shape (5, 3)")


def test_a_mismatch_in_one_column():
    fix = np.array([1.0, 2.0, 1.0])
    result = check_cce(lambda z: fix * (softmax(z) - Y) / N)
    assert result.diagnosis == (
        "wrong at 5 of 15 entries only (column 1); there yours is 2 times the true value; "
        "the other 10 entries agree within 1e-2"
    )


def test_a_mismatch_at_a_few_entries_names_them():
    def grad(z):
        g = (softmax(z) - Y) / N
        g[1, 2] = 0.0
        g[3, 0] *= 3
        return g

    result = check_cce(grad)
    assert "wrong at 2 of 15 entries only ((1, 2), (3, 0))" in result.diagnosis


def test_softmax_without_its_off_diagonal_terms():
    # dL/dp times the diagonal p (1 - p) of the Jacobian only: 0 at every wrong class
    result = check_cce(lambda z: -Y * (1 - softmax(z)) / N)
    assert f"wrong at {N * (K - 1)} of {N * K} entries, by no single factor" in result.diagnosis
    assert "yours is 0 there" in result.diagnosis


def test_zero_and_non_finite_gradients():
    assert check_cce(lambda z: np.zeros_like(z)).diagnosis.startswith("yours is 0 everywhere")
    with np.errstate(divide="ignore", invalid="ignore"):
        result = check_cce(lambda z: z / 0)
    assert result.diagnosis.startswith("not finite (nan or inf) at (0, 0)")


def test_a_numerical_near_miss_is_not_called_a_bug():
    result = check_cce(lambda z: (softmax(z.astype(np.float32)) - Y) / N)
    assert not result.ok
    assert result.diagnosis.startswith("close, but not within 1e-07")


def test_batch_size_names_the_factor_of_a_weight_gradient():
    X, W, T = RNG.normal(size=(6, 4)), RNG.normal(size=(4, 2)), RNG.normal(size=(6, 2))
    loss = lambda w: mse(X @ w, T, reduction="sum") / 6        # a mean over the N = 6 samples
    grad = lambda w: X.T @ (2 * (X @ w - T))                    # the 1/N forgotten
    assert "6 = N, the batch size" in check_gradient(loss, grad, W, batch_size=6).diagnosis
    assert "6 = " not in check_gradient(loss, grad, W).diagnosis  # W's shape says nothing of N


def test_a_batch_of_one_passes_with_a_warning():
    z, y = Z[:1], LABELS[:1]
    result = check_gradient(lambda v: softmax_cross_entropy(v, y), lambda v: softmax(v) - Y[:1], z)
    assert result.ok and "with N = 1 a missing 1/N cannot be seen" in result.diagnosis


def test_one_column_names_the_batch_size_only():
    z, y = Z[:, :1], (LABELS[:, None] == 0).astype(float)
    loss = lambda v: mse(v, y)
    result = check_gradient(loss, lambda v: 2 * (v - y), z)
    assert result.diagnosis.endswith("5 = N, the batch size: was the 1/N of the mean forgotten?")


def test_ambiguous_counts_are_said_to_be_ambiguous():
    z = Z[:3]
    result = check_gradient(lambda v: softmax_cross_entropy(v, LABELS[:3]), lambda v: softmax(v) - Y[:3], z)
    assert "3 = N, the batch size or K, the number of columns" in result.diagnosis
    assert "cannot be told apart" in result.diagnosis


def test_x_is_never_modified():
    x = Z.copy()
    x32 = Z.astype(np.float32)
    before, before32 = x.copy(), x32.copy()

    def greedy_grad(v):                 # a grad_fn that scribbles on its argument
        g = (softmax(v) - Y) / N
        v += 1.0
        return g

    assert check_gradient(cce, greedy_grad, x).ok
    check_gradient(cce, greedy_grad, x32)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(x32, before32)


def test_both_functions_see_float64():
    seen = []
    loss = lambda v: seen.append(v.dtype) or cce(v)
    grad = lambda v: seen.append(v.dtype) or (softmax(v) - Y) / N
    assert check_gradient(loss, grad, Z.astype(np.float32)).ok  # checked in float64, so it passes
    assert set(seen) == {np.dtype(np.float64)}


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"loss_fn": 3}, TypeError, "loss_fn: expected a function of x, got int"),
        ({"grad_fn": None}, TypeError, "grad_fn: expected a function of x, got NoneType"),
        ({"x": np.array([])}, ValueError, "x: expected a non-empty array"),
        ({"x": np.array([1.0, np.nan])}, ValueError, "x: expected finite values"),
        ({"eps": 0.0}, ValueError, "eps: expected a positive number, got 0.0"),
        ({"tolerance": -1}, ValueError, "tolerance: expected a positive number, got -1"),
        ({"batch_size": 0}, ValueError, "batch_size: expected None or a positive integer, got 0"),
        ({"loss_fn": lambda v: v ** 2}, ValueError, r"loss_fn: expected a scalar loss, got float64 of shape \(2,\)"),
        ({"grad_fn": lambda v: np.array(["a", "b"])}, TypeError, "grad_fn: expected it to return a numeric array"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, message):
    arguments = {"loss_fn": lambda v: float(np.sum(v ** 2)), "grad_fn": lambda v: 2 * v,
                 "x": np.array([1.0, 2.0])}
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        check_gradient(arguments.pop("loss_fn"), arguments.pop("grad_fn"), arguments.pop("x"), **arguments)
