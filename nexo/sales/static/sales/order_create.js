/* The new sales order page (sales/order_create.html).
   - Ctrl+Enter (or Cmd+Enter) creates the order from anywhere in the form; Enter alone adds a line (the
     form's first button).
   - The lines come back priced after every change. What the user typed into the field they are in while
     that answer was on its way is kept: the new field gets it back and sends it in turn. */
(function () {
  "use strict";
  var sent = null;  // the values the last pricing request sent
  var typed = null;  // {id, value}: the focused field's value the server has not seen

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) { return; }
    var form = event.target.closest && event.target.closest("#order-create-form");
    var create = document.getElementById("order-create");
    if (!form || !create) { return; }
    event.preventDefault();
    create.click();
  });

  // A picker's text changes as it is typed: only the record chosen (its hidden input) prices the lines.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.getAttribute && field.getAttribute("role") === "combobox" && field.closest("#order-create-form")) {
      event.stopPropagation();
    }
  }, true);

  document.body.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.target && event.detail.target.id === "order-lines") { sent = event.detail.formData; }
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    typed = null;
    var lines = event.detail.target;
    var active = document.activeElement;
    if (!lines || lines.id !== "order-lines" || !sent || !active || !active.id || !active.name) { return; }
    if (!lines.contains(active) || active.type === "hidden" || active.type === "submit") { return; }
    var before = sent.get(active.name);
    if (before !== null && before !== active.value) { typed = { id: active.id, value: active.value }; }
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (!typed || !event.detail.target || event.detail.target.id !== "order-lines") { return; }
    var field = document.getElementById(typed.id);
    var value = typed.value;
    typed = null;
    if (!field) { return; }
    field.value = value;
    // A picker's text is still being typed: its search goes on; any other field is priced again.
    if (field.getAttribute("role") !== "combobox") {
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
})();
