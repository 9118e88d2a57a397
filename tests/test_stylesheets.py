"""The site's own stylesheets are well-formed: every block closes where it should.

An unclosed block is not an error to a browser; it silently moves every later rule
inside it (a merge once left the phone-only @media block open, and the rules after it
then applied to phones only)."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
STYLESHEETS = sorted(DOCS.rglob("*.css"))
_COMMENT_OR_STRING = re.compile(r'/\*.*?\*/|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', re.S)


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda p: str(p.relative_to(DOCS)))
def test_blocks_are_balanced(path):
    css = _COMMENT_OR_STRING.sub("", path.read_text(encoding="utf-8"))
    depth = 0
    for number, line in enumerate(css.splitlines(), start=1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{path.name}, line {number}: a '}}' closes nothing"
    assert depth == 0, f"{path.name}: {depth} block(s) never closed"


def test_there_are_stylesheets():
    assert any(p.name == "extra.css" for p in STYLESHEETS)
