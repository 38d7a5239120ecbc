/* The new sales order page (sales/order_create.html): Ctrl+Enter (or Cmd+Enter) creates the order from
   anywhere in the form; Enter alone adds a line (the form's first button). */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) { return; }
    var form = event.target.closest && event.target.closest("#order-create-form");
    var create = document.getElementById("order-create");
    if (!form || !create) { return; }
    event.preventDefault();
    create.click();
  });
})();
