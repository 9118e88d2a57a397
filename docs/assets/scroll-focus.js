// Wide tables and formulas scroll sideways inside their box. A box that scrolls must be
// reachable from the keyboard (WCAG 2.1.1) and must show that it scrolls, so exactly
// those boxes get a tab stop and `data-scrolls` (extra.css draws a shadow at the edge
// that has more). A ResizeObserver watches each box and its content: the check runs
// when they get their size (after layout, so reading it forces no extra layout), on
// resize and when a late font widens a formula. Set up again on every page view,
// including Material's instant navigation.
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
    entries.forEach(function (entry) {
      var box = entry.target.closest(SELECTOR);
      if (box) mark(box);
    });
  });

  document$.subscribe(function () {
    observer.disconnect();
    document.querySelectorAll(SELECTOR).forEach(function (box) {
      observer.observe(box);
      if (box.firstElementChild) observer.observe(box.firstElementChild);
    });
  });
})();
