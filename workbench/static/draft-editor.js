// The draft page's editor: the findings drawn under the text box follow the text as it is typed, and a finding's
// fix is applied in the text box itself (then the live check runs again). Without this file the page still works:
// the marks show the saved version's findings, and each fix is a form that saves it as a new version.
"use strict";
(() => {
  const editorOf = (field) => document.querySelector(`.editor[data-field="${CSS.escape(field)}"]`);

  function follow(editor) {
    const textarea = editor.querySelector("textarea");
    const backdrop = editor.querySelector(".editor-backdrop");
    backdrop.scrollTop = textarea.scrollTop;
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const editor of document.querySelectorAll(".editor[data-field]")) {
      const textarea = editor.querySelector("textarea");
      const backdrop = editor.querySelector(".editor-backdrop");
      editor.classList.add("editor-live");
      // Marks found for other text would point at the wrong words: drop them at once; the live check brings new ones.
      textarea.addEventListener("input", () => {
        backdrop.textContent = `${textarea.value}\n`;
        follow(editor);
      });
      textarea.addEventListener("scroll", () => follow(editor));
    }
  });

  // The live check answered: draw its marks under each box whose text is still exactly what was checked.
  document.addEventListener("htmx:afterSettle", (event) => {
    if (!(event.target instanceof Element) || event.target.id !== "live") return;
    for (const marks of event.target.querySelectorAll(".live-marks[data-field]")) {
      const editor = editorOf(marks.dataset.field);
      if (!editor || marks.content.textContent !== editor.querySelector("textarea").value) continue;
      const backdrop = editor.querySelector(".editor-backdrop");
      backdrop.replaceChildren(marks.content.cloneNode(true), document.createTextNode("\n"));
      follow(editor);
    }
  });

  // A fix applies in the text box when the text around it is still the text it was found in; otherwise the
  // button does what it does without JavaScript (a saved fix of a saved finding, or nothing for a live one).
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-fix-field]") : null;
    if (!button) return;
    const editor = editorOf(button.dataset.fixField);
    if (!editor) return;
    const textarea = editor.querySelector("textarea");
    const { fixStart, fixEnd, fixMatch, fixReplacement, fixBefore, fixAfter } = button.dataset;
    const start = Number(fixStart), end = Number(fixEnd), text = textarea.value;
    const fits = text.slice(start, end) === fixMatch
      && text.slice(start - fixBefore.length, start) === fixBefore && text.slice(end, end + fixAfter.length) === fixAfter;
    if (!fits) {
      if (button.type === "button") {
        button.disabled = true;
        button.title = "The text changed; wait for the check to catch up.";
      }
      return;
    }
    event.preventDefault();
    textarea.value = text.slice(0, start) + fixReplacement + text.slice(end);
    textarea.focus();
    textarea.setSelectionRange(start + fixReplacement.length, start + fixReplacement.length);
    textarea.dispatchEvent(new Event("input", { bubbles: true })); // redraw, re-check, and count as unsaved
    const status = document.getElementById("fix-status");
    if (status) status.textContent = `Applied in the text: “${fixReplacement.trim() || fixMatch}”. Save to keep it as a new version.`;
  });
})();
