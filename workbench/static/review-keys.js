// Keyboard shortcuts for reviewers: j/k move, o/Enter open, a approve, r reject, ? help.
// Every action is also a plain link or button; this file only saves keystrokes.
"use strict";
(() => {
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  const rows = () => Array.from(document.querySelectorAll("[data-queue-row]"));
  let current = -1;

  function select(index) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("is-current", i === current));
    const link = all[current].querySelector(".row-link");
    if (link) link.focus();
  }

  function toggleHelp() {
    const dialog = document.getElementById("keys-help");
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  function approve() {
    const row = rows()[current];
    const button = row ? row.querySelector(".queue-approve button") : document.getElementById("approve-button");
    if (!button) return;
    if (button.disabled) {
      const why = row ? row.querySelector(".why") : document.getElementById("approve-why");
      if (why) { why.classList.add("flash"); setTimeout(() => why.classList.remove("flash"), 1200); }
      return;
    }
    // In the queue the reviewer has not seen the full text on screen, so ask first.
    if (row && !window.confirm("Approve this draft's current version?")) return;
    button.form.requestSubmit(button);
  }

  function reject() {
    const row = rows()[current];
    if (row) { window.location.href = row.dataset.openUrl + "#reject"; return; }
    const reason = document.getElementById("reason");
    if (reason) { reason.scrollIntoView({ block: "center" }); reason.focus(); }
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const dialog = document.getElementById("keys-help");
    if (dialog && dialog.open && event.key !== "?") return;
    const actions = {
      j: () => select(current + 1),
      k: () => select(current - 1),
      o: () => { const row = rows()[current]; if (row) window.location.href = row.dataset.openUrl; },
      a: approve,
      r: reject,
      "?": toggleHelp,
    };
    const action = actions[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  document.addEventListener("DOMContentLoaded", () => {
    if (window.location.hash === "#reject") reject();
    rows().forEach((row, i) => row.addEventListener("focusin", () => {
      current = i;
      rows().forEach((r, j) => r.classList.toggle("is-current", j === i));
    }));
  });
})();
