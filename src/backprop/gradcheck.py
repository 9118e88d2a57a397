"""Numerical gradients by central differences, and the relative error between two
gradients: the referee for every analytic gradient on the site. ``check_gradient``
uses them to grade a gradient and, when it is wrong, to name the likely bug."""

# --8<-- [start:imports]
import math
import numbers
import re
import textwrap
from dataclasses import dataclass

import numpy as np

from backprop import _validate as check
# --8<-- [end:imports]


# --8<-- [start:numerical_gradient]
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


# --8<-- [start:check_gradient]
@dataclass(frozen=True)
class GradientCheck:
    """What ``check_gradient`` found. ``print(result)`` shows the diagnosis, wrapped."""

    ok: bool                   # right shape, every entry within the tolerance
    max_relative_error: float  # relative_error(claimed, numeric); inf for a wrong shape
    diagnosis: str             # "right: ..." or the likely bug, in words, on one line

    def __str__(self):
        kept = re.sub(r"\((\d+(?:, \d+)+)\)", lambda m: m[0].replace(" ", "\xa0"), self.diagnosis)
        wrapped = textwrap.fill(kept, width=76, subsequent_indent="    ")  # an index stays whole
        return wrapped.replace("\xa0", " ")


def check_gradient(loss_fn, grad_fn, x, *, eps=1e-6, tolerance=1e-7, batch_size=None):
    """Compare ``grad_fn(x)`` with central differences of ``loss_fn`` at ``x``, and
    name the likely bug when they differ.

    ``loss_fn`` maps an array shaped like ``x`` to a scalar; ``grad_fn`` maps it to
    the gradient being checked. Both receive float64 copies, so ``x`` is never
    modified. The shape is checked first; then the values, by ``relative_error``.
    A constant factor is named in terms of N and K when x is an (N, K) batch (rows =
    samples); for another x, such as a weight matrix, pass ``batch_size`` N.
    """
    x = _checked_input(loss_fn, grad_fn, x, eps, tolerance, batch_size)
    given = (tolerance, batch_size)
    numeric = numerical_gradient(loss_fn, x, eps)
    claimed = np.asarray(grad_fn(x.copy()))
    if claimed.dtype.kind not in "biuf":  # checked before the shape: an object array has one too
        raise TypeError(f"grad_fn: expected it to return a numeric array, got dtype {claimed.dtype}")
    if claimed.shape != x.shape:
        return GradientCheck(False, math.inf, _wrong_shape(claimed, numeric, given))
    claimed = claimed.astype(np.float64)
    if not np.isfinite(claimed).all():
        bad = [tuple(int(i) for i in idx) for idx in np.argwhere(~np.isfinite(claimed))]
        return GradientCheck(False, math.inf, f"not finite (nan or inf) at {_entries(bad)}")
    error = relative_error(claimed, numeric)
    if error <= tolerance:
        return GradientCheck(True, error, _right(x.shape, tolerance))
    return GradientCheck(False, error, _wrong_values(claimed, numeric, given))
# --8<-- [end:check_gradient]


def _checked_input(loss_fn, grad_fn, x, eps, tolerance, batch_size):
    """x as a float64 copy; the other arguments checked."""
    for name, fn in (("loss_fn", loss_fn), ("grad_fn", grad_fn)):
        if not callable(fn):
            raise TypeError(f"{name}: expected a function of x, got {type(fn).__name__}")
    for name, value in (("eps", eps), ("tolerance", tolerance)):
        if check.real_number(value, name) <= 0:
            raise ValueError(f"{name}: expected a positive number, got {value!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1
    ):
        raise ValueError(f"batch_size: expected None or a positive integer, got {batch_size!r}")
    x = np.array(check.float_array(x, "x"), dtype=np.float64)  # always a copy
    value = np.asarray(loss_fn(x.copy()))
    if value.shape != () or value.dtype.kind not in "biuf":
        raise ValueError(
            f"loss_fn: expected a scalar loss, got {value.dtype} of shape {value.shape}"
        )
    return x


def _right(shape, tolerance):
    text = f"right: every entry agrees with central differences within {tolerance:.0e} (relative)"
    if len(shape) == 2 and shape[0] == 1:
        text += "; but with N = 1 a missing 1/N cannot be seen: check with N >= 2 too"
    return text


def _wrong_shape(claimed, numeric, given):
    tolerance = given[0]
    got, want = claimed.shape, numeric.shape
    if claimed.ndim == 2 and got == want[::-1]:
        text = f"transposed: the gradient has shape {got}, x has shape {want}"
        fixed = claimed.T
    elif claimed.size == numeric.size:
        text = f"wrongly shaped: the gradient has shape {got}, x has shape {want}"
        fixed = claimed.reshape(want)
    else:
        return (
            f"wrong shape: the gradient has shape {got}, x has shape {want}; a gradient "
            "has the shape of what it differentiates (a wrong axis in a sum, or broadcasting?)"
        )
    fixed = fixed.astype(np.float64)
    if np.isfinite(fixed).all() and relative_error(fixed, numeric) <= tolerance:
        return text + "; with x's shape it is right"
    return text + "; with x's shape it is still wrong: " + _wrong_values(fixed, numeric, given)


def _wrong_values(claimed, numeric, given):
    tolerance, batch_size = given
    if not numeric.any():
        return "the true gradient is 0 at this x and yours is not (does loss_fn depend on x?)"
    if not claimed.any():
        return "yours is 0 everywhere; the true gradient is not"
    if claimed.ndim == 2 and claimed.shape[0] == claimed.shape[1] > 1:
        if relative_error(claimed.T, numeric) <= tolerance:
            return "transposed: yours is the transpose of the gradient (x is square, so the shape fits)"
    factor = float(np.vdot(claimed, numeric) / np.vdot(numeric, numeric))
    near_one = abs(factor - 1) <= 1e-6  # then it is no factor: see the entries below
    if not near_one and relative_error(claimed, factor * numeric) <= max(10 * tolerance, 1e-6):
        return _constant_factor(factor, numeric.shape, batch_size)
    scale = np.maximum(np.abs(claimed), np.abs(numeric))
    per_entry = np.divide(np.abs(claimed - numeric), scale, out=np.zeros_like(scale), where=scale > 0)
    wrong = per_entry > 1e-2
    if not wrong.any():
        worst = tuple(int(i) for i in np.unravel_index(per_entry.argmax(), per_entry.shape))
        return (
            f"close, but not within {tolerance:.0e}: the largest relative error is "
            f"{per_entry.max():.0e}, at {worst}; that is the size of a numerical cause "
            "(float32 somewhere, a kink within eps, a saturated unit, a loss much larger "
            "than the entry), not of a wrong formula"
        )
    if wrong.all() and np.all(np.sign(claimed) == -np.sign(numeric)):
        return "the sign is flipped at every entry, and the sizes are wrong too: a wrong formula"
    if wrong.all():
        return "wrong at every entry, by no single factor: a wrong formula, not a wrong constant"
    return _some_entries(wrong, claimed, numeric)


def _counts(shape, batch_size):
    """(value, numerator, denominator, name, question, short phrase) for each count a
    mean may divide by: N, K and N·K for x of shape (N, K), rows = samples; N alone
    when ``batch_size`` is given for another x (weights); n entries otherwise."""
    rows = len(shape) == 2 and batch_size in (None, shape[0])
    if batch_size is None and not rows:
        n = int(np.prod(shape))
        return [
            (n, "n", "", "n, the number of entries", "was the 1/n of the mean forgotten?",
             "the 1/n of the mean forgotten"),
            (1 / n, "", "n", "1/n, one over the number of entries", "was the 1/n applied twice?",
             "the 1/n applied twice"),
        ]
    N = shape[0] if batch_size is None else batch_size
    counts = [
        (N, "N", "", "N, the batch size", "was the 1/N of the mean forgotten?",
         "the 1/N of the mean forgotten"),
        (1 / N, "", "N", "1/N, one over the batch size", "was the 1/N applied twice?",
         "the 1/N applied twice"),
    ]
    if not rows or shape[1] == 1:  # one column: N·K is N, and K names nothing
        return counts
    K = shape[1]
    return counts + [
        (K, "K", "", "K, the number of columns",
         "divided by N instead of N·K (MSE and BCE average over all N·K elements)?",
         "a mean over N where the loss averages over N·K elements"),
        (1 / K, "", "K", "1/K, one over the number of columns",
         "divided by N·K instead of N (cross-entropy averages over the N samples)?",
         "a mean over N·K where the loss averages over N samples"),
        (N * K, "N·K", "", "N·K, the number of elements",
         "was the 1/(N·K) of the mean forgotten?", "the 1/(N·K) of the mean forgotten"),
        (1 / (N * K), "", "N·K", "1/(N·K), one over the number of elements",
         "was the 1/(N·K) applied twice?", "the 1/(N·K) applied twice"),
    ]


_TWOS = [
    (2, "2", "", "2", "does the loss have a ½ (as in ½ Σ (ŷ - y)²) that the gradient lacks, "
     "or was the 2 of the power rule counted twice?", "a ½ in the loss that the gradient lacks"),
    (0.5, "", "2", "1/2", "was the 2 of the power rule, d(u²)/du = 2u, forgotten?",
     "the 2 of the power rule forgotten"),
]


def _expression(numerator, denominator):
    top = "·".join(t for t in numerator if t) or "1"
    bottom = [t for t in denominator if t]
    if not bottom:
        return top
    below = bottom[0] if len(bottom) == 1 and "·" not in bottom[0] else "(" + "·".join(bottom) + ")"
    return f"{top}/{below}"


def _number(value):
    """8 -> '8', 0.3333 -> '1/3', 2.5 -> '2.5'."""
    for v, text in ((value, "{}"), (1 / value, "1/{}")):
        if v >= 1 and abs(v - round(v)) <= 1e-6 * v:
            return text.format(round(v))
    return f"{value:.4g}"


def _constant_factor(factor, shape, batch_size):
    size = abs(factor)
    sign = "flipped sign, and " if factor < 0 else ""
    if abs(size - 1) <= 1e-6:
        return "flipped sign: yours is -1 times the true gradient (a lost minus sign, or the gradient of -L?)"
    close = lambda value: value != 1 and abs(value - size) <= 1e-6 * size
    counts = _counts(shape, batch_size)
    atoms = [c for c in counts + _TWOS if close(c[0])]
    times = "times" if size > 1 else "of"
    head = f"{sign}off by a factor of {_number(size)}: yours is {_number(size)} {times} the true gradient"
    if atoms:
        named = " or ".join(c[3] for c in atoms)
        question = atoms[0][4] if len(atoms) == 1 else (
            "these cannot be told apart at this shape: check with N ≠ K, neither of them 1 or 2"
        )
        equals = "" if named == _number(size) else f"; {_number(size)} = {named}"
        return f"{head}{equals}: {question}"
    pairs = [
        (_expression([b[1], a[1]], [b[2], a[2]]), f"{a[5]}, and {b[5]}")
        for a in counts for b in _TWOS if close(a[0] * b[0])
    ]
    if pairs:
        return f"{head}; {_number(size)} = " + " or ".join(f"{e} ({p}?)" for e, p in pairs)
    names = ", ".join(f"{c[1]} = {_number(c[0])}" for c in counts if c[1])
    return f"{head}, which is none of {names}, 2, or their simple ratios: a wrong constant in the formula"


def _entries(indices, limit=6):
    shown = ", ".join(str(i[0]) if len(i) == 1 else str(i) for i in indices[:limit])
    more = f" and {len(indices) - limit} more" if len(indices) > limit else ""
    return shown + more


def _some_entries(wrong, claimed, numeric):
    """The diagnosis when some entries are wrong and others right."""
    if wrong.ndim == 2:
        rows = [i for i in range(wrong.shape[0]) if wrong[i].all()]
        cols = [j for j in range(wrong.shape[1]) if wrong[:, j].all()]
        if cols and wrong.sum() == len(cols) * wrong.shape[0]:
            where = ("column " if len(cols) == 1 else "columns ") + ", ".join(map(str, cols))
        elif rows and wrong.sum() == len(rows) * wrong.shape[1]:
            where = ("row " if len(rows) == 1 else "rows ") + ", ".join(map(str, rows))
        else:
            where = _entries([tuple(int(i) for i in idx) for idx in np.argwhere(wrong)])
    else:
        where = _entries([tuple(int(i) for i in idx) for idx in np.argwhere(wrong)])
    most = wrong.sum() > wrong.size / 2
    text = f"wrong at {int(wrong.sum())} of {wrong.size} entries" + (
        f", by no single factor ({where}): a wrong formula, not a wrong constant" if most
        else f" only ({where})"
    )
    mine, true = claimed[wrong], numeric[wrong]
    if not mine.any():
        text += "; yours is 0 there"
    elif true.all():
        ratios = mine / true
        if np.ptp(ratios) <= 1e-6 * np.abs(ratios).max():
            text += f"; there yours is {_number(ratios[0])} times the true value"
    rest = int(wrong.size - wrong.sum())
    return text + ("; the other entry agrees" if rest == 1 else f"; the other {rest} entries agree") + " within 1e-2"
