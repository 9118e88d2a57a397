// Softmax explorer (losses/cce-softmax): four logits z, a target class, label smoothing
// eps and a temperature T. p = softmax(z / T), smoothed target y_s = (1 - eps) e_c + eps/4,
// loss -sum y_s log p, its gradient g = (p - y_s) / T at z, and dp/dz = (diag(p) - p p^T) / T.
(function () {
  "use strict";
  const K = 4, ks = [0, 1, 2, 3];

  BW.on("softmax", function (w) {
    const box = w.root.querySelector(".bw-plots");
    const bars = document.createElement("div"), grads = document.createElement("div");
    box.append(bars, grads);
    const table = document.createElement("table"), jac = document.createElement("table");
    table.className = jac.className = "bw-jac";
    const out = n => '<td><output name="' + n + '"></output></td>';
    table.innerHTML = "<caption>Per class k</caption><tr><th scope=col>k</th><th scope=col>p<sub>k</sub></th>" +
      "<th scope=col>y<sub>s,k</sub></th><th scope=col>g<sub>k</sub> = \u2202\u2113/\u2202z<sub>k</sub></th></tr>" +
      ks.map(k => "<tr><th scope=row>" + k + "</th>" + out("p" + k) + out("ys" + k) + out("g" + k) + "</tr>").join("");
    jac.innerHTML = "<caption>Jacobian \u2202p<sub>i</sub>/\u2202z<sub>j</sub> (row i, column j)</caption>" +
      "<tr><td></td>" + ks.map(j => "<th scope=col>z<sub>" + j + "</sub></th>").join("") + "</tr>" +
      ks.map(i => "<tr><th scope=row>p<sub>" + i + "</sub></th>" + ks.map(j => out("J" + i + j)).join("") + "</tr>").join("");
    w.root.querySelector(".bw-tables").append(table, jac);
    jac.querySelectorAll("output").forEach(o => o.setAttribute("aria-live", "off"));

    const top = BW.plot(bars, {
      label: "Bars: the probabilities p and the smoothed target y_s of each class",
      x: [-0.5, 3.5], y: [0, 1], xt: ks, yt: [0, 0.5, 1], fx: k => "class " + k, fy: v => v.toFixed(1),
      xlabel: "solid: p, dashed: target y\u209b", ylabel: "probability",
    });
    const pBars = ks.map(() => BW.svg("rect", { class: "bw-bar1", width: 22 }, top.svg));
    const yBars = ks.map(() => BW.svg("rect", { class: "bw-bar2", width: 22 }, top.svg));
    let bottom = null, gBars = [], range = 0;

    function gPlot(G) { // the gradient's axis runs from -G to G; redrawn when G changes
      grads.textContent = "";
      bottom = BW.plot(grads, {
        label: "Bars: the gradient of the loss at each logit",
        x: [-0.5, 3.5], y: [-G, G], xt: ks, yt: [-G, 0, G], fx: k => "class " + k,
        xlabel: "g = (p \u2212 y\u209b) / T", ylabel: "\u2202\u2113/\u2202z",
      });
      gBars = ks.map(() => BW.svg("rect", { class: "bw-bar1", width: 30 }, bottom.svg));
      range = G;
    }

    function update() {
      const T = w.num("temperature"), eps = w.num("label_smoothing"), c = w.num("target");
      const u = ks.map(k => w.num("z" + k) / T), m = Math.max(...u);
      const e = u.map(v => Math.exp(v - m)), s = e.reduce((a, b) => a + b, 0);
      const p = e.map(v => v / s);
      const ys = ks.map(k => (k === c ? 1 - eps : 0) + eps / K);
      const g = ks.map(k => (p[k] - ys[k]) / T);
      const loss = -ks.reduce((acc, k) => acc + ys[k] * (u[k] - m - Math.log(s)), 0);
      ks.forEach(k => w.show("z" + k + "_value", w.num("z" + k).toFixed(1)));
      w.show("label_smoothing_value", eps.toFixed(2));
      w.show("temperature_value", T.toFixed(2));
      w.show("loss", loss);
      const J = ks.map(i => ks.map(j => (p[i] * ((i === j ? 1 : 0) - p[j])) / T));
      const big = Math.max(...J.map(r => Math.max(...r.map(Math.abs))));
      ks.forEach(i => ks.forEach(j => {
        const cell = w.el("J" + i + j), v = J[i][j], alpha = (Math.abs(v) / big).toFixed(3);
        w.show("J" + i + j, v);
        cell.parentNode.style.background =
          "rgba(var(--bw-" + (v >= 0 ? 1 : 2) + "-rgb), calc(var(--bw-tint) * " + alpha + "))";
      }));
      const G = [1, 2, 4, 8].find(v => v >= Math.max(...g.map(Math.abs))) || 8;
      if (G !== range) gPlot(G);
      ks.forEach(k => {
        w.show("p" + k, p[k]);
        w.show("ys" + k, ys[k]);
        w.show("g" + k, g[k]);
        const x = top.x(k);
        pBars[k].setAttribute("x", x - 24);
        pBars[k].setAttribute("y", top.y(p[k]));
        pBars[k].setAttribute("height", top.y(0) - top.y(p[k]));
        yBars[k].setAttribute("x", x + 2);
        yBars[k].setAttribute("y", top.y(ys[k]));
        yBars[k].setAttribute("height", top.y(0) - top.y(ys[k]));
        gBars[k].setAttribute("x", bottom.x(k) - 15);
        gBars[k].setAttribute("y", Math.min(bottom.y(0), bottom.y(g[k])));
        gBars[k].setAttribute("height", Math.abs(bottom.y(g[k]) - bottom.y(0)));
      });
    }

    w.form.addEventListener("input", update);
    update();
  });
})();
