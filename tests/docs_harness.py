"""Pytest plugin: run every code fence a reader sees in ``docs/``, exactly as shown.

Loaded with ``-p docs_harness`` (see ``[tool.pytest.ini_options]`` in pyproject.toml).
For each Markdown page under ``docs/`` it

1. expands ``--8<--`` includes with the real ``pymdownx.snippets`` preprocessor, using
   the snippets configuration that ``mkdocs.yml`` gives MkDocs (so a broken include
   fails here as it fails the build);
2. hands the expanded page to pytest-codeblocks' extractor, so its markers keep
   working (``<!--pytest-codeblocks:cont-->``, ``expected-output``, ``pytest.mark.*``);
3. turns each fence into a test item named ``docs/<page>.md::line <n>``, where ``n`` is
   the fence's line in the page as written.

Every fence whose language is Python runs, whatever follows the language word in its
info string (``python title="losses.py"`` runs too; pytest-codeblocks alone would skip
it). A fence the harness cannot run (another language, no language, a tilde fence, an
``importorskip``) becomes a failing item, unless it carries a visible skip marker with a
reason: ``<!--pytest.mark.skip(reason="...")-->`` on the line before it.

The expansion and the fence parsing shared with the build live in hooks/page_code.py
(on the path through ``pythonpath`` in pyproject.toml).
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import pytest
from page_code import PYTHON_LANGS, expand_snippets as _expand, language, snippets_options
from pytest_codeblocks.main import CodeBlock, extract_from_buffer
from pytest_codeblocks.plugin import TestBlock

_TILDE_FENCE = re.compile(r"^\s*~~~")
_SKIP_WITH_REASON = re.compile(r"^pytest\.mark\.(skip|skipif|xfail)\(.*reason\s*=\s*['\"]\s*\S")


@lru_cache(maxsize=None)
def snippets_config(root: Path) -> dict:
    """The ``pymdownx.snippets`` options exactly as MkDocs loads them from mkdocs.yml."""
    from mkdocs.config import load_config

    try:
        return snippets_options(load_config(str(root / "mkdocs.yml")))
    except KeyError:
        raise pytest.UsageError("mkdocs.yml does not configure pymdownx.snippets")


def expand_snippets(text: str, root: Path) -> str:
    """Expand ``--8<--`` includes in ``text`` as MkDocs does when it builds the page
    (hooks/page_code.py, shared with the notebooks the build generates)."""
    return _expand(text, snippets_config(root))


def why_not_runnable(block: CodeBlock) -> str | None:
    """None if the harness executes ``block``, else the reason it cannot."""
    if block.importorskip is not None:
        return (
            f"importorskip({block.importorskip}) would skip silently; "
            "dependencies are pinned, import them directly"
        )
    lang = language(block.syntax)
    if lang not in PYTHON_LANGS:
        return f"a fence in language {lang or '(none)'!r} cannot be executed"
    return None


def has_visible_skip(block: CodeBlock) -> bool:
    return any(_SKIP_WITH_REASON.match(mark) for mark in block.marks)


class MarkdownPage(pytest.File):
    def collect(self):
        root = self.config.rootpath
        text = self.path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if _TILDE_FENCE.match(line):
                yield Unrunnable.from_parent(
                    self,
                    name=f"line {number}",
                    reason="tilde fences are invisible to the harness; use backticks",
                )
        as_written = extract_from_buffer(io.StringIO(text))
        expanded = extract_from_buffer(io.StringIO(expand_snippets(text, root)))
        if len(as_written) != len(expanded):
            raise pytest.UsageError(
                f"{self.path}: {len(as_written)} fences as written but "
                f"{len(expanded)} after expanding snippets; an include added or "
                "removed a fence"
            )
        for written, block in zip(as_written, expanded):
            name = f"line {written.lineno}"
            reason = why_not_runnable(block)
            bad_skip = [
                m for m in block.marks
                if m.startswith(("pytest.mark.skip", "pytest.mark.xfail"))
                and not _SKIP_WITH_REASON.match(m)
            ]
            if bad_skip:
                yield Unrunnable.from_parent(
                    self, name=name,
                    reason=f"{bad_skip[0]} needs a reason='...' a reader can see",
                )
            elif reason is not None and not has_visible_skip(block):
                yield Unrunnable.from_parent(self, name=name, reason=reason)
            else:
                block.syntax = "python"
                block.lineno = written.lineno
                item = TestBlock.from_parent(self, name=name)
                item.obj = block
                for mark in block.marks:
                    item.add_marker(eval(mark, {"pytest": pytest}))
                yield item


class Unrunnable(pytest.Item):
    """A fence the harness cannot execute and that is not visibly skipped."""

    def __init__(self, *, reason: str, **kwargs):
        super().__init__(**kwargs)
        self.reason = reason

    def runtest(self):
        raise RuntimeError(
            f"{self.path.name}, {self.name}: {self.reason}. Make it a python fence, "
            'or put <!--pytest.mark.skip(reason="...")--> on the line before it.'
        )

    def repr_failure(self, excinfo):
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, None, self.name


def pytest_collect_file(file_path: Path, parent):
    docs = parent.config.rootpath / "docs"
    if file_path.suffix == ".md" and docs in file_path.parents:
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


def pytest_terminal_summary(terminalreporter):
    pages: dict[str, int] = {}
    for report in terminalreporter.getreports("passed") + terminalreporter.getreports(
        "failed"
    ):
        path = report.nodeid.split("::")[0]
        if path.endswith(".md") and report.when == "call":
            pages[path] = pages.get(path, 0) + 1
    if pages:
        terminalreporter.write_line(
            f"docs harness: {sum(pages.values())} fences executed on {len(pages)} pages"
        )
