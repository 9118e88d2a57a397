"""Input checks shared by the public functions.

Every check raises before any arithmetic, with a message that names the argument,
says what was expected and what was given. Checks are vectorised (a min, a max, a
sum): they cost a small fraction of the computation they guard. Where a min or max
is taken anyway it doubles as the NaN/inf check (NaN propagates into both, inf is
out of every range), so no separate pass over the data is spent on finiteness; the
softmax kernel does this block by block, before any arithmetic on each block.
"""

from __future__ import annotations

import numbers

import numpy as np

REDUCTIONS = ("mean", "sum", "none")


def float_array(x, name: str, check_finite: bool = True) -> np.ndarray:
    """``x`` as a float32/float64 array: non-empty, numeric, and finite unless
    ``check_finite=False`` (for callers whose own min and max will catch NaN and inf)."""
    arr = np.asarray(x)
    if arr.dtype not in (np.float32, np.float64):
        _numeric(arr, name)
        arr = arr.astype(np.float64)
    if arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {arr.shape}")
    if check_finite:
        finite(arr, name)
    return arr


def _numeric(arr: np.ndarray, name: str) -> None:
    if arr.dtype.kind == "c":
        raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    if arr.dtype.kind not in "biuf":  # bool, signed, unsigned, float
        raise TypeError(f"{name}: expected a numeric array, got dtype {arr.dtype}")


def finite(arr: np.ndarray, name: str) -> None:
    if not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(
            f"{name}: expected finite values, got {arr[bad]} at index {bad}"
        )


def same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b}: expected the shape of {name_a} {a.shape}, got {b.shape} "
            "(no broadcasting: reshape explicitly)"
        )


def ndim(x: np.ndarray, name: str, expected: int) -> None:
    if x.ndim != expected:
        raise ValueError(
            f"{name}: expected a {expected}-D array, got {x.ndim}-D with shape {x.shape}"
        )


def min_ndim(x: np.ndarray, name: str, least: int) -> None:
    if x.ndim < least:
        raise ValueError(
            f"{name}: expected at least {least}-D array, got {x.ndim}-D "
            f"with shape {x.shape}"
        )


def in_unit_interval(x: np.ndarray, name: str) -> None:
    """Every value in [0, 1]. NaN propagates into min and max, and inf is out of
    range, so this also rejects non-finite values, at the cost of two reductions."""
    low, high = x.min(), x.max()
    if not (low >= 0 and high <= 1):  # written so that NaN fails too
        finite(x, name)  # NaN or inf: say so
        bad = low if low < 0 else high
        raise ValueError(f"{name}: expected values in [0, 1], got {bad}")


def probabilities(x, name: str) -> np.ndarray:
    """``x`` as a finite float array with every value in [0, 1]."""
    arr = float_array(x, name, check_finite=False)
    in_unit_interval(arr, name)  # also rejects NaN and inf
    return arr


def reduction(value) -> str:
    if not isinstance(value, str) or value not in REDUCTIONS:
        raise ValueError(f"reduction: expected 'mean', 'sum' or 'none', got {value!r}")
    return value


def grad_reduction(value) -> str:
    """The reduction of a ``*_grad``: "mean" or "sum". "none" is refused, with the way
    to get what the caller wants: a vector of losses has no gradient of the input's
    shape, and each sample's gradient is its row of the "sum" gradient."""
    if reduction(value) == "none":
        raise ValueError(
            "reduction: a gradient needs a scalar loss, 'mean' or 'sum', got 'none'; "
            "the per-sample gradients are the rows of the reduction='sum' gradient "
            "(the elements, for an element-wise loss)"
        )
    return value


def real_number(value, name: str) -> float:
    """A finite real number (not a bool), as a Python float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    return float(value)


def pair(pred, target, pred_name: str, target_name: str):
    """A prediction and a target of the same shape, as float arrays of the
    prediction's dtype (so float32 in gives float32 out)."""
    pred = float_array(pred, pred_name)
    target = float_array(target, target_name)
    same_shape(pred, target, pred_name, target_name)
    return pred, target.astype(pred.dtype, copy=False)


def binary_targets(pred: np.ndarray, y, pred_name: str) -> np.ndarray:
    """Binary targets for a checked ``pred``: the same shape, values in [0, 1],
    returned in pred's dtype."""
    y = float_array(y, "y", check_finite=False)
    same_shape(pred, y, pred_name, "y")
    in_unit_interval(y, "y")  # also rejects NaN and inf
    return y.astype(pred.dtype, copy=False)


def binary_batch(pred: np.ndarray, y, reduction_: str, pred_name: str):
    """(y, mean) for a checked prediction: binary targets, and whether to average."""
    y = binary_targets(pred, y, pred_name)
    return y, reduction(reduction_) == "mean"


def multiclass_batch(pred: np.ndarray, y, reduction_: str, pred_name: str, ignore_index=None):
    """(y, n) for checked (N, K) predictions: their targets, and the divisor of the
    summed loss, N for "mean" and 1 for "sum" (and for "none", which sums nothing)."""
    ndim(pred, pred_name, 2)
    y = class_targets(pred, y, pred_name, ignore_index)
    return y, len(pred) if reduction(reduction_) == "mean" else 1


def class_targets(pred: np.ndarray, y, pred_name: str, ignore_index=None) -> np.ndarray:
    """Multi-class targets for ``pred`` of shape (N, K).

    Either integer class indices of shape (N,), each in 0..K-1 or equal to
    ``ignore_index``, returned as np.intp; or rows of probabilities of shape (N, K)
    (one-hot or soft), non-negative and summing to 1 within
    ``row_sum_tolerance(pred.dtype)``, returned in pred's dtype. ``ignore_index``
    (None or an int) applies to class indices only.
    """
    n, k = pred.shape
    ignore_index = optional_int(ignore_index, "ignore_index")
    y = np.asarray(y)
    _numeric(y, "y")
    if y.size == 0:
        raise ValueError(f"y: expected a non-empty array, got shape {y.shape}")
    if y.ndim == 1:
        return class_indices(y, n, k, ignore_index)
    if y.shape != (n, k):
        raise ValueError(
            f"y: expected class indices of shape ({n},) or probability rows of shape "
            f"({n}, {k}) like {pred_name}, got shape {y.shape}"
        )
    if ignore_index is not None:
        raise ValueError(
            f"ignore_index: applies to class-index targets only, got {ignore_index} with "
            f"probability rows y of shape {y.shape}"
        )
    return probability_rows(y, pred.dtype)


def class_indices(y: np.ndarray, n: int, k: int, ignore_index=None) -> np.ndarray:
    """Every integer dtype, unsigned included, comes back as np.intp: mixed with the
    int64 offsets of a flat index, uint64 would turn them into floats."""
    if y.dtype.kind not in "iu":
        raise ValueError(f"y: expected integer class indices, got dtype {y.dtype}")
    if len(y) != n:
        raise ValueError(f"y: expected {n} class indices, one per row, got {len(y)}")
    labels = y if ignore_index is None else y[y != ignore_index]
    if labels.size:  # every row may be ignored
        low, high = labels.min(), labels.max()
        if low < 0 or high >= k:
            bad = low if low < 0 else high
            also = "" if ignore_index is None else f" (ignore_index is {ignore_index})"
            raise ValueError(f"y: class index {bad} out of range for {k} classes{also}")
    return y.astype(np.intp, copy=False)  # in range, or equal to an int64 ignore_index


def row_sum_tolerance(dtype) -> float:
    """How far from 1 a row of target probabilities may sum: 1e-6 in float64, about
    1.2e-5 in float32 (100 units in the last place of 1)."""
    return max(1e-6, 100 * float(np.finfo(dtype).eps))


def probability_rows(y: np.ndarray, dtype) -> np.ndarray:
    """Rows of probabilities: non-negative, each summing to 1 within tolerance. A min
    and the row sums also catch NaN and inf (NaN fails every comparison, and an
    inf makes its row sum inf), so no separate finiteness pass is needed."""
    if y.dtype not in (np.float32, np.float64):
        y = y.astype(np.float64)
    low = y.min()
    if not low >= 0:
        finite(y, "y")  # NaN or inf: say so
        raise ValueError(f"y: expected non-negative probabilities, got {low}")
    sums = y @ np.ones(y.shape[1], y.dtype)  # BLAS: much faster than y.sum(axis=1)
    tolerance = row_sum_tolerance(dtype)
    if not np.abs(sums - 1).max() <= tolerance:
        finite(y, "y")
        worst = int(np.abs(sums - 1).argmax())
        raise ValueError(
            f"y: expected rows of probabilities summing to 1 (tolerance {tolerance:.1e}), "
            f"got row {worst} summing to {sums[worst]}"
        )
    return y.astype(dtype, copy=False)


# ------------------------------------------------------------------ the loss options


class NotAnIntegerError(TypeError, ValueError):
    """A non-integer where an integer option is expected: a wrong type (TypeError),
    and a bad value of the option (ValueError), so either ``except`` catches it."""


INT64 = np.iinfo(np.int64)


def optional_int(value, name: str):
    """None, or an integer (not a bool) in int64's range, as a Python int."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise NotAnIntegerError(f"{name}: expected an int or None, got {value!r}")
    if not INT64.min <= value <= INT64.max:
        raise ValueError(f"{name}: expected an int64, got {value}")
    return int(value)


def unit_number(value, name: str) -> float:
    """A real number in [0, 1], as a Python float."""
    if type(value) is float and 0 <= value <= 1:  # the usual case, without ABC checks
        return value
    value = real_number(value, name)
    if not 0 <= value <= 1:
        raise ValueError(f"{name}: expected a number in [0, 1], got {value}")
    return value


def weights(value, name: str, dtype) -> np.ndarray:
    """Finite, non-negative weights, in ``dtype``. A negative weight would turn the
    descent on its elements into an ascent (PyTorch accepts it; we do not)."""
    w = float_array(value, name)
    low = w.min()
    if low < 0:
        raise ValueError(f"{name}: expected non-negative weights, got {low}")
    return w.astype(dtype, copy=False)


def class_weight(weight, pred: np.ndarray):
    """None, or one weight per class of the (N, K) ``pred``: shape (K,)."""
    if weight is None:
        return None
    w = weights(weight, "weight", pred.dtype)
    k = pred.shape[1]
    if w.shape != (k,):
        raise ValueError(f"weight: expected shape ({k},), one weight per class, got {w.shape}")
    return w


def binary_weights(pred: np.ndarray, weight, pos_weight):
    """(weight, pos_weight) for binary cross-entropy on ``pred``, each None or finite
    non-negative: ``weight`` of a shape that broadcasts to pred's, as in PyTorch;
    ``pos_weight`` one per output along the last axis, shape (K,) or (1,)."""
    if weight is not None:
        weight = weights(weight, "weight", pred.dtype)
        try:
            broadcasts = np.broadcast_shapes(weight.shape, pred.shape) == pred.shape
        except ValueError:
            broadcasts = False
        if not broadcasts:
            raise ValueError(
                f"weight: expected a shape that broadcasts to z's {pred.shape}, "
                f"got {weight.shape}"
            )
    if pos_weight is not None:
        pos_weight = weights(pos_weight, "pos_weight", pred.dtype)
        k = pred.shape[-1] if pred.ndim else 1
        if pos_weight.shape not in ((k,), (1,)):
            raise ValueError(
                f"pos_weight: expected shape ({k},), one weight per output along the "
                f"last axis of z, or (1,), got {pos_weight.shape}"
            )
        if not pred.ndim:
            pos_weight = pos_weight.reshape(())  # a 0-d z keeps its shape
    return weight, pos_weight
