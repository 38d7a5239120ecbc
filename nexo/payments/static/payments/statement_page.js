// The bank statement page, keyboard first: j/k or the arrow keys move between lines, Enter confirms the
// current line's proposal, p opens the account form for it, u unmatches it, Esc closes the form. HTMX swaps
// the line that changed (and the counts); the focus moves on to the next line still to match.
(function () {
  "use strict";
  let current = 0;

  const rows = () => Array.from(document.querySelectorAll("#statement-lines tr[data-line]"));
  const typing = (target) => target.closest("input, select, textarea, [contenteditable], #post-panel");

  function select(index, focus = true) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, position) => row.classList.toggle("current", position === current));
    const row = all[current];
    row.setAttribute("aria-current", "true");
    all.forEach((other) => other !== row && other.removeAttribute("aria-current"));
    if (focus) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function nextOpen(from) {
    const all = rows();
    for (let index = from + 1; index < all.length; index += 1) {
      if (all[index].dataset.state === "open") return index;
    }
    return Math.min(from + 1, all.length - 1);
  }

  function press(action) {
    const row = rows()[current];
    const button = row && row.querySelector(`[data-action="${action}"]`);
    if (button) button.click();
    return Boolean(button);
  }

  function openPost() {
    const row = rows()[current];
    const panel = document.getElementById("post-panel");
    if (!row || !panel || row.dataset.state !== "open") return;
    const form = document.getElementById("post-form");
    form.action = row.dataset.postUrl;
    form.dataset.line = row.id;
    const number = row.querySelector("td");
    document.getElementById("post-line-label").textContent = number ? `(${number.textContent.trim()})` : "";
    panel.hidden = false;
    const field = panel.querySelector("input:not([type=hidden]), select");
    if (field) field.focus();
  }

  function closePost() {
    const panel = document.getElementById("post-panel");
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    select(current);
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closePost();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.target.closest("button, a") && event.key === "Enter") return;
    // A key acts on the line that has the focus (a row swapped in late may have moved the selection).
    const focused = event.target.closest && event.target.closest("#statement-lines tr[data-line]");
    if (focused && rows().indexOf(focused) >= 0) current = rows().indexOf(focused);
    switch (event.key) {
      case "j":
      case "ArrowDown":
        select(current + 1);
        break;
      case "k":
      case "ArrowUp":
        select(current - 1);
        break;
      case "Enter":
        if (!press("confirm")) return;
        break;
      case "p":
        openPost();
        break;
      case "u":
        if (!press("unmatch")) return;
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    const row = event.target.closest("#statement-lines tr[data-line]");
    if (row) {
      select(rows().indexOf(row), false);
      if (event.target.closest('[data-action="post"]')) openPost();
    }
    if (event.target.closest("#post-cancel")) closePost();
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.id !== "post-form" || !window.htmx || !form.dataset.line) return;
    event.preventDefault();
    htmx.ajax("POST", form.action, { source: form, target: `#${form.dataset.line}`, swap: "outerHTML" }).then(() => {
      document.getElementById("post-panel").hidden = true;
      form.reset();
      select(nextOpen(current));
    });
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    const target = event.detail.target;
    if (!target || !target.id) return;
    const row = document.getElementById(target.id);
    if (!row || !row.matches("tr[data-line]")) return;
    const index = rows().indexOf(row);
    if (index < 0) return;
    select(row.dataset.state === "open" ? index : nextOpen(index));
  });

  document.addEventListener("DOMContentLoaded", () => {
    const all = rows();
    const fromHash = location.hash ? all.findIndex((row) => `#${row.id}` === location.hash) : -1;
    const firstOpen = all.findIndex((row) => row.dataset.state === "open");
    select(fromHash >= 0 ? fromHash : Math.max(firstOpen, 0), all.length > 0);
  });
})();
