// Nothing typed is lost without a question: a form marked data-guard-unsaved that holds unsaved text makes
// leaving the page ask first (beforeunload), and submitting any other form on the page (Submit, Approve,
// Reject, a comment) asks for confirmation, since that navigation drops the text.
// The page works the same without this file; the server never depends on it.
"use strict";
(() => {
  const guarded = () => Array.from(document.querySelectorAll("form[data-guard-unsaved]"));

  function changed(field) {
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") return Array.from(field.options).some((o) => o.selected !== o.defaultSelected);
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") return false;
    return field.value !== field.defaultValue;
  }

  // A form the server sent back refused (too long, a conflict) holds text that was never stored: dirty from the start.
  const dirty = (form) => form.hasAttribute("data-unsaved") || Array.from(form.elements).some(changed);
  const dirtyForms = (except) => guarded().filter((form) => form !== except && dirty(form));

  let leaving = false; // set once the user chose to go, so the browser does not ask a second time

  window.addEventListener("beforeunload", (event) => {
    if (leaving || !dirtyForms(null).length) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers need a value to show their own prompt
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    const pending = dirtyForms(form);
    if (!pending.length) {
      leaving = true;
      return;
    }
    const what = pending[0].getAttribute("data-guard-unsaved") || "your unsaved text";
    if (window.confirm(`You have unsaved changes (${what}). They will be lost if you continue. Continue anyway?`)) {
      leaving = true;
    } else {
      event.preventDefault();
      pending[0].querySelector("textarea, input:not([type=hidden])")?.focus();
    }
  });
})();
