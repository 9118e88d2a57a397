"""Pytest plugin: run every code fence a reader sees in ``docs/``, exactly as shown.

Loaded with ``-p docs_harness`` (see ``[tool.pytest.ini_options]`` in pyproject.toml).
For each Markdown page under ``docs/`` it

1. expands ``--8<--`` includes with the real ``pymdownx.snippets`` preprocessor, using
   the snippets configuration that ``mkdocs.yml`` gives MkDocs (so an include that
   breaks the build breaks here too);
2. hands the expanded page to pytest-codeblocks' extractor, so its markers keep
   working (``<!--pytest-codeblocks:cont-->``, ``expected-output``, ``pytest.mark.*``);
3. turns each fence into a test item named ``docs/<page>.md::line <n>``, where ``n`` is
   the fence's line in the page as written.

Every fence whose language is Python runs, whatever follows the language word in its
info string (``python title="losses.py"`` runs too; pytest-codeblocks alone would skip
it). A fence the harness cannot run (another language, no language, a tilde fence, an
``importorskip``) becomes a failing item, unless it carries a visible skip marker with a
reason: ``<!--pytest.mark.skip(reason="...")-->`` on the line before it.

Errors say where and what to do: a broken include is one failing item at the include's
line, naming the file and the section and listing the sections the file has (the page's
other fences still run); an output that differs from the page names the code fence's
line and the expected-output fence's line and shows a unified diff.
"""

from __future__ import annotations

import difflib
import io
import linecache
import re
import sys
import traceback
from contextlib import redirect_stdout
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown
import pytest
from page_code import PYTHON_LANGS, language  # hooks/page_code.py, shared with the build
from page_code import expand_snippets as _expand
from pymdownx.snippets import SnippetMissingError
from pytest_codeblocks.main import CodeBlock, extract_from_buffer

_TILDE_FENCE = re.compile(r"^\s*~~~")
_BACKTICK_FENCE = re.compile(r"^(\s*)(`{3,})")
_MARKER = re.compile(r"^\s*<!--[-\s]*pytest-codeblocks:\s*([\w-]+)")
_SKIP_WITH_REASON = re.compile(r"^pytest\.mark\.(skip|skipif|xfail)\(.*reason\s*=\s*['\"]\s*\S")
_SECTION = re.compile(r"--8<--\s*\[\s*start\s*:\s*([a-z][-_0-9a-z]*)\s*\]")
_INCLUDE_TARGET = re.compile(r"""--8<--\s*(["'])(?P<target>.+?)\1""")

FENCE_KIND = "docs fence"  # user_properties key: how a page item ended (counted in the summary)


@lru_cache(maxsize=None)
def snippets_config(root: Path) -> dict:
    """The ``pymdownx.snippets`` options exactly as MkDocs loads them from mkdocs.yml."""
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"))
    try:
        return dict(config["mdx_configs"]["pymdownx.snippets"])
    except KeyError:
        raise pytest.UsageError("mkdocs.yml does not configure pymdownx.snippets")


def _snippets(root: Path):
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": snippets_config(root)},
    )
    return md.preprocessors["snippet"]


def expand_snippets(text: str, root: Path) -> str:
    """Expand ``--8<--`` includes in ``text`` as MkDocs does when it builds the page
    (hooks/page_code.py, shared with the notebooks the build generates); raises
    pymdownx's SnippetMissingError for a missing file or section."""
    return _expand(text, snippets_config(root))


@dataclass
class BrokenInclude:
    line: int  # 1-based line of the include in the page as written
    message: str


def expand_page(text: str, root: Path) -> tuple[str, list[BrokenInclude]]:
    """``text`` with its includes expanded, and the includes that could not be.

    Normally one pass of the real preprocessor over the whole page. When it fails, each
    include line is expanded on its own to find the broken ones, which are replaced by
    a harmless line so that the rest of the page still expands exactly as before.
    """
    try:
        return expand_snippets(text, root), []
    except SnippetMissingError:
        pass
    processor = _snippets(root)
    lines = text.split("\n")
    broken = []
    for number, line in enumerate(lines, start=1):
        match = processor.RE_ALL_SNIPPETS.match(line)
        if not (match and match.group("inline_marker") and not match.group("escape")):
            continue
        try:
            _snippets(root).run([line.strip()])
        except SnippetMissingError as error:
            broken.append(BrokenInclude(number, include_problem(line, error, root)))
            lines[number - 1] = match.group("space") + "pass  # broken include"
    if not broken:  # a failure the per-line pass cannot place (a block-style include)
        expand_snippets(text, root)  # raises it again, unchanged
    return expand_snippets("\n".join(lines), root), broken


def include_problem(line: str, error: Exception, root: Path) -> str:
    """What is wrong with one include line, and what the file offers instead."""
    target_match = _INCLUDE_TARGET.search(line)
    target = target_match.group("target") if target_match else line.strip()
    path, _, section = target.partition(":")
    bases = [Path(b) for b in snippets_config(root).get("base_path", [root])]
    found = next((b / path for b in bases if (b / path).is_file()), None)
    if found is None:
        near = difflib.get_close_matches(
            path, [p.relative_to(root).as_posix() for p in root.glob("src/**/*.py")], n=3)
        hint = f" Did you mean {', '.join(near)}?" if near else ""
        return f'the include "{target}" names the file {path}, which does not exist.{hint}'
    sections = sorted(set(_SECTION.findall(found.read_text(encoding="utf-8"))))
    near = difflib.get_close_matches(section, sections, n=1)
    hint = f" Did you mean '{near[0]}'?" if near else ""
    return (
        f"the include \"{target}\" names the section '{section}', which {path} does not "
        f"have.{hint} Its sections: {', '.join(sections) or '(none)'}."
    )


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


def expected_output_lines(text: str) -> dict[int, int]:
    """{line of a code fence: line of its expected-output fence}, as written.

    Follows pytest-codeblocks' rules: an ``expected-output`` marker gives the next
    fence to the last code fence before it (a ``cont`` fence belongs to that one too).
    """
    result: dict[int, int] = {}
    last_code = None
    pending = None  # "cont" or "expected-output", for the next fence
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        marker = _MARKER.match(lines[i])
        fence = _BACKTICK_FENCE.match(lines[i])
        if marker:
            pending = marker.group(1)
        elif fence:
            number = i + 1
            if pending and pending.startswith("expected-output") and last_code is not None:
                result[last_code] = number
            elif pending != "cont":
                last_code = number
            pending = None
            ticks = fence.group(2)
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith(ticks):
                i += 1
        i += 1
    return result


class MarkdownPage(pytest.File):
    def collect(self):
        root = self.config.rootpath
        text = self.path.read_text(encoding="utf-8")
        in_tilde_fence = False
        for number, line in enumerate(text.splitlines(), start=1):
            if _TILDE_FENCE.match(line):
                if not in_tilde_fence:
                    yield Unrunnable.from_parent(
                        self, name=f"line {number}", line=number,
                        reason="tilde fences are invisible to the harness; use backticks",
                    )
                in_tilde_fence = not in_tilde_fence
        expanded, broken = expand_page(text, root)
        as_written = extract_from_buffer(io.StringIO(text))
        blocks = extract_from_buffer(io.StringIO(expanded))
        if len(as_written) != len(blocks):
            raise pytest.UsageError(
                f"{self.path}: {len(as_written)} fences as written but "
                f"{len(blocks)} after expanding snippets; an include added or "
                "removed a fence"
            )
        starts = [b.lineno for b in as_written]
        broken_in = {}  # fence line -> broken includes inside it
        for include in broken:
            inside = [s for s in starts if s < include.line]
            key = inside[-1] if inside else include.line
            broken_in.setdefault(key, []).append(include)
        expected_at = expected_output_lines(text)
        for written, block in zip(as_written, blocks):
            line = written.lineno
            name = f"line {line}"
            reason = why_not_runnable(block)
            bad_skip = [
                m for m in block.marks
                if m.startswith(("pytest.mark.skip", "pytest.mark.xfail"))
                and not _SKIP_WITH_REASON.match(m)
            ]
            if line in broken_in:
                yield self._broken(line, broken_in.pop(line), fence=line)
            elif bad_skip:
                yield Unrunnable.from_parent(
                    self, name=name, line=line,
                    reason=f"{bad_skip[0]} needs a reason='...' a reader can see",
                )
            elif reason is not None and not has_visible_skip(block):
                yield Unrunnable.from_parent(self, name=name, line=line, reason=reason)
            else:
                item = Fence.from_parent(self, name=name, block=block, line=line,
                                         expected_line=expected_at.get(line))
                for text_of_mark in block.marks:
                    mark = eval(text_of_mark, {"pytest": pytest})
                    if mark.name == "skip":  # skipped in setup, so the summary keeps the line
                        item.skip_reason = mark.kwargs.get("reason") or mark.args[0]
                    else:
                        item.add_marker(mark)
                yield item
        for line, includes in sorted(broken_in.items()):  # includes outside any fence
            yield self._broken(line, includes, fence=None)

    def _broken(self, line: int, includes: list[BrokenInclude], fence: int | None):
        page = self.path.relative_to(self.config.rootpath).as_posix()
        inside = f" (in the code fence at line {fence})" if fence else ""
        problems = "\n".join(f"{page}, line {b.line}{inside}: {b.message}" for b in includes)
        return Unrunnable.from_parent(
            self, name=f"line {line}", line=line,
            message=problems + "\nFix the include on the page, or the section markers "
            "in the file.",
        )


class PageItem(pytest.Item):
    """An item for one fence of a page: reports at the fence's line."""

    def __init__(self, *, line: int, **kwargs):
        super().__init__(**kwargs)
        self.line = line

    @property
    def page(self) -> str:
        return self.path.relative_to(self.config.rootpath).as_posix()

    def repr_failure(self, excinfo):
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, self.line - 1, self.name


class DocsFailure(Exception):
    """A page's fence failed; the message says where and what to do."""


class Fence(PageItem):
    """A Python fence (with its continuations): run it, compare what it prints."""

    def __init__(self, *, block: CodeBlock, expected_line: int | None, **kwargs):
        super().__init__(**kwargs)
        self.block = block
        self.expected_line = expected_line
        self.skip_reason: str | None = None
        self.user_properties.append((FENCE_KIND, "executed"))

    def setup(self):
        if self.skip_reason:
            pytest.skip(self.skip_reason)

    def runtest(self):
        filename = f"<{self.page}: code fence at line {self.line}>"
        code = self.block.code
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        printed = io.StringIO()
        try:
            compiled = compile(code, filename, "exec")
            with redirect_stdout(printed):
                exec(compiled, {"__name__": "__main__"})
        except Exception as error:  # noqa: BLE001 - reported with the page's lines
            raise DocsFailure(self._raised(error, printed.getvalue())) from None
        finally:
            linecache.cache.pop(filename, None)
        expected = self.block.expected_output
        if expected is not None and printed.getvalue() != expected:
            raise DocsFailure(self._differs(expected, printed.getvalue()))

    def _raised(self, error: Exception, printed: str) -> str:
        frames = traceback.extract_tb(error.__traceback__)[1:]  # drop this harness's frame
        shown = "".join(traceback.format_list(frames)) + "".join(
            traceback.format_exception_only(type(error), error))
        out = f"\nprinted before the error:\n{printed}" if printed else ""
        return (
            f"{self.page}: the code fence at line {self.line} raised "
            f"{type(error).__name__}.\n{shown}{out}"
        )

    def _differs(self, expected: str, printed: str) -> str:
        where = f"line {self.expected_line}" if self.expected_line else "below the fence"
        diff = "".join(difflib.unified_diff(
            expected.splitlines(True), printed.splitlines(True),
            fromfile=f"expected output ({self.page}, {where})",
            tofile=f"printed by the code fence (line {self.line})",
        ))
        if not diff.endswith("\n"):
            diff += "\n"
        return (
            f"{self.page}: the code fence at line {self.line} printed something other "
            f"than the expected output at {where}.\n{diff}"
            f"If the new output is right, copy it into the expected-output fence at "
            f"{where}; if not, fix the code (the fence, or the src/ file it includes)."
        )


class Unrunnable(PageItem):
    """A fence the harness cannot execute, or a broken include: always fails."""

    def __init__(self, *, reason: str = "", message: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.message = message or (
            f"{self.page}, line {self.line}: {reason}. Make it a python fence, or put "
            '<!--pytest.mark.skip(reason="...")--> on the line before it.'
        )
        self.user_properties.append((FENCE_KIND, "cannot run"))

    def runtest(self):
        raise DocsFailure(self.message)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A skipped fence is reported at its page line (pytest would name the harness)."""
    report = yield
    if isinstance(item, PageItem) and report.skipped and isinstance(report.longrepr, tuple):
        report.longrepr = (str(item.path), item.line, report.longrepr[2])
    return report


def pytest_collect_file(file_path: Path, parent):
    docs = parent.config.rootpath / "docs"
    if file_path.suffix == ".md" and docs in file_path.parents:
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def pytest_terminal_summary(terminalreporter):
    executed: dict[str, int] = {}
    failed = skipped = unrunnable = 0
    for status in ("passed", "failed", "skipped"):
        for report in terminalreporter.getreports(status):
            kind = dict(getattr(report, "user_properties", ())).get(FENCE_KIND)
            page = report.nodeid.split("::")[0]
            if kind == "cannot run" and report.when == "call":
                unrunnable += 1
            elif kind == "executed" and report.when == "call":
                executed[page] = executed.get(page, 0) + 1
                failed += report.failed
            elif kind == "executed" and report.skipped:
                skipped += 1
    if not (executed or skipped or unrunnable):
        return
    fences = sum(executed.values())
    line = (f"docs harness: {_plural(fences, 'fence')} executed on "
            f"{_plural(len(executed), 'page')}")
    extra = [f"{failed} failed"] if failed else []
    extra += [f"{skipped} skipped"] if skipped else []
    extra += [f"{unrunnable} cannot run"] if unrunnable else []
    terminalreporter.write_line(line + (f" ({', '.join(extra)})" if extra else ""))
