// The guide's YAML editor: line numbers that follow the text, and problem links that put the cursor
// on their line. Without this file the numbers are drawn by the server for the text as it was sent.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const editor = document.querySelector(".numbered-editor");
  if (!editor) return;
  const area = editor.querySelector("textarea");
  const gutter = editor.querySelector(".line-gutter");
  const bad = new Set(Array.from(gutter.querySelectorAll(".bad"), (el) => el.textContent));

  function renumber() {
    const count = area.value.split("\n").length;
    if (gutter.children.length !== count) {
      const spans = [];
      for (let n = 1; n <= count; n += 1) {
        const span = document.createElement("span");
        span.id = `line-${n}`;
        span.textContent = String(n);
        if (bad.has(span.textContent)) span.className = "bad";
        spans.push(span);
      }
      gutter.replaceChildren(...spans);
    }
    area.rows = count + 3;  // the text grows with its lines, so it never scrolls apart from its numbers
  }

  function goTo(line) {
    const lines = area.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
    area.focus({ preventScroll: true });
    area.setSelectionRange(start, start + (lines[line - 1] || "").length);
    const target = document.getElementById(`line-${line}`);
    if (target) target.scrollIntoView({ block: "center" });
  }

  area.addEventListener("input", renumber);
  for (const link of document.querySelectorAll("a.goto-line")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      goTo(Number(link.dataset.line));
    });
  }
  renumber();
});
