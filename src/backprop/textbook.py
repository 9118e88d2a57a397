"""The last layer's gradients as a reader would write them: a few lines each, no checks.

These are the versions the derivation pages teach with. The library's own functions
(``activations``, ``losses``) compute the same numbers with input checks, every target
format and reduction, and kernels that are fast on large batches (see the why-fuse
page); ``tests/test_textbook.py`` checks that each function here equals its library
counterpart. Inputs: logits ``z`` and targets ``y`` of shape (N, K), float arrays; the
losses are means, as PyTorch's defaults.
"""

# --8<-- [start:sigmoid]
import numpy as np


def sigmoid(z):
    """1 / (1 + e^-z), written so that exp never overflows: e^z / (1 + e^z) for z < 0."""
    e = np.exp(-np.abs(z))  # in (0, 1]
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def bce_with_logits(z, y):
    """mean over all N K elements of -y log sigma(z) - (1 - y) log(1 - sigma(z))."""
    return np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))


def bce_with_logits_grad(z, y):
    """dL/dz = (sigma(z) - y) / (N K). (The library computes the same difference
    without the cancellation of sigma(z) - y where sigma(z) ~ y.)"""
    return (sigmoid(z) - y) / z.size
# --8<-- [end:sigmoid]


# --8<-- [start:softmax]
def softmax(z):
    """Row by row: e^(z - max z) / sum e^(z - max z); the shift keeps exp <= 1."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(z, y):
    """mean over the N rows of -sum_k y_k log softmax(z)_k, by log-sum-exp."""
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -(y * log_p).sum() / len(z)


def softmax_cross_entropy_grad(z, y):
    """dL/dz = (softmax(z) - y) / N."""
    return (softmax(z) - y) / len(z)
# --8<-- [end:softmax]
