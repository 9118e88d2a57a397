// Wide tables and formulas scroll sideways inside their box. A box that scrolls must be
// reachable from the keyboard (WCAG 2.1.1) and must show that it scrolls, so exactly
// those boxes get a tab stop and `data-scrolls` (extra.css draws a shadow at the edge
// that has more). A ResizeObserver tells when a box's size is known or changes, after
// layout, so nothing forces a layout of its own; fonts arriving late are checked once
// more. Runs on every page view, including Material's instant navigation.
(function () {
  var SELECTOR = ".md-typeset__scrollwrap, .md-typeset div.arithmatex, .md-typeset .derivation";

  function mark(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("data-scrolls", "");
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("data-scrolls");
    }
  }

  var observer = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { mark(entry.target); });
  });

  document$.subscribe(function () {
    observer.disconnect();
    var boxes = document.querySelectorAll(SELECTOR);
    boxes.forEach(function (box) { observer.observe(box); });
    document.fonts.ready.then(function () { boxes.forEach(mark); });
  });
})();
