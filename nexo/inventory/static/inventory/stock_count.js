/* Enter in a counted quantity goes to the next one (Shift+Enter back), so a count never posts by accident. */
document.addEventListener("keydown", function (event) {
  if (event.key !== "Enter" || !event.target.classList || !event.target.classList.contains("counted")) return;
  if (!event.target.closest("#count-form")) return;
  event.preventDefault();
  var inputs = Array.prototype.slice.call(document.querySelectorAll("input.counted"));
  var next = inputs[inputs.indexOf(event.target) + (event.shiftKey ? -1 : 1)];
  (next || document.getElementById("count-post")).focus();
});
