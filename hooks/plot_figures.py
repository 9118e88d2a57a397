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
import re

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


GREEN = "#3ba776"       # a third series: p - y in the softmax figure
IRIS_CLASSES = ("setosa", "versicolor", "virginica")
IRIS_LOGITS = (2.0, 1.0, 0.1)   # the worked example of docs/losses/cce-softmax.md
IRIS_OBSERVED = 2               # virginica


def _svg_text(fig) -> str:
    """The figure as reproducible SVG text (no date, no creator), made smaller by
    writing coordinates with 2 decimals (0.01 pt) and path data on one line."""
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return re.sub(r" ?\n(?=[MLCQz\"])", " ", _DECIMALS.sub(_round, out.getvalue()))


_DECIMALS = re.compile(r"-?\d+\.\d{3,}")


def _round(match) -> str:
    """A number with 3 or more decimals: 2 decimals from 1 up, 3 significant digits
    below 1 (glyph scales such as 0.085 keep their digits)."""
    x = float(match.group())
    text = f"{x:.2f}" if abs(x) >= 1 else f"{x:.3g}"
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _clean_axes(ax) -> None:
    ax.grid(True, which="major", color=GREY, alpha=0.25, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def iris_softmax_data() -> dict:
    """What the Iris softmax figure plots, from the library: for the worked example's
    logits z and observed class c, p = softmax(z), y = e_c, the gradient
    dl/dz = p - y (softmax_cross_entropy_grad, one row, so "mean" = "sum") and the
    softmax Jacobian diag(p) - p p^T (softmax_jacobian)."""
    from backprop.activations import softmax, softmax_jacobian
    from backprop.losses import softmax_cross_entropy_grad

    z = np.array([IRIS_LOGITS])
    c = np.array([IRIS_OBSERVED])
    p = softmax(z)
    y = np.eye(len(IRIS_CLASSES))[c]
    return {
        "classes": IRIS_CLASSES,
        "z": z[0],
        "p": p[0],
        "y": y[0],
        "grad_z": softmax_cross_entropy_grad(z, c)[0],
        "jacobian": softmax_jacobian(p)[0],
    }


def iris_softmax_svg() -> str:
    """Left: bars of p, y and p - y for each class of one Iris flower. Right: the
    softmax Jacobian diag(p) - p p^T as a heat map with its entries written in."""
    data = iris_softmax_data()
    classes, k = data["classes"], len(data["classes"])
    series = [  # key, label, colour, hatch
        ("p", "$p$", BLUE, None),
        ("y", "$y$", ORANGE, "///"),
        ("grad_z", "$p - y$", GREEN, "\\\\"),
    ]
    with rc_context({**STYLE, "hatch.color": "white", "hatch.linewidth": 1.0}):
        fig = Figure(figsize=(7.6, 3.5))
        bars, heat = fig.subplots(1, 2, width_ratios=(1.25, 1))
        width = 0.27
        x = np.arange(k)
        for i, (key, label, colour, hatch) in enumerate(series):
            values = data[key]
            bars.bar(x + (i - 1) * width, values, width, color=colour, hatch=hatch,
                     edgecolor=colour, linewidth=0, label=label)
            for xi, v in zip(x + (i - 1) * width, values):
                text = f"{v:.0f}" if key == "y" else f"{v:.2f}".replace("-", "\u2212")
                bars.text(xi, v + (0.03 if v >= 0 else -0.03), text, ha="center",
                          va="bottom" if v >= 0 else "top", fontsize=7.5)
        bars.axhline(0, color=GREY, linewidth=0.8)
        bars.set_xticks(x, [f"{name}\n$z = {zk:.1f}$" for name, zk in zip(classes, data["z"])])
        bars.tick_params(axis="x", length=0)
        bars.set_ylim(-1.1, 1.15)
        bars.set_yticks([-1, -0.5, 0, 0.5, 1])
        _clean_axes(bars)
        bars.grid(False, axis="x")
        legend = bars.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3,
                             frameon=False, fontsize=9.5)
        for text in legend.get_texts():
            text.set_color(GREY)

        jac = data["jacobian"]
        limit = 0.25
        heat.imshow(jac, cmap="RdBu_r", vmin=-limit, vmax=limit)
        for i in range(k):
            for j in range(k):
                v = jac[i, j]
                heat.text(j, i, f"{v:+.4f}".replace("-", "\u2212"), ha="center",
                          va="center", fontsize=8.5,
                          color="white" if abs(v) > 0.6 * limit else "#1e2129")
        heat.set_xticks(range(k), classes, fontsize=8.5)
        heat.set_yticks(range(k), classes, fontsize=8.5)
        heat.set_xlabel(r"logit $z_j$")
        heat.set_ylabel(r"probability $p_i$", labelpad=6)
        heat.set_title(r"$\partial p_i/\partial z_j = \mathrm{diag}(p) - p\,p^{\top}$",
                       color=GREY, fontsize=10)
        heat.tick_params(length=0)
        for spine in heat.spines.values():
            spine.set_visible(False)
        fig.tight_layout()
        return _svg_text(fig)


# The example function of docs/practice/gradient-checking.md ("Error against the step,
# measured"): f(x) = 1 / (1 + x^2) at x = 0.7, only +, * and /, so every machine
# rounds it the same way.
EPS_X = 0.7


def eps_example_f(x):
    """f(x) = 1 / (1 + x^2), in the type of x (float, numpy.float32 or numpy.float64)."""
    one = type(x)(1.0)
    return one / (one + x * x)


def eps_example_df(x):
    """f'(x) = -2x / (1 + x^2)^2, the exact derivative, in float64."""
    return -2 * x / (1 + x * x) ** 2


def eps_example_d3f(x):
    """f'''(x) = 24 x (1 - x^2) / (1 + x^2)^4, for the truncation term eps^2 |f'''| / 6."""
    return 24 * x * (1 - x * x) / (1 + x * x) ** 4


def central_difference_error(eps, dtype=np.float64):
    """|(f(x + eps) - f(x - eps)) / (2 eps) - f'(x)| / |f'(x)| at x = EPS_X, with x, eps
    and every operation of the quotient in ``dtype``; f'(x) exact, in float64."""
    x, h = dtype(EPS_X), dtype(eps)
    quotient = (eps_example_f(x + h) - eps_example_f(x - h)) / (dtype(2) * h)
    exact = eps_example_df(EPS_X)
    return abs(float(quotient) - exact) / abs(exact)


def epsilon_error_data(points_per_decade=8) -> dict:
    """What the epsilon figure plots: eps = 1e-12 ... 1e-1 (log-spaced), the relative
    error of the central difference in float64 and in float32, and for each dtype

    - the two terms of the error model, truncation eps^2 |f'''| / (6 |f'|) and
      rounding u |f| / (eps |f'|), with u the unit roundoff of the dtype;
    - the best eps, eps* = (3 u |f| / |f'''|)^(1/3) where the model's sum is least,
      with the error measured there ("<dtype>_best"), and the grid point of least
      measured error ("<dtype>_argmin"; a lucky cancellation can put it anywhere near
      eps*, so the figure marks eps*).
    """
    eps = np.logspace(-12, -1, 11 * points_per_decade + 1)
    out = {"eps": eps}
    f, df, d3f = eps_example_f(EPS_X), abs(eps_example_df(EPS_X)), abs(eps_example_d3f(EPS_X))
    out["truncation"] = eps**2 * d3f / (6 * df)
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        u = float(np.finfo(dtype).eps) / 2
        error = np.array([central_difference_error(e, dtype) for e in eps])
        out[name] = error
        out[f"{name}_rounding"] = u * abs(f) / (eps * df)
        best = (3 * u * abs(f) / d3f) ** (1 / 3)
        out[f"{name}_best"] = (best, central_difference_error(best, dtype))
        lowest = int(np.argmin(error))
        out[f"{name}_argmin"] = (float(eps[lowest]), float(error[lowest]))
    return out


def epsilon_error_svg() -> str:
    """Relative error of the central difference against eps, log-log, float64 and
    float32, with the error model's two terms as dotted guides and eps* marked."""
    data = epsilon_error_data()
    eps = data["eps"]
    floor = 1e-17  # an exact quotient (error 0) is drawn at the bottom of the plot
    guide = {"linewidth": 1, "linestyle": (0, (1, 2))}
    with rc_context(STYLE):
        fig = Figure(figsize=(6.4, 3.9))
        ax = fig.add_subplot()
        ax.loglog(eps, data["truncation"], color=GREY, **guide,
                  label="error model")
        for name, colour, style, label_at in (
            ("float64", BLUE, "-", (5e-2, 1e-12)),
            ("float32", ORANGE, "--", (2e-2, 0.3)),
        ):
            ax.loglog(eps, data[f"{name}_rounding"], color=colour, **guide)
            ax.loglog(eps, np.maximum(data[name], floor), color=colour, linewidth=2,
                      linestyle=style, label=name)
            best_eps, best_error = data[f"{name}_best"]
            ax.plot([best_eps], [best_error], marker="o", markersize=7, color=colour,
                    markeredgecolor="white", linestyle="none")
            ax.annotate(f"$\\varepsilon^* = {_sci(best_eps)}$", xy=(best_eps, best_error),
                        xytext=label_at, ha="right", va="center", fontsize=8.5,
                        arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.8,
                                    "shrinkB": 4})
        ax.text(9e-2, 3e-8, "truncation $\\propto \\varepsilon^2$", fontsize=8.5, ha="right")
        ax.text(2e-12, 1e-9, "rounding $\\propto u/\\varepsilon$", fontsize=8.5)
        ax.set_xlim(eps[0], eps[-1])
        ax.set_ylim(1e-13, 5)
        ax.set_xlabel(r"step $\varepsilon$")
        ax.set_ylabel("relative error")
        ax.set_title(r"$f(x) = 1/(1 + x^2)$ at $x = 0.7$", color=GREY, fontsize=10)
        ax.minorticks_off()
        _clean_axes(ax)
        legend = ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.07), ncol=3,
                           frameon=False, fontsize=9)
        for text in legend.get_texts():
            text.set_color(GREY)
        fig.tight_layout()
        return _svg_text(fig)


def _sci(x: float) -> str:
    """3e-06 as mathtext: 3\\times10^{-6}."""
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}\\times10^{{{int(exponent)}}}"
