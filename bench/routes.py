"""The routes from logits to dL/dz that ``bench/run.py`` times, for the page
docs/practice/why-fuse.md.

Every route starts from the same inputs, logits ``z`` of shape (N, K) and class
indices ``y`` of shape (N,), and returns the same thing, dL/dz of the mean
cross-entropy of softmax(z): the forward softmax is part of every route's work.
The PyTorch routes take tensors; everything else takes NumPy arrays.
"""

# --8<-- [start:imports]
import numpy as np

from backprop.activations import sigmoid, softmax, softmax_backward, softmax_jacobian
from backprop.losses import (
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits_grad,
    categorical_cross_entropy_grad,
    softmax_cross_entropy_grad,
)
# --8<-- [end:imports]


# --8<-- [start:routes]
def fused(z, y):
    """(softmax(z) - y) / N in one buffer: O(N K)."""
    return softmax_cross_entropy_grad(z, y)


def chain(z, y):
    """softmax, then dL/dp = -y / p / N, then the vector-Jacobian product
    p * (g - <g, p>) without the Jacobian: O(N K), in more passes."""
    p = softmax(z)
    return softmax_backward(p, categorical_cross_entropy_grad(p, y))


def jacobians(z, y):
    """softmax, dL/dp, the N Jacobians diag(p) - p p^T as one (N, K, K) array, and
    N vector-matrix products: O(N K^2) time and memory."""
    p = softmax(z)
    grad_p = categorical_cross_entropy_grad(p, y)
    # row n of the result is grad_p[n] @ J[n] (J is symmetric, so also J^T grad_p[n])
    return (grad_p[:, None, :] @ softmax_jacobian(p))[:, 0, :]


def jacobian_loop(z, y, rows=None):
    """The same products one sample at a time, building each K x K Jacobian in a
    Python loop: O(N K^2) time, O(K^2) extra memory. ``rows`` stops the loop early
    (the benchmark measures the peak memory of a long loop on its first rows)."""
    p = softmax(z)
    grad_p = categorical_cross_entropy_grad(p, y)
    grad_z = np.empty_like(p)
    for n in range(len(p) if rows is None else rows):
        jacobian = np.diag(p[n]) - np.outer(p[n], p[n])
        grad_z[n] = grad_p[n] @ jacobian
    return grad_z
# --8<-- [end:routes]


# --8<-- [start:torch_routes]
def torch_forward_backward(z, y):
    """PyTorch: cross_entropy(z, y) forward, then backward to z."""
    import torch
    import torch.nn.functional as F

    z = z.detach().requires_grad_(True)
    return torch.autograd.grad(F.cross_entropy(z, y), z)[0]


def torch_backward(loss, z):
    """PyTorch's backward alone, on a graph built once (the forward is not timed)."""
    import torch

    return torch.autograd.grad(loss, z, retain_graph=True)[0]
# --8<-- [end:torch_routes]


# --8<-- [start:binary_routes]
def binary_fused(z, y):
    """(sigmoid(z) - y) / n: the logit form."""
    return binary_cross_entropy_with_logits_grad(z, y)


def binary_chain(z, y):
    """sigmoid, then dL/da = (a - y) / (a (1 - a)) / n, then times sigma'(z) = a (1 - a)."""
    a = sigmoid(z)
    return binary_cross_entropy_grad(a, y) * (a * (1 - a))


def torch_binary_forward_backward(z, y):
    """PyTorch: binary_cross_entropy_with_logits(z, y) forward, then backward to z."""
    import torch
    import torch.nn.functional as F

    z = z.detach().requires_grad_(True)
    return torch.autograd.grad(F.binary_cross_entropy_with_logits(z, y), z)[0]
# --8<-- [end:binary_routes]
