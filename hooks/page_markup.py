"""A Python-Markdown extension for this site's pages, and the MkDocs hook that adds it.

Three things, all about what reaches the HTML rather than what a page says:

- ``TestCommentPreprocessor``: the comments that steer the tests
  (``<!--pytest-codeblocks:expected-output-->``, ``<!--pytest-codeblocks:cont-->``,
  ``<!--pytest.mark.skip(reason=...)-->``) are read by the test harness from the Markdown
  source; in the HTML they are noise, and a comment right against a fence made Markdown
  wrap the code block in a paragraph (``<p><div class="highlight">``, invalid HTML). Each
  such line becomes an empty line before any block is parsed (lines inside a fence are
  left alone: a page may show the syntax).
- ``SearchExcludePostprocessor``: code blocks and formulas are marked
  ``data-search-exclude``, which Material's search plugin honours: the search index,
  fetched by every page, then holds the prose and the headings, not TeX source or code.
  Inline ``code`` stays searchable (function and option names are what readers type).
- ``PlainTokenPostprocessor``: highlighted code loses the spans of tokens drawn in the
  plain code colour (names, whitespace, punctuation), a third of a long page's DOM.

The extension is plain Python-Markdown (``PageMarkupExtension``); ``on_config`` is the
only MkDocs-specific part.
"""

from __future__ import annotations

import re

from markdown import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

_TEST_COMMENT = re.compile(r"^\s*<!--\s*pytest[-.][^\n]*?-->\s*$")
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")

# A code block as pymdownx.highlight writes it, and arithmatex's formula placeholders.
_EXCLUDED = re.compile(
    r'<(?P<tag>div) class="(?P<cls>(?:language-[\w-]+ )?highlight|arithmatex)"'
    r'|<(?P<span>span) class="(?P<scls>arithmatex)"'
)


class TestCommentPreprocessor(Preprocessor):
    """Blank out the lines that are only a test-harness comment (outside fences)."""

    def run(self, lines: list[str]) -> list[str]:
        out, fence = [], None
        for line in lines:
            match = _FENCE.match(line)
            if fence is None and match:
                fence = (match["indent"], match["fence"][0], len(match["fence"]))
            elif fence is not None and match and match["indent"] == fence[0] \
                    and match["fence"][0] == fence[1] and len(match["fence"]) >= fence[2] \
                    and not line[match.end():].strip():
                fence = None
            elif fence is None and _TEST_COMMENT.match(line):
                line = ""
            out.append(line)
        return out


def exclude_from_search(html: str) -> str:
    """Add ``data-search-exclude`` to every code block and formula in ``html``."""

    def mark(match: re.Match) -> str:
        tag = match["tag"] or match["span"]
        cls = match["cls"] or match["scls"]
        return f'<{tag} class="{cls}" data-search-exclude'

    return _EXCLUDED.sub(mark, html)


# Pygments wraps every token of highlighted code in a span. Names and whitespace are
# drawn in the code's own colour (Material's --md-code-hl-name-color is the code
# colour), and so is punctuation on this site (docs/assets/extra.css): their spans only
# cost DOM elements (a third of a long page's), so they are dropped and their text kept.
_PLAIN_TOKEN = re.compile(r'<span class="(?:n|w|p)">([^<]*)</span>')


def plain_tokens(html: str) -> str:
    """``html`` without the spans of code tokens drawn in the plain code colour."""
    return _PLAIN_TOKEN.sub(r"\1", html)


class PlainTokenPostprocessor(Postprocessor):
    def run(self, text: str) -> str:
        return plain_tokens(text)


class SearchExcludePostprocessor(Postprocessor):
    def run(self, text: str) -> str:
        return exclude_from_search(text)


class PageMarkupExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's name
        # After snippets (32) and whitespace normalisation (30) so that included text is
        # cleaned too; before fenced code blocks (pymdownx.superfences, 25).
        md.preprocessors.register(TestCommentPreprocessor(md), "test_comments", 29)
        # After the raw HTML (arithmatex's placeholders, highlighted code) is put back (30).
        md.postprocessors.register(SearchExcludePostprocessor(md), "search_exclude", 5)
        md.postprocessors.register(PlainTokenPostprocessor(md), "plain_tokens", 4)


def makeExtension(**kwargs) -> PageMarkupExtension:  # noqa: N802 - Python-Markdown's name
    return PageMarkupExtension(**kwargs)


def on_config(config):
    config.markdown_extensions.append(PageMarkupExtension())
    return config
