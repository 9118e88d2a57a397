"""Losses, each next to its gradient.

``reduction`` means exactly what it means in PyTorch. "mean" averages the element-wise
losses (MSE, binary cross-entropy) over every element and the multi-class
cross-entropies over the N samples of the batch (with class weights and class
indices, over the weights of the targets: see ``softmax_cross_entropy``); "sum" adds
them; "none" returns them unreduced, one per element for the element-wise losses and
one per row, shape (N,), for the multi-class ones. Every ``*_grad`` returns the
gradient of the scalar loss ("mean" or "sum") with respect to its first argument, with
that argument's shape and dtype (float32 in, float32 out); it refuses "none", because
each sample's loss depends on its own row only, so the per-sample gradients are the
rows of the "sum" gradient.

Multi-class targets ``y`` are integer class indices of shape (N,), of any integer
dtype, or rows of probabilities of shape (N, K), one-hot or soft. Binary targets have
the shape of the prediction and values in [0, 1]. Options are keyword-only and named
as in PyTorch: ``weight``, ``ignore_index`` and ``label_smoothing`` for
``softmax_cross_entropy``, ``weight`` and ``pos_weight`` for
``binary_cross_entropy_with_logits``.

On probabilities, log 0 = -inf would make the loss infinite and the gradient
divide by zero. We do what PyTorch's ``BCELoss`` does: every log is clamped at -100
(so 0 * log 0 counts as 0 * -100 = 0, and a perfect prediction has loss exactly 0),
and a gradient's denominator is clamped at ``EPS = 1e-12``. The logit forms need no
clamp: they are exact and finite for every finite logit.
"""

# --8<-- [start:imports]
import numpy as np

from backprop import _validate as check
from backprop.activations import BLOCK, _log_softmax, _softmax

LOG_FLOOR = -100.0  # log p is clamped at -100, as in PyTorch's BCELoss
EPS = 1e-12  # gradient denominators are clamped at 1e-12, as in PyTorch's BCELoss


def _reduce(losses, reduction, n):
    """The losses as they are for "none"; else their sum divided by n (the mean's
    divisor for "mean", 1 for "sum")."""
    return losses if reduction == "none" else losses.sum() / n
# --8<-- [end:imports]


# --8<-- [start:mse]
def mse(y_pred, y_true, reduction="mean"):
    """L = mean((y_pred - y_true)**2) over all elements; the sum, or each square ("none")."""
    y_pred, y_true = check.pair(y_pred, y_true, "y_pred", "y_true")
    n = y_pred.size if check.reduction(reduction) == "mean" else 1
    return _reduce((y_pred - y_true) ** 2, reduction, n)


# --8<-- [start:mse_grad]
def mse_grad(y_pred, y_true, reduction="mean"):
    """dL/dy_pred = 2 (y_pred - y_true) / n, with n = y_pred.size for "mean", 1 for "sum"."""
    y_pred, y_true = check.pair(y_pred, y_true, "y_pred", "y_true")
    n = y_pred.size if check.grad_reduction(reduction) == "mean" else 1
    return 2 * (y_pred - y_true) / n
# --8<-- [end:mse_grad]
# --8<-- [end:mse]


# --8<-- [start:clamped_log]
def clamped_log(p):
    """max(log p, -100), with log 0 = -100 and no warning: PyTorch's clamp in BCELoss."""
    log_p = np.log(p, out=np.full_like(p, LOG_FLOOR), where=p > 0)
    return np.maximum(log_p, LOG_FLOOR, out=log_p)


def clamped_log1m(p):
    """max(log(1 - p), -100), computed as log1p(-p), as PyTorch does: 1 - p rounds a
    small p away (in float32, 1 - 6e-8 is 1), log1p(-p) keeps it."""
    log_q = np.log1p(-p, out=np.full_like(p, LOG_FLOOR), where=p < 1)
    return np.maximum(log_q, LOG_FLOOR, out=log_q)
# --8<-- [end:clamped_log]


# --8<-- [start:binary_cross_entropy]
def binary_cross_entropy(p, y, reduction="mean"):
    """L = mean(-y log p - (1 - y) log(1 - p)) over all elements; the sum, or each one.

    p are probabilities in [0, 1]. Each log is clamped at -100, as in PyTorch: the loss
    stays finite at p = 0 or 1, and a term with zero weight (y = 0 for log p, y = 1
    for log(1 - p)) is exactly 0, so a perfect prediction has loss exactly 0.
    """
    p = check.probabilities(p, "p")
    y, mean = check.binary_batch(p, y, reduction, "p")
    losses = y * -clamped_log(p) + (1 - y) * -clamped_log1m(p)
    return _reduce(losses, reduction, p.size if mean else 1)


# --8<-- [start:binary_cross_entropy_grad]
def binary_cross_entropy_grad(p, y, reduction="mean"):
    """dL/dp = (p - y) / (p (1 - p)) / n, with n = p.size for "mean", 1 for "sum".

    As in PyTorch, the denominator p (1 - p) is clamped at EPS = 1e-12, so the
    gradient is finite at p = 0 or 1: 0 where p = y, +-1e12 / n where p is the wrong
    certainty.
    """
    p = check.probabilities(p, "p")
    y, mean = check.binary_batch(p, y, check.grad_reduction(reduction), "p")
    n = p.size if mean else 1
    return (p - y) / (np.maximum(p * (1 - p), EPS) * n)
# --8<-- [end:binary_cross_entropy_grad]
# --8<-- [end:binary_cross_entropy]


# --8<-- [start:binary_cross_entropy_with_logits]
def binary_cross_entropy_with_logits(z, y, reduction="mean", *, weight=None, pos_weight=None):
    """L = mean(w [-p_w y log sigma(z) - (1 - y) log(1 - sigma(z))]); the sum, or each one.

    w (``weight``, broadcast to z's shape) scales each element's loss, p_w
    (``pos_weight``, one per output along the last axis) its positive term only; both
    default to 1. As -log sigma(z) = softplus(-z) and -log(1 - sigma(z)) = softplus(z),
    the loss is w [p_w y softplus(-z) + (1 - y) softplus(z)], a sum of non-negative
    terms, with softplus(+-z) = max(+-z, 0) + log(1 + exp(-|z|)): exp never
    overflows and nothing cancels, so the loss is exact for every finite z.
    """
    z = check.float_array(z, "z")
    y, mean = check.binary_batch(z, y, reduction, "z")
    weight, pos_weight = check.binary_weights(z, weight, pos_weight)
    tail = np.log1p(np.exp(-np.abs(z)))  # log(1 + e^-|z|), in (0, log 2]
    positive = np.maximum(-z, 0) + tail  # softplus(-z) = -log sigma(z)
    negative = np.maximum(z, 0) + tail  # softplus(z) = -log(1 - sigma(z))
    if pos_weight is not None:
        positive *= pos_weight
    losses = y * positive + (1 - y) * negative
    if weight is not None:
        losses = losses * weight  # weight broadcasts to z's shape, never beyond
    return _reduce(losses, reduction, z.size if mean else 1)


# --8<-- [start:binary_cross_entropy_with_logits_grad]
def binary_cross_entropy_with_logits_grad(z, y, reduction="mean", *, weight=None, pos_weight=None):
    """dL/dz = w [(1 - y) sigma(z) - p_w y sigma(-z)] / n, n = z.size for "mean", 1 for "sum".

    Without options this is (sigma(z) - y) / n, computed as (1 - y) sigma(z) - y
    sigma(-z): two products that are each exact. sigma(z) - y itself cancels where a
    prediction is confidently right: sigma(50) rounds to 1 in float64 and 1 - 1 = 0,
    where the gradient is -sigma(-50) = -1.9e-22.
    """
    z = check.float_array(z, "z")
    y, mean = check.binary_batch(z, y, check.grad_reduction(reduction), "z")
    weight, pos_weight = check.binary_weights(z, weight, pos_weight)
    n = z.size if mean else 1
    weighted_y = y if pos_weight is None else y * pos_weight  # p_w y, z's shape
    grad_z = _scaled_sigmoid_error(z, y, weighted_y, scale=1 / n)
    if weight is not None:
        grad_z *= weight
    return grad_z


def _scaled_sigmoid_error(z, y, weighted_y, scale):
    """scale * ((1 - y) sigma(z) - weighted_y sigma(-z)), in one new buffer, by blocks.

    With c = max(z, 0), sigma(z) = e^(z - c) / d and sigma(-z) = e^-c / d, where
    d = e^(z - c) + e^-c: both exponents are <= 0, so exp never overflows, and the
    two sigmoids share one d. Applied to the whole array at once, the temporaries
    would each be as large as z; per block of BLOCK numbers they stay in cache.
    """
    grad_z = np.empty(z.shape, z.dtype)
    flat = z.reshape(-1), y.reshape(-1), weighted_y.reshape(-1), grad_z.reshape(-1)
    for start in range(0, z.size, BLOCK):
        z_b, y_b, wy_b, grad_b = (a[start : start + BLOCK] for a in flat)
        up = np.exp(np.minimum(z_b, 0))  # e^(z - c)
        down = np.exp(-np.maximum(z_b, 0))  # e^-c
        d = up + down
        np.subtract(1, y_b, out=grad_b)
        grad_b *= up  # (1 - y) e^(z - c)
        down *= wy_b
        grad_b -= down  # (1 - y) e^(z - c) - p_w y e^-c
        np.divide(scale, d, out=d)
        grad_b *= d
    return grad_z
# --8<-- [end:binary_cross_entropy_with_logits_grad]
# --8<-- [end:binary_cross_entropy_with_logits]


# --8<-- [start:categorical_cross_entropy]
def categorical_cross_entropy(p, y, reduction="mean"):
    """L = mean over the N rows of -sum_k y_k log p_k; the sum over rows, or each row.

    p are (N, K) probabilities, e.g. a softmax output. log p is clamped at -100, as
    in PyTorch's BCELoss: a class with y_k = 0 adds exactly 0 even where p_k = 0.
    """
    p = check.probabilities(p, "p")
    y, n = check.multiclass_batch(p, y, reduction, "p")
    if y.ndim == 1:  # class indices: pick -log p[i, y_i]
        losses = -clamped_log(p[np.arange(len(y)), y])
    else:
        losses = -(y * clamped_log(p)).sum(axis=1)
    return _reduce(losses, reduction, n)


# --8<-- [start:categorical_cross_entropy_grad]
def categorical_cross_entropy_grad(p, y, reduction="mean"):
    """dL/dp = -y / p / N for "mean" (N rows), -y / p for "sum".

    Where y_k = 0 the entry is 0, even where p_k = 0. Where y_k > 0 and p_k = 0 the
    denominator is clamped at EPS = 1e-12 (PyTorch's clamp in BCELoss), so the
    gradient is -y_k / 1e-12 / N: huge, but finite.
    """
    p = check.probabilities(p, "p")
    y, n = check.multiclass_batch(p, y, check.grad_reduction(reduction), "p")
    grad_p = np.zeros_like(p)  # 0 wherever y_k = 0, even where p_k = 0
    if y.ndim == 1:  # class indices: one non-zero entry per row
        rows = np.arange(len(y))
        grad_p[rows, y] = -1 / (np.maximum(p[rows, y], EPS) * n)
        return grad_p
    return np.divide(-y, np.maximum(p, EPS) * n, out=grad_p, where=y > 0)
# --8<-- [end:categorical_cross_entropy_grad]
# --8<-- [end:categorical_cross_entropy]


# --8<-- [start:softmax_cross_entropy]
def softmax_cross_entropy(z, y, reduction="mean", *, weight=None, ignore_index=None,
                          label_smoothing=0.0):
    """L = sum over the N rows of l_n / D, l_n = -sum_k q_nk log softmax(z)_nk:
    PyTorch's cross_entropy.

    Without options q_n is the target row (one-hot for a class index) and D = N for
    "mean", 1 for "sum"; "none" returns the N values l_n. With class indices,
    l_n = logsumexp(z_n) - z_{n, y_n}. The options change q and D only: see
    _weighted_targets. log softmax is computed stably (shifted by the row maximum), so
    it is accurate and finite for every finite z: no clamp is needed.
    """
    z = check.float_array(z, "z")
    y, n = check.multiclass_batch(z, y, reduction, "z", ignore_index)
    weight = check.class_weight(weight, z)
    label_smoothing = check.unit_number(label_smoothing, "label_smoothing")
    log_p = _log_softmax(z)
    if weight is None and ignore_index is None and label_smoothing == 0:
        if y.ndim == 1:  # class indices: pick -log p[i, y_i], no one-hot matrix
            losses = -log_p[np.arange(len(y)), y]
        else:
            losses = -(y * log_p).sum(axis=1)
        return _reduce(losses, reduction, n)
    q, divisor = _weighted_targets(y, z, weight, ignore_index, label_smoothing)
    losses = -(q * log_p).sum(axis=1)
    return _reduce(losses, reduction, _mean_divisor(divisor) if reduction == "mean" else 1)


# --8<-- [start:softmax_cross_entropy_grad]
def softmax_cross_entropy_grad(z, y, reduction="mean", *, weight=None, ignore_index=None,
                               label_smoothing=0.0):
    """dL/dz = (softmax(z) - y) / N for "mean" (N rows), softmax(z) - y for "sum";
    with options, row n is (s_n softmax(z_n) - q_n) / D, where s_n = sum_k q_nk."""
    z = check.float_array(z, "z", check_finite=False)  # _softmax checks finiteness
    y, n = check.multiclass_batch(z, y, check.grad_reduction(reduction), "z", ignore_index)
    weight = check.class_weight(weight, z)
    label_smoothing = check.unit_number(label_smoothing, "label_smoothing")
    if weight is None and ignore_index is None and label_smoothing == 0:
        grad_z = _softmax(z, scale=1 / n)  # the one buffer: softmax(z) / n
        if y.ndim == 1:  # class indices: subtract 1 / n at (i, y_i), no one-hot matrix
            n_rows, n_classes = z.shape
            at_targets = np.arange(0, n_rows * n_classes, n_classes) + y  # flat (i, y_i)
            grad_z.reshape(-1)[at_targets] -= 1 / n  # 2x faster than grad_z[i, y]
        else:
            grad_z -= y / n
        return grad_z
    q, divisor = _weighted_targets(y, z, weight, ignore_index, label_smoothing)
    scale = 1 / (_mean_divisor(divisor) if reduction == "mean" else 1)
    grad_z = _softmax(z, scale=scale)  # softmax(z) / D
    grad_z *= q.sum(axis=1)[:, None]  # s_n softmax(z_n) / D
    grad_z -= q * scale
    return grad_z
# --8<-- [end:softmax_cross_entropy_grad]
# --8<-- [end:softmax_cross_entropy]


# --8<-- [start:weighted_targets]
def _weighted_targets(y, z, weight, ignore_index, label_smoothing):
    """(q, D): the rows q_n of weighted targets, with l_n = -sum_k q_nk log p_nk, and
    D, what "mean" divides the summed loss by. w = weight (ones if None),
    eps = label_smoothing, K classes, e_c the one-hot row of class c.

    Class indices c_n: q_n = (1 - eps) w_{c_n} e_{c_n} + (eps / K) w, a zero row
    where c_n == ignore_index; D = sum of w_{c_n} over the rows not ignored.
    Probability rows y_n: q_n = w * ((1 - eps) y_n + eps / K); D = N.
    """
    n_rows, k = z.shape
    w = np.ones(k, z.dtype) if weight is None else weight
    eps = label_smoothing
    if y.ndim == 2:
        return w * ((1 - eps) * y + eps / k), n_rows
    keep = np.ones(n_rows, bool) if ignore_index is None else y != ignore_index
    labels = np.where(keep, y, 0)  # a valid class in the ignored rows, zeroed below
    q = np.empty(z.shape, z.dtype)
    q[:] = (eps / k) * w  # the smoothing mass, spread over the classes by their weights
    q[np.arange(n_rows), labels] += (1 - eps) * w[labels]
    q[~keep] = 0
    return q, float(w[labels][keep].sum())


def _mean_divisor(divisor):
    """D, or 1 when D = 0: every row ignored, or every target weighted 0. The "mean"
    is then the sum, which is 0 (with its zero gradient) unless label smoothing
    spreads mass onto classes of non-zero weight; never the 0 / 0 = NaN of PyTorch."""
    return divisor if divisor > 0 else 1
# --8<-- [end:weighted_targets]
