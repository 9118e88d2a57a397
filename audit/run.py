"""Lighthouse over every page of the built site, served as a static host serves it.

`make audit` builds the site and runs this. Each page is audited by Lighthouse
(pinned in package-lock.json) with the machine's Chromium: the default mobile preset
(a mid-range phone, simulated 4G throttling: "simulate"), all four categories, the site
served on 127.0.0.1 under /last-layer/ with gzip (tests/browser/sitecheck.SiteServer).
One run per page; a page whose performance score is within NEAR points of the line
(90) is run twice more and the median run is kept, as Lighthouse's scores move by a
few points from run to run on a busy machine.

Writes artifacts/lighthouse.json (every run's scores and metrics) and
artifacts/lighthouse.md (the table of median runs), and prints the table.
Not part of `make test`: a run takes ~20-40 s a page on two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import sitecheck  # noqa: E402 - the static server and the page list of the browser tests

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
LINE = 90
NEAR = 5
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
METRICS = {  # Lighthouse audit id -> column
    "first-contentful-paint": "FCP s",
    "largest-contentful-paint": "LCP s",
    "total-blocking-time": "TBT ms",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI s",
}


def lighthouse(url: str, chromium: str, attempts: int = 3) -> dict:
    """One Lighthouse run of ``url`` (a run that fails to load the page, which a busy
    machine can make happen, is tried again, up to ``attempts`` times)."""
    for _ in range(attempts):
        run = lighthouse_once(url, chromium)
        if not run["runtime_error"]:
            return run
    raise RuntimeError(f"lighthouse could not audit {url}: {run['runtime_error']}")


def lighthouse_once(url: str, chromium: str) -> dict:
    """One Lighthouse run of ``url``: scores (0-100), metrics, DOM size, bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [
            str(LIGHTHOUSE), url,
            "--output=json", f"--output-path={out}", "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            "--throttling-method=simulate",
            "--chrome-flags=" + " ".join(sitecheck.CHROMIUM_ARGS),
        ]
        env = {**os.environ, "CHROME_PATH": chromium}
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
        report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        return {"runtime_error": report["runtimeError"]}
    unscored = [c for c in CATEGORIES if report["categories"][c]["score"] is None]
    if unscored:
        return {"runtime_error": f"no score for {', '.join(unscored)}"}
    audits = report["audits"]
    failing = {
        cat: [ref["id"] for ref in report["categories"][cat]["auditRefs"]
              if ref["weight"] > 0 and (audits[ref["id"]].get("score") is not None)
              and audits[ref["id"]]["score"] < 1]
        for cat in CATEGORIES if cat != "performance"
    }
    return {
        "scores": {c: round(100 * report["categories"][c]["score"]) for c in CATEGORIES},
        "metrics": {k: audits[k]["numericValue"] for k in METRICS},
        "dom_elements": audits["dom-size"].get("numericValue"),
        "transfer_bytes": audits["total-byte-weight"]["numericValue"],
        "failing_audits": failing,
        # Lighthouse's measure of this machine's speed at the time (higher is faster;
        # an idle desktop scores ~1000-2000): simulated throttling multiplies the CPU
        # time it observes, so a busy machine scores its pages lower.
        "benchmark_index": report["environment"].get("benchmarkIndex"),
        "runtime_error": None,
    }


def median_run(runs: list[dict]) -> dict:
    """The run with the median performance score (one run: that run; three: the middle)."""
    ordered = sorted(runs, key=lambda r: r["scores"]["performance"])
    return ordered[(len(ordered) - 1) // 2]


def table(rows: list[dict]) -> str:
    head = ["page", "perf", "a11y", "best pr.", "SEO", *METRICS.values(), "DOM", "KiB", "runs",
            "bench. index"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        run = row["median"]
        m = run["metrics"]
        cells = [
            f"/{row['url']}",
            *(str(run["scores"][c]) for c in CATEGORIES),
            f"{m['first-contentful-paint'] / 1000:.1f}",
            f"{m['largest-contentful-paint'] / 1000:.1f}",
            f"{m['total-blocking-time']:.0f}",
            f"{m['cumulative-layout-shift']:.3f}",
            f"{m['speed-index'] / 1000:.1f}",
            f"{run['dom_elements']:.0f}",
            f"{run['transfer_bytes'] / 1024:.0f}",
            " / ".join(str(r["scores"]["performance"]) for r in row["runs"]),
            f"{run['benchmark_index']:.0f}" if run.get("benchmark_index") else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site")
    parser.add_argument("--pages", nargs="*", help="page URLs (losses/mse/); default: all")
    parser.add_argument("--out", type=Path, default=sitecheck.ARTIFACTS)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `npm ci`")
    if not Path(sitecheck.CHROMIUM).exists():
        sys.exit(f"{sitecheck.CHROMIUM} is missing: run `make setup`")
    pages = args.pages if args.pages else sitecheck.built_pages(args.site)
    rows = []
    with sitecheck.SiteServer(args.site, prefix=sitecheck.SERVED_UNDER) as server:
        for url in pages:
            runs = [lighthouse(server.base + url, sitecheck.CHROMIUM)]
            if abs(runs[0]["scores"]["performance"] - LINE) <= NEAR:
                runs += [lighthouse(server.base + url, sitecheck.CHROMIUM) for _ in range(2)]
            rows.append({"url": url, "runs": runs, "median": median_run(runs)})
            print(f"/{url}: performance {[r['scores']['performance'] for r in runs]}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    text = table(rows)
    note = (f"Lighthouse {lighthouse_version()}, mobile preset, simulated throttling, "
            f"served with gzip on 127.0.0.1 under {sitecheck.SERVED_UNDER}. "
            f"Pages within {NEAR} points of {LINE}: median of three runs. "
            f"Benchmark index: Lighthouse's measure of the machine's speed during the run.")
    (args.out / "lighthouse.md").write_text(f"{note}\n\n{text}\n", encoding="utf-8")
    (args.out / "lighthouse.json").write_text(
        json.dumps({"note": note, "pages": rows}, indent=2) + "\n", encoding="utf-8")
    print(note + "\n\n" + text)
    below = [r["url"] for r in rows if r["median"]["scores"]["performance"] < LINE]
    if below:
        print(f"performance below {LINE}: {', '.join('/' + u for u in below)}")
    return 1 if below else 0


def lighthouse_version() -> str:
    package = ROOT / "node_modules" / "lighthouse" / "package.json"
    return json.loads(package.read_text(encoding="utf-8"))["version"]


if __name__ == "__main__":
    sys.exit(main())
