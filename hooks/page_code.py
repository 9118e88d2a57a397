"""A page's code as both the tests and the build see it.

``expand_snippets`` expands ``--8<--`` includes with the real ``pymdownx.snippets``
preprocessor and the options MkDocs gives it, so the docs harness (tests/docs_harness.py)
and the notebooks of hooks/downloads.py run exactly the code a reader sees.
``split_page`` cuts an expanded page into prose and fences, reading the harness's
markers (``expected-output``, ``cont``, ``pytest.mark.skip``) as pytest-codeblocks does.
``imports`` lists the top-level modules a block imports.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field

import markdown

PYTHON_LANGS = {"python", "py", "python3"}
_LANG = re.compile(r"^\{?\s*\.?([A-Za-z0-9_+-]*)")
_CODEBLOCKS = re.compile(r"<!--[-\s]*pytest-codeblocks:(.*?)[-\s]*-->$")
_MARK = re.compile(r"<!--[-\s]*(pytest\.mark\..*?)[-\s]*-->$")
_SKIP_REASON = re.compile(r"""reason\s*=\s*(['"])(.*?)\1""")


def snippets_options(config) -> dict:
    """The ``pymdownx.snippets`` options of a loaded MkDocs config (KeyError if absent)."""
    return dict(config["mdx_configs"]["pymdownx.snippets"])


def expand_snippets(text: str, options: dict) -> str:
    """Expand ``--8<--`` includes in ``text`` as MkDocs does when it builds the page."""
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": options},
    )
    return "\n".join(md.preprocessors["snippet"].run(text.split("\n")))


def language(info: str | None) -> str:
    """The language word of a fence's info string: 'python title="x"' -> 'python'."""
    match = _LANG.match((info or "").strip())
    return match.group(1).lower() if match else ""


@dataclass
class Fence:
    """One fenced block of a page: its code (dedented), where it starts, what precedes it."""

    code: str
    lineno: int                 # line of the opening fence, counted from 1
    info: str                   # the rest of the opening line: 'python title="..."'
    indent: int                 # spaces before the opening fence
    marks: list[str] = field(default_factory=list)
    continues: bool = False     # <!--pytest-codeblocks:cont--> before it
    expected_output: str | None = None

    @property
    def runs(self) -> bool:
        """Whether the harness executes it: a Python fence without a skip or xfail."""
        skipped = any(m.startswith(("pytest.mark.skip", "pytest.mark.xfail")) for m in self.marks)
        return language(self.info) in PYTHON_LANGS and not skipped

    @property
    def skip_reason(self) -> str:
        for mark in self.marks:
            found = _SKIP_REASON.search(mark)
            if found:
                return found[2]
        return ""


def split_page(text: str) -> list[str | Fence]:
    """The page as a list of prose chunks (str) and fences, in order.

    An expected-output fence is not listed: it becomes the ``expected_output`` of the
    fence before it. Marker comments are dropped from the prose.
    """
    lines = text.split("\n")
    parts: list[str | Fence] = []
    prose: list[str] = []
    marks: list[str] = []
    continues = expect_output = False
    i = 0
    while i < len(lines):
        line, stripped = lines[i], lines[i].strip()
        comment = stripped.startswith("<!--")
        keyword = comment and _CODEBLOCKS.match(stripped)
        mark = comment and not keyword and _MARK.match(stripped)
        if keyword:
            word = keyword[1].strip()
            continues = continues or word == "cont"
            expect_output = expect_output or word.startswith("expected-output")
            i += 1
            continue
        if mark:
            marks.append(mark[1])
            i += 1
            continue
        if not stripped.startswith("```"):
            prose.append(line)
            i += 1
            continue
        indent = len(line) - len(line.lstrip())
        ticks = len(stripped) - len(stripped.lstrip("`"))
        lineno, body, i = i + 1, [], i + 1
        while i < len(lines) and not lines[i].lstrip().startswith("`" * ticks):
            own = len(lines[i]) - len(lines[i].lstrip())
            body.append(lines[i][min(indent, own):])
            i += 1
        code = "\n".join(body) + "\n" if body else ""
        fence = Fence(code, lineno, stripped[ticks:].strip(), indent)
        i += 1  # the closing fence
        if prose:
            parts.append("\n".join(prose))
            prose = []
        if expect_output and last_fence(parts) is not None:
            last_fence(parts).expected_output = code
        else:
            fence.marks, fence.continues = marks, continues
            parts.append(fence)
        marks, continues, expect_output = [], False, False
    if prose:
        parts.append("\n".join(prose))
    return parts


def last_fence(parts: list[str | Fence]) -> Fence | None:
    for part in reversed(parts):
        if isinstance(part, Fence):
            return part
    return None


def strip_magics(code: str) -> str:
    """A notebook cell's code without IPython's ``%magic`` and ``!shell`` lines."""
    return "\n".join(l for l in code.splitlines() if not l.lstrip().startswith(("%", "!")))


def imports(code: str) -> set[str]:
    """Top-level names of the non-standard-library modules ``code`` imports (in its
    top-level statements, where every block on the site imports)."""
    names = set()
    for node in ast.parse(code).body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names}
