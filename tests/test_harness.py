"""The docs harness must fail loudly and say how to fix it.

A broken include, a fence it cannot run and a wrong expected output each fail, at the
page line to look at, and the page's other fences still run; a fence with extra words
after `python` still runs. And the strict build fails on a page left out of nav.

One pytest run (a fresh interpreter, as `make test` starts one) over a small project
whose pages each show one case; each test below reads its page's part of that run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from fnmatch import fnmatch
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

MKDOCS_YML = """\
site_name: harness test
theme:
  name: material
markdown_extensions:
  - pymdownx.snippets:
      base_path: [!relative $config_dir]
      check_paths: true
      dedent_subsections: true
"""

MODULE = """\
# --8<-- [start:double]
def double(x):
    return 2 * x
# --8<-- [end:double]


# --8<-- [start:triple]
def triple(x):
    return 3 * x
# --8<-- [end:triple]
"""

# page name -> Markdown (dedented); the outcome of each fence is asserted below
PAGES = {
    "include": """\
        ```python title="mod.py"
        --8<-- "src/mod.py:double"
        print(double(21))
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        42
        ```
        """,
    "mismatch": """\
        Text.

        ```python
        print(1 + 1)
        print("same")
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        3
        same
        ```
        """,
    "typo": """\
        ```python
        print("first")
        ```

        ```python
        --8<-- "src/mod.py:doubel"
        ```

        ```python
        --8<-- "src/mod.py:double"
        print(double(2))
        ```
        """,
    "missing-file": """\
        ```python
        --8<-- "src/missing.py:double"
        ```
        """,
    "raises": """\
        ```python
        x = 1
        raise ValueError("x: expected 2, got 1")
        ```
        """,
    "no-language": "```\nprint('hello')\n```\n",
    "bash": "```bash\nprint('hello')\n```\n",
    "pycon": "```pycon\nprint('hello')\n```\n",
    "tilde": "~~~python\nprint('hello')\n~~~\n",
    "skip": """\
        Text.

        <!--pytest.mark.skip(reason="shows a shell command")-->
        ```bash
        make serve
        ```
        """,
    "skip-without-reason": """\
        <!--pytest.mark.skip-->
        ```python
        print(1)
        ```
        """,
    "cont": """\
        Text.

        ```python
        x = 20
        ```

        <!--pytest-codeblocks:cont-->
        ```python
        print(x + 1)
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        21
        ```
        """,
}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> str:
    """The output of one `pytest -p docs_harness docs -rA` over the pages above."""
    root = tmp_path_factory.mktemp("harness")
    (root / "mkdocs.yml").write_text(MKDOCS_YML)
    (root / "src").mkdir()
    (root / "src" / "mod.py").write_text(MODULE)
    (root / "docs").mkdir()
    for name, text in PAGES.items():
        (root / "docs" / f"{name}.md").write_text(textwrap.dedent(text))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent / "hooks")])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "docs_harness", "-p", "no:cacheprovider",
         "-p", "no:xdist", "-rA", "docs"],
        cwd=root, env=env, capture_output=True, text=True,
    )
    return result.stdout + result.stderr


def outcome(run: str, nodeid: str) -> str:
    """PASSED, FAILED or SKIPPED, from the -rA short summary."""
    found = re.findall(rf"^(PASSED|FAILED|SKIPPED|ERROR)\b.*?{re.escape(nodeid)}\b", run, re.M)
    assert found, f"{nodeid} is not in the run's summary:\n{run}"
    return found[0]


def section(run: str, nodeid: str) -> str:
    """The failure report of ``nodeid`` (docs/page.md::line N)."""
    name = nodeid.split("::")[1]
    page = nodeid.split("::")[0]
    parts = re.split(r"^_{3,} (.+?) _{3,}$", run, flags=re.M)
    for title, body in zip(parts[1::2], parts[2::2]):
        if title == name and page in body:
            return body
    raise AssertionError(f"no failure report for {nodeid}:\n{run}")


def lines_match(text: str, patterns: list[str]) -> None:
    """Each pattern matches a line of ``text``, in order (fnmatch, like pytester's)."""
    lines = text.splitlines()
    at = 0
    for pattern in patterns:
        while at < len(lines) and not fnmatch(lines[at], pattern):
            at += 1
        assert at < len(lines), f"no line matching {pattern!r} (in order) in:\n{text}"
        at += 1


def test_include_is_expanded_and_output_compared(run):
    assert outcome(run, "docs/include.md::line 1") == "PASSED"


def test_wrong_expected_output_names_both_lines_and_shows_a_diff(run):
    assert outcome(run, "docs/mismatch.md::line 3") == "FAILED"
    lines_match(section(run, "docs/mismatch.md::line 3"), [
        "docs/mismatch.md: the code fence at line 3 printed something other than the "
        "expected output at line 9.",
        "--- expected output (docs/mismatch.md, line 9)",
        "+++ printed by the code fence (line 3)",
        "-3",
        "+2",
        " same",
        "If the new output is right, copy it into the expected-output fence at line 9;*",
    ])


def test_snippet_typo_is_one_failing_item_and_the_other_fences_run(run):
    assert outcome(run, "docs/typo.md::line 1") == "PASSED"
    assert outcome(run, "docs/typo.md::line 5") == "FAILED"
    assert outcome(run, "docs/typo.md::line 9") == "PASSED"
    lines_match(section(run, "docs/typo.md::line 5"), [
        "docs/typo.md, line 6 (in the code fence at line 5): the include "
        "\"src/mod.py:doubel\" names the section 'doubel', which src/mod.py does not have. "
        "Did you mean 'double'? Its sections: double, triple.*",
    ])
    assert "Interrupted" not in run and "error during collection" not in run


def test_missing_snippet_file_names_the_file(run):
    assert outcome(run, "docs/missing-file.md::line 1") == "FAILED"
    lines_match(section(run, "docs/missing-file.md::line 1"), [
        "docs/missing-file.md, line 2 (in the code fence at line 1): the include "
        "\"src/missing.py:double\" names the file src/missing.py, which does not exist. "
        "Did you mean src/mod.py?*",
    ])


def test_exception_names_the_fence_and_its_line(run):
    assert outcome(run, "docs/raises.md::line 1") == "FAILED"
    lines_match(section(run, "docs/raises.md::line 1"), [
        "docs/raises.md: the code fence at line 1 raised ValueError.",
        '*File "<docs/raises.md: code fence at line 1>", line 2, in <module>',
        '*raise ValueError("x: expected 2, got 1")',
        "ValueError: x: expected 2, got 1",
    ])


@pytest.mark.parametrize("page", ["no-language", "bash", "pycon", "tilde"])
def test_fence_that_cannot_run_fails(run, page):
    assert outcome(run, f"docs/{page}.md::line 1") == "FAILED"
    lines_match(section(run, f"docs/{page}.md::line 1"), [
        f"docs/{page}.md, line 1: *. Make it a python fence, or put "
        '<!--pytest.mark.skip(reason="...")--> on the line before it.',
    ])


def test_visible_skip_with_reason_is_allowed_and_keeps_its_line(run):
    assert outcome(run, "docs/skip.md") == "SKIPPED"
    lines_match(run, ["SKIPPED [[]1] docs/skip.md:4: shows a shell command"])


def test_skip_without_reason_fails(run):
    assert outcome(run, "docs/skip-without-reason.md::line 2") == "FAILED"


def test_continued_block_shares_state_and_reports_first_line(run):
    assert outcome(run, "docs/cont.md::line 3") == "PASSED"


def test_summary_counts_executed_fences_only(run):
    # executed: include 1, mismatch 1, typo 2, raises 1, cont 1 = 6 on 5 pages (the
    # skipped fence is not executed); the two broken includes, the four unrunnable
    # fences and the reasonless skip cannot run.
    lines_match(run, [
        "docs harness: 6 fences executed on 5 pages (2 failed, 1 skipped, 7 cannot run)",
    ])


def test_orphan_page_fails_the_strict_build(tmp_path):
    """A page that is in docs/ but not in nav fails `mkdocs build --strict` with the
    project's own validation settings (MkDocs alone only logs it at INFO)."""
    import yaml
    from mkdocs.config import load_config
    from mkdocs.config.defaults import _LogLevel

    validation = load_config(str(HERE.parent / "mkdocs.yml"))["validation"]
    names = {level: name for name, level in _LogLevel.levels.items()}
    config = {"site_name": "orphan test", "strict": True, "nav": [{"Home": "index.md"}],
              "validation": {group: {key: names[level]
                                        for key, level in validation[group].items()}
                                for group in ("nav", "links")}}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "docs" / "orphan.md").write_text("# Left out of nav\n")
    mkdocs = Path(sys.executable).with_name("mkdocs")
    build = subprocess.run([str(mkdocs), "build", "--strict"], cwd=tmp_path,
                           capture_output=True, text=True)
    assert build.returncode != 0
    assert "orphan.md" in build.stderr and 'not included in the "nav"' in build.stderr
