"""The speed-up of a combined softmax + cross-entropy backward step, as the book *Neural
Networks from Scratch in Python* (chapter 9) measures it, at its size and at realistic
sizes, in one run. `make bench` runs it after bench/run.py; docs/corrections/canon.md
shows the table it writes.

The book times two backward steps that both start from the softmax output P (N x K) and
class indices y, and return dL/dz of the mean cross-entropy:

- separate: dL/dP = -Y / P / N (Y one-hot), then the softmax backward one sample at a
  time, through the K x K Jacobian diag(p) - p p^T in a Python loop;
- combined: P - Y, computed as a copy of P with 1 subtracted at each (n, y_n), over N.

Both are re-created below in the book's style (not copied), and timed with the method
of bench/run.py (a warm-up call, rounds of >= 50 ms, the routes interleaved round by
round, the median per call); the book's own figure comes from one timeit of 10,000
calls of each, with the objects constructed inside the calls, on a batch of 3 samples
and 3 classes.

Writes bench/canon.json and bench/canon.md (rendered by ``render``, a pure function of
the JSON; the page checks that the two agree).

    python bench/canon.py [--sizes 3x3,128x10,...] [--out-dir bench]
"""

from threads import THREADS  # first: before NumPy is imported

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import report  # noqa: E402

# The book's size first; then a small minibatch, an MNIST-sized and a CIFAR-100-sized
# batch, and an ImageNet-sized number of classes.
SIZES = "3x3,32x10,128x10,1024x10,128x100,64x1000"
SIZE_BUDGET = 3.0  # seconds of rounds per size, beyond the minimum number of rounds


# --8<-- [start:routes]
def separate(p, y):
    """The loss's backward, then the softmax's, one Jacobian per sample: O(N K^2)."""
    n, k = p.shape
    grad_p = -np.eye(k)[y] / p / n                    # dL/dP
    grad_z = np.empty_like(p)
    for i in range(n):
        column = p[i].reshape(-1, 1)
        jacobian = np.diagflat(column) - column @ column.T
        grad_z[i] = jacobian @ grad_p[i]
    return grad_z


def combined(p, y):
    """The fused step: (P - Y) / N, with no one-hot matrix and no Jacobian: O(N K)."""
    grad_z = p.copy()
    grad_z[np.arange(len(p)), y] -= 1
    return grad_z / len(p)
# --8<-- [end:routes]


def inputs(n, k):
    """Softmax probabilities of normal(0, 2) logits and uniform labels, seed [N, K, 3]."""
    rng = np.random.default_rng([n, k, 3])
    z = rng.normal(0.0, 2.0, size=(n, k))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), rng.integers(0, k, size=n)


def one_size(n, k):
    import run  # time_routes: the method of the why-fuse benchmark (imports PyTorch if present)

    p, y = inputs(n, k)
    agree = run.relative_difference(separate(p, y), combined(p, y))
    times = run.time_routes(
        {"combined": lambda: combined(p, y), "separate": lambda: separate(p, y)}, SIZE_BUDGET
    )
    return {"N": n, "K": k, "time": times, "relative_difference": agree}


# ------------------------------------------------------------------ the table


def render(results: dict) -> str:
    """The whole of bench/canon.md."""
    m, s = results["machine"], results["settings"]
    machine = (
        f"Measured on {results['date']} (UTC) on {m['cpu_model']}, {m['logical_cores']} "
        f"logical cores; Python {m['python']}, NumPy {m['numpy']} ({m['blas']}, "
        f"{s['threads']} thread{'s' * (s['threads'] != 1)}). Load average (1, 5, 15 min) "
        f"{', '.join(f'{x:.1f}' for x in m['load_average_start'])} at the start; the run "
        f"took {results['run_seconds']:.0f} s. float64; each time is the median of at least "
        f"{s['min_rounds']} rounds of at least {1000 * s['round_target_seconds']:.0f} ms, "
        "the two routes interleaved round by round."
    )
    rows = []
    for cell in results["cells"]:
        t = cell["time"]
        rows.append([
            str(cell["N"]), str(cell["K"]), report.seconds(t["combined"]["median"]),
            report.seconds(t["separate"]["median"]),
            report.ratio(t["separate"]["median"] / t["combined"]["median"]),
        ])
    table = report._table(["N", "K", "combined", "separate", "separate ÷ combined"], rows, report.Notes())
    return "\n".join([
        "<!-- Written by bench/canon.py from bench/canon.json; do not edit by hand. -->\n",
        report._section("machine", machine),
        report._section("speedup", table),
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=SIZES, help="comma-separated NxK (default: %(default)s)")
    parser.add_argument("--out-dir", type=Path, default=HERE)
    args = parser.parse_args()
    import run  # machine(), the settings of the why-fuse benchmark

    started = time.perf_counter()
    machine = run.machine()
    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "machine": {key: machine[key] for key in (
            "cpu_model", "logical_cores", "python", "numpy", "blas", "load_average_start")},
        "settings": {
            "dtype": "float64", "threads": THREADS, "min_rounds": run.MIN_ROUNDS,
            "max_rounds": run.MAX_ROUNDS, "round_target_seconds": run.ROUND_TARGET,
            "size_budget_seconds": SIZE_BUDGET,
            "inputs": "softmax of normal(0, 2) logits, labels uniform in 0..K-1, seed [N, K, 3]",
        },
        "cells": [],
    }
    for size in args.sizes.split(","):
        n, k = (int(x) for x in size.split("x"))
        cell = one_size(n, k)
        results["cells"].append(cell)
        t = cell["time"]
        print(f"N={n:>5} K={k:>5}: combined {report.seconds(t['combined']['median'])}, "
              f"separate {report.seconds(t['separate']['median'])}, "
              f"ratio {t['separate']['median'] / t['combined']['median']:.1f}", flush=True)
    results["run_seconds"] = time.perf_counter() - started
    args.out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = args.out_dir / "canon.json", args.out_dir / "canon.md"
    json_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(render(results), encoding="utf-8")
    print(f"wrote {json_path} and {md_path} in {results['run_seconds']:.0f} s")


if __name__ == "__main__":
    main()
