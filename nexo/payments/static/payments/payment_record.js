// Record a payment: ticking a due amount fills its amount with what it has left (unticking clears it), and
// the payment's amount follows the sum chosen until the user types one of their own.
(function () {
  "use strict";

  function cents(text) {
    var value = parseFloat(String(text || "").replace(",", "."));
    return isNaN(value) ? 0 : Math.round(value * 100);
  }

  function show(value) {
    return (value / 100).toFixed(2);
  }

  function setUp(form) {
    var amount = form.querySelector("input[name=amount]");
    var chosenTotal = form.querySelector("#chosen-total");
    var restNote = form.querySelector("#rest-note");
    var restTotal = form.querySelector("#rest-total");
    var typedByHand = amount && amount.value !== "" && !form.querySelector("input[name=pick]:checked");

    function refresh() {
      var sum = 0;
      form.querySelectorAll("input[name=pick]").forEach(function (box) {
        var field = form.querySelector("#amount-" + box.value);
        if (box.checked && field) sum += cents(field.value);
      });
      if (chosenTotal) chosenTotal.textContent = show(sum);
      if (amount && !typedByHand && sum >= 0) amount.value = sum ? show(sum) : amount.value;
      if (restNote && amount) {
        var rest = cents(amount.value) - sum;
        restNote.hidden = rest <= 0;
        restTotal.textContent = show(rest);
      }
    }

    form.addEventListener("change", function (event) {
      var box = event.target;
      if (box.name === "pick") {
        var field = form.querySelector("#amount-" + box.value);
        if (field) field.value = box.checked ? (field.value || box.dataset.remaining) : "";
      }
      refresh();
    });
    // Enter on a tick box records, as it does in the amount fields (browsers submit only from text fields).
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.name === "pick") {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit();
        else form.submit();
      }
    });
    form.addEventListener("input", function (event) {
      var target = event.target;
      if (target === amount) {
        typedByHand = amount.value !== "";
      } else if (target.classList.contains("due-amount")) {
        var box = form.querySelector("#pick-" + target.id.replace("amount-", ""));
        if (box) box.checked = target.value !== "";
      }
      refresh();
    });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.pay-form, #payment-form, #credit-form").forEach(setUp);
  });
})();
