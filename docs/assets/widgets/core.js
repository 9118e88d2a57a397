// What the widgets of docs/assets/widgets/ share: starting each widget on every page
// view, number formatting, and small SVG plots.
//
// A widget is an element [data-widget=NAME] holding a hidden <form> (its controls, each
// with a name, and an <output name=...> for every number it shows) and a static figure
// (.bw-fallback) for readers without JavaScript. Material's instant navigation swaps
// pages in without running scripts again; its document$ emits once per page shown, so
// each widget starts there. On a page without widgets that costs one querySelectorAll.
window.BW = (function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";

  // At least four significant digits; plain notation from 0.001 to 9999. ASCII minus,
  // so that tools (and the tests) read the value as written.
  function fmt(v, digits = 4) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    return a >= 1e-3 && a < 1e4 ? v.toPrecision(digits) : v.toExponential(digits - 1);
  }

  // Call init(w) once for every widget NAME of each page shown; then show it.
  function on(name, init) {
    document$.subscribe(function () {
      const roots = document.querySelectorAll('[data-widget="' + name + '"]:not([data-ready])');
      for (const root of roots) {
        const form = root.querySelector("form");
        const el = n => form.elements.namedItem(n);
        init({
          root,
          form,
          el,
          num: n => Number(el(n).value),
          show: (n, v, digits) => { el(n).value = typeof v === "number" ? fmt(v, digits) : v; },
        });
        form.addEventListener("submit", e => e.preventDefault());
        form.hidden = false;
        root.querySelectorAll(".bw-fallback").forEach(f => { f.hidden = true; });
        root.setAttribute("data-ready", "");
      }
    });
  }

  function svg(tag, attrs, parent) {
    const node = document.createElementNS(NS, tag);
    for (const k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }

  const SUP = { "-": "\u207b", 0: "\u2070", 1: "\u00b9", 2: "\u00b2", 3: "\u00b3", 4: "\u2074",
    5: "\u2075", 6: "\u2076", 7: "\u2077", 8: "\u2078", 9: "\u2079" };
  const pow10 = v => "10" + String(Math.round(Math.log10(v))).replace(/./g, c => SUP[c]);

  // A plot in a viewBox of o.w x o.h: grid, ticks (o.xt, o.yt: values; o.fx, o.fy:
  // labels), axis titles, logarithmic axes on request (o.xlog, o.ylog). Returns
  // {svg, x, y, line}: x and y map data to the box (clamped to it, so a value of 0 on a
  // log axis sits on the bottom edge); line(points) is the path data of [x, y] pairs.
  function plot(box, o) {
    const w = o.w || 320, h = o.h || 200, l = o.left || 46, r = 12, t = 22, b = 36;
    const s = svg("svg", { viewBox: "0 0 " + w + " " + h, class: "bw-svg", role: "img",
      "aria-label": o.label }, box);
    const scale = (d, lo, hi, log) => {
      const f = log ? Math.log10 : v => v, a = f(d[0]), span = f(d[1]) - a;
      return v => {
        const p = lo + ((f(v) - a) / span) * (hi - lo);
        return Number.isNaN(p) ? Math.max(lo, hi) : Math.min(Math.max(p, Math.min(lo, hi)), Math.max(lo, hi));
      };
    };
    const x = scale(o.x, l, w - r, o.xlog), y = scale(o.y, h - b, t, o.ylog);
    const fx = o.fx || (o.xlog ? pow10 : String), fy = o.fy || (o.ylog ? pow10 : String);
    for (const v of o.xt) {
      svg("line", { x1: x(v), x2: x(v), y1: t, y2: h - b, class: "bw-grid" }, s);
      svg("text", { x: x(v), y: h - b + 14, "text-anchor": "middle" }, s).textContent = fx(v);
    }
    for (const v of o.yt) {
      svg("line", { x1: l, x2: w - r, y1: y(v), y2: y(v), class: "bw-grid" }, s);
      svg("text", { x: l - 4, y: y(v) + 4, "text-anchor": "end" }, s).textContent = fy(v);
    }
    svg("path", { d: "M" + l + "," + t + "V" + (h - b) + "H" + (w - r), class: "bw-axis" }, s);
    svg("text", { x: (l + w - r) / 2, y: h - 4, "text-anchor": "middle" }, s).textContent = o.xlabel;
    svg("text", { x: 2, y: 12 }, s).textContent = o.ylabel;
    const line = pts => "M" + pts.map(p => x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1)).join("L");
    return { svg: s, x, y, line };
  }

  return { on, fmt, svg, plot };
})();
