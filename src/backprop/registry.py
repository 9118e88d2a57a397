"""The answers, stated once: one entry per (output activation, loss) pair.

The home page's table is rendered from ``ANSWERS`` when the site is built
(``hooks/answers.py``), and ``tests/test_registry.py`` checks every entry: its
``formula`` (the table's TeX, written in NumPy) against the library's gradient, the
library's gradient against central differences of ``loss``, and its page and anchor
against the built pages. A new row is one ``Answer(...)``: the table cannot drift from
the code.

Every callable takes the last layer's pre-activations ``z`` first. ``loss(z, y,
reduction)`` is the loss of ``activation(z)``, ``gradient(z, y, reduction)`` is the
library's ``dL/dz`` and ``formula(z, y, n)`` is the table's formula with its divisor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from backprop import losses
from backprop.activations import sigmoid, sigmoid_grad, softmax


@dataclass(frozen=True)
class Answer:
    activation: str  # the output activation, as the table shows it (Markdown)
    loss: str  # the loss, as the table shows it (Markdown)
    grad_tex: str  # dL/dZ in TeX, with the 1/n of reduction="mean"
    n_tex: str  # what n counts, in TeX
    page: str  # the page that derives it, relative to docs/
    anchor: str  # a heading id on that page, or "" for the top
    link_text: str
    loss_fn: Callable  # (z, y, reduction) -> L
    gradient: Callable  # (z, y, reduction) -> dL/dz, from the library
    formula: Callable  # (z, y, n) -> the row's formula
    n: Callable  # (z, y) -> the n of reduction="mean"
    sample: Callable  # np.random.Generator -> (z, y): an input away from kinks

    def markdown(self) -> str:
        target = self.page + (f"#{self.anchor}" if self.anchor else "")
        return (f"| {self.activation} | {self.loss} | ${self.grad_tex}$ | ${self.n_tex}$ "
                f"| [{self.link_text}]({target}) |")


def _elements(z, y):
    return z.size


def _rows(z, y):
    return len(z)


def _regression(rng):
    """Targets near the predictions, every |difference| in [0.05, 3] and off 1.0 (the
    kink of Huber with delta = 1)."""
    z = rng.normal(size=(4, 3))
    gap = rng.uniform(0.05, 3.0, size=z.shape) * rng.choice([-1, 1], size=z.shape)
    gap[np.abs(np.abs(gap) - 1) < 0.05] = 0.5
    return z, z - gap


def _binary(rng):
    return rng.normal(0, 2, size=(4, 3)), rng.integers(0, 2, size=(4, 3)).astype(float)


def _soft_binary(rng):
    return rng.normal(0, 2, size=(4, 3)), rng.uniform(0, 1, size=(4, 3))


def _classes(rng):
    return rng.normal(0, 1.5, size=(4, 3)), rng.integers(0, 3, size=4)


def _counts(rng):
    return rng.normal(0, 1, size=(4, 3)), rng.poisson(2.0, size=(4, 3)).astype(float)


def _teacher(rng):
    return rng.normal(0, 2, size=(4, 3)), rng.normal(0, 2, size=(4, 3))


def _one_hot(y, k):
    return np.eye(k)[y]


def _with(loss, **options):
    """(loss_fn, gradient) of a library loss and its *_grad called with ``options``."""
    grad = getattr(losses, loss.__name__ + "_grad")
    return (lambda z, y, r: loss(z, y, r, **options),
            lambda z, y, r: grad(z, y, r, **options))


# the PyTorch options of docs/losses/pytorch-options.md, at fixed values
CLASS_WEIGHT = np.array([1.0, 2.0, 0.5])
SMOOTHING = 0.1
IGNORE = 1  # the class index whose rows are ignored in the ignore_index row
POS_WEIGHT = np.array([3.0, 1.0, 0.25])


def _weighted_rows(z, y):
    return CLASS_WEIGHT[y].sum()


def _kept_rows(z, y):
    return max(int((y != IGNORE).sum()), 1)


def _classes_with_ignored(rng):
    z, y = _classes(rng)
    y[[0, 2]] = IGNORE  # two ignored rows
    y[1] = 0
    return z, y


FOCAL = {"alpha": 0.25, "gamma": 2.0}
TEMPERATURE = 2.0


def _focal_formula(z, y, n):
    """alpha_t (2y - 1) (1 - p_t)^gamma (gamma p_t log p_t + p_t - 1) / n, labels 0/1."""
    p = sigmoid(z)
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.where(y == 1, FOCAL["alpha"], 1 - FOCAL["alpha"])
    gamma = FOCAL["gamma"]
    return alpha_t * (2 * y - 1) * (1 - p_t) ** gamma * (gamma * p_t * np.log(p_t) + p_t - 1) / n


ANSWERS = [
    Answer(
        "identity", "mean squared error",
        r"\frac{2}{n}(\hat{Y} - Y)", "NK", "losses/mse.md", "", "MSE",
        losses.mse, losses.mse_grad,
        lambda z, y, n: 2 * (z - y) / n, _elements, _soft_binary,
    ),
    Answer(
        "sigmoid", "mean squared error",
        r"\frac{2}{n}(\hat{Y} - Y)\odot\hat{Y}\odot(1-\hat{Y})", "NK",
        "losses/mse.md", "through-the-output-activation", "MSE",
        lambda z, y, r: losses.mse(sigmoid(z), y, r),
        lambda z, y, r: losses.mse_grad(sigmoid(z), y, r) * sigmoid_grad(z),
        lambda z, y, n: 2 * (sigmoid(z) - y) * sigmoid(z) * (1 - sigmoid(z)) / n,
        _elements, _soft_binary,
    ),
    Answer(
        "sigmoid", "binary cross-entropy",
        r"\frac{1}{n}(\sigma(Z) - Y)", "NK", "losses/bce-sigmoid.md", "", "BCE with sigmoid",
        losses.binary_cross_entropy_with_logits, losses.binary_cross_entropy_with_logits_grad,
        lambda z, y, n: (sigmoid(z) - y) / n, _elements, _soft_binary,
    ),
    Answer(
        "softmax", "categorical cross-entropy",
        r"\frac{1}{n}(\operatorname{softmax}(Z) - Y)", "N",
        "losses/cce-softmax.md", "", "CCE with softmax",
        losses.softmax_cross_entropy, losses.softmax_cross_entropy_grad,
        lambda z, y, n: (softmax(z) - _one_hot(y, z.shape[1])) / n, _rows, _classes,
    ),
    Answer(
        "softmax", "cross-entropy with class `weight` $w$, class indices $c_n$",
        r"\frac{1}{n}\,w_{c_n}\big(\operatorname{softmax}(z_n) - e_{c_n}\big)", r"\sum_n w_{c_n}",
        "losses/pytorch-options.md", "class-weights", "The options PyTorch adds",
        *_with(losses.softmax_cross_entropy, weight=CLASS_WEIGHT),
        lambda z, y, n: CLASS_WEIGHT[y][:, None] * (softmax(z) - _one_hot(y, z.shape[1])) / n,
        _weighted_rows, _classes,
    ),
    Answer(
        "softmax", "cross-entropy with `label_smoothing` $\\varepsilon$",
        r"\frac{1}{n}\big(\operatorname{softmax}(Z) - (1 - \varepsilon)Y - \tfrac{\varepsilon}{K}\big)", "N",
        "losses/pytorch-options.md", "label-smoothing", "The options PyTorch adds",
        *_with(losses.softmax_cross_entropy, label_smoothing=SMOOTHING),
        lambda z, y, n: (softmax(z) - (1 - SMOOTHING) * _one_hot(y, z.shape[1])
                         - SMOOTHING / z.shape[1]) / n,
        _rows, _classes,
    ),
    Answer(
        "softmax", "cross-entropy with `ignore_index`: rows $c_n$ = it are skipped",
        r"\frac{1}{n}\big(\operatorname{softmax}(z_n) - e_{c_n}\big)\text{, 0 if skipped}",
        r"N_\text{kept}", "losses/pytorch-options.md", "ignore-index", "The options PyTorch adds",
        *_with(losses.softmax_cross_entropy, ignore_index=IGNORE),
        lambda z, y, n: np.where((y != IGNORE)[:, None],
                                 softmax(z) - _one_hot(np.where(y == IGNORE, 0, y), z.shape[1]),
                                 0.0) / n,
        _kept_rows, _classes_with_ignored,
    ),
    Answer(
        "sigmoid", "binary cross-entropy with `pos_weight` $p_w$",
        r"\frac{1}{n}\big(\sigma(Z)\odot(1 + (p_w - 1)Y) - p_w Y\big)", "NK",
        "losses/pytorch-options.md", "pos-weight", "The options PyTorch adds",
        *_with(losses.binary_cross_entropy_with_logits, pos_weight=POS_WEIGHT),
        lambda z, y, n: (sigmoid(z) * (1 + (POS_WEIGHT - 1) * y) - POS_WEIGHT * y) / n,
        _elements, _soft_binary,
    ),
    Answer(
        "identity", "L1 (mean absolute error)",
        r"\frac{1}{n}\operatorname{sign}(\hat{Y} - Y)", "NK",
        "losses/regression.md", "l1-loss", "L1 and Huber",
        losses.l1, losses.l1_grad,
        lambda z, y, n: np.sign(z - y) / n, _elements, _regression,
    ),
    Answer(
        "identity", "Huber, $\\Delta = 1$ (`delta`)",
        r"\frac{1}{n}\operatorname{clip}(\hat{Y} - Y, -\Delta, \Delta)", "NK",
        "losses/regression.md", "huber-loss", "L1 and Huber",
        losses.huber, losses.huber_grad,
        lambda z, y, n: np.clip(z - y, -1.0, 1.0) / n, _elements, _regression,
    ),
    Answer(
        "exp", "Poisson NLL",
        r"\frac{1}{n}(e^{Z} - Y)", "NK", "losses/poisson.md", "", "Poisson NLL",
        losses.poisson_nll, losses.poisson_nll_grad,
        lambda z, y, n: (np.exp(z) - y) / n, _elements, _counts,
    ),
    Answer(
        "sigmoid", "focal, labels 0/1, $\\alpha = \\frac14$, $\\gamma = 2$",
        r"\frac{\alpha_t}{n}(2Y - 1)\odot(1 - P_t)^{\gamma}"
        r"\odot(\gamma P_t\log P_t + P_t - 1)", "NK",
        "losses/focal.md", "labels-0-and-1", "Focal loss",
        *_with(losses.sigmoid_focal, **FOCAL),
        _focal_formula, _elements, _binary,
    ),
    Answer(
        "softmax of $Z/T$, $T = 2$", "distillation, $T^2\\,\\mathrm{KL}$",
        r"\frac{T}{n}\big(\operatorname{softmax}(\tfrac{Z}{T})"
        r" - \operatorname{softmax}(\tfrac{Z_t}{T})\big)", "N",
        "losses/distillation.md", "", "Distillation",
        *_with(losses.distillation, temperature=TEMPERATURE),
        lambda z, y, n: TEMPERATURE * (softmax(z / TEMPERATURE) - softmax(y / TEMPERATURE)) / n,
        _rows, _teacher,
    ),
]


def markdown_table(answers=ANSWERS) -> str:
    """The home page's answer table, in Markdown, in a ``<div class="answers">`` that
    docs/assets/extra.css lays out as one card per row on a phone."""
    head = ("| output activation | loss | $\\partial L/\\partial Z$ | $n$ | page |\n"
            "| --- | --- | --- | --- | --- |")
    table = "\n".join([head] + [a.markdown() for a in answers])
    return f'<div class="answers" markdown>\n\n{table}\n\n</div>'
