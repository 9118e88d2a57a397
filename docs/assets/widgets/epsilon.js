// Choosing eps (practice/gradient-checking): the central difference of the page's
// f(x) = 1 / (1 + x^2) at x = 0.7 against its exact derivative, for a step eps = 10^v, in
// float64 (JavaScript's numbers) or float32 (every operation rounded by Math.fround).
// Only +, -, * and / are used, which IEEE 754 rounds the same everywhere: the error shown
// is the one NumPy gives for the same eps.
(function () {
  "use strict";
  const X = 0.7, F32 = Math.fround;
  const EXACT = (-2 * X) / ((1 + X * X) * (1 + X * X));
  const f = x => 1 / (1 + x * x);
  const f32 = x => F32(1 / F32(1 + F32(x * x)));

  function central(eps, single) {
    if (!single) return (f(X + eps) - f(X - eps)) / (2 * eps);
    const x = F32(X), e = F32(eps);
    return F32(F32(f32(F32(x + e)) - f32(F32(x - e))) / F32(2 * e));
  }
  // |a - b| / max(|a|, |b|), as backprop.gradcheck.relative_error
  const relError = (a, b) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
  // The step for a slider value v: 10^v to four significant digits, the number shown.
  const step = v => Number(Math.pow(10, v).toPrecision(4));

  // |f| and |f'''| at X, for the two terms of the error model eps^2 |f'''| / 6 + u |f| / eps
  // (relative to |f'|): f''' = 24 x (1 - x^2) / (1 + x^2)^4.
  const F = f(X), F3 = Math.abs((24 * X * (1 - X * X)) / Math.pow(1 + X * X, 4));

  BW.on("epsilon", function (w) {
    const vs = [];
    for (let i = 0; i <= 550; i++) vs.push(-12 + i / 50);
    const p = BW.plot(w.root.querySelector(".bw-eps"), {
      w: 340, label: "Relative error of the central difference against the step eps, both axes logarithmic, float64 and float32, with the current step marked",
      x: [1e-12, 0.1], y: [1e-12, 2], xlog: true, ylog: true,
      xt: [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2], yt: [1e-12, 1e-9, 1e-6, 1e-3, 1],
      xlabel: "step \u03b5", ylabel: "relative error",
    });
    const curves = [false, true].map((single, k) => {
      const d = p.line(vs.map(v => [Math.pow(10, v), relError(EXACT, central(Math.pow(10, v), single))]));
      return BW.svg("path", { class: "bw-s" + (k + 1), d }, p.svg);
    });
    const labels = ["float64", "float32"].map((text, k) => {
      const t = BW.svg("text", { class: "bw-s" + (k + 1), x: p.x(k ? 2e-3 : 1e-4), y: p.y(k ? 3e-8 : 1e-10) }, p.svg);
      t.textContent = text;
      return t;
    });
    const trunc = BW.svg("path", {}, p.svg), round = BW.svg("path", {}, p.svg);
    const inBox = pts => p.line(pts.filter(q => q[1] >= 1e-12 && q[1] <= 2));
    const now = BW.svg("line", { class: "bw-now", y1: p.y(2), y2: p.y(1e-12) }, p.svg);
    const dot = BW.svg("circle", { class: "bw-dot bw-s1", r: 3.5 }, p.svg);

    function update() {
      const single = w.el("float32").checked, k = single ? 1 : 0;
      const v = w.num("log10_eps"), eps = step(v), g = central(eps, single), err = relError(EXACT, g);
      w.show("log10_eps_value", v.toFixed(1));
      w.show("eps", eps);
      w.show("central", g, 12);
      w.show("exact", EXACT, 12);
      w.show("rel_error", err);
      now.setAttribute("x1", p.x(eps));
      now.setAttribute("x2", p.x(eps));
      dot.setAttribute("cx", p.x(eps));
      dot.setAttribute("cy", p.y(err));
      dot.setAttribute("class", "bw-dot bw-s" + (k + 1));
      curves.forEach((c, i) => c.classList.toggle("bw-thin", i !== k));
      labels.forEach((t, i) => t.setAttribute("font-weight", i === k ? "bold" : "normal"));
      // The model of the error, for the precision chosen: truncation and rounding.
      const u = single ? Math.pow(2, -24) : Math.pow(2, -53), g1 = Math.abs(EXACT);
      const cls = "bw-model bw-s" + (k + 1);
      trunc.setAttribute("class", cls);
      round.setAttribute("class", cls);
      trunc.setAttribute("d", inBox(vs.map(v => [Math.pow(10, v), (Math.pow(10, 2 * v) * F3) / 6 / g1])));
      round.setAttribute("d", inBox(vs.map(v => [Math.pow(10, v), (u * F) / Math.pow(10, v) / g1])));
    }

    w.form.addEventListener("input", update);
    update();
  });
})();
