"""bench/results.json -> bench/results.md: the tables that docs/practice/why-fuse.md shows.

``render(results)`` is a pure function of the JSON. ``bench/run.py`` calls it when it
saves a run, and the page checks that the saved Markdown is still what the saved JSON
renders to, so the tables on the page cannot drift from the measurement. The page
includes the tables section by section (``--8<-- "bench/results.md:softmax-time"``).
"""

from __future__ import annotations

import math

SOFTMAX_TIME = [  # (method key, column heading)
    ("fused", "fused ∂L/∂z"),
    ("fused_with_loss", "fused loss + ∂L/∂z"),
    ("chain", "chain (VJP)"),
    ("jacobians", "Jacobians, batched"),
    ("jacobian_loop", "Jacobians, loop"),
    ("torch_forward_backward", "PyTorch fwd + bwd"),
    ("torch_backward", "PyTorch bwd alone"),
]
SOFTMAX_MEMORY = [
    ("fused", "fused ∂L/∂z"),
    ("chain", "chain (VJP)"),
    ("jacobians", "Jacobians, batched"),
    ("jacobian_loop", "Jacobians, loop"),
    ("fused@rss", "fused ∂L/∂z (RSS)"),
    ("torch_forward_backward@rss", "PyTorch fwd + bwd (RSS)"),
    ("torch_backward@rss", "PyTorch bwd alone (RSS)"),
]
BINARY_TIME = [
    ("fused", "fused ∂L/∂z"),
    ("fused_with_loss", "fused loss + ∂L/∂z"),
    ("chain", "chain (σ, then ∂L/∂a)"),
    ("torch_forward_backward", "PyTorch fwd + bwd"),
    ("torch_backward", "PyTorch bwd alone"),
]
BINARY_MEMORY = [
    ("fused", "fused ∂L/∂z"),
    ("chain", "chain (σ, then ∂L/∂a)"),
    ("fused@rss", "fused ∂L/∂z (RSS)"),
    ("torch_forward_backward@rss", "PyTorch fwd + bwd (RSS)"),
    ("torch_backward@rss", "PyTorch bwd alone (RSS)"),
]


# ------------------------------------------------------------------ numbers


def _significant(x: float, digits: int = 3) -> str:
    """x with `digits` significant digits and no exponent: 0.0123, 1.23, 123, 12300."""
    if x == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:.{decimals}f}"


def seconds(s: float) -> str:
    if s >= 1:
        return f"{_significant(s)} s"
    if s >= 1e-3:
        return f"{_significant(s * 1e3)} ms"
    return f"{_significant(s * 1e6)} µs"


def size(n_bytes: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n_bytes >= scale:
            return f"{_significant(n_bytes / scale)} {unit}"
    return f"{int(n_bytes)} B"


def ratio(r: float) -> str:
    return f"{r:.2f}" if r < 10 else f"{r:.0f}"


# ------------------------------------------------------------------ tables


class Notes:
    """Footnotes (a), (b), ... shared by the cells of one table, one per distinct text."""

    def __init__(self):
        self.texts: list[str] = []

    def mark(self, text: str) -> str:
        if text not in self.texts:
            self.texts.append(text)
        return f"({chr(ord('a') + self.texts.index(text))})"

    def markdown(self) -> str:
        return "\n".join(
            f"- ({chr(ord('a') + i)}) {text}" for i, text in enumerate(self.texts)
        )


def _table(header: list[str], rows: list[list[str]], notes: Notes) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---:" for _ in header) + " |",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    if notes.texts:
        lines += ["", notes.markdown()]
    return "\n".join(lines)


def _time_cell(entry: dict | None, notes: Notes) -> str:
    if entry is None:
        return "—"
    if "skipped" in entry:
        return "— " + notes.mark(entry["skipped"])
    text = seconds(entry["median"])
    if "rows_timed" in entry:
        text = "≈ " + text + " " + notes.mark(
            "Timed on the first rows only (the number is in bench/results.json, "
            "`rows_timed`), then multiplied by N / rows: every row costs the same."
        )
    return text


def _memory_cell(entry: dict | None, notes: Notes) -> str:
    if entry is None:
        return "—"
    if "skipped" in entry:
        needs = f", needs ≈ {size(entry['predicted_bytes'])}" if "predicted_bytes" in entry else ""
        return f"—{needs} " + notes.mark(entry["skipped"])
    return size(entry["bytes"])


def _median(cell: dict, key: str) -> float | None:
    entry = cell["time"].get(key)
    return entry["median"] if entry and "median" in entry else None


def _ratio_cell(top: float | None, bottom: float | None) -> str:
    return "—" if top is None or bottom is None else ratio(top / bottom)


def time_table(section: dict, columns) -> str:
    notes = Notes()
    header = ["N", "K"] + [title for _, title in columns]
    rows = [
        [str(c["N"]), str(c["K"])] + [_time_cell(c["time"].get(key), notes) for key, _ in columns]
        for c in section["cells"]
    ]
    return _table(header, rows, notes)


def memory_table(section: dict, columns) -> str:
    notes = Notes()
    header = ["N", "K"] + [title for _, title in columns]
    rows = [
        [str(c["N"]), str(c["K"])] + [_memory_cell(c["memory"].get(key), notes) for key, _ in columns]
        for c in section["cells"]
    ]
    return _table(header, rows, notes)


# (header, numerator, denominator) of each ratio column; a route a section did not time
# shows as "—".
RATIOS = [
    ("fused ÷ PyTorch fwd + bwd", "fused", "torch_forward_backward"),
    ("fused ÷ PyTorch bwd alone", "fused", "torch_backward"),
    ("fused loss + ∂L/∂z ÷ PyTorch fwd + bwd", "fused_with_loss", "torch_forward_backward"),
    ("loop ÷ fused", "jacobian_loop", "fused"),
    ("batched ÷ fused", "jacobians", "fused"),
    ("chain ÷ fused", "chain", "fused"),
]
SOFTMAX_RATIOS = RATIOS
BINARY_RATIOS = [r for r in RATIOS if r[1] not in ("jacobian_loop", "jacobians")]


def ratio_table(section: dict, ratios: list) -> str:
    header = ["N", "K", *(name for name, _, _ in ratios), "validation ÷ fused"]
    rows = []
    for c in section["cells"]:
        m = {key: _median(c, key) for key in c["time"]}
        validation = m.get("validation")
        rows.append([
            str(c["N"]), str(c["K"]),
            *(_ratio_cell(m.get(top), m.get(bottom)) for _, top, bottom in ratios),
            "—" if validation is None else f"{100 * validation / m['fused']:.1f} %",
        ])
    return _table(header, rows, Notes())


# ------------------------------------------------------------------ the page's text


def _pages(m: dict) -> str:
    numpy_huge = m.get("numpy_madvise_hugepage") != "0"  # NumPy asks for them unless "0"
    torch_huge = bool(m.get("torch_thp_mem_alloc_enable"))
    if not numpy_huge and not torch_huge:
        return "both on ordinary 4 KiB memory pages (NumPy's huge-page request switched off)"
    return (f"transparent huge pages requested by NumPy: {'yes' if numpy_huge else 'no'}, "
            f"by PyTorch: {'yes' if torch_huge else 'no'}")


def machine(results: dict) -> str:
    m, s = results["machine"], results["settings"]
    torch = (
        f"PyTorch {m['torch']} ({m['torch_threads']} thread{'s' * (m['torch_threads'] != 1)}, "
        f"CPU kernels: {m['torch_cpu_capability']})"
        if m.get("torch") else f"no PyTorch columns ({m.get('torch_missing', 'PyTorch is not installed')})"
    )
    load = ", ".join(f"{x:.1f}" for x in m["load_average_start"])
    load_end = ", ".join(f"{x:.1f}" for x in m["load_average_end"])
    return (
        f"Measured on {results['date']} (UTC) on {m['cpu_model']}, "
        f"{m['logical_cores']} logical cores, {m['memory_gib']:.0f} GiB of memory, "
        f"{m['system']}; Python {m['python']}, NumPy {m['numpy']} "
        f"({m['blas']}, {m['blas_threads']} thread{'s' * (m['blas_threads'] != 1)}; "
        f"NumPy's element-wise operations always use one), {torch}; "
        f"{_pages(m)}. "
        f"Load average (1, 5, 15 min) {load} at the start and {load_end} at the end "
        f"of the run, which took {results['run_seconds'] / 60:.1f} min. "
        f"{s['dtype']} throughout; each time is the median of at least "
        f"{s['min_rounds']} rounds, the methods interleaved round by round."
    )


TARGET_SIZES = {(n, k) for n in (4096, 65536) for k in (10, 100, 1000)}


def _ratio_finding(cells, top: str, bottom: str, title: str) -> str | None:
    """'title: 0.15 to 0.51 at the 6 sizes; <= 1 at 6 of 6.' over the target sizes."""
    pairs = [(c["N"], c["K"], _median(c, top), _median(c, bottom)) for c in cells]
    pairs = [(n, k, a / b) for n, k, a, b in pairs if (n, k) in TARGET_SIZES and a and b]
    if not pairs:
        return None
    values = [r for _, _, r in pairs]
    over = [f"N = {n}, K = {k} ({ratio(r)})" for n, k, r in pairs if r > 1]
    text = f"{title}: {ratio(min(values))} to {ratio(max(values))}; "
    if not over:
        return text + f"at most 1.0 at all {len(pairs)} sizes: met."
    if len(over) == len(pairs):
        return text + "above 1.0 at every size: not met."
    return (text + f"at most 1.0 at {len(pairs) - len(over)} of {len(pairs)} sizes, "
            f"above it at {'; '.join(over)}: not met there.")


def findings(results: dict) -> str:
    """The targets of the benchmark, met or not, in numbers from the JSON."""
    lines = []
    for key, title in (("softmax_cross_entropy", "Softmax cross-entropy"),
                       ("binary_cross_entropy_with_logits", "Binary cross-entropy with logits")):
        cells = results[key]["cells"]
        lines.append(f"- **{title}**, time ratios over N ∈ {{4096, 65536}} × K ∈ {{10, 100, 1000}} "
                     "(target: at most 1.0):")
        for top, bottom, what in (
            ("fused", "torch_forward_backward", "fused ∂L/∂z ÷ PyTorch fwd + bwd"),
            ("fused", "torch_backward", "fused ∂L/∂z ÷ PyTorch bwd alone"),
        ):
            finding = _ratio_finding(cells, top, bottom, what)
            if finding:
                lines.append(f"    - {finding}")
        for c in cells:
            if (c["N"], c["K"]) == (4096, 10):
                m = {name: _median(c, name) for name in c["time"]}
                share = m["validation"] / m["fused"]
                lines.append(f"    - Input checks at N = 4096, K = 10: {100 * share:.1f} % of the "
                             f"fused gradient's time (target below 10 %: "
                             f"{'met' if share < 0.1 else 'not met'}).")
                if m.get("jacobian_loop"):
                    speedup = m["jacobian_loop"] / m["fused"]
                    lines.append(f"    - Per-sample Jacobian loop ÷ fused at N = 4096, K = 10: "
                                 f"{ratio(speedup)} (target at least 20: "
                                 f"{'met' if speedup >= 20 else 'not met'}).")
    return "\n".join(lines)


def _section(name: str, body: str) -> str:
    return f"<!-- --8<-- [start:{name}] -->\n{body}\n<!-- --8<-- [end:{name}] -->\n"


def render(results: dict) -> str:
    """The whole of bench/results.md."""
    softmax, binary = results["softmax_cross_entropy"], results["binary_cross_entropy_with_logits"]
    return "\n".join([
        "<!-- Written by bench/run.py from bench/results.json; do not edit by hand. -->\n",
        _section("machine", machine(results)),
        _section("softmax-time", time_table(softmax, SOFTMAX_TIME)),
        _section("softmax-ratios", ratio_table(softmax, SOFTMAX_RATIOS)),
        _section("softmax-memory", memory_table(softmax, SOFTMAX_MEMORY)),
        _section("binary-time", time_table(binary, BINARY_TIME)),
        _section("binary-ratios", ratio_table(binary, BINARY_RATIOS)),
        _section("binary-memory", memory_table(binary, BINARY_MEMORY)),
        _section("findings", findings(results)),
    ])
