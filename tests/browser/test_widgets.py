"""The interactive figures (docs/assets/widgets/) in Chromium, number for number
against the library.

Each widget follows one data contract: a root ``[data-widget=NAME]``, controls that are
form elements with a ``name``, and an ``<output name=...>`` for every number it shows.
For each widget the tests

- set the controls over a grid of states through the DOM (value + input event) and
  read every output; each must equal, to the displayed precision (relative 2e-3 or
  better), what ``backprop`` computes at the same inputs, here and now;
- do the same with the keyboard for at least one control of each widget;
- check axe-core on the widget, and the colours of its plots, in both schemes;
- check the layout at 1280 px and at 390 px (nothing wider than the screen) and save a
  screenshot of each (artifacts/screenshots/widget-*.png);
- check that without JavaScript the page shows the static figure and no controls, and
  that after Material's instant navigation the widget starts and computes;
- and that all the widgets' code together stays within 15 KB gzip.
"""

from __future__ import annotations

import gzip
import re

import numpy as np
import pytest

import sitecheck
from backprop.activations import sigmoid, sigmoid_grad, softmax, softmax_jacobian
from backprop.gradcheck import numerical_gradient, relative_error
from backprop.losses import (
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    mse,
    mse_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)

PAGES = {
    "saturation": "losses/bce-sigmoid/",
    "softmax": "losses/cce-softmax/",
    "epsilon": "practice/gradient-checking/",
}
FALLBACK = {  # the static figure each widget replaces
    "saturation": "assets/generated/bce-vs-mse.svg",
    "softmax": "assets/generated/iris-softmax.svg",
    "epsilon": "assets/generated/epsilon-error.svg",
}
NAMES = list(PAGES)
RTOL = 2e-3  # the bar; four significant digits are good to 5e-4
BUDGET_GZIP = 15_000  # bytes: all widget JavaScript and CSS, gzip-compressed
PHONE = {"width": 390, "height": 844}

# Set controls (state: {name: value}; "click": a button's name), then read the widget:
# every named control's value and every output's text.
_SET_AND_READ_JS = """
([widget, states]) => {
  const form = document.querySelector(`[data-widget="${widget}"] form`);
  const read = () => {
    const controls = {}, outputs = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.tagName === "OUTPUT") outputs[el.name] = el.textContent;
      else if (el.type === "radio") { if (el.checked) controls[el.name] = el.value; }
      else if (el.type === "checkbox") controls[el.name] = el.checked;
      else if (el.tagName !== "BUTTON") controls[el.name] = el.value;
    }
    return {controls, outputs};
  };
  return states.map(state => {
    for (const [key, value] of Object.entries(state)) {
      if (key === "click") { form.elements.namedItem(value).click(); continue; }
      const el = [...form.querySelectorAll(`[name="${key}"]`)]
        .find(e => e.type !== "radio" || e.value === String(value));
      if (!el) throw new Error(`no control ${key} = ${value}`);
      if (el.type === "radio") el.checked = true;
      else if (el.type === "checkbox") el.checked = Boolean(value);
      else el.value = String(value);
      el.dispatchEvent(new Event("input", {bubbles: true}));
      el.dispatchEvent(new Event("change", {bubbles: true}));
    }
    return read();
  });
}
"""


def set_and_read(page, widget: str, states: list[dict]) -> list[dict]:
    return page.evaluate(_SET_AND_READ_JS, [widget, states])


def read(page, widget: str) -> dict:
    return set_and_read(page, widget, [{}])[0]


# --------------------------------------------------------------------------------------
# What the library says, at the inputs a widget shows
# --------------------------------------------------------------------------------------

ETA, STEPS = 0.5, 300  # the training run the saturation widget states on the page


def saturation_expected(controls: dict) -> dict:
    """a = sigma(z), dl/dz for BCE (a - y) and for half squared error, from backprop."""
    z, y = np.array([float(controls["z"])]), np.array([float(controls["y"])])
    bce = binary_cross_entropy_with_logits_grad(z, y, reduction="sum")[0]
    half_mse = 0.5 * (mse_grad(sigmoid(z), y, reduction="sum") * sigmoid_grad(z))[0]
    return {"z_value": z[0], "a": sigmoid(z)[0], "dz_bce": bce, "dz_mse": half_mse,
            "ratio": bce / half_mse}


def training_expected(controls: dict) -> dict:
    """Gradient descent on z = w x + b, x = 1, from w = 0, b = z, with the library's
    losses and gradients: the step at which each loss first halves, the final loss."""
    z0, y = float(controls["z"]), np.array([float(controls["y"])])
    out = {}
    for name in ("bce", "mse"):
        w, b, curve = 0.0, z0, []
        for _ in range(STEPS + 1):
            z = np.array([w * 1.0 + b])
            if name == "bce":
                curve.append(binary_cross_entropy_with_logits(z, y, reduction="sum"))
                g = binary_cross_entropy_with_logits_grad(z, y, reduction="sum")[0]
            else:
                curve.append(0.5 * mse(sigmoid(z), y, reduction="sum"))
                g = 0.5 * (mse_grad(sigmoid(z), y, reduction="sum") * sigmoid_grad(z))[0]
            w, b = w - ETA * g * 1.0, b - ETA * g
        half = next((t for t, v in enumerate(curve) if v <= curve[0] / 2), None)
        out["half_" + name] = "none" if half is None else str(half)
        out["loss_" + name] = float(curve[-1])
    return out


def softmax_expected(controls: dict) -> dict:
    """p = softmax(z / T), y_s = (1 - eps) e_c + eps / 4, g = dl/dz = (dl/du) / T with
    u = z / T (softmax_cross_entropy_grad, reduction "sum"), dp/dz = J(p) / T."""
    T, eps, c = float(controls["temperature"]), float(controls["label_smoothing"]), int(controls["target"])
    z = np.array([[float(controls[f"z{k}"]) for k in range(4)]])
    u = z / T
    ys = (1 - eps) * np.eye(4)[[c]] + eps / 4
    p = softmax(u)[0]
    g = softmax_cross_entropy_grad(u, ys, reduction="sum")[0] / T
    J = softmax_jacobian(softmax(u))[0] / T
    out = {"loss": softmax_cross_entropy(u, ys, reduction="sum"),
           "label_smoothing_value": eps, "temperature_value": T}
    for k in range(4):
        out.update({f"z{k}_value": z[0, k], f"p{k}": p[k], f"ys{k}": ys[0, k], f"g{k}": g[k]})
        out.update({f"J{k}{j}": J[k, j] for j in range(4)})
    return out


X0 = 0.7  # the gradient-checking page's test point for f(x) = 1 / (1 + x^2)


def epsilon_expected(controls: dict, eps: float) -> dict:
    """The central difference of f at 0.7 with step eps: backprop.gradcheck's
    numerical_gradient in float64, or the page's float32 formula in numpy.float32;
    its relative_error against the exact derivative."""
    exact = -2 * X0 / ((1 + X0 * X0) * (1 + X0 * X0))
    if controls["float32"]:
        x, e, one = np.float32(X0), np.float32(eps), np.float32(1)
        f32 = lambda v: one / (one + v * v)  # noqa: E731
        central = float((f32(x + e) - f32(x - e)) / (np.float32(2) * e))
    else:
        central = numerical_gradient(lambda v: 1.0 / (1.0 + v[0] * v[0]), np.array([X0]), eps=eps)[0]
    return {"log10_eps_value": float(controls["log10_eps"]), "eps": eps, "central": central, "exact": exact,
            "rel_error": relative_error(np.array([exact]), np.array([central]))}


# --------------------------------------------------------------------------------------
# Comparing what is shown with what is expected
# --------------------------------------------------------------------------------------

# Entries that are differences of numbers of order 1 (g = (p - y_s)/T, the Jacobian)
# carry an absolute rounding error of about 1e-16 in any implementation; below 1e-12 in
# size they are compared absolutely.
ABSOLUTE_FLOOR = {"g": 1e-12, "J": 1e-12}
COUNTS = {"half_bce", "half_mse"}  # integers, compared exactly
ECHOES = re.compile(r"_value$")  # a control's own value, shown exactly as set


def significant_digits(text: str) -> int:
    mantissa = re.sub(r"[eE].*$", "", text.lstrip("-"))
    return len(mantissa.replace(".", "").lstrip("0"))


def mismatches(shown: dict, expected: dict, rtol: float = RTOL, tight: dict | None = None) -> list[str]:
    """Every output must be expected, parse as a number (to >= 4 significant digits,
    unless 0 or an exact echo), and agree with the expected value."""
    problems = [f"output {n!r} has no expected value" for n in shown if n not in expected]
    for name, want in expected.items():
        text = shown.get(name)
        if text is None:
            problems.append(f"no output {name!r}")
            continue
        if name in COUNTS:
            if text != want:
                problems.append(f"{name}: shown {text!r}, library {want!r}")
            continue
        want = float(want)
        try:
            value = float(text)
        except ValueError:
            problems.append(f"{name}: {text!r} is not a number")
            continue
        if value != 0 and not ECHOES.search(name) and significant_digits(text) < 4:
            problems.append(f"{name}: {text!r} shows fewer than 4 significant digits")
        tol = (tight or {}).get(name, rtol) * abs(want) + ABSOLUTE_FLOOR.get(name[0], 0)
        if not abs(value - want) <= tol:
            problems.append(f"{name}: shown {text}, library {want!r} "
                            f"(relative error {abs(value - want) / abs(want) if want else float('inf'):.1e})")
    return problems


def check(problems: list[str], what: str) -> None:
    if problems:
        shown = problems[:25] + ([f"... and {len(problems) - 25} more"] if len(problems) > 25 else [])
        pytest.fail(f"{what}:\n  - " + "\n  - ".join(shown), pytrace=False)


# --------------------------------------------------------------------------------------
# Fixtures: one context, one tab per widget page
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def context(browser):
    ctx = browser.new_context(viewport=sitecheck.VIEWPORT, color_scheme="light")
    yield ctx
    ctx.close()


def open_widget(context, server, name: str):
    """A tab on the widget's page, once the widget has started; and its JS errors."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server.base + PAGES[name])
    page.wait_for_selector(f'[data-widget="{name}"][data-ready]', timeout=10_000)
    return page, errors


@pytest.fixture(scope="module")
def widget_tab(context, server):
    tabs = {}

    def get(name):
        if name not in tabs:
            tabs[name] = open_widget(context, server, name)
        return tabs[name]

    yield get
    for page, _ in tabs.values():
        page.close()


# --------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------


def test_saturation_grid(widget_tab):
    page, errors = widget_tab("saturation")
    zs = [float(round(v, 1)) for v in np.arange(-10, 10.01, 0.5)] + [-9.9, -0.7, 0.1, 3.7, 9.9]
    states = [{"z": z, "y": y} for y in (0, 1) for z in zs]
    problems = []
    for state, got in zip(states, set_and_read(page, "saturation", states)):
        if float(got["controls"]["z"]) != state["z"] or got["controls"]["y"] != str(state["y"]):
            problems.append(f"{state}: the controls hold {got['controls']}")
        expected = saturation_expected(got["controls"])
        shown = dict(got["outputs"])
        for n in ("half_bce", "half_mse", "loss_bce", "loss_mse"):  # no run for this state yet
            if shown.pop(n) != "":
                problems.append(f"{state}: {n} shows a run that was not started")
        problems += [f"{state}: {p}" for p in mismatches(shown, expected)]
    check(problems + errors, "saturation widget against backprop")


def test_saturation_training(widget_tab):
    """'Train' from saturated starts, both targets, and from unsaturated ones."""
    page, errors = widget_tab("saturation")
    starts = [(-8, 1), (-5, 1), (-3, 1), (0.5, 1), (5, 0), (8, 0), (-2, 0)]
    states = [{"z": z, "y": y, "click": "train"} for z, y in starts]
    problems = []
    for state, got in zip(states, set_and_read(page, "saturation", states)):
        expected = saturation_expected(got["controls"]) | training_expected(got["controls"])
        problems += [f"{state}: {p}" for p in mismatches(got["outputs"], expected)]
    # The slowdown itself: from a saturated wrong start, squared error takes far longer.
    got = set_and_read(page, "saturation", [{"z": -5, "y": 1, "click": "train"}])[0]["outputs"]
    if not int(got["half_mse"]) > 20 * int(got["half_bce"]):
        problems.append(f"from z = -5, y = 1: halving steps {got['half_bce']} (BCE) and "
                        f"{got['half_mse']} (MSE) do not show the slowdown")
    check(problems + errors, "saturation widget, training, against backprop")


def test_softmax_grid(widget_tab):
    page, errors = widget_tab("softmax")
    rng = np.random.default_rng(0)
    states = []
    for _ in range(40):
        state = {f"z{k}": round(float(rng.integers(-50, 51)) / 10, 1) for k in range(4)}
        state.update(target=int(rng.integers(0, 4)),
                     label_smoothing=float(rng.choice([0, 0.01, 0.1, 0.25, 0.37, 0.5])),
                     temperature=float(rng.choice([0.25, 0.5, 0.75, 1, 2.35, 5])))
        states.append(state)
    states += [  # equal logits; one dominant logit at the lowest temperature; the extremes
        {"z0": 0, "z1": 0, "z2": 0, "z3": 0, "target": 0, "label_smoothing": 0, "temperature": 1},
        {"z0": 5, "z1": -5, "z2": -5, "z3": -5, "target": 0, "label_smoothing": 0, "temperature": 0.25},
        {"z0": 5, "z1": -5, "z2": -5, "z3": -5, "target": 3, "label_smoothing": 0.5, "temperature": 0.25},
        {"z0": -5, "z1": 5, "z2": 5, "z3": -5, "target": 1, "label_smoothing": 0.5, "temperature": 5},
    ]
    problems = []
    for state, got in zip(states, set_and_read(page, "softmax", states)):
        problems += [f"{state}: {p}" for p in mismatches(got["outputs"], softmax_expected(got["controls"]))]
    check(problems + errors, "softmax widget against backprop")


def test_epsilon_grid(widget_tab):
    page, errors = widget_tab("epsilon")
    states = [{"log10_eps": round(-12 + i / 10, 1), "float32": single}
              for single in (False, True) for i in range(111)]
    problems = []
    for state, got in zip(states, set_and_read(page, "epsilon", states)):
        problems += [f"{state}: {p}" for p in epsilon_problems(got)]
    check(problems + errors, "epsilon widget against backprop.gradcheck")


def epsilon_problems(got: dict) -> list[str]:
    """The step shown is 10^v to 4 digits, and the same arithmetic on it (float64:
    gradcheck.numerical_gradient; float32: numpy.float32) gives the numbers shown. The
    central difference and f' are shown to 12 digits, and must agree to 12 digits."""
    v = float(got["controls"]["log10_eps"])
    eps = float(got["outputs"]["eps"])
    problems = [] if abs(eps / 10**v - 1) <= 5e-4 else [f"eps {eps} is not 10^{v}"]
    return problems + mismatches(got["outputs"], epsilon_expected(got["controls"], eps),
                                 tight={"central": 1e-11, "exact": 1e-11})


# --------------------------------------------------------------------------------------
# Keyboard
# --------------------------------------------------------------------------------------


def press(page, selector: str, *keys: str) -> None:
    control = page.locator(selector)
    control.focus()
    for key in keys:
        page.keyboard.press(key)


def test_saturation_keyboard(context, server):
    page, errors = open_widget(context, server, "saturation")
    try:
        root = '[data-widget="saturation"]'
        press(page, f'{root} [name="z"]', "ArrowRight", "ArrowRight", "ArrowRight")
        first = read(page, "saturation")
        press(page, f'{root} [name="z"]', "Home")
        home = read(page, "saturation")
        press(page, f'{root} [name="y"][value="1"]', "ArrowLeft")  # radio group: moves to y = 0
        press(page, f'{root} [name="z"]', "End")
        press(page, f'{root} [name="train"]', "Enter")
        trained = read(page, "saturation")
        page.keyboard.press("Space")  # the button still has the focus
        again = read(page, "saturation")
    finally:
        page.close()
    problems = []
    if first["controls"] != {"z": "-4.7", "y": "1"}:
        problems.append(f"three ArrowRight from z = -5: {first['controls']}")
    if home["controls"]["z"] != "-10" or trained["controls"] != {"z": "10", "y": "0"}:
        problems.append(f"Home, ArrowLeft on y, End: {home['controls']}, {trained['controls']}")
    for got in (first, home):
        shown = {k: v for k, v in got["outputs"].items() if not k.startswith(("half", "loss"))}
        problems += mismatches(shown, saturation_expected(got["controls"]))
    for got in (trained, again):
        expected = saturation_expected(got["controls"]) | training_expected(got["controls"])
        problems += mismatches(got["outputs"], expected)
    check(problems + errors, "saturation widget by keyboard")


def test_softmax_keyboard(context, server):
    page, errors = open_widget(context, server, "softmax")
    try:
        root = '[data-widget="softmax"]'
        press(page, f'{root} [name="z0"]', *["ArrowLeft"] * 5)
        press(page, f'{root} [name="target"][value="2"]', "ArrowRight")
        press(page, f'{root} [name="label_smoothing"]', *["ArrowRight"] * 10)
        press(page, f'{root} [name="temperature"]', "ArrowRight", "ArrowRight")
        got = read(page, "softmax")
    finally:
        page.close()
    want = {"z0": "1.5", "z1": "1", "z2": "0.1", "z3": "-1", "target": "3",
            "label_smoothing": "0.1", "temperature": "1.1"}
    problems = [] if got["controls"] == want else [f"controls after the keys: {got['controls']}, expected {want}"]
    check(problems + mismatches(got["outputs"], softmax_expected(got["controls"])) + errors,
          "softmax widget by keyboard")


def test_epsilon_keyboard(context, server):
    page, errors = open_widget(context, server, "epsilon")
    try:
        root = '[data-widget="epsilon"]'
        press(page, f'{root} [name="log10_eps"]', *["ArrowLeft"] * 10)
        single64 = read(page, "epsilon")
        press(page, f'{root} [name="float32"]', "Space")
        single32 = read(page, "epsilon")
    finally:
        page.close()
    problems = []
    if single64["controls"] != {"log10_eps": "-7", "float32": False}:
        problems.append(f"ten ArrowLeft from -6: {single64['controls']}")
    if single32["controls"] != {"log10_eps": "-7", "float32": True}:
        problems.append(f"Space on the float32 box: {single32['controls']}")
    check(problems + epsilon_problems(single64) + epsilon_problems(single32) + errors,
          "epsilon widget by keyboard")


# --------------------------------------------------------------------------------------
# Accessibility, colours, layout
# --------------------------------------------------------------------------------------

# Contrast of what the plots draw, against the page behind them: text 4.5:1, lines and
# bars 3:1 (WCAG 1.4.11, graphical objects).
_PLOT_COLOURS_JS = """
(widget) => {
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : m.concat([1]); };
  const lum = c => { const f = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const over = (a, b) => [0, 1, 2].map(i => a[i] * a[3] + b[i] * (1 - a[3])).concat([1]);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const bg = parse(getComputedStyle(document.body).backgroundColor);
  const root = document.querySelector(`[data-widget="${widget}"]`);
  const found = [];
  const add = (el, kind, prop, need) => {
    const style = getComputedStyle(el);
    const colour = parse(style[prop]), alpha = parseFloat(style[prop === "fill" ? "fillOpacity" : "strokeOpacity"]);
    const shown = over([colour[0], colour[1], colour[2], colour[3] * alpha], bg);
    found.push({kind, cls: el.getAttribute("class") || el.tagName, text: el.textContent.slice(0, 20),
                ratio: ratio(shown, bg), need});
  };
  root.querySelectorAll("svg text").forEach(t => { if (t.textContent.trim()) add(t, "text", "fill", 4.5); });
  root.querySelectorAll("svg .bw-s1:not(text), svg .bw-s2:not(text), svg .bw-bar2, svg .bw-axis")
    .forEach(p => add(p, "line", "stroke", 3));
  root.querySelectorAll("svg .bw-bar1").forEach(r => add(r, "bar", "fill", 3));
  return found;
}
"""


_LAYOUT_JS = """
(name) => {
  const root = document.querySelector(`[data-widget="${name}"]`);
  const controls = [...root.querySelectorAll("input, button")].map(el => {
    const b = (el.type === "radio" || el.type === "checkbox") && el.closest("label")
      ? el.closest("label").getBoundingClientRect() : el.getBoundingClientRect();
    return {name: el.name + (el.type === "radio" ? "=" + el.value : ""),
            left: b.left, right: b.right, width: b.width, height: b.height};
  });
  return {page: document.documentElement.scrollWidth,
          widest: Math.max(...[...root.querySelectorAll("*")].map(e => e.getBoundingClientRect().right)),
          controls};
}
"""


def axe_problems_inside(page, name: str) -> list[str]:
    """axe-core's violations (every rule, any impact) inside the widget."""
    return [f"axe {v['impact']} {v['id']} ({v['help']}) at {n['target']}: {' '.join(n['summary'].split())}"
            for v in sitecheck.axe_violations(page, include=[[f'[data-widget="{name}"]']]) for n in v["nodes"]]


def layout_problems(page, name: str, width: int) -> list[str]:
    """Nothing of the widget wider than the screen; every control on screen and at
    least 24 px in both directions (WCAG 2.5.8, target size)."""
    info = page.evaluate(_LAYOUT_JS, name)
    problems = []
    if info["page"] > width or info["widest"] > width:
        problems.append(f"wider than the {width} px screen: page {info['page']} px, "
                        f"widget content to {info['widest']:.0f} px")
    for c in info["controls"]:
        if c["left"] < 0 or c["right"] > width:
            problems.append(f"control {c['name']} off screen ({c['left']:.0f}..{c['right']:.0f} px)")
        if min(c["width"], c["height"]) < 24:
            problems.append(f"control {c['name']} is {c['width']:.0f} x {c['height']:.0f} px, under 24 px")
    return problems


@pytest.mark.parametrize("name", NAMES)
def test_widget_accessibility_and_layout(name, browser, server):
    """In each colour scheme (the page opens in the default one, the palette toggle
    switches it to slate), with the training run shown: axe-core finds nothing inside
    the widget; every text, line and bar of its plots has enough contrast; at 1280 px and
    at 390 px it fits the screen. Screenshots of each for review
    (artifacts/screenshots/widget-NAME-WIDTH-SCHEME.png). One load of the page."""
    context = browser.new_context(viewport=sitecheck.VIEWPORT, color_scheme="light")
    try:
        page, errors = open_widget(context, server, name)
        if name == "saturation":
            page.locator('[name="train"]').click()
        problems = []
        for n, scheme in enumerate(("default", "slate")):
            if n:
                page.set_viewport_size(sitecheck.VIEWPORT)
                problems += sitecheck.toggle_scheme_problems(page, check_contrast=False)
            if sitecheck.scheme(page) != scheme:
                problems.append(f"scheme {sitecheck.scheme(page)!r}, expected {scheme!r}")
            problems += [f"[{scheme}] {p}" for p in axe_problems_inside(page, name)]
            colours = page.evaluate(_PLOT_COLOURS_JS, name)
            problems += [f"[{scheme}] {c['kind']} {c['cls']} {c['text']!r}: contrast "
                         f"{c['ratio']:.2f} < {c['need']}" for c in colours if c["ratio"] < c["need"]]
            if not colours:
                problems.append(f"[{scheme}] no plot found in the widget")
            # the sticky header hidden while measuring and taking screenshots (its palette
            # toggle is shown again for the switch to slate)
            hide = page.add_style_tag(
                content=".md-header, .md-tabs, .md-top { visibility: hidden !important; }")
            for viewport in (sitecheck.VIEWPORT, PHONE):
                width = viewport["width"]
                page.set_viewport_size(viewport)
                problems += [f"[{scheme}] {width} px: {p}" for p in layout_problems(page, name, width)]
                sitecheck.screenshot(page.locator(f'[data-widget="{name}"]'),
                                     f"widget-{name}-{width}-{scheme}.png")
            hide.evaluate("el => el.remove()")
        check(problems + errors, f"{name} widget")
    finally:
        context.close()


# --------------------------------------------------------------------------------------
# Without JavaScript; after instant navigation; weight
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_static_figure_without_javascript(name, browser, server):
    context = browser.new_context(viewport=sitecheck.VIEWPORT, java_script_enabled=False)
    try:
        page = context.new_page()
        figures = []
        page.on("response", lambda r: figures.append(r.status) if r.url.endswith(FALLBACK[name]) else None)
        page.goto(server.base + PAGES[name], wait_until="load")
        root = page.locator(f'[data-widget="{name}"]')
        image = root.locator(f'figure.bw-fallback img[src$="{FALLBACK[name]}"]')
        problems = []
        if root.count() != 1:
            problems.append(f"expected one [data-widget={name}], found {root.count()}")
        elif not image.is_visible():
            problems.append(f"the static figure {FALLBACK[name]} is not shown")
        if figures != [200]:
            problems.append(f"{FALLBACK[name]} responses: {figures}")
        if root.locator("form").is_visible():
            problems.append("the widget's controls show although no script can run them")
        check(problems, f"{name} widget with JavaScript off")
    finally:
        context.close()


def test_widgets_after_instant_navigation(browser, server, site_dir):
    """One tab, as a reader's: home -> each widget page -> the first again, each by
    clicking a link (Material swaps the page in; no script runs again). Every time, the
    widget must start, hide its static figure, and compute."""
    context = browser.new_context(viewport=sitecheck.VIEWPORT, color_scheme="light")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.base)
        problems = []
        for name in NAMES + NAMES[:1]:
            url = PAGES[name]
            problems += sitecheck.instant_navigation_problems(
                page, server, url, sitecheck.page_title(site_dir, url), None, check_math=False)
            try:
                page.wait_for_selector(f'[data-widget="{name}"][data-ready]', timeout=5000)
            except Exception:  # noqa: BLE001 - timeout
                problems.append(f"/{url}: the widget did not start after instant navigation")
                continue
            if page.locator(f'[data-widget="{name}"] .bw-fallback').is_visible():
                problems.append(f"/{url}: the static figure still shows")
            state = {"saturation": {"z": -3.3, "y": 0, "click": "train"},
                     "softmax": {"z1": 2.5, "target": 1, "label_smoothing": 0.2, "temperature": 0.5},
                     "epsilon": {"log10_eps": -9.3, "float32": True}}[name]
            got = set_and_read(page, name, [state])[0]
            if name == "saturation":
                want = saturation_expected(got["controls"]) | training_expected(got["controls"])
                problems += mismatches(got["outputs"], want)
            elif name == "softmax":
                problems += mismatches(got["outputs"], softmax_expected(got["controls"]))
            else:
                problems += epsilon_problems(got)
            if page.locator("[data-widget]").count() != 1:
                problems.append(f"/{url}: {page.locator('[data-widget]').count()} widgets on the page")
        check(problems + errors, "widgets after instant navigation")
    finally:
        context.close()


def test_widget_code_budget(site_dir):
    """All the widgets' JavaScript and CSS, as built, within 15 KB gzip; and every
    widget page loads each file."""
    files = sorted((site_dir / "assets" / "widgets").glob("*.[jc]s*"))
    assert {f.suffix for f in files} == {".js", ".css"}, f"widget files in the built site: {files}"
    sizes = {f.name: len(gzip.compress(f.read_bytes(), compresslevel=9)) for f in files}
    total = sum(sizes.values())
    assert total <= BUDGET_GZIP, f"widget code {total} B gzip > {BUDGET_GZIP} B: {sizes}"
    for name, url in PAGES.items():
        html = (site_dir / url / "index.html").read_text(encoding="utf-8")
        missing = [f.name for f in files if f"assets/widgets/{f.name}" not in html]
        assert not missing, f"/{url} does not load {missing}"
        assert html.count(f'data-widget="{name}"') == 1, f"/{url}: no (or more than one) {name} widget"
