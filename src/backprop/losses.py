"""Losses, each next to its gradient.

``reduction="mean"`` and ``"sum"`` mean exactly what they mean in PyTorch: the
element-wise losses (MSE, binary cross-entropy) are averaged over every element; the
multi-class cross-entropies are averaged over the N samples of the batch. Every
``*_grad`` returns the gradient of the scalar loss with respect to its first argument,
with that argument's shape.
"""

# --8<-- [start:imports]
import numpy as np

from backprop import _validate as check
# --8<-- [end:imports]


# --8<-- [start:mse]
def mse(y_pred, y_true, reduction="mean"):
    """L = mean((y_pred - y_true)**2) over all elements, or the sum with "sum"."""
    y_pred, y_true = _pair(y_pred, y_true, "y_pred", "y_true")
    squared = (y_pred - y_true) ** 2
    return squared.mean() if check.reduction(reduction) == "mean" else squared.sum()


def mse_grad(y_pred, y_true, reduction="mean"):
    """dL/dy_pred = 2 (y_pred - y_true) / n, with n = y_pred.size for "mean", 1 for "sum"."""
    y_pred, y_true = _pair(y_pred, y_true, "y_pred", "y_true")
    n = y_pred.size if check.reduction(reduction) == "mean" else 1
    return 2 * (y_pred - y_true) / n
# --8<-- [end:mse]


def _pair(pred, target, pred_name, target_name):
    """Validate a prediction and a target of the same shape; return float arrays."""
    pred = check.float_array(pred, pred_name)
    target = check.float_array(target, target_name)
    check.same_shape(pred, target, pred_name, target_name)
    return pred, target
