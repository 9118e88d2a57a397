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
