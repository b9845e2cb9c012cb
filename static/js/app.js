// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
  }
});

// A form came back with errors: move focus to its summary, so keyboard and screen reader
// users start at the list of what to fix (the summary's autofocus does the same without this).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary instanceof HTMLElement) {
    summary.focus();
  }
});

// Back from a form at its section of the steering page (#people-heading): unfold the section
// when it is collapsed, so the saved item is in view, not only its heading.
const unfoldTarget = () => {
  const id = decodeURIComponent(window.location.hash.slice(1));
  const target = id ? document.getElementById(id) : null;
  const details = target ? target.closest("details") : null;
  if (details instanceof HTMLDetailsElement) {
    details.open = true;
  }
};
document.addEventListener("DOMContentLoaded", unfoldTarget);
window.addEventListener("hashchange", unfoldTarget);

// The print view's "Afdrukken" button (cases:print): hidden without JavaScript, where the
// browser's own print command does the same; no inline script (the CSP allows none).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
