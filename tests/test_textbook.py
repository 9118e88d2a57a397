"""The pages' short textbook code equals the library's checked, fast kernels."""

import numpy as np
import pytest

from backprop import activations, losses, textbook
from backprop.gradcheck import numerical_gradient, relative_error

SHAPES = [(1, 1), (4, 3), (7, 10), (3, 1000)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4])
def test_sigmoid_and_bce_equal_the_library(shape, scale):
    rng = np.random.default_rng(0)
    z = rng.normal(scale=scale, size=shape)
    y = rng.integers(0, 2, size=shape).astype(float)
    np.testing.assert_allclose(textbook.sigmoid(z), activations.sigmoid(z), rtol=1e-15, atol=0)
    assert textbook.bce_with_logits(z, y) == pytest.approx(
        losses.binary_cross_entropy_with_logits(z, y), rel=1e-13)
    # sigma(z) - y cancels where a confident prediction is right (sigma(z) ~ y); the
    # library computes that difference without cancelling, so the two agree to the
    # rounding of the subtraction: a few units of 1e-16 before the 1/n
    np.testing.assert_allclose(textbook.bce_with_logits_grad(z, y),
                               losses.binary_cross_entropy_with_logits_grad(z, y),
                               rtol=1e-13, atol=4 * np.finfo(float).eps / z.size)


@pytest.mark.parametrize("shape", [s for s in SHAPES if s[1] > 1])
@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4])
def test_softmax_and_cross_entropy_equal_the_library(shape, scale):
    rng = np.random.default_rng(1)
    z = rng.normal(scale=scale, size=shape)
    y = np.eye(shape[1])[rng.integers(0, shape[1], size=shape[0])]
    np.testing.assert_allclose(textbook.softmax(z), activations.softmax(z), rtol=1e-12, atol=1e-300)
    assert textbook.softmax_cross_entropy(z, y) == pytest.approx(
        losses.softmax_cross_entropy(z, y), rel=1e-12)
    np.testing.assert_allclose(textbook.softmax_cross_entropy_grad(z, y),
                               losses.softmax_cross_entropy_grad(z, y), rtol=1e-12, atol=1e-300)


def test_textbook_gradients_match_central_differences():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(4, 3))
    y_bin = rng.integers(0, 2, size=(4, 3)).astype(float)
    y_cat = np.eye(3)[[0, 2, 1, 1]]
    for loss, grad, y in ((textbook.bce_with_logits, textbook.bce_with_logits_grad, y_bin),
                          (textbook.softmax_cross_entropy, textbook.softmax_cross_entropy_grad, y_cat)):
        numeric = numerical_gradient(lambda v: loss(v, y), z)
        assert relative_error(grad(z, y), numeric) <= 1e-7
