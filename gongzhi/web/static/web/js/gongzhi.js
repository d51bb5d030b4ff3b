/* Gongzhi shell behaviour. CSP allows only script files from our origin: no inline
 * scripts or handlers anywhere, so every page behaviour lives in static files like this. */
(function () {
  "use strict";

  // The installable app's service worker (an offline page only: gongzhi/web/views/pwa.py).
  // Browsers allow it on https and on localhost; elsewhere this does nothing.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
        /* no worker: pages still work, only the offline page is missing */
      });
    });
  }

  // The account menu is a <details>: close it on Escape or a click outside.
  function closeMenus(except) {
    document.querySelectorAll("details.user-menu__details[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
      }
    });
  }

  document.addEventListener("click", function (event) {
    var inside = event.target.closest ? event.target.closest("details.user-menu__details") : null;
    closeMenus(inside);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("details.user-menu__details[open]");
      if (open) {
        open.removeAttribute("open");
        var summary = open.querySelector("summary");
        if (summary) {
          summary.focus();
        }
      }
    }
  });

  // After htmx swaps in new content, move focus to the first error so keyboard and
  // screen-reader users land on it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.querySelector) {
      return;
    }
    var invalid = target.querySelector("[aria-invalid='true'], .errorlist");
    if (invalid && invalid.focus) {
      if (!invalid.hasAttribute("tabindex") && invalid.tagName !== "INPUT") {
        invalid.setAttribute("tabindex", "-1");
      }
      invalid.focus();
    }
  });
})();
