// Saturation (losses/bce-sigmoid): the gradient at the logit of one sigmoid unit under
// binary cross-entropy and under half squared error, and gradient descent with each.
(function () {
  "use strict";
  const ETA = 0.5, STEPS = 300; // learning rate and length of a "train" run

  // sigma(z) = e^(z - c) / (e^-c + e^(z - c)), c = max(z, 0): as backprop.activations.
  const sigmoid = z => {
    const top = Math.exp(Math.min(z, 0));
    return top / (top + Math.exp(-Math.max(z, 0)));
  };
  // [BCE, half squared error]: dl/dz = a - y and (a - y) a (1 - a), with a = sigma(z) ...
  const grads = (z, y) => {
    const a = sigmoid(z);
    return [a - y, (a - y) * a * (1 - a)];
  };
  // ... and the losses: log(1 + e^z) - yz in its overflow-free form, and (a - y)^2 / 2.
  const losses = (z, y) => {
    const a = sigmoid(z);
    return [Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z, 0.5 * (a - y) * (a - y)];
  };

  // Gradient descent on one neuron z = w x + b with input x = 1, from w = 0, b = z0; loss
  // k (0: BCE, 1: half squared error) at steps 0..STEPS.
  function train(z0, y, k) {
    let w = 0, b = z0;
    const curve = [];
    for (let t = 0; t <= STEPS; t++) {
      const z = w * 1 + b;
      curve.push(losses(z, y)[k]);
      const g = grads(z, y)[k] * 1; // dl/dw = dl/dz x, dl/db = dl/dz
      w -= ETA * g;
      b -= ETA * g;
    }
    return curve;
  }

  BW.on("saturation", function (w) {
    const zs = [];
    for (let i = 0; i <= 200; i++) zs.push(-10 + i / 10);
    const g = BW.plot(w.root.querySelector(".bw-grad"), {
      label: "Gradient magnitude at the logit against z for both losses, logarithmic scale, with the current z marked",
      x: [-10, 10], y: [1e-10, 1], ylog: true, xt: [-10, -5, 0, 5, 10], yt: [1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1],
      xlabel: "logit z", ylabel: "|\u2202\u2113/\u2202z|",
    });
    const shade = BW.svg("rect", { class: "bw-shade", y: g.y(1), height: g.y(1e-10) - g.y(1), width: g.x(0) - g.x(-10) }, g.svg);
    const curves = [0, 1].map(k => BW.svg("path", { class: "bw-s" + (k + 1) }, g.svg));
    const now = BW.svg("line", { class: "bw-now", y1: g.y(1), y2: g.y(1e-10) }, g.svg);
    const dots = [0, 1].map(k => BW.svg("circle", { class: "bw-dot bw-s" + (k + 1), r: 3.5 }, g.svg));

    const t = BW.plot(w.root.querySelector(".bw-train"), {
      label: "Loss relative to its start against the step of gradient descent, for both losses",
      x: [0, STEPS], y: [0, 1], xt: [0, 100, 200, 300], yt: [0, 0.5, 1],
      xlabel: "step", ylabel: "loss / loss at step 0", fy: v => v.toFixed(1),
    });
    const runs = [0, 1].map(k => BW.svg("path", { class: "bw-s" + (k + 1) }, t.svg));
    const hint = BW.svg("text", { x: t.x(STEPS / 2), y: t.y(0.5), "text-anchor": "middle" }, t.svg);
    let lastY = null;

    function clearTraining() {
      runs.forEach(p => p.setAttribute("d", ""));
      hint.textContent = "Press Train to run gradient descent";
      for (const n of ["half_bce", "half_mse", "loss_bce", "loss_mse"]) w.show(n, "");
    }

    function update() {
      const z = w.num("z"), y = w.num("y"), a = sigmoid(z), d = grads(z, y);
      w.show("z_value", z.toFixed(1));
      w.show("a", a);
      w.show("dz_bce", d[0]);
      w.show("dz_mse", d[1]);
      w.show("ratio", d[0] / d[1]);
      if (y !== lastY) {
        lastY = y;
        curves.forEach((c, k) => c.setAttribute("d", g.line(zs.map(v => [v, Math.abs(grads(v, y)[k])]))));
        shade.setAttribute("x", y ? g.x(-10) : g.x(0)); // the half where the unit is wrong
      }
      now.setAttribute("x1", g.x(z));
      now.setAttribute("x2", g.x(z));
      dots.forEach((c, k) => { c.setAttribute("cx", g.x(z)); c.setAttribute("cy", g.y(Math.abs(d[k]))); });
      clearTraining();
    }

    w.el("train").addEventListener("click", function () {
      const z0 = w.num("z"), y = w.num("y");
      hint.textContent = "";
      ["bce", "mse"].forEach((name, k) => {
        const curve = train(z0, y, k), half = curve.findIndex(v => v <= curve[0] / 2);
        runs[k].setAttribute("d", t.line(curve.map((v, i) => [i, v / curve[0]])));
        w.show("half_" + name, half < 0 ? "none" : String(half));
        w.show("loss_" + name, curve[STEPS]);
      });
    });
    w.form.addEventListener("input", update);
    update();
  });
})();
