"""Figures for the site, drawn from the package's own gradients.

Each public function returns the text of one SVG file. The hook ``plots.py`` calls them
when the site is built, so no figure is ever committed as a binary and a figure cannot
drift from the code it illustrates: change a gradient in ``src/backprop/`` and the
figure changes with it.

The SVGs are made to be byte-for-byte reproducible (no date, fixed ids, text drawn as
paths so no font is needed) and readable on the light and the dark theme (transparent
background, mid-grey axes and text, two colours that keep their contrast on white and
on Material's slate, plus distinct line styles for readers who do not see colour).
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

GREY = "#8a8a8a"        # axes, ticks and text: readable on white and on slate
BLUE = "#4f7fe0"        # binary cross-entropy
ORANGE = "#f08c2e"      # mean squared error

STYLE = {
    "svg.fonttype": "path",        # glyphs as paths: no font has to be installed
    "svg.hashsalt": "backprop",    # fixed clip-path / glyph ids: a reproducible file
    "font.size": 10,
    "text.color": GREY,
    "axes.labelcolor": GREY,
    "axes.edgecolor": GREY,
    "xtick.color": GREY,
    "ytick.color": GREY,
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "savefig.transparent": True,
    "path.simplify": True,
}


def bce_vs_mse_svg() -> str:
    """|dL/dz| against z for a sigmoid unit with target y = 1, under BCE and under MSE.

    Per element (``reduction="sum"``, so n = 1): BCE gives |sigma(z) - 1| and MSE
    gives |2 (sigma(z) - 1) sigma'(z)|. A log scale shows the MSE gradient collapsing
    where the unit is saturated and wrong (z << 0) while BCE's stays near 1.
    """
    from backprop.activations import sigmoid, sigmoid_grad
    from backprop.losses import binary_cross_entropy_with_logits_grad, mse_grad

    z = np.linspace(-10.0, 10.0, 401)
    y = np.ones_like(z)
    bce = np.abs(binary_cross_entropy_with_logits_grad(z, y, reduction="sum"))
    mse = np.abs(mse_grad(sigmoid(z), y, reduction="sum") * sigmoid_grad(z))

    with rc_context(STYLE):
        fig = Figure(figsize=(6.4, 3.6))
        ax = fig.add_subplot()
        ax.axvspan(-10, 0, color=GREY, alpha=0.12, linewidth=0)
        ax.semilogy(z, bce, color=BLUE, linewidth=2.2,
                    label=r"BCE: $|\sigma(z) - y|$")
        ax.semilogy(z, mse, color=ORANGE, linewidth=2.2, linestyle="--",
                    label=r"MSE: $|2(\sigma(z) - y)\,\sigma'(z)|$")
        ax.set_xlim(-10, 10)
        ax.set_ylim(1e-9, 3)
        ax.set_xlabel(r"logit $z$ (target $y = 1$)")
        ax.set_ylabel(r"$|\partial L/\partial z|$, one element")
        ax.text(-9.6, 4e-9, "wrong side: $\\sigma(z) < 0.5$", fontsize=9)
        ax.annotate("MSE: saturated and wrong,\nthe gradient vanishes",
                    xy=(-8, mse[z.searchsorted(-8)]), xytext=(-7.2, 2e-7),
                    fontsize=9, arrowprops={"arrowstyle": "->", "color": GREY})
        ax.grid(True, which="major", color=GREY, alpha=0.25, linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_xticks(range(-10, 11, 2))
        legend = ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2,
                           frameon=False, fontsize=9)
        for text in legend.get_texts():
            text.set_color(GREY)
        fig.tight_layout()

        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()
