"""The docs harness must fail loudly: a broken include, a fence it cannot run and a wrong
expected output each fail the run; a fence with extra words after `python` still runs."""

import os
import textwrap
from pathlib import Path

import pytest

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
"""


@pytest.fixture
def site(pytester, monkeypatch):
    # A fresh interpreter per run: MkDocs' config loader is meant to run once per process.
    here = Path(__file__).parent
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(here), str(here.parent / "hooks")]))
    pytester.makefile(".yml", mkdocs=MKDOCS_YML)
    (pytester.path / "src").mkdir()
    (pytester.path / "src" / "mod.py").write_text(MODULE)
    (pytester.path / "docs").mkdir()

    def run(page: str):
        (pytester.path / "docs" / "page.md").write_text(textwrap.dedent(page))
        return pytester.runpytest_subprocess("-p", "docs_harness", "docs")

    return run


def test_include_is_expanded_and_output_compared(site):
    result = site(
        """\
        ```python title="mod.py"
        --8<-- "src/mod.py:double"
        print(double(21))
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        42
        ```
        """
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*docs harness: 1 fences executed on 1 pages*"])


def test_wrong_expected_output_fails(site):
    result = site(
        """\
        ```python
        print(1 + 1)
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        3
        ```
        """
    )
    result.assert_outcomes(failed=1)


def test_broken_include_fails(site):
    result = site(
        """\
        ```python
        --8<-- "src/missing.py:double"
        ```
        """
    )
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*missing.py*"])


def test_missing_section_fails(site):
    result = site(
        """\
        ```python
        --8<-- "src/mod.py:triple"
        ```
        """
    )
    assert result.ret != 0


@pytest.mark.parametrize(
    "fence",
    ["```", "```bash", "```pycon", "~~~python"],
    ids=["no-language", "bash", "pycon", "tilde"],
)
def test_fence_that_cannot_run_fails(site, fence):
    closing = "~~~" if fence.startswith("~") else "```"
    result = site(f"{fence}\nprint('hello')\n{closing}\n")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*FAILED docs/page.md::line 1*"])


def test_visible_skip_with_reason_is_allowed(site):
    result = site(
        """\
        <!--pytest.mark.skip(reason="shows a shell command")-->
        ```bash
        make serve
        ```
        """
    )
    result.assert_outcomes(skipped=1)


def test_skip_without_reason_fails(site):
    result = site(
        """\
        <!--pytest.mark.skip-->
        ```python
        print(1)
        ```
        """
    )
    result.assert_outcomes(failed=1)


def test_continued_block_shares_state_and_reports_first_line(site):
    result = site(
        """\
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
        """
    )
    result.assert_outcomes(passed=1)
