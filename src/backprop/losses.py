"""Losses, each next to its gradient.

``reduction="mean"`` and ``"sum"`` mean exactly what they mean in PyTorch: the
element-wise losses (MSE, binary cross-entropy) are averaged over every element; the
multi-class cross-entropies are averaged over the N samples of the batch. Every
``*_grad`` returns the gradient of the scalar loss with respect to its first argument,
with that argument's shape and dtype (float32 in, float32 out).

Multi-class targets ``y`` are integer class indices of shape (N,) or rows of
probabilities of shape (N, K), one-hot or soft. Binary targets have the shape of the
prediction and values in [0, 1].

On probabilities, log 0 = -inf would make the loss infinite and the gradient
divide by zero. We do what PyTorch's ``BCELoss`` does: every log is clamped at -100
(so 0 * log 0 counts as 0 * -100 = 0, and a perfect prediction has loss exactly 0),
and a gradient's denominator is clamped at ``EPS = 1e-12``. The logit forms need no
clamp: they are exact and finite for every finite logit.
"""

# --8<-- [start:imports]
import numpy as np

from backprop import _validate as check
from backprop.activations import BLOCK, _log_softmax, _sigmoid, _softmax

LOG_FLOOR = -100.0  # log p is clamped at -100, as in PyTorch's BCELoss
EPS = 1e-12  # gradient denominators are clamped at 1e-12, as in PyTorch's BCELoss
# --8<-- [end:imports]


# --8<-- [start:mse]
def mse(y_pred, y_true, reduction="mean"):
    """L = mean((y_pred - y_true)**2) over all elements, or the sum with "sum"."""
    y_pred, y_true = check.pair(y_pred, y_true, "y_pred", "y_true")
    mean = check.reduction(reduction) == "mean"
    squared = (y_pred - y_true) ** 2
    return squared.mean() if mean else squared.sum()


# --8<-- [start:mse_grad]
def mse_grad(y_pred, y_true, reduction="mean"):
    """dL/dy_pred = 2 (y_pred - y_true) / n, with n = y_pred.size for "mean", 1 for "sum"."""
    y_pred, y_true = check.pair(y_pred, y_true, "y_pred", "y_true")
    n = y_pred.size if check.reduction(reduction) == "mean" else 1
    return 2 * (y_pred - y_true) / n
# --8<-- [end:mse_grad]
# --8<-- [end:mse]


# --8<-- [start:clamped_log]
def clamped_log(p):
    """max(log p, -100), with log 0 = -100 and no warning: PyTorch's clamp in BCELoss."""
    log_p = np.log(p, out=np.full_like(p, LOG_FLOOR), where=p > 0)
    return np.maximum(log_p, LOG_FLOOR, out=log_p)
# --8<-- [end:clamped_log]


# --8<-- [start:binary_cross_entropy]
def binary_cross_entropy(p, y, reduction="mean"):
    """L = mean(-y log p - (1 - y) log(1 - p)) over all elements, or the sum.

    p are probabilities in [0, 1]. Each log is clamped at -100, as in PyTorch: the loss
    stays finite at p = 0 or 1, and a term with zero weight (y = 0 for log p, y = 1
    for log(1 - p)) is exactly 0, so a perfect prediction has loss exactly 0.
    """
    p = check.probabilities(p, "p")
    y, mean = check.binary_batch(p, y, reduction, "p")
    losses = y * -clamped_log(p) + (1 - y) * -clamped_log(1 - p)
    return losses.mean() if mean else losses.sum()


# --8<-- [start:binary_cross_entropy_grad]
def binary_cross_entropy_grad(p, y, reduction="mean"):
    """dL/dp = (p - y) / (p (1 - p)) / n, with n = p.size for "mean", 1 for "sum".

    As in PyTorch, the denominator p (1 - p) is clamped at EPS = 1e-12, so the
    gradient is finite at p = 0 or 1: 0 where p = y, +-1e12 / n where p is the wrong
    certainty.
    """
    p = check.probabilities(p, "p")
    y, mean = check.binary_batch(p, y, reduction, "p")
    n = p.size if mean else 1
    return (p - y) / (np.maximum(p * (1 - p), EPS) * n)
# --8<-- [end:binary_cross_entropy_grad]
# --8<-- [end:binary_cross_entropy]


# --8<-- [start:binary_cross_entropy_with_logits]
def binary_cross_entropy_with_logits(z, y, reduction="mean"):
    """L = mean(-y log sigma(z) - (1 - y) log(1 - sigma(z))) over all elements, or the sum.

    Computed as max(z, 0) - z y + log(1 + exp(-|z|)): exp never overflows and no
    probability is ever rounded to 0 or 1, so the loss is exact for every finite z.
    """
    z = check.float_array(z, "z")
    y, mean = check.binary_batch(z, y, reduction, "z")
    losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return losses.mean() if mean else losses.sum()


# --8<-- [start:binary_cross_entropy_with_logits_grad]
def binary_cross_entropy_with_logits_grad(z, y, reduction="mean"):
    """dL/dz = (sigma(z) - y) / n, with n = z.size for "mean", 1 for "sum"."""
    z = check.float_array(z, "z")
    y, mean = check.binary_batch(z, y, reduction, "z")
    n = z.size if mean else 1
    return _scaled_sigmoid_error(z, y, scale=1 / n)


def _scaled_sigmoid_error(z, y, scale):
    """scale * (sigma(z) - y), in one new buffer, block by block.

    Applied to the whole array at once, the sigmoid's temporaries would each be as
    large as z; per block of BLOCK numbers they stay in cache, which about halves
    the time for large z.
    """
    grad_z = np.empty(z.shape, z.dtype)
    z_flat, y_flat, grad_flat = z.reshape(-1), y.reshape(-1), grad_z.reshape(-1)
    for start in range(0, z.size, BLOCK):
        block = slice(start, start + BLOCK)
        np.subtract(_sigmoid(z_flat[block]), y_flat[block], out=grad_flat[block])
        grad_flat[block] *= scale
    return grad_z
# --8<-- [end:binary_cross_entropy_with_logits_grad]
# --8<-- [end:binary_cross_entropy_with_logits]


# --8<-- [start:categorical_cross_entropy]
def categorical_cross_entropy(p, y, reduction="mean"):
    """L = mean over the N rows of -sum_k y_k log p_k, or the sum over rows.

    p are (N, K) probabilities, e.g. a softmax output. log p is clamped at -100, as
    in PyTorch's BCELoss: a class with y_k = 0 adds exactly 0 even where p_k = 0.
    """
    p = check.probabilities(p, "p")
    y, n = check.multiclass_batch(p, y, reduction, "p")
    if y.ndim == 1:  # class indices: pick -log p[i, y_i]
        losses = -clamped_log(p[np.arange(len(y)), y])
    else:
        losses = -(y * clamped_log(p)).sum(axis=1)
    return losses.sum() / n


# --8<-- [start:categorical_cross_entropy_grad]
def categorical_cross_entropy_grad(p, y, reduction="mean"):
    """dL/dp = -y / p / N for "mean" (N rows), -y / p for "sum".

    Where y_k = 0 the entry is 0, even where p_k = 0. Where y_k > 0 and p_k = 0 the
    denominator is clamped at EPS = 1e-12 (PyTorch's clamp in BCELoss), so the
    gradient is -y_k / 1e-12 / N: huge, but finite.
    """
    p = check.probabilities(p, "p")
    y, n = check.multiclass_batch(p, y, reduction, "p")
    grad_p = np.zeros_like(p)  # 0 wherever y_k = 0, even where p_k = 0
    if y.ndim == 1:  # class indices: one non-zero entry per row
        rows = np.arange(len(y))
        grad_p[rows, y] = -1 / (np.maximum(p[rows, y], EPS) * n)
        return grad_p
    return np.divide(-y, np.maximum(p, EPS) * n, out=grad_p, where=y > 0)
# --8<-- [end:categorical_cross_entropy_grad]
# --8<-- [end:categorical_cross_entropy]


# --8<-- [start:softmax_cross_entropy]
def softmax_cross_entropy(z, y, reduction="mean"):
    """L = mean over the N rows of -sum_k y_k log softmax(z)_k, or the sum over rows.

    With class indices this is logsumexp(z_i) - z_{i, y_i}: PyTorch's cross_entropy.
    log softmax is computed stably (shifted by the row maximum), so it is accurate and
    finite for every finite z: no clamp is needed.
    """
    z = check.float_array(z, "z")
    y, n = check.multiclass_batch(z, y, reduction, "z")
    log_p = _log_softmax(z)
    if y.ndim == 1:  # class indices: pick -log p[i, y_i], no one-hot matrix
        losses = -log_p[np.arange(len(y)), y]
    else:
        losses = -(y * log_p).sum(axis=1)
    return losses.sum() / n


# --8<-- [start:softmax_cross_entropy_grad]
def softmax_cross_entropy_grad(z, y, reduction="mean"):
    """dL/dz = (softmax(z) - y) / N for "mean" (N rows), softmax(z) - y for "sum"."""
    z = check.float_array(z, "z", check_finite=False)  # _softmax checks finiteness
    y, n = check.multiclass_batch(z, y, reduction, "z")
    grad_z = _softmax(z, scale=1 / n)  # the one buffer: softmax(z) / n
    if y.ndim == 1:  # class indices: subtract 1 / n at (i, y_i), no one-hot matrix
        n_rows, n_classes = z.shape
        at_targets = np.arange(0, n_rows * n_classes, n_classes) + y  # flat (i, y_i)
        grad_z.reshape(-1)[at_targets] -= 1 / n  # 2x faster than grad_z[i, y]
    else:
        grad_z -= y / n
    return grad_z
# --8<-- [end:softmax_cross_entropy_grad]
# --8<-- [end:softmax_cross_entropy]
