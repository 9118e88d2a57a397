"""MkDocs hook: add the figures drawn by ``plot_figures.py`` to the site at build time.

Each figure becomes a *generated* file of the build (``File.generated``, MkDocs >= 1.6):
it is written to ``site/`` with the pages, served from memory by ``mkdocs serve``, and
pages embed it with an ordinary Markdown image, so ``mkdocs build --strict`` checks the
link like any other. Nothing is written into ``docs/`` and no binary is committed.
"""

from __future__ import annotations

import logging

import plot_figures  # importable here: MkDocs puts this file's folder on sys.path while loading it
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.plots")

# site path (relative to docs/) -> function returning the SVG text
FIGURES = {
    "assets/generated/bce-vs-mse.svg": plot_figures.bce_vs_mse_svg,
    "assets/generated/why-fuse-benchmark.svg": plot_figures.why_fuse_benchmark_svg,
    "assets/generated/iris-softmax.svg": plot_figures.iris_softmax_svg,
    "assets/generated/epsilon-error.svg": plot_figures.epsilon_error_svg,
    "assets/generated/network-backward.svg": plot_figures.network_backward_svg,
    "assets/generated/network-backward-columns.svg": plot_figures.network_backward_columns_svg,
    "assets/generated/sigmoid-saturation.svg": plot_figures.sigmoid_saturation_svg,
    "assets/generated/focal-vs-bce.svg": plot_figures.focal_vs_bce_svg,
}


def on_files(files, config):
    for src_uri, draw in FIGURES.items():
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            log.warning("%s exists in docs/; the generated figure replaces it", src_uri)
            files.remove(existing)
        files.append(File.generated(config, src_uri, content=draw()))
    return files
