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
    """The losses as they are for "none", their sum for "sum", the sum / n for "mean"."""
    if check.reduction(reduction) == "none":
        return losses
    total = losses.sum()
    return total / n if reduction == "mean" else total
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


# ==================================================================== the loss atlas
# L1, Huber, Poisson NLL, sigmoid focal and distillation: each with reduction "mean",
# "sum" or "none" (the unreduced losses: per element, or per row for distillation), as
# in PyTorch. A gradient is the derivative of a scalar, so every *_grad refuses "none".
# Pages: docs/losses/regression.md, poisson.md, focal.md, distillation.md.

# --8<-- [start:atlas_reduction]
def _grad_divisor(value, n):
    """n for "mean", 1 for "sum"; "none" has no gradient (it is not a scalar)."""
    return n if check.grad_reduction(value) == "mean" else 1
# --8<-- [end:atlas_reduction]


# --8<-- [start:l1]
def l1(y_pred, y_true, reduction="mean"):
    """L = mean(|y_pred - y_true|) over all elements (PyTorch's l1_loss)."""
    y_pred, y_true = check.pair(y_pred, y_true, "y_pred", "y_true")
    return _reduce(np.abs(y_pred - y_true), reduction, y_pred.size)


def l1_grad(y_pred, y_true, reduction="mean"):
    """dL/dy_pred = sign(y_pred - y_true) / n: 0 at an exact tie, as in PyTorch."""
    y_pred, y_true = check.pair(y_pred, y_true, "y_pred", "y_true")
    n = _grad_divisor(reduction, y_pred.size)
    return np.sign(y_pred - y_true) / n
# --8<-- [end:l1]


# --8<-- [start:huber]
def huber(y_pred, y_true, reduction="mean", *, delta=1.0):
    """L = mean of d^2 / 2 where |d| <= delta, delta (|d| - delta / 2) elsewhere,
    d = y_pred - y_true (PyTorch's huber_loss)."""
    y_pred, y_true = check.pair(y_pred, y_true, "y_pred", "y_true")
    delta = _positive(delta, "delta")
    d = np.abs(y_pred - y_true)
    losses = np.where(d <= delta, d * d / 2, delta * (d - delta / 2))
    return _reduce(losses, reduction, y_pred.size)


def huber_grad(y_pred, y_true, reduction="mean", *, delta=1.0):
    """dL/dy_pred = clip(y_pred - y_true, -delta, delta) / n."""
    y_pred, y_true = check.pair(y_pred, y_true, "y_pred", "y_true")
    delta = _positive(delta, "delta")
    n = _grad_divisor(reduction, y_pred.size)
    return np.clip(y_pred - y_true, -delta, delta) / n


def _positive(value, name):
    value = check.real_number(value, name)
    if not value > 0:
        raise ValueError(f"{name}: expected a number > 0, got {value!r}")
    return value
# --8<-- [end:huber]


# --8<-- [start:poisson_nll]
def poisson_nll(z, y, reduction="mean"):
    """L = mean(exp(z) - y z) over all elements: PyTorch's poisson_nll_loss with
    log_input=True, full=False. z is the log of the Poisson mean, y >= 0 the counts."""
    z, y = _log_rate_and_counts(z, y)
    losses = np.exp(z) - y * z
    with np.errstate(over="ignore"):
        value = _reduce(losses, reduction, z.size)
    if not np.isfinite(value).all():  # a sum of many exp(z) near the largest float
        raise ValueError(f"z: the {reduction} of exp(z) - y z overflows {z.dtype}")
    return value


def poisson_nll_grad(z, y, reduction="mean"):
    """dL/dz = (exp(z) - y) / n: the predicted mean minus the count."""
    z, y = _log_rate_and_counts(z, y)
    n = _grad_divisor(reduction, z.size)
    return (np.exp(z) - y) / n


def _log_rate_and_counts(z, y):
    """Checked (z, y). exp(z) must be a finite float: z <= log(largest float)."""
    z, y = check.pair(z, y, "z", "y")
    limit = np.log(np.finfo(z.dtype).max)  # 88.72 in float32, 709.78 in float64
    if z.max() > limit:
        raise ValueError(
            f"z: expected log-rates <= {limit:.2f} (exp(z) overflows {z.dtype} above), "
            f"got {z.max()}"
        )
    if y.min() < 0:
        raise ValueError(f"y: expected counts >= 0, got {y.min()}")
    return z, y
# --8<-- [end:poisson_nll]


# --8<-- [start:sigmoid_focal]
# --8<-- [start:focal_loss_and_grad]
def sigmoid_focal(z, y, reduction="mean", *, alpha=0.25, gamma=2.0):
    """L = mean of alpha_t (1 - p_t)^gamma CE(z, y) over all elements: the formula of
    torchvision.ops.sigmoid_focal_loss. p = sigma(z), p_t = p y + (1 - p)(1 - y),
    alpha_t = alpha y + (1 - alpha)(1 - y) (1 if alpha is None), CE = BCE with logits."""
    z, y, alpha_t, gamma = _focal_inputs(z, y, alpha, gamma)
    _, _, log_q, ce = _focal_parts(z, y)
    losses = alpha_t * np.exp(gamma * log_q) * ce
    return _reduce(losses, reduction, z.size)


def sigmoid_focal_grad(z, y, reduction="mean", *, alpha=0.25, gamma=2.0):
    """dL/dz = alpha_t q^gamma [(sigma(z) - y) + gamma (1 - 2y) r CE] / n, where
    q = 1 - p_t and r = sigma(z) sigma(-z) / q, a number in [0, 1]."""
    z, y, alpha_t, gamma = _focal_inputs(z, y, alpha, gamma)
    n = _grad_divisor(reduction, z.size)
    log_p, log_not_p, log_q, ce = _focal_parts(z, y)
    error = (1 - y) * np.exp(log_p) - y * np.exp(log_not_p)  # sigma(z) - y, no cancellation
    r = np.exp(log_p + log_not_p - log_q)
    return alpha_t * np.exp(gamma * log_q) * (error + gamma * (1 - 2 * y) * r * ce) / n
# --8<-- [end:focal_loss_and_grad]


# --8<-- [start:focal_parts]
def _focal_parts(z, y):
    """log sigma(z), log sigma(-z), log q = log(1 - p_t) and CE, all finite for finite z.

    Each is a sum of terms of one sign, so nothing cancels, even at |z| = 1e4:
    -log sigma(+-z) = max(-+z, 0) + log(1 + e^-|z|); CE = -y log p - (1 - y) log(1 - p);
    1 - p_t = y sigma(-z) + (1 - y) sigma(z), added in log space (nothing underflows).
    """
    tail = np.log1p(np.exp(-np.abs(z)))
    log_p, log_not_p = -(np.maximum(-z, 0) + tail), -(np.maximum(z, 0) + tail)
    log_y = np.log(y, out=np.full_like(y, -np.inf), where=y > 0)
    log_not_y = np.log1p(-y, out=np.full_like(y, -np.inf), where=y < 1)
    log_q = np.logaddexp(log_y + log_not_p, log_not_y + log_p)
    ce = -(y * log_p + (1 - y) * log_not_p)
    return log_p, log_not_p, log_q, ce
# --8<-- [end:focal_parts]


# --8<-- [start:focal_inputs]
def _focal_inputs(z, y, alpha, gamma):
    z = check.float_array(z, "z")
    y = check.binary_targets(z, y, "z")
    gamma = check.real_number(gamma, "gamma")
    if gamma < 0:
        raise ValueError(f"gamma: expected a number >= 0, got {gamma!r}")
    if alpha is None:
        return z, y, np.ones((), z.dtype), gamma
    alpha = check.real_number(alpha, "alpha")
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha: expected a number in [0, 1] or None, got {alpha!r}")
    return z, y, alpha * y + (1 - alpha) * (1 - y), gamma
# --8<-- [end:focal_inputs]
# --8<-- [end:sigmoid_focal]


# --8<-- [start:distillation]
def distillation(z, z_teacher, reduction="mean", *, temperature=1.0):
    """L = mean over the N rows of T^2 KL(softmax(z_teacher / T) || softmax(z / T)):
    PyTorch's kl_div(log_softmax(z / T), softmax(z_teacher / T), "batchmean") * T^2.
    "none" gives the N per-row losses."""
    z, z_teacher, t = _distillation_inputs(z, z_teacher, temperature)
    log_p_teacher = _log_softmax(z_teacher / t)
    log_p_student = _log_softmax(z / t)
    kl = (np.exp(log_p_teacher) * (log_p_teacher - log_p_student)).sum(axis=1)
    return _reduce(t * t * kl, reduction, len(z))


def distillation_grad(z, z_teacher, reduction="mean", *, temperature=1.0):
    """dL/dz = T (softmax(z / T) - softmax(z_teacher / T)) / N for "mean" (N rows);
    the teacher is a constant: no gradient flows to z_teacher."""
    z, z_teacher, t = _distillation_inputs(z, z_teacher, temperature)
    n = _grad_divisor(reduction, len(z))
    return _softmax(z / t, scale=t / n) - _softmax(z_teacher / t, scale=t / n)


def _distillation_inputs(z, z_teacher, temperature):
    z, z_teacher = check.pair(z, z_teacher, "z", "z_teacher")
    check.ndim(z, "z", 2)
    return z, z_teacher, _positive(temperature, "temperature")
# --8<-- [end:distillation]
