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
        _clean_axes(ax)
        ax.set_xticks(range(-10, 11, 2))
        _legend_above(ax)
        fig.tight_layout()
        return _svg_text(fig)


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
    """The figure as reproducible SVG text (no date, no creator), made smaller without
    a visible change: numbers with 1 decimal (0.1 pt), no indentation, path data on one
    line, no ids on groups (nothing refers to them), and short ids for the glyphs and
    markers, which are referenced once per character or marker drawn."""
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = _DECIMALS.sub(_round, out.getvalue())
    text = re.sub(r" ?\n(?=[MLCQz\"])", " ", text)   # path data on one line
    text = re.sub(r"\n[ \t]+", "\n", text)           # indentation
    text = re.sub(r'<g id="[^"]*"', "<g", text)
    ids = dict.fromkeys(re.findall(r'<path id="([^"]+)"', text))  # in order of appearance
    short = {old: f"G{i:x}" for i, old in enumerate(ids)}
    return re.sub(r'(?<=<path id=")[^"]+|(?<=xlink:href="#)[^"]+',
                  lambda m: short.get(m.group(), m.group()), text)


_DECIMALS = re.compile(r"-?\d+\.\d{2,}")


def _round(match) -> str:
    """A number with 2 or more decimals: 1 decimal from 1 up, 2 significant digits
    below 1 (glyph scales such as 0.085 keep their digits)."""
    x = float(match.group())
    text = f"{x:.1f}" if abs(x) >= 1 else f"{x:.2g}"
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _legend_above(ax) -> None:
    """The legend in two columns above the axes, its text in the figures' grey."""
    legend = ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2,
                       frameon=False, fontsize=9)
    for text in legend.get_texts():
        text.set_color(GREY)


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


def network_backward_data(layer_sizes=(4, 5, 3), n=6, seed=0) -> dict:
    """Every array of one forward and backward pass of a two-layer softmax MLP, in both
    layouts: what the network figures print the shapes of.

    "rows" holds the arrays of ``backprop.network.MLP`` itself (samples are rows), with
    the backward pass's gradients from ``MLP.loss_and_gradients`` and the intermediate
    δ's recomputed from the same arrays; "columns" recomputes the whole pass with samples
    as columns (Z = W A + b, W of shape d_l x d_(l-1), b a column).
    """
    from backprop.losses import softmax_cross_entropy_grad
    from backprop.network import HIDDEN, MLP

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, layer_sizes[0]))
    labels = rng.integers(0, layer_sizes[-1], size=n)
    model = MLP(list(layer_sizes), hidden="tanh", output="softmax", seed=seed + 1)
    (W1, b1), (W2, b2) = model.params
    g, g_prime = HIDDEN[model.hidden]
    Z1 = X @ W1 + b1
    A1 = g(Z1)
    Z2 = A1 @ W2 + b2
    delta2 = softmax_cross_entropy_grad(Z2, labels)   # (P - Y) / N
    grad_A1 = delta2 @ W2.T
    delta1 = grad_A1 * g_prime(Z1)
    _, ((dW1, db1), (dW2, db2)) = model.loss_and_gradients(X, labels)
    rows = {"X": X, "W1": W1, "b1": b1, "Z1": Z1, "A1": A1, "W2": W2, "b2": b2,
            "Z2": Z2, "P": model.forward(X), "Y": np.eye(layer_sizes[-1])[labels],
            "delta2": delta2, "grad_A1": grad_A1, "delta1": delta1,
            "dW2": dW2, "db2": db2, "dW1": dW1, "db1": db1}

    # samples as columns: every product transposed, biases as columns
    Xc, W1c, W2c, b1c, b2c = X.T, W1.T, W2.T, b1[:, None], b2[:, None]
    Z1c = W1c @ Xc + b1c
    A1c = np.tanh(Z1c)
    Z2c = W2c @ A1c + b2c
    exp = np.exp(Z2c - Z2c.max(axis=0))
    Pc = exp / exp.sum(axis=0)  # softmax down each column
    Yc = rows["Y"].T
    delta2c = (Pc - Yc) / n
    grad_A1c = W2c.T @ delta2c
    delta1c = grad_A1c * (1 - A1c**2)
    columns = {"X": Xc, "W1": W1c, "b1": b1c, "Z1": Z1c, "A1": A1c, "W2": W2c, "b2": b2c,
               "Z2": Z2c, "P": Pc, "Y": Yc, "delta2": delta2c, "grad_A1": grad_A1c,
               "delta1": delta1c, "dW2": delta2c @ A1c.T, "db2": delta2c.sum(axis=1, keepdims=True),
               "dW1": delta1c @ Xc.T, "db1": delta1c.sum(axis=1, keepdims=True)}
    return {"rows": rows, "columns": columns, "model": model, "n": n}


def _shape(array) -> str:
    return "\u00d7".join(str(d) for d in array.shape)


# what each layout writes on the figure: every product in its own order
_LAYOUT_TEXT = {
    "rows": {
        "title": "samples as rows (NumPy, PyTorch)",
        "forward1": r"$XW^{[1]} + b^{[1]}$", "forward2": r"$A^{[1]}W^{[2]} + b^{[2]}$",
        "back": r"$\delta^{[2]}W^{[2]\top}$",
        "dW2": r"$A^{[1]\top}\delta^{[2]}$", "dW1": r"$X^{\top}\delta^{[1]}$",
        "db": "column sums",
    },
    "columns": {
        "title": "samples as columns (course notes)",
        "forward1": r"$W^{[1]}X + b^{[1]}$", "forward2": r"$W^{[2]}A^{[1]} + b^{[2]}$",
        "back": r"$W^{[2]\top}\delta^{[2]}$",
        "dW2": r"$\delta^{[2]}A^{[1]\top}$", "dW1": r"$\delta^{[1]}X^{\top}$",
        "db": "row sums",
    },
}


def network_backward_figure_text(layout: str) -> dict:
    """Every shape the network figure of ``layout`` prints, keyed by array name, as
    "rows x columns" strings computed from the arrays of network_backward_data()."""
    data = network_backward_data()
    return {name: _shape(array) for name, array in data[layout].items()}


def _network_svg(layout: str) -> str:
    """One layout of a two-layer softmax network: the forward row, the backward δ row
    and the four parameter gradients, each with the shape of its array."""
    data = network_backward_data()
    arrays, text, n = data[layout], _LAYOUT_TEXT[layout], data["n"]
    sizes = data["model"].layer_sizes
    forward, backward = BLUE, ORANGE
    with rc_context(STYLE):
        fig = Figure(figsize=(7.4, 3.1))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, 12.4)
        ax.set_ylim(0.2, 5.9)
        ax.axis("off")
        ax.text(0.1, 5.75, f"{text['title']}: $N = {n}$, layer sizes {sizes[0]}, "
                f"{sizes[1]}, {sizes[2]}",
                fontsize=9.5, va="top")

        def node(x, y, label, key, colour, dashed=False):
            box = ax.text(x, y, label, ha="center", va="center", fontsize=10.5,
                          bbox={"boxstyle": "round,pad=0.35", "facecolor": "none",
                                "edgecolor": colour, "linewidth": 1.4,
                                "linestyle": "--" if dashed else "-"})
            ax.text(x, y - 0.5, _shape(arrays[key]) if key else "scalar", ha="center",
                    va="top", fontsize=8.5)
            return box

        def arrow(a, b, colour, dashed=False):
            ax.annotate("", xy=(0.5, 0.5), xycoords=b, xytext=(0.5, 0.5), textcoords=a,
                        arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.3,
                                    "linestyle": "--" if dashed else "-", "shrinkA": 0,
                                    "shrinkB": 0, "patchA": a.get_bbox_patch(),
                                    "patchB": b.get_bbox_patch()})

        def label(a, b, value, dy=0.3):
            (xa, ya), (xb, yb) = a.get_position(), b.get_position()
            ax.text((xa + xb) / 2, (ya + yb) / 2 + dy, value, ha="center",
                    va="bottom" if dy > 0 else "top", fontsize=9)

        top, middle, bottom = 4.45, 2.65, 0.75
        xs = (0.45, 2.75, 4.85, 7.35, 9.55, 11.75)
        boxes = [node(x, top, lab, key, forward) for x, lab, key in zip(
            xs, (r"$X$", r"$Z^{[1]}$", r"$A^{[1]}$", r"$Z^{[2]}$", r"$P$", r"$L$"),
            ("X", "Z1", "A1", "Z2", "P", None))]
        edges = (text["forward1"], r"$g$", text["forward2"], "softmax", "cross-entropy")
        params = (f"$W^{{[1]}}$ {_shape(arrays['W1'])}", None,
                  f"$W^{{[2]}}$ {_shape(arrays['W2'])}", None, "with $Y$")
        for a, b, over, under in zip(boxes, boxes[1:], edges, params):
            arrow(a, b, forward)
            label(a, b, over)
            if under:
                label(a, b, under, dy=-0.22)

        d2 = node(xs[3], middle, r"$\delta^{[2]}$", "delta2", backward, dashed=True)
        dA1 = node(xs[2], middle, r"$\partial L/\partial A^{[1]}$", "grad_A1", backward,
                   dashed=True)
        d1 = node(xs[1], middle, r"$\delta^{[1]}$", "delta1", backward, dashed=True)
        ax.annotate("", xy=(0.5, 0.5), xycoords=d2, xytext=(xs[5], top - 0.85),
                    arrowprops={"arrowstyle": "-|>", "color": backward, "linewidth": 1.3,
                                "linestyle": "--", "shrinkA": 0, "shrinkB": 0,
                                "patchB": d2.get_bbox_patch(),
                                "connectionstyle": "angle,angleA=-90,angleB=0,rad=6"})
        ax.text((xs[3] + xs[5]) / 2 + 0.2, middle + 0.15, r"$\delta^{[2]} = (P - Y)/N$",
                ha="center", va="bottom", fontsize=9)
        arrow(d2, dA1, backward, dashed=True)
        label(d2, dA1, text["back"])
        arrow(dA1, d1, backward, dashed=True)
        label(dA1, d1, r"$\odot\, g'(Z^{[1]})$")

        for x, formula, key, source in (
            (xs[1] - 1.25, r"$\partial L/\partial W^{[1]} =$ " + text["dW1"], "dW1", d1),
            (xs[1] + 1.35, r"$\partial L/\partial b^{[1]}$", "db1", d1),
            (xs[3] - 0.9, r"$\partial L/\partial W^{[2]} =$ " + text["dW2"], "dW2", d2),
            (xs[3] + 1.85, r"$\partial L/\partial b^{[2]}$", "db2", d2),
        ):
            ax.text(x, bottom, formula, ha="center", va="center", fontsize=9.5)
            under = _shape(arrays[key])
            if key.startswith("db"):
                under += f", {text['db']}"
            ax.text(x, bottom - 0.3, under, ha="center", va="top", fontsize=8.5)
            sx, sy = source.get_position()
            ax.annotate("", xy=(x, bottom + 0.28), xytext=(sx, sy - 0.75),
                        arrowprops={"arrowstyle": "-|>", "color": backward,
                                    "linewidth": 1, "linestyle": ":", "shrinkA": 0,
                                    "shrinkB": 0})
        return _svg_text(fig)


def network_backward_svg() -> str:
    """The two-layer network with samples as rows (this site's layout); the shape of
    every array is printed from an actual MLP([4, 5, 3]) run on N = 6 rows."""
    return _network_svg("rows")


def network_backward_columns_svg() -> str:
    """The same network and run with samples as columns: every shape transposed."""
    return _network_svg("columns")


def first_saturated_z(is_saturated, dtype) -> float:
    """The least z of type dtype in (0, 100] with is_saturated(z), by bisection on the
    numbers of that dtype (is_saturated must be False at 0, True at 100, monotone)."""
    lo, hi = dtype(0), dtype(100)
    assert not is_saturated(lo) and is_saturated(hi)
    while np.nextafter(lo, hi) != hi:
        mid = dtype((float(lo) + float(hi)) / 2)
        if mid in (lo, hi):
            mid = np.nextafter(lo, hi)
        if is_saturated(mid):
            hi = mid
        else:
            lo = mid
    return hi


def sigmoid_saturation_data() -> dict:
    """What the saturation figure plots, from backprop.activations.sigmoid in each dtype:
    sigma(z); 1 - sigmoid(z) as computed in float64 and in float32; the exact tail
    1 - sigma(z) = sigma(-z) (float64, accurate); and per dtype the first z at which
    sigmoid(z) == 1 ("<dtype>_one") and the first at which 1 - sigmoid(z) == 0
    ("<dtype>_zero"), found by bisection over that dtype's numbers."""
    from backprop.activations import sigmoid

    z = np.linspace(-6, 44, 501)
    out = {"z": z, "sigma": sigmoid(z), "tail": sigmoid(-z)}
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        out[f"{name}_one_minus"] = (1 - sigmoid(z.astype(dtype))).astype(np.float64)
        one = dtype(1)
        out[f"{name}_one"] = float(first_saturated_z(
            lambda v: sigmoid(np.array([v], dtype=dtype))[0] == one, dtype))
        out[f"{name}_zero"] = float(first_saturated_z(
            lambda v: one - sigmoid(np.array([v], dtype=dtype))[0] == 0, dtype))
    return out


def sigmoid_saturation_svg() -> str:
    """Top: sigma(z), with the z from which it is exactly 1.0 in float32 and in float64.
    Bottom: 1 - sigma(z) on a log scale, exact (sigma(-z)) and as 1 - sigmoid(z) in each
    dtype, which steps down the spacing of the numbers below 1 and then is 0."""
    data = sigmoid_saturation_data()
    z = data["z"]
    lines = (("float64", BLUE, "-"), ("float32", ORANGE, "--"))
    with rc_context(STYLE):
        fig = Figure(figsize=(6.6, 4.6))
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(1, 1.5))
        top.plot(z, data["sigma"], color=GREY, linewidth=2)
        top.set_ylabel(r"$\sigma(z)$")
        top.set_ylim(-0.05, 1.12)
        top.set_yticks([0, 0.5, 1])
        bottom.semilogy(z, data["tail"], color=GREY, linewidth=2.6, alpha=0.5,
                        label=r"exact: $\sigma(-z)$")
        for name, colour, style in lines:
            one_minus = data[f"{name}_one_minus"]
            shown = one_minus > 0
            bottom.semilogy(z[shown], one_minus[shown], color=colour, linewidth=1.8,
                            linestyle=style, label=f"1 - sigmoid(z), {name}")
            at = data[f"{name}_one"]
            for ax in (top, bottom):
                ax.axvline(at, color=colour, linewidth=1.2, linestyle=style)
            top.text(at - 0.5, 0.45, f"{name}: $\\sigma(z) = 1$\nfrom $z = {at:.2f}$",
                     ha="right", va="center", fontsize=8.5)
            bottom.annotate("then 0", xy=(at, one_minus[shown][-1]),
                            xytext=(at + 0.6, one_minus[shown][-1]), fontsize=8.5,
                            va="center")
        bottom.set_ylim(1e-19, 3)
        bottom.set_yticks([1e-18, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 1])
        bottom.set_ylabel(r"$1 - \sigma(z)$")
        bottom.set_xlabel(r"logit $z$")
        bottom.set_xlim(z[0], z[-1])
        bottom.minorticks_off()
        for ax in (top, bottom):
            _clean_axes(ax)
        legend = bottom.legend(loc="lower left", frameon=False, fontsize=8.5)
        for text in legend.get_texts():
            text.set_color(GREY)
        fig.tight_layout(h_pad=0.6)
        return _svg_text(fig)


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
        _clean_axes(ax)
        ax.set_xticks(range(-6, 9, 2))
        _legend_above(ax)
        fig.tight_layout()
        return _svg_text(fig)
