"""Activation functions, each next to its derivative.

Every function takes a float32 or float64 array (anything else numeric becomes
float64) and returns an array of the same shape and dtype. ``*_grad(z)`` is the
element-wise derivative da/dz, so a layer's backward step is
``grad_z = grad_a * act_grad(z)``. Softmax is not element-wise: it has a Jacobian
(``softmax_jacobian``) and a vector-Jacobian product (``softmax_backward``).

Names with a leading underscore skip the input checks: the losses call them on
arrays they have already checked.
"""

# --8<-- [start:imports]
import numpy as np

from backprop import _validate as check

BLOCK = 65536  # numbers per block in the fused kernels: a block's temporaries stay in cache
# --8<-- [end:imports]


# --8<-- [start:sigmoid]
def sigmoid(z):
    """sigma(z) = 1 / (1 + exp(-z)), accurate to rounding and overflow-free for every finite z."""
    return _sigmoid(check.float_array(z, "z"))


def _sigmoid(z):
    """sigma(z) = e^z / (1 + e^z) with top and bottom multiplied by e^-c, c = max(z, 0):
    e^(z - c) / (e^-c + e^(z - c)). Both exponents are <= 0, so exp never overflows,
    and no branch is needed."""
    top = np.exp(np.minimum(z, 0))  # e^(z - c)
    return top / (top + np.exp(-np.maximum(z, 0)))


def sigmoid_grad(z):
    """d sigma/dz = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1 - s)
# --8<-- [end:sigmoid]


# --8<-- [start:tanh]
def tanh(z):
    """tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))."""
    return np.tanh(check.float_array(z, "z"))


def tanh_grad(z):
    """d tanh/dz = 1 - tanh(z)**2."""
    return 1 - tanh(z) ** 2
# --8<-- [end:tanh]


# --8<-- [start:relu]
def relu(z):
    """relu(z) = max(z, 0)."""
    return np.maximum(check.float_array(z, "z"), 0)


def relu_grad(z):
    """d relu/dz = 1 where z > 0, else 0 (at the kink z = 0 we take 0, as PyTorch does)."""
    z = check.float_array(z, "z")
    return (z > 0).astype(z.dtype)
# --8<-- [end:relu]


# --8<-- [start:leaky_relu]
def leaky_relu(z, slope=0.01):
    """leaky_relu(z) = z where z > 0, slope * z elsewhere."""
    z = check.float_array(z, "z")
    return np.where(z > 0, z, check.real_number(slope, "slope") * z)


def leaky_relu_grad(z, slope=0.01):
    """d leaky_relu/dz = 1 where z > 0, else slope (slope at z = 0, as PyTorch does)."""
    z = check.float_array(z, "z")
    return np.where(z > 0, 1, check.real_number(slope, "slope")).astype(z.dtype)
# --8<-- [end:leaky_relu]


# --8<-- [start:identity]
def identity(z):
    """identity(z) = z (a copy, so the output never aliases the input)."""
    return check.float_array(z, "z").copy()


def identity_grad(z):
    """d identity/dz = 1."""
    return np.ones_like(check.float_array(z, "z"))
# --8<-- [end:identity]


# --8<-- [start:softmax]
def softmax(z):
    """softmax(z)_k = exp(z_k - c) / sum_j exp(z_j - c) along the last axis, for any c."""
    z = check.float_array(z, "z", check_finite=False)  # _softmax checks finiteness
    check.min_ndim(z, "z", 1)
    return _softmax(z)


def _softmax(z, scale=1, name="z"):
    """scale * softmax(z) along the last axis, in one new buffer.

    The rows are worked in blocks of about 65k numbers, so that the shift, exp, sum
    and scale all run on data that is still in cache. Each block's min and max, which
    choose its shift, also reject NaN and inf before any arithmetic on the block.
    """
    rows = z.reshape(-1, z.shape[-1])  # one distribution per row
    out = np.empty(rows.shape, z.dtype)
    ones = np.ones(rows.shape[1], z.dtype)  # row sums as a BLAS matrix-vector product
    step = max(1, BLOCK // rows.shape[1])  # rows per block
    for start in range(0, len(rows), step):
        z_rows, p_rows = rows[start : start + step], out[start : start + step]
        top, bottom = z_rows.max(), z_rows.min()  # NaN propagates into both
        if not (np.isfinite(top) and np.isfinite(bottom)):
            check.finite(z, name)  # raises, naming the first bad value
        np.subtract(z_rows, _shift(z_rows, top, bottom), out=p_rows)
        np.exp(p_rows, out=p_rows)  # in (0, 1]
        p_rows *= (scale / (p_rows @ ones))[:, None]
    return out.reshape(z.shape)


def _shift(z_rows, top, bottom):
    """A shift c for each row with z - c <= 0, so that exp(z - c) never overflows.

    The largest logit of the block when the block spans at most 80 (then every
    exp(z - c) is at least exp(-80) ~ 1.8e-35, a normal float32: nothing underflows,
    and one fast reduction replaces many short ones); otherwise each row's maximum.
    """
    if top - 80 <= bottom:
        return top
    return z_rows.max(axis=1, keepdims=True)
# --8<-- [end:softmax]


# --8<-- [start:log_softmax]
def log_softmax(z):
    """log softmax(z)_k = z_k - logsumexp(z), with logsumexp(z) = c + log sum_j exp(z_j - c)."""
    z = check.float_array(z, "z")
    check.min_ndim(z, "z", 1)
    return _log_softmax(z)


def _log_softmax(z):
    """log softmax(z) along the last axis, shifted by the row maximum: finite for finite z."""
    shifted = z - z.max(axis=-1, keepdims=True)  # <= 0, with a 0 in every row
    row_sums = np.exp(shifted) @ np.ones(z.shape[-1], z.dtype)  # >= 1; BLAS is fast
    shifted -= np.log(row_sums)[..., None]
    return shifted
# --8<-- [end:log_softmax]


# --8<-- [start:softmax_jacobian]
def softmax_jacobian(p):
    """dp_i/dz_j = p_i (delta_ij - p_j): for each row, diag(p) - p p^T, shape (N, K, K)."""
    p = check.probabilities(p, "p")
    check.ndim(p, "p", 2)
    column, row = p[:, :, None], p[:, None, :]
    return np.eye(p.shape[1], dtype=p.dtype) * column - column * row
# --8<-- [end:softmax_jacobian]


# --8<-- [start:softmax_backward]
def softmax_backward(p, grad_p):
    """grad_z = J^T grad_p = p * (grad_p - sum_k grad_p_k p_k), row by row, in O(N K).

    p = softmax(z) and grad_p = dL/dp; the K x K Jacobian is never built.
    """
    p = check.probabilities(p, "p")
    check.min_ndim(p, "p", 1)
    grad_p = check.float_array(grad_p, "grad_p")
    check.same_shape(p, grad_p, "p", "grad_p")
    return p * (grad_p - (grad_p * p).sum(axis=-1, keepdims=True))
# --8<-- [end:softmax_backward]
