// Wide tables and formulas scroll sideways inside their box. A box that scrolls must be
// reachable from the keyboard (WCAG 2.1.1), so give exactly those boxes a tab stop.
// A ResizeObserver watches each box and its content: the check runs when they get their
// size (after layout, so reading it forces no extra layout), when a block skipped by
// content-visibility is rendered, on resize and when a late font widens a formula.
// Set up again on every page view, including Material's instant navigation.
(function () {
  var SELECTOR = ".md-typeset__scrollwrap, .md-typeset div.arithmatex";

  function update(box) {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute("tabindex", "0");
    } else {
      box.removeAttribute("tabindex");
    }
  }

  var observer = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var box = entry.target.closest(SELECTOR);
      if (box) update(box);
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
