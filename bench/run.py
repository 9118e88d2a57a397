"""Benchmark behind docs/practice/why-fuse.md; `make bench` runs it (`make test` does not).

For logits z of shape (N, K) and class indices y, it times every route to dL/dz of
the mean softmax cross-entropy in bench/routes.py: the fused gradient, the chain
through softmax_backward (VJP), the chain through materialised Jacobians (batched
and as a per-sample Python loop), and PyTorch's cross_entropy forward + backward and
backward alone; then the same for binary cross-entropy with logits. It also times
the input checks of the fused gradients alone, and measures each route's peak memory.

How it measures (all of it is recorded in the JSON):

- float64; fixed seeds (one per size); every route checked against the fused one.
- One thread for everything: NumPy's BLAS through OPENBLAS_NUM_THREADS (NumPy's
  element-wise operations use one thread anyway) and torch.set_num_threads. Set
  BENCH_THREADS=2 to give both two.
- Ordinary 4 KiB memory pages for both libraries: NumPy's request for transparent
  huge pages is switched off (NUMPY_MADVISE_HUGEPAGE=0, see bench/threads.py), as PyTorch's is
  by default.
- Time: after a warm-up call, each route gets a number of calls per round that
  makes a round last >= 50 ms (timeit-style); the routes then run round-robin, so
  that a change in the machine's load hits all of them alike, for at least
  MIN_ROUNDS rounds and until the size's time budget is spent. Reported: the median
  time per call (and the quartiles).
- The per-sample loop is timed on its first rows only when the whole loop would
  take longer than --loop-seconds; its time is then multiplied by N / rows, and
  the JSON says so (`rows_timed`).
- The batched Jacobians are skipped when their predicted peak memory exceeds
  --memory-budget-gib; the prediction uses the peak measured at a small size.
- Memory: tracemalloc's peak during one call for the NumPy routes (NumPy reports
  its array buffers to tracemalloc): bytes allocated by the call, result included,
  inputs excluded. PyTorch's allocations are not visible to tracemalloc, so for
  PyTorch (and, to compare like with like, for the fused NumPy route) the peak
  growth of the resident set during one call in a fresh process (VmHWM after
  resetting it through /proc/self/clear_refs, minus VmRSS before), after a warm-up
  call on a few rows, with glibc's mmap threshold fixed at 128 KiB so that a call
  cannot hide its allocations in memory freed earlier.

Writes bench/results.json and bench/results.md (the tables, rendered by report.py).

    python bench/run.py [--sizes 3x3,4096x10,...] [--out-dir bench]
"""

from threads import THREADS  # first: before NumPy is imported

import argparse  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import timeit  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from backprop import _validate as check  # noqa: E402
from backprop import losses  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import report  # noqa: E402
import routes  # noqa: E402

try:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(THREADS)
    TORCH_MISSING = None
except ImportError as error:  # the benchmark runs without its PyTorch columns
    torch = None
    TORCH_MISSING = f"PyTorch is not installed: {error}"

SIZES = "3x3,4096x10,4096x100,4096x1000,65536x10,65536x100,65536x1000"
MIN_ROUNDS = 5
MAX_ROUNDS = 25
ROUND_TARGET = 0.05  # seconds per route per round
SIZE_BUDGET = 4.0  # seconds of rounds per size, beyond the minimum number of rounds
RSS_RESOLUTION = 2**20  # the resident set counts 4 KiB pages: below 1 MiB of data, skip


# ------------------------------------------------------------------ the checks alone

# The first lines of each fused gradient, timed alone. The benchmark refuses to run
# if they are no longer in the function, so that the timing cannot go stale.
SOFTMAX_CHECKS = (
    'z = check.float_array(z, "z", check_finite=False)',
    'y, n = check.multiclass_batch(z, y, check.grad_reduction(reduction), "z", ignore_index)',
    "weight = check.class_weight(weight, z)",
    'label_smoothing = check.unit_number(label_smoothing, "label_smoothing")',
)
BINARY_CHECKS = (
    'z = check.float_array(z, "z")',
    'y, mean = check.binary_batch(z, y, check.grad_reduction(reduction), "z")',
    "weight, pos_weight = check.binary_weights(z, weight, pos_weight)",
)


def softmax_checks(z, y, reduction="mean", weight=None, ignore_index=None, label_smoothing=0.0):
    z = check.float_array(z, "z", check_finite=False)
    y, n = check.multiclass_batch(z, y, check.grad_reduction(reduction), "z", ignore_index)
    weight = check.class_weight(weight, z)
    label_smoothing = check.unit_number(label_smoothing, "label_smoothing")
    return y, n, weight, label_smoothing


def binary_checks(z, y, reduction="mean", weight=None, pos_weight=None):
    z = check.float_array(z, "z")
    y, mean = check.binary_batch(z, y, check.grad_reduction(reduction), "z")
    return y, mean, check.binary_weights(z, weight, pos_weight)


def assert_checks_current():
    for function, lines in (
        (losses.softmax_cross_entropy_grad, SOFTMAX_CHECKS),
        (losses.binary_cross_entropy_with_logits_grad, BINARY_CHECKS),
    ):
        source = inspect.getsource(function)
        missing = [line for line in lines if line not in source]
        if missing:
            raise SystemExit(f"bench/run.py: update the timed checks of {function.__name__}: {missing}")


# ------------------------------------------------------------------ inputs


def softmax_inputs(n, k):
    rng = np.random.default_rng([n, k])
    return rng.normal(0.0, 2.0, size=(n, k)), rng.integers(0, k, size=n)


def binary_inputs(n, k):
    rng = np.random.default_rng([n, k, 2])
    z = rng.normal(0.0, 2.0, size=(n, k))
    return z, (rng.random((n, k)) < 0.5).astype(np.float64)


# ------------------------------------------------------------------ time


def time_routes(calls, budget):
    """Median seconds per call of each route, the routes interleaved round by round."""
    numbers = {}
    for name, call in calls.items():
        first = timeit.Timer(call).timeit(1)  # warm-up: caches, allocator, lazy set-up
        if first < ROUND_TARGET:
            once = timeit.Timer(call).timeit(1)
            numbers[name] = max(1, int(ROUND_TARGET / max(once, 1e-7)))
        else:
            numbers[name] = 1
    samples = {name: [] for name in calls}
    start = time.perf_counter()
    for rounds in range(1, MAX_ROUNDS + 1):
        for name, call in calls.items():
            samples[name].append(timeit.Timer(call).timeit(numbers[name]) / numbers[name])
        if rounds >= MIN_ROUNDS and time.perf_counter() - start >= budget:
            break
    return {
        name: {
            "median": float(np.median(times)),
            "q1": float(np.percentile(times, 25)),
            "q3": float(np.percentile(times, 75)),
            "min": float(min(times)),
            "rounds": len(times),
            "calls_per_round": numbers[name],
        }
        for name, times in samples.items()
    }


# ------------------------------------------------------------------ memory


def traced_peak(call):
    """Bytes allocated at the peak of one call (NumPy buffers included), result included."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = call()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    del result
    return {"bytes": int(peak), "method": "tracemalloc"}


def _status_kib(field):
    return int(re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)[1])


def rss_probe(kind, route, n, k):
    """In a fresh process: the peak growth of the resident set during one call."""
    z, y = (softmax_inputs if kind == "softmax" else binary_inputs)(n, k)
    if route == "fused":
        fused = routes.fused if kind == "softmax" else routes.binary_fused
        call, warm = (lambda: fused(z, y)), (lambda: fused(z[:8], y[:8]))
    else:
        zt, yt = torch.from_numpy(z), torch.from_numpy(y)
        loss_of = F.cross_entropy if kind == "softmax" else F.binary_cross_entropy_with_logits
        forward_backward = (
            routes.torch_forward_backward if kind == "softmax" else routes.torch_binary_forward_backward
        )
        forward_backward(zt[:8], yt[:8])  # lazy set-up of the autograd engine and kernels
        if route == "torch_forward_backward":
            call, warm = (lambda: forward_backward(zt, yt)), (lambda: None)
        else:  # the graph (forward) is built before the measurement
            z_graph = zt.detach().requires_grad_(True)
            loss = loss_of(z_graph, yt)
            call, warm = (lambda: routes.torch_backward(loss, z_graph)), (lambda: None)
    warm()
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current VmRSS
    before = _status_kib("VmRSS")
    result = call()
    peak = _status_kib("VmHWM")
    del result
    print(json.dumps({"bytes": (peak - before) * 1024}))


def rss_peak(kind, route, n, k):
    if route != "fused" and torch is None:
        return {"skipped": TORCH_MISSING}
    if n * k * 8 < RSS_RESOLUTION:
        return {"skipped": "Not measured: the resident set counts 4 KiB pages, too coarse below 1 MiB of data."}
    # glibc's malloc serves blocks below its (adaptive) mmap threshold from a heap that
    # keeps freed memory, so a call could reuse it without growing the resident set. A
    # fixed threshold of 128 KiB gives every larger block fresh pages, freed on release.
    env = os.environ | {"MALLOC_MMAP_THRESHOLD_": "131072"}
    done = subprocess.run(
        [sys.executable, __file__, "--rss-probe", kind, route, str(n), str(k)],
        capture_output=True, text=True, env=env,
    )
    if done.returncode != 0:
        return {"skipped": f"the measuring process failed: {done.stderr.strip().splitlines()[-1:]}"}
    return {"bytes": json.loads(done.stdout.strip().splitlines()[-1])["bytes"], "method": "peak RSS growth"}


def jacobian_peak_factor():
    """The batched Jacobian route's peak memory, in units of N K^2 float64s, at a small size."""
    n, k = 256, 64
    z, y = softmax_inputs(n, k)
    return traced_peak(lambda: routes.jacobians(z, y))["bytes"] / (n * k * k * 8)


# ------------------------------------------------------------------ one size


def relative_difference(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def softmax_size(n, k, args, factor):
    z, y = softmax_inputs(n, k)
    calls = {
        "fused": lambda: routes.fused(z, y),
        "fused_with_loss": lambda: (losses.softmax_cross_entropy(z, y), routes.fused(z, y)),
        "chain": lambda: routes.chain(z, y),
        "validation": lambda: softmax_checks(z, y),
    }
    reference = routes.fused(z, y)
    differences = {"chain": relative_difference(routes.chain(z, y), reference)}
    skipped, memory = {}, {}

    budget = args.memory_budget_gib * 2**30
    predicted = factor * n * k * k * 8
    if predicted <= budget:
        calls["jacobians"] = lambda: routes.jacobians(z, y)
        differences["jacobians"] = relative_difference(routes.jacobians(z, y), reference)
    else:
        skipped["jacobians"] = (
            f"Not run: the batched Jacobians' predicted peak, {factor:.1f} × N·K²·8 bytes "
            f"(the factor measured at N = 256, K = 64), exceeds this run's memory budget "
            f"of {report.size(budget)}."
        )

    probe_rows = min(n, 64)
    per_row = timeit.Timer(lambda: routes.jacobian_loop(z[:probe_rows], y[:probe_rows])).timeit(1) / probe_rows
    loop_rows = n if per_row * n <= args.loop_seconds else max(probe_rows, int(args.loop_seconds / per_row))
    z_loop, y_loop = z[:loop_rows], y[:loop_rows]
    calls["jacobian_loop"] = lambda: routes.jacobian_loop(z_loop, y_loop)
    differences["jacobian_loop"] = relative_difference(
        routes.jacobian_loop(z_loop, y_loop), routes.fused(z_loop, y_loop)
    )

    if torch is not None:
        zt, yt = torch.from_numpy(z), torch.from_numpy(y)
        z_graph = zt.detach().requires_grad_(True)
        loss = F.cross_entropy(z_graph, yt)
        calls["torch_forward_backward"] = lambda: routes.torch_forward_backward(zt, yt)
        calls["torch_backward"] = lambda: routes.torch_backward(loss, z_graph)
        differences["torch"] = relative_difference(routes.torch_forward_backward(zt, yt).numpy(), reference)
    else:
        skipped["torch_forward_backward"] = skipped["torch_backward"] = TORCH_MISSING

    times = time_routes(calls, SIZE_BUDGET)
    if loop_rows < n:
        entry = times["jacobian_loop"]
        for stat in ("median", "q1", "q3", "min"):
            entry[stat] *= n / loop_rows
        entry["rows_timed"] = loop_rows
    times.update({name: {"skipped": reason} for name, reason in skipped.items()})

    memory["fused"] = traced_peak(lambda: routes.fused(z, y))
    prediction = {"predicted_bytes": int(predicted)}
    memory["chain"] = traced_peak(lambda: routes.chain(z, y))
    memory["jacobians"] = (
        traced_peak(lambda: routes.jacobians(z, y)) | prediction if "jacobians" in calls
        else {"skipped": skipped["jacobians"]} | prediction
    )
    memory["jacobian_loop"] = traced_peak(lambda: routes.jacobian_loop(z, y, rows=min(n, 8)))
    memory["jacobian_loop"]["note"] = "the loop's first 8 rows; later rows allocate the same"
    for route in ("fused", "torch_forward_backward", "torch_backward"):
        memory[f"{route}@rss"] = rss_peak("softmax", route, n, k)
    return {"N": n, "K": k, "time": times, "memory": memory, "relative_difference": differences}


def binary_size(n, k, args):
    z, y = binary_inputs(n, k)
    calls = {
        "fused": lambda: routes.binary_fused(z, y),
        "fused_with_loss": lambda: (losses.binary_cross_entropy_with_logits(z, y), routes.binary_fused(z, y)),
        "chain": lambda: routes.binary_chain(z, y),
        "validation": lambda: binary_checks(z, y),
    }
    reference = routes.binary_fused(z, y)
    differences = {"chain": relative_difference(routes.binary_chain(z, y), reference)}
    skipped = {}
    if torch is not None:
        zt, yt = torch.from_numpy(z), torch.from_numpy(y)
        z_graph = zt.detach().requires_grad_(True)
        loss = F.binary_cross_entropy_with_logits(z_graph, yt)
        calls["torch_forward_backward"] = lambda: routes.torch_binary_forward_backward(zt, yt)
        calls["torch_backward"] = lambda: routes.torch_backward(loss, z_graph)
        differences["torch"] = relative_difference(
            routes.torch_binary_forward_backward(zt, yt).numpy(), reference
        )
    else:
        skipped["torch_forward_backward"] = skipped["torch_backward"] = TORCH_MISSING
    times = time_routes(calls, SIZE_BUDGET)
    times.update({name: {"skipped": reason} for name, reason in skipped.items()})
    memory = {
        "fused": traced_peak(lambda: routes.binary_fused(z, y)),
        "chain": traced_peak(lambda: routes.binary_chain(z, y)),
    }
    for route in ("fused", "torch_forward_backward", "torch_backward"):
        memory[f"{route}@rss"] = rss_peak("binary", route, n, k)
    return {"N": n, "K": k, "time": times, "memory": memory, "relative_difference": differences}


# ------------------------------------------------------------------ the machine


def _read(path):
    return Path(path).read_text().strip() if Path(path).exists() else None


def machine():
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem_kib = re.search(r"^MemTotal:\s+(\d+)", meminfo, re.M)
    available_kib = re.search(r"^MemAvailable:\s+(\d+)", meminfo, re.M)
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    info = {
        "cpu_model": model[1].strip() if model else platform.processor() or "unknown",
        "logical_cores": os.cpu_count(),
        "cores_available": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": int(mem_kib[1]) / 2**20 if mem_kib else float("nan"),
        "memory_available_gib_at_start": int(available_kib[1]) / 2**20 if available_kib else None,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
        "blas_threads": THREADS,
        "transparent_huge_pages": _read("/sys/kernel/mm/transparent_hugepage/enabled"),
        "numpy_madvise_hugepage": os.environ.get("NUMPY_MADVISE_HUGEPAGE"),
        "torch_thp_mem_alloc_enable": os.environ.get("THP_MEM_ALLOC_ENABLE"),
        "load_average_start": list(os.getloadavg()),
    }
    if torch is not None:
        info.update(
            torch=torch.__version__,
            torch_threads=torch.get_num_threads(),
            torch_cpu_capability=torch.backends.cpu.get_cpu_capability(),
        )
    else:
        info["torch_missing"] = TORCH_MISSING
    return info


def summary(results):
    """The lines printed at the end: the ratios the page discusses."""
    lines = []
    for title, key in (("softmax cross-entropy", "softmax_cross_entropy"),
                       ("binary cross-entropy with logits", "binary_cross_entropy_with_logits")):
        lines.append(f"{title}:")
        for cell in results[key]["cells"]:
            t = {name: e["median"] for name, e in cell["time"].items() if "median" in e}
            parts = [f"  N={cell['N']:>6} K={cell['K']:>5}: fused {report.seconds(t['fused'])}"]
            if "torch_backward" in t:
                parts.append(f"÷ torch fwd+bwd {t['fused'] / t['torch_forward_backward']:.2f}")
                parts.append(f"÷ torch bwd {t['fused'] / t['torch_backward']:.2f}")
                parts.append(f"loss+grad ÷ torch fwd+bwd {t['fused_with_loss'] / t['torch_forward_backward']:.2f}")
            if "jacobian_loop" in t:
                parts.append(f"loop ÷ fused {t['jacobian_loop'] / t['fused']:.0f}")
            parts.append(f"checks {100 * t['validation'] / t['fused']:.1f} %")
            lines.append(", ".join(parts))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=SIZES, help="comma-separated NxK (default: %(default)s)")
    parser.add_argument("--out-dir", type=Path, default=HERE)
    parser.add_argument("--memory-budget-gib", type=float, default=6.0,
                        help="skip the batched Jacobians above this predicted peak (default: %(default)s)")
    parser.add_argument("--loop-seconds", type=float, default=1.0,
                        help="time the per-sample loop on fewer rows above this (default: %(default)s)")
    parser.add_argument("--rss-probe", nargs=4, metavar=("KIND", "ROUTE", "N", "K"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_probe:
        kind, route, n, k = args.rss_probe
        return rss_probe(kind, route, int(n), int(k))

    assert_checks_current()
    started = time.perf_counter()
    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "settings": {
            "dtype": "float64",
            "threads": THREADS,
            "min_rounds": MIN_ROUNDS,
            "max_rounds": MAX_ROUNDS,
            "round_target_seconds": ROUND_TARGET,
            "size_budget_seconds": SIZE_BUDGET,
            "memory_budget_gib": args.memory_budget_gib,
            "loop_seconds": args.loop_seconds,
            "logits": "normal(0, 2), seed [N, K]; softmax: class indices uniform in 0..K-1; "
                      "binary: targets 0 or 1 with probability 1/2, seed [N, K, 2]",
        },
    }
    m = results["machine"]
    print(f"{m['cpu_model']}, {m['logical_cores']} logical cores, {m['memory_gib']:.1f} GiB; "
          f"load average {', '.join(f'{x:.2f}' for x in m['load_average_start'])}")
    print(f"Python {m['python']}, NumPy {m['numpy']} ({m['blas']}, {THREADS} BLAS thread(s)), "
          + (f"PyTorch {m['torch']} ({m['torch_threads']} thread(s), {m['torch_cpu_capability']})"
             if torch is not None else TORCH_MISSING), flush=True)

    sizes = [tuple(int(x) for x in size.split("x")) for size in args.sizes.split(",")]
    factor = jacobian_peak_factor()
    results["settings"]["jacobian_peak_factor"] = factor
    softmax_cells, binary_cells = [], []
    for n, k in sizes:
        tick = time.perf_counter()
        softmax_cells.append(softmax_size(n, k, args, factor))
        print(f"softmax cross-entropy N={n} K={k}: {time.perf_counter() - tick:.0f} s", flush=True)
    for n, k in sizes:
        tick = time.perf_counter()
        binary_cells.append(binary_size(n, k, args))
        print(f"binary cross-entropy  N={n} K={k}: {time.perf_counter() - tick:.0f} s", flush=True)
    results["softmax_cross_entropy"] = {"cells": softmax_cells}
    results["binary_cross_entropy_with_logits"] = {"cells": binary_cells}
    results["machine"]["load_average_end"] = list(os.getloadavg())
    results["run_seconds"] = time.perf_counter() - started

    args.out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = args.out_dir / "results.json", args.out_dir / "results.md"
    json_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(report.render(results), encoding="utf-8")
    print(summary(results))
    print(f"wrote {json_path} and {md_path} in {results['run_seconds'] / 60:.1f} min")


if __name__ == "__main__":
    main()
