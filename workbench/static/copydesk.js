// Copydesk's small enhancements. Everything works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Reject needs a reason: say so before the round trip, the server enforces it anyway.
  for (const form of document.querySelectorAll("form[action$='/reject/']")) {
    form.addEventListener("submit", (event) => {
      const reason = form.querySelector("textarea[name=reason]");
      if (reason && !reason.value.trim()) {
        event.preventDefault();
        reason.setCustomValidity("Say why, so the author knows what to fix.");
        reason.reportValidity();
      }
    });
  }
});
