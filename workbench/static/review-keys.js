// Keyboard shortcuts for reviewers: j/k move, o/Enter open, a approve, r reject, ? help.
// Every action is also a plain link or button; this file only saves keystrokes.
// The queue remembers the selected row in the address (#draft-ID, via history.replaceState),
// so Back from a draft, a reload or a decision taken from the queue returns to the same place.
"use strict";
(() => {
  // Keys go to text boxes and lists being typed in; a row's checkbox or a button keeps the shortcuts.
  const typing = (el) => el && (el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName)
    || (el.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(el.type)));
  const rows = () => Array.from(document.querySelectorAll("[data-queue-row]"));
  const ROW_HASH = /^#draft-(\d+)$/;
  let current = -1;

  function highlight(index) {
    current = index;
    rows().forEach((row, i) => row.classList.toggle("is-current", i === current));
  }

  function remember(row) {
    if (!row || !window.history.replaceState) return;
    const url = new URL(window.location.href);
    url.hash = "draft-" + row.dataset.draftId;
    window.history.replaceState(Object.assign({}, window.history.state, { queueDraft: row.dataset.draftId }), "", url);
  }

  function select(index) {
    const all = rows();
    if (!all.length) return;
    highlight(Math.max(0, Math.min(index, all.length - 1)));
    remember(all[current]);
    const link = all[current].querySelector(".row-link");
    if (link) link.focus();
  }

  function restore() {
    const state = window.history.state;
    const match = window.location.hash.match(ROW_HASH);
    const wanted = (state && state.queueDraft) || (match && match[1]);
    if (!wanted) return;
    const index = rows().findIndex((row) => row.dataset.draftId === String(wanted));
    if (index >= 0) select(index);
  }

  // A decision taken from a row comes back to the queue (the form's "next"): land on the row
  // after the one decided on (it usually leaves the list), or on the same row for claim/release.
  function returnTo(form) {
    const next = form.querySelector("input[name=next]");
    const all = rows();
    const row = form.closest("[data-queue-row]");
    if (!next || !row) return;
    const index = all.indexOf(row);
    const moveOn = form.classList.contains("queue-approve");
    const target = moveOn ? (all[index + 1] || all[index - 1] || row) : row;
    next.value = next.value.split("#")[0] + "#draft-" + target.dataset.draftId;
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
    // In the queue the reviewer has not seen the full text on screen, so ask first, naming what is approved.
    if (row && !window.confirm("Approve \u2018" + row.dataset.draftName + "\u2019 version " + row.dataset.version + "?")) return;
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

  document.addEventListener("submit", (event) => {
    if (event.target instanceof HTMLFormElement) returnTo(event.target);
  });

  document.addEventListener("DOMContentLoaded", () => {
    if (window.location.hash === "#reject") reject();
    rows().forEach((row, i) => row.addEventListener("focusin", () => {
      if (current !== i) { highlight(i); remember(row); }
    }));
    restore();
  });
  // Back may bring the page from the back/forward cache without a new DOMContentLoaded; and the
  // browser's own jump to #draft-ID after loading takes focus back to the page, so restore again then.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted || document.activeElement === document.body) setTimeout(restore);
  });
})();
