// The quotation editor, on top of htmx: every line input posts its own change and the server answers with
// that line's row and the totals (out-of-band). This script only makes that pleasant to type in:
//  - what is being typed survives a row being re-rendered under the cursor (and is sent once more if it
//    changed while the request was on its way);
//  - Enter goes to the same field of the next line, and in the new-line row adds the line;
//  - Alt+N (and the "New line" link) go straight to the new-line row, past every line's fields;
//  - the item picker's options follow what is typed (a <datalist> fed by a small endpoint);
//  - the cost bases panel (cost and margin under each basis) opens and closes.
(function () {
  "use strict";

  var FIELDS = "input.line-input, #header-form input, #header-form select, #header-form textarea";
  var saved = [];

  function editor() {
    return document.getElementById("quotation-editor");
  }

  function isEditing() {
    var element = editor();
    return element && element.classList.contains("is-editable");
  }

  function baseline(field) {
    if (field.dataset.sent !== undefined) return field.dataset.sent;
    if (field.tagName === "SELECT") {
      for (var i = 0; i < field.options.length; i++) {
        if (field.options[i].defaultSelected) return field.options[i].value;
      }
      return field.options.length ? field.options[0].value : "";
    }
    return field.defaultValue;
  }

  function triggerOf(field) {
    // What each field's hx-trigger listens to: the item picker and the header on change, the rest as typed.
    return field.classList.contains("line-input") && !field.classList.contains("item-input") ? "input" : "change";
  }

  // What was sent: a field whose value is still this is not "being typed" any more.
  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    if (!isEditing() || !source) return;
    if (source.matches && source.matches("input.line-input")) source.dataset.sent = source.value;
    if (source.id === "header-form") {
      source.querySelectorAll("input, select, textarea").forEach(function (field) { field.dataset.sent = field.value; });
    }
  });

  // Before a swap: remember the fields with unsent typing, and the focused field that made the request.
  document.addEventListener("htmx:beforeSwap", function (event) {
    saved = [];
    if (!isEditing()) return;
    var source = event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt;
    var active = document.activeElement;
    editor().querySelectorAll(FIELDS).forEach(function (field) {
      if (!field.id) return;
      if (source && source.id === "new-line-form" && field.closest("#new-line")) return; // added: start afresh
      var dirty = field.value !== baseline(field);
      var typingHere = field === active && field === source;
      if (dirty || typingHere) {
        saved.push({
          id: field.id, node: field, value: field.value, dirty: dirty, focused: field === active,
          start: field.selectionStart, end: field.selectionEnd,
        });
      }
    });
  });

  // After it: put the typing back where a new element replaced the old one. Typing not sent yet is put
  // back once htmx has wired the new element ("htmx:load": htmx takes the value it finds then as already
  // sent), and sent; the old element's pending request died with it.
  function putBack(field, entry) {
    field.value = entry.value;
    if (entry.focused && field.setSelectionRange && entry.start !== null) {
      try { field.setSelectionRange(entry.start, entry.end); } catch (error) { /* not a text field */ }
    }
  }

  // htmx wires swapped-in rows only in its settle step, a few milliseconds later, and then takes what it
  // finds in a field as already sent: typing in that gap (right after an error appears) would be lost.
  // Wire them now; htmx skips elements already wired when it gets there.
  function wireNow() {
    var table = document.getElementById("line-rows");
    if (table && window.htmx) window.htmx.process(table.closest("table") || table);
  }

  function restore() {
    wireNow();
    saved.forEach(function (entry) {
      var field = document.getElementById(entry.id);
      if (!field || field === entry.node || entry.done) return;
      if (entry.dirty) {
        field.dataset.resend = "1";
      } else {
        entry.done = true;
        // A price cleared (sent empty) comes back as the price list's: show it at once, not the empty field.
        var clearedPrice = field.name === "unit_price" && entry.value === "" && field.value !== "";
        if (field.value !== entry.value && !clearedPrice) putBack(field, entry);
      }
    });
  }
  document.addEventListener("htmx:afterSwap", restore);
  document.addEventListener("htmx:oobAfterSwap", restore);

  document.addEventListener("htmx:load", function (event) {
    var root = event.target;
    var waiting = root.matches && root.matches("[data-resend]") ? [root] : [];
    if (root.querySelectorAll) waiting = waiting.concat(Array.prototype.slice.call(root.querySelectorAll("[data-resend]")));
    waiting.forEach(function (field) {
      delete field.dataset.resend;
      var entry = saved.filter(function (candidate) { return candidate.id === field.id && !candidate.done; })[0];
      if (!entry) return;
      entry.done = true;
      putBack(field, entry);
      field.dispatchEvent(new Event(triggerOf(field), { bubbles: true }));
    });
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    // The comparison follows the lines only while it is shown (here, not in hx-trigger: the CSP forbids eval).
    if (source.id === "cost-bases-body" && document.getElementById("cost-bases-panel").hidden) {
      event.preventDefault();
    }
    if (source.id === "cost-bases-toggle") {
      var panel = document.getElementById("cost-bases-panel");
      if (!panel.hidden) {
        event.preventDefault();
        panel.hidden = true;
        source.setAttribute("aria-expanded", "false");
      }
    }
    if (source.classList && source.classList.contains("icon-button")) {
      // A deleted line takes the focus with it: give it to the next line.
      var row = source.closest("tr");
      var next = row && row.nextElementSibling;
      source.dataset.focusNext = next && next.id ? next.id : "new-line";
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail.elt;
    var ok = event.detail.xhr && event.detail.xhr.status === 200;
    if (source.id === "cost-bases-toggle" && ok) {
      document.getElementById("cost-bases-panel").hidden = false;
      source.setAttribute("aria-expanded", "true");
    }
    if (source.id === "new-line-form" && ok) {
      var item = document.getElementById("new-line-item");
      if (item) item.focus();
      var rows = document.getElementById("line-rows");
      var last = rows && rows.lastElementChild;
      if (last && last.scrollIntoView) last.scrollIntoView({ block: "nearest" });
    }
    if (source.dataset && source.dataset.focusNext && ok) {
      var next = document.getElementById(source.dataset.focusNext);
      var target = next && next.querySelector("input.line-input");
      if (target) target.focus();
    }
  });

  // Enter: down to the same field of the next line; in the new-line row, add the line.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    var field = event.target;
    if (!field.classList || !field.classList.contains("line-input")) return;
    event.preventDefault();
    var row = field.closest("tr");
    if (row.id === "new-line") {
      var form = document.getElementById("new-line-form");
      if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true }));
      return;
    }
    if (field.value !== baseline(field)) field.dispatchEvent(new Event("change", { bubbles: true }));
    var next = row.nextElementSibling;
    while (next && !next.classList.contains("line")) next = next.nextElementSibling;
    var target = next ? next.querySelector('[name="' + field.name + '"]') : null;
    target = target || document.getElementById("new-line-" + field.name) || document.getElementById("new-line-item");
    if (target) {
      target.focus();
      if (target.select) target.select();
    }
  });

  // Alt+N: to the new line's item, wherever the focus is. The physical key (event.code), so that a Mac's
  // Option+N, which types a dead key, works too. Browsers and screen readers leave Alt+N free.
  function focusNewLine() {
    var item = document.getElementById("new-line-item");
    if (!item) return false;
    item.focus();
    item.select();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.code !== "KeyN" || !event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (isEditing() && focusNewLine()) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#go-to-new-line");
    if (link && focusNewLine()) event.preventDefault();
  });

  // The cost detail: its summary takes the focus like any control; opened, the parts are placed in the
  // viewport (the lines scroll inside their own box, which would clip them); Escape closes it.
  function placeParts(details) {
    var parts = details.querySelector(".cost-parts");
    var summary = details.querySelector("summary");
    if (!parts || !summary) return;
    parts.classList.add("is-floating");
    var anchor = summary.getBoundingClientRect();
    var width = parts.offsetWidth;
    var left = Math.max(8, Math.min(anchor.right - width, window.innerWidth - width - 8));
    var top = anchor.bottom + 4;
    if (top + parts.offsetHeight > window.innerHeight - 8 && anchor.top - parts.offsetHeight - 4 > 8) {
      top = anchor.top - parts.offsetHeight - 4;
    }
    parts.style.left = left + "px";
    parts.style.top = top + "px";
  }
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.classList || !details.classList.contains("cost-detail") || !details.open) return;
    document.querySelectorAll("details.cost-detail[open]").forEach(function (other) {
      if (other !== details) other.open = false;
    });
    placeParts(details);
  }, true);
  function placeOpen() {
    document.querySelectorAll("details.cost-detail[open]").forEach(placeParts);
  }
  window.addEventListener("resize", placeOpen);
  window.addEventListener("scroll", placeOpen, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var details = event.target.closest && event.target.closest("details.cost-detail[open]");
    if (!details) return;
    details.open = false;
    details.querySelector("summary").focus();
  });

  // The item picker: options that follow the typing; an option picked is committed at once.
  var lastQuery = null;
  var timer = null;
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.classList || !field.classList.contains("item-input") || !isEditing()) return;
    if (event.inputType === "insertReplacementText") {
      if (field.closest("#new-line")) {
        var quantity = document.getElementById("new-line-quantity");
        if (quantity) { quantity.focus(); quantity.select(); }
      } else {
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var query = field.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      var url = editor().dataset.itemsUrl + "?q=" + encodeURIComponent(query);
      fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          var options = document.getElementById("item-options");
          if (options && html) options.innerHTML = html;
        });
    }, 150);
  });
})();
