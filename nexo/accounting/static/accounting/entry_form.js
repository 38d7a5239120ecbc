/* The journal entry form (accounting/entry_form.html): running totals and the difference as amounts are
   typed, Enter moving to the next field, and a new line added from the keyboard (Enter on the last field of
   the last line, or Alt+L). Without this file the form still works: the "More lines" button adds rows and
   the server shows the totals. */
(function () {
  "use strict";

  function amount(text) {
    // "1.234,56", "1,234.56", "12,5" and "12.5" all read as amounts.
    text = (text || "").replace(/[\s\u00a0]/g, "");
    if (!text) { return 0; }
    if (text.indexOf(",") >= 0 && text.indexOf(".") >= 0) {
      text = text.lastIndexOf(",") > text.lastIndexOf(".") ? text.replace(/\./g, "").replace(",", ".") : text.replace(/,/g, "");
    } else {
      text = text.replace(",", ".");
    }
    var value = Number(text);
    return isFinite(value) ? Math.round(value * 100) : 0;  // in cents: no float drift in the sums
  }
  function shown(cents) {
    var locale = document.documentElement.lang || undefined;
    return (cents / 100).toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function totals(form) {
    var debit = 0, credit = 0;
    form.querySelectorAll("[data-entry-debit]").forEach(function (input) { debit += amount(input.value); });
    form.querySelectorAll("[data-entry-credit]").forEach(function (input) { credit += amount(input.value); });
    document.getElementById("entry-total-debit").textContent = shown(debit);
    document.getElementById("entry-total-credit").textContent = shown(credit);
    var difference = document.getElementById("entry-difference");
    if (debit === credit) {
      difference.textContent = difference.dataset.balanced;
      difference.className = "balanced";
    } else {
      difference.textContent = difference.dataset.label + " " + shown(debit - credit);
      difference.className = "unbalanced";
    }
  }

  function addLine(form) {
    var total = form.querySelector('input[name="lines-TOTAL_FORMS"]');
    var index = parseInt(total.value, 10) || 0;
    var template = document.getElementById("entry-line-template");
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var body = document.getElementById("entry-line-rows");
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var rows = body.querySelectorAll("tr.entry-line");
    var row = rows[rows.length - 1];
    row.querySelector(".row-number").textContent = String(rows.length);
    var first = row.querySelector('input[role="combobox"], input:not([type="hidden"])');
    if (first) { first.focus(); }
    return row;
  }

  function fields(form) {
    return Array.prototype.slice.call(form.querySelectorAll(
      '#entry-form .form-grid input:not([type="hidden"]), #entry-form .form-grid select, #entry-line-rows input:not([type="hidden"])'
    ));
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("#entry-form");
    if (form && (event.target.hasAttribute("data-entry-debit") || event.target.hasAttribute("data-entry-credit"))) {
      totals(form);
    }
  });

  document.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("#entry-form");
    if (!form) { return; }
    if (event.altKey && (event.key === "l" || event.key === "L")) {
      event.preventDefault();
      addLine(form);
      return;
    }
    if (event.key !== "Enter" || event.defaultPrevented || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var target = event.target;
    if (target.tagName === "BUTTON" || target.tagName === "A" || target.tagName === "TEXTAREA") { return; }
    if (target.getAttribute("role") === "combobox" && target.getAttribute("aria-expanded") === "true") { return; }
    var list = fields(form);
    var at = list.indexOf(target);
    if (at < 0) { return; }
    event.preventDefault();  // Enter moves on; the buttons send the form
    if (at === list.length - 1) {
      addLine(form);
    } else {
      list[at + 1].focus();
      if (list[at + 1].select) { list[at + 1].select(); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("entry-form");
    if (form) { totals(form); }
  });
})();
