// Accessibility repairs for markup that Sphinx and its extensions write and we cannot change at build
// time. Each one names the upstream issue; drop it once the fix is released there.
(function () {
  "use strict";

  // Toctree captions are <p role="heading"> without the aria-level a heading role needs
  // (sphinx-doc/sphinx#14030, fixed by sphinx-doc/sphinx#14437). Level 2 is what ARIA used to imply.
  function levelHeadings() {
    document.querySelectorAll('[role="heading"]:not([aria-level])').forEach(function (el) {
      el.setAttribute("aria-level", "2");
    });
  }

  // sphinx.ext.graphviz puts an SVG's alt text inside <object> as fallback content only, which
  // screen readers do not announce (sphinx-doc/sphinx#14311): name the object after that text.
  function nameDiagrams() {
    document.querySelectorAll('object[type="image/svg+xml"]:not([aria-label])').forEach(function (obj) {
      var text = obj.textContent.trim();
      if (text) {
        obj.setAttribute("role", "img");
        obj.setAttribute("aria-label", text);
      }
    });
  }

  // A listing, transcript or table wider than the column scrolls sideways; without a tab stop a
  // keyboard user cannot scroll it (WCAG 2.1.1). Only boxes that really scroll at their current
  // width get one, so narrow listings add no stops. A ResizeObserver re-checks a box whenever its
  // size changes: a window resize, or a language tab that brings a hidden listing into view.
  function focusIfScrolling(el) {
    var scrolls = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
    if (scrolls && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      el.dataset.snippetsScroller = "";
    } else if (!scrolls && "snippetsScroller" in el.dataset) {
      el.removeAttribute("tabindex");
      delete el.dataset.snippetsScroller;
    }
  }

  function watchScrollers() {
    var boxes = document.querySelectorAll("pre, .table-wrapper");
    if (!("ResizeObserver" in window)) {
      boxes.forEach(focusIfScrolling);
      return;
    }
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { focusIfScrolling(entry.target); });
    });
    boxes.forEach(function (el) { observer.observe(el); });
  }

  function ready() {
    levelHeadings();
    nameDiagrams();
    watchScrollers();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
