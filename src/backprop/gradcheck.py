"""Numerical gradients by central differences, and the relative error between two
gradients. These are the referee for every analytic gradient on the site."""

# --8<-- [start:numerical_gradient]
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """Central differences: df/dx[i] ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).

    ``f`` maps an array shaped like ``x`` to a float; ``x`` may have any shape.
    The error is O(eps^2) plus rounding of order ulp(f) / eps, so use float64.
    """
    x = np.array(x, dtype=np.float64)  # a copy: f never sees a half-nudged array
    grad = np.zeros_like(x)
    flat, flat_grad = x.reshape(-1), grad.reshape(-1)  # views into x and grad
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        f_plus = float(f(x))
        flat[i] = original - eps
        f_minus = float(f(x))
        flat[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
# --8<-- [end:numerical_gradient]


# --8<-- [start:relative_error]
def relative_error(a, b):
    """max over elements of |a - b| / max(|a|, |b|), counting 0 where both are 0."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b: expected the shape of a {a.shape}, got {b.shape}")
    scale = np.maximum(np.abs(a), np.abs(b))
    diff = np.abs(a - b)
    ratio = np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)
    return float(ratio.max()) if ratio.size else 0.0
# --8<-- [end:relative_error]
