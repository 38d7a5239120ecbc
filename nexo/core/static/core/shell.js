/* Nexo shell: the navigation's buttons as disclosures. Without this file the groups open on hover and
   focus (CSS) and every link still works. Loaded in <head>: it marks the page before it is painted and
   listens on the document, so it needs no element to exist yet. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function wide() { return window.matchMedia("(min-width: 601px)").matches; }
  function panelOf(button) { return document.getElementById(button.getAttribute("aria-controls")); }
  function isOpen(button) { return button.getAttribute("aria-expanded") === "true"; }
  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var holder = button.closest(".nav-group");
    if (holder) { holder.classList.toggle("is-open", open); }
  }
  function openButtons(kind) {
    return Array.prototype.slice.call(
      document.querySelectorAll('[data-disclosure="' + kind + '"][aria-expanded="true"]'));
  }
  function closeGroups(except) {
    openButtons("group").forEach(function (button) { if (button !== except) { setOpen(button, false); } });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-disclosure]");
    if (button) {
      var open = !isOpen(button);
      if (button.dataset.disclosure === "group") {
        closeGroups(button);
      } else if (open) {
        // On a phone the menu opens on the group of the current page.
        var current = document.querySelector('.nav-group.is-current > [data-disclosure="group"]');
        if (current) { setOpen(current, true); }
      }
      setOpen(button, open);
      return;
    }
    openButtons("group").forEach(function (open) {
      var panel = panelOf(open);
      if (panel && !panel.contains(event.target) && wide()) {
        setOpen(open, false);
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    // On a phone the groups open in place inside the menu: Escape closes the whole menu.
    var menu = openButtons("menu")[0];
    var groups = openButtons("group");
    var target = menu && !wide() ? menu : groups[groups.length - 1];
    if (!target) { return; }
    setOpen(target, false);
    target.focus();
    event.preventDefault();
  });

  // Tabbing out of an open group on a wide screen closes it, as a pointer leaving it would.
  document.addEventListener("focusout", function (event) {
    var holder = event.target.closest && event.target.closest(".nav-group.is-open");
    if (!holder || (event.relatedTarget && holder.contains(event.relatedTarget))) { return; }
    if (!wide()) { return; }
    var button = holder.querySelector('[data-disclosure="group"]');
    if (button && event.relatedTarget) { setOpen(button, false); }
  });

  // "/" typed outside a field puts the focus on the field that declares it (the top bar's search box).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    var where = event.target;
    if (where.closest && where.closest("input, textarea, select, [contenteditable]")) { return; }
    var field = document.querySelector('[aria-keyshortcuts="/"]');
    if (!field || !field.offsetParent) { return; }
    event.preventDefault();
    field.focus();
    field.select();
  });

  // A button marked data-print prints the page (a picking list, a statement): no inline script needed.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { window.print(); }
  });
}());
