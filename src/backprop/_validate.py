"""Input checks shared by the public functions.

Every check raises before any arithmetic, with a message that names the argument,
says what was expected and what was given.
"""

from __future__ import annotations

import numpy as np

REDUCTIONS = ("mean", "sum")


def float_array(x, name: str) -> np.ndarray:
    """``x`` as a float32/float64 array: non-empty, finite, numeric."""
    arr = np.asarray(x)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_
    ):
        raise TypeError(f"{name}: expected a numeric array, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(
            f"{name}: expected finite values, got {arr[bad]} at index {bad}"
        )
    return arr


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


def in_unit_interval(x: np.ndarray, name: str) -> None:
    if (x < 0).any() or (x > 1).any():
        bad = x[(x < 0) | (x > 1)].flat[0]
        raise ValueError(f"{name}: expected values in [0, 1], got {bad}")


def reduction(value) -> str:
    if value not in REDUCTIONS:
        raise ValueError(f"reduction: expected 'mean' or 'sum', got {value!r}")
    return value
