"""The site's own Markdown extension (hooks/page_markup.py) and math hook (hooks/mathml.py).

page_markup: test-harness comments never reach the HTML (and one right against a fence
no longer wraps the code block in a paragraph), except inside a fence; code blocks and
formulas are marked for Material's search to skip, prose and inline code are not.
math: TeX becomes MathML; the font subset covers the characters used, their italic
forms, and keeps the OpenType MATH table.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import markdown
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _hook(name):
    spec = importlib.util.spec_from_file_location(f"{name}_hook", ROOT / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


page_markup = _hook("page_markup")
math_hook = _hook("mathml")


EXTENSIONS = ["pymdownx.superfences", "pymdownx.highlight", "admonition", "md_in_html",
              "pymdownx.details", "pymdownx.arithmatex"]


def _html(text: str, extension: bool = True) -> str:
    extra = [page_markup.PageMarkupExtension()] if extension else []
    md = markdown.Markdown(extensions=EXTENSIONS + extra,
                           extension_configs={"pymdownx.arithmatex": {"generic": True}})
    return md.convert(text)


PAGE = """\
Some text with $x^2$ and `inline_code`.

```python
print(1)
```
<!--pytest-codeblocks:expected-output-->
```text
1
```

!!! note "Inside a box"

    ```python
    print(2)
    ```

    <!--pytest-codeblocks:expected-output-->
    ```text
    2
    ```

````markdown
<!--pytest-codeblocks:cont-->
````
"""


def test_test_comments_are_dropped_outside_fences_only():
    html = _html(PAGE)
    assert "<!--pytest" not in html.replace("&lt;!--pytest-codeblocks:cont--&gt;", "")
    assert "&lt;!--pytest-codeblocks:cont--&gt;" in html  # shown inside a fence, kept
    assert "<p>" not in html.split("</p>", 1)[1]  # no paragraph after the first one
    assert html.count('<div class="highlight"') == 5


def test_without_the_extension_the_comment_wraps_the_fence_in_a_paragraph():
    """The bug the preprocessor fixes, in a box (so that the test above can fail)."""
    html = _html(PAGE, extension=False)
    assert '<p><!--pytest-codeblocks:expected-output-->\n<div class="highlight"' in html


def test_code_blocks_and_formulas_are_excluded_from_search():
    html = _html(PAGE)
    assert html.count("data-search-exclude") == html.count("highlight\"") + 1
    assert '<span class="arithmatex" data-search-exclude>' in html
    assert "<code>inline_code</code>" in html  # inline code stays searchable


def test_math_is_mathml_and_errors_are_reported():
    mathml = math_hook.render(r"\frac{\partial L}{\partial z}", True)
    assert mathml.startswith("<math") and "<mfrac>" in mathml and "∂" in mathml
    with pytest.raises(math_hook.TexError):
        math_hook.render(r"\frac{a}{", True)
    page = math_hook.render_page_math('<p><span class="arithmatex" data-search-exclude>'
                                      r"\(a_i\)</span></p>")
    assert page.startswith("<p><math>") and "arithmatex" not in page
    math_hook.on_shutdown()


def test_font_subset_keeps_the_math_table(tmp_path):
    from fontTools.ttLib import TTFont

    chars = math_hook.font_characters(set("∂δ∑("))
    assert {"\U0001d715", "\U0001d6ff", "\U0001d44e", "\u210e"} <= chars  # 𝜕 𝛿 𝑎 ℎ
    dest = tmp_path / "font.woff2"
    math_hook.subset_font(math_hook.FONT_SOURCE, dest, chars)
    with TTFont(dest) as font, TTFont(math_hook.FONT_SOURCE) as source:
        assert "MATH" in font
        available = set(source.getBestCmap())
        assert {ord(c) for c in chars} & available <= set(font.getBestCmap())
        assert ord("∑") in font.getBestCmap() and ord("\U0001d715") in font.getBestCmap()
    assert dest.stat().st_size < 0.25 * math_hook.FONT_SOURCE.stat().st_size


def test_code_tokens_in_the_plain_colour_lose_their_spans():
    html = ('<div class="highlight"><pre><code><span class="n">np</span><span class="o">.</span>'
            '<span class="n">exp</span><span class="p">(</span><span class="w"> </span>'
            '<span class="mi">1</span><span class="p">)</span></code></pre></div>')
    out = page_markup.plain_tokens(html)
    assert out == ('<div class="highlight"><pre><code>np<span class="o">.</span>exp( '
                   '<span class="mi">1</span>)</code></pre></div>')
