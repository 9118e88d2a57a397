// Wide tables and formulas scroll sideways inside their box. A box that scrolls must be
// reachable from the keyboard (WCAG 2.1.1), so give exactly those boxes a tab stop.
// Runs on every page view, including Material's instant navigation, and on resize.
(function () {
  var SELECTOR = ".md-typeset__scrollwrap, .md-typeset div.arithmatex";

  function update() {
    document.querySelectorAll(SELECTOR).forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }

  document$.subscribe(function () {
    requestAnimationFrame(update);
  });
  window.addEventListener("resize", update);
})();
