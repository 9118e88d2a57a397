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


def why_fuse_benchmark_svg() -> str:
    """Seconds per call of each route to dL/dz against the number of classes K, log-log,
    one panel per batch size N, from the saved measurement ``bench/results.json``
    (written by ``make bench``; nothing is timed while the site builds).

    Hollow markers are per-sample loops timed on their first rows and scaled to N rows;
    a route that was not run (memory budget, PyTorch missing) has no point there.
    """
    import json
    from pathlib import Path

    results_json = Path(__file__).resolve().parents[1] / "bench" / "results.json"
    results = json.loads(results_json.read_text(encoding="utf-8"))
    cells = [c for c in results["softmax_cross_entropy"]["cells"] if c["K"] >= 10]
    batch_sizes = sorted({c["N"] for c in cells})
    routes = [  # key, label, colour, line style, marker
        ("fused", "fused $(P - Y)/N$", BLUE, "-", "o"),
        ("chain", "chain through softmax_backward", "#3ba776", "--", "s"),
        ("jacobians", "Jacobians, batched", ORANGE, "-.", "^"),
        ("jacobian_loop", "Jacobians, per-sample loop", "#e0555a", ":", "v"),
        ("torch_forward_backward", "PyTorch forward + backward", "#a374db", "--", "D"),
        ("torch_backward", "PyTorch backward alone", GREY, (0, (1, 3)), "P"),
    ]

    with rc_context(STYLE):
        fig = Figure(figsize=(7.2, 4.0))
        axes = fig.subplots(1, len(batch_sizes), sharey=True, squeeze=False)[0]
        for ax, n in zip(axes, batch_sizes):
            row = sorted((c for c in cells if c["N"] == n), key=lambda c: c["K"])
            for key, label, colour, style, marker in routes:
                points = [(c["K"], c["time"][key]) for c in row
                          if "median" in c["time"].get(key, {})]
                if not points:
                    continue
                ks = [k for k, _ in points]
                ax.plot(ks, [e["median"] for _, e in points], color=colour, linestyle=style,
                        linewidth=1.8, marker=marker, markersize=5,
                        label=label if n == batch_sizes[0] else None)
                for k, entry in points:
                    if "rows_timed" in entry:  # extrapolated: a hollow marker on top
                        ax.plot([k], [entry["median"]], marker=marker, markersize=7,
                                color=colour, markerfacecolor="white", linestyle="none")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(f"N = {n}", color=GREY, fontsize=10)
            ax.set_xlabel("classes $K$")
            ax.set_xticks([c["K"] for c in row], [str(c["K"]) for c in row])
            ax.minorticks_off()
            ax.grid(True, which="major", color=GREY, alpha=0.25, linewidth=0.6)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        axes[0].set_ylabel("seconds per call (median)")
        legend = fig.legend(loc="upper center", ncol=3, frameon=False, fontsize=8.5)
        for text in legend.get_texts():
            text.set_color(GREY)
        fig.tight_layout(rect=(0, 0, 1, 0.86))

        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def focal_vs_bce_svg() -> str:
    """|dL/dz| against z for one element with target y = 1: BCE (the focal loss with
    gamma = 0) next to the focal loss with gamma = 1, 2, 5, alpha off (``alpha=None``)
    so only the modulating factor (1 - p_t)^gamma differs. Log scale: on the right side
    (z > 0, the easy examples) the focal gradients fall far faster than BCE's.
    """
    from backprop.losses import sigmoid_focal_grad

    z = np.linspace(-6.0, 8.0, 561)
    y = np.ones_like(z)
    curves = [  # gamma, label, colour, line style
        (0.0, r"BCE ($\gamma = 0$): $|\sigma(z) - 1|$", BLUE, "-"),
        (1.0, r"focal, $\gamma = 1$", "#3ba776", "-."),
        (2.0, r"focal, $\gamma = 2$", ORANGE, "--"),
        (5.0, r"focal, $\gamma = 5$", "#a374db", ":"),
    ]
    with rc_context(STYLE):
        fig = Figure(figsize=(6.4, 3.6))
        ax = fig.add_subplot()
        ax.axvspan(0, 8, color=GREY, alpha=0.12, linewidth=0)
        for gamma, label, colour, style in curves:
            g = np.abs(sigmoid_focal_grad(z, y, reduction="sum", alpha=None, gamma=gamma))
            ax.semilogy(z, g, color=colour, linewidth=2.2, linestyle=style, label=label)
        ax.set_xlim(-6, 8)
        ax.set_ylim(1e-9, 3)
        ax.set_xlabel(r"logit $z$ (target $y = 1$)")
        ax.set_ylabel(r"$|\partial \ell/\partial z|$, one element")
        ax.text(0.3, 4e-9, r"easy: $p_t = \sigma(z) > 0.5$", fontsize=9)
        ax.grid(True, which="major", color=GREY, alpha=0.25, linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_xticks(range(-6, 9, 2))
        legend = ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2,
                           frameon=False, fontsize=9)
        for text in legend.get_texts():
            text.set_color(GREY)
        fig.tight_layout()

        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()
