"""hooks/derivations.py: a derivation becomes rows of (left, right, justification),
and anything that is not a derivation is left exactly as it was."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("derivations_hook", ROOT / "hooks" / "derivations.py")
derivations = importlib.util.module_from_spec(spec)
spec.loader.exec_module(derivations)


def display(tex: str) -> str:
    return f'<div class="arithmatex">\\[{tex}\\]</div>'


def test_rows_and_cells():
    tex = r"""\begin{aligned}
    \frac{\partial L}{\partial a} &= \frac{1}{n}\sum_i \ell_i && \text{definition of } L\\
    &= \frac{1}{n}\,\ell_j && \text{only term } j \text{ has } a_j\\[4pt]
    &= x
    \end{aligned}"""
    assert derivations.derivation_rows(tex) == [
        (r"\frac{\partial L}{\partial a}", r"= \frac{1}{n}\sum_i \ell_i", r"\text{definition of } L"),
        ("", r"= \frac{1}{n}\,\ell_j", r"\text{only term } j \text{ has } a_j"),
        ("", "= x", ""),
    ]


def test_nested_environments_and_braces_keep_their_separators():
    tex = r"""\begin{aligned}
    f &= \begin{cases} 1 & x > 0\\ 0 & \text{else} \end{cases} && \text{cases}\\
    &= \{a \& b\} && \text{a brace and an ampersand, escaped}
    \end{aligned}"""
    rows = derivations.derivation_rows(tex)
    assert rows[0] == ("f", r"= \begin{cases} 1 & x > 0\\ 0 & \text{else} \end{cases}",
                       r"\text{cases}")
    assert rows[1] == ("", r"= \{a \& b\}", r"\text{a brace and an ampersand, escaped}")


@pytest.mark.parametrize("tex", [
    r"a = b",  # not aligned
    r"\begin{aligned} a &= b\\ &= c \end{aligned}",  # no justification at all
    r"\begin{aligned} a &= b & c &= d \end{aligned}",  # two equations side by side
    r"x + \begin{aligned} a &= b && \text{j} \end{aligned}",  # aligned inside more
])
def test_other_formulas_are_left_alone(tex):
    page = f"<p>before</p>{display(tex)}<p>after</p>"
    assert derivations.rewrite(page) == page


def test_html_rows_render_each_cell_as_display_style_inline_math():
    page = display(r"\begin{aligned} a &< b && \text{because } a \ne b \end{aligned}".replace("<", "&lt;"))
    out = derivations.rewrite(page)
    assert out.startswith('<div class="derivation">') and out.count("derivation__row") == 1
    assert r'<span class="arithmatex">\(\displaystyle a\)</span>' in out
    assert r'<span class="arithmatex">\(\displaystyle {}&lt; b\)</span>' in out  # escaped again
    assert r'<span class="arithmatex">\(\text{because } a \ne b\)</span>' in out


def test_attributes_of_the_formula_stay_on_the_grid():
    page = '<div class="arithmatex" data-search-exclude>\\[\\begin{aligned} a &= b && \\text{j} \\end{aligned}\\]</div>'
    assert derivations.rewrite(page).startswith('<div class="derivation" data-search-exclude>')
