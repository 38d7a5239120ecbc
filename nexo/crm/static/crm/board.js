// Pipeline board: drag a card onto another column to move it (HTML5 drag and drop, posted with htmx).
// Only an enhancement: every card also has ◀ ▶ buttons that are plain forms.
(function () {
  "use strict";

  var dragged = null;   // the card being dragged
  var refocus = null;   // {id, move} to put the focus back after the board is swapped

  function columnOf(element) {
    return element && element.closest ? element.closest(".board-column[data-stage-id]") : null;
  }

  function clearDropTargets() {
    document.querySelectorAll(".board-column.is-drop-target").forEach(function (column) {
      column.classList.remove("is-drop-target");
    });
  }

  function endDrag() {
    if (dragged) dragged.classList.remove("is-dragging");
    document.querySelectorAll(".board.is-dragging, .board-column.is-source").forEach(function (element) {
      element.classList.remove("is-dragging", "is-source");
    });
    clearDropTargets();
    dragged = null;
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card[draggable=true]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.opportunity);
    card.classList.add("is-dragging");
    card.closest(".board").classList.add("is-dragging");
    columnOf(card).classList.add("is-source");
  });

  document.addEventListener("dragend", endDrag);

  document.addEventListener("dragover", function (event) {
    var column = columnOf(event.target);
    if (!dragged || !column || column.dataset.stageId === dragged.dataset.stage) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("is-drop-target")) {
      clearDropTargets();
      column.classList.add("is-drop-target");
    }
  });

  document.addEventListener("dragleave", function (event) {
    var column = columnOf(event.target);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("is-drop-target");
  });

  document.addEventListener("drop", function (event) {
    var column = columnOf(event.target);
    var card = dragged;
    if (!card || !column || column.dataset.stageId === card.dataset.stage) return;
    event.preventDefault();
    endDrag();
    card.classList.add("is-moving");
    refocus = { id: card.dataset.opportunity, move: null };
    htmx.ajax("POST", card.dataset.moveUrl, {
      source: card,
      values: { stage: column.dataset.stageId },
      target: "#board",
      swap: "outerHTML",
    });
  });

  // A ◀ ▶ button replaces the whole board: give the focus back to the same card's button.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    var card = form && form.closest && form.closest(".board-card");
    if (card && form.tagName === "FORM") {
      var button = form.querySelector("[data-move]");
      refocus = { id: card.dataset.opportunity, move: button ? button.dataset.move : null };
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!refocus || event.target.id !== "board") return;
    var card = document.getElementById("opportunity-" + refocus.id);
    var wanted = refocus.move;
    refocus = null;
    if (!card) return;
    var target =
      (wanted && card.querySelector('[data-move="' + wanted + '"]')) ||
      card.querySelector("[data-move]") ||
      card.querySelector(".board-card-title a");
    if (target) {
      target.focus({ preventScroll: true });
      card.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  });
})();
