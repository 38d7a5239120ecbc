/* Nexo pickers (nexo/core/pickers.py): a text input that searches the records as it is typed in and a
   list box to choose one with the keyboard (ARIA combobox with a list). The hidden input beside the text
   keeps the field's name and posts the chosen record's id; without this file the text is posted and the
   server looks the typed code up. One set of listeners on the document serves every picker of the page,
   those that HTMX swaps in later included. */
(function () {
  "use strict";
  var DELAY = 200;  // ms after the last key before searching: one request per pause, not per key
  var timers = new WeakMap();
  var wantsFirst = new WeakSet();  // pickers whose first option becomes active once the answer arrives

  function pickerOf(element) {
    var box = element && element.closest && element.closest("[data-picker]");
    if (!box) { return null; }
    var input = box.querySelector('[role="combobox"]');
    return {
      box: box,
      input: input,
      value: box.querySelector('input[type="hidden"]'),
      list: document.getElementById(input.getAttribute("aria-controls"))
    };
  }
  function choices(picker) {
    return Array.prototype.slice.call(picker.list.querySelectorAll('[role="option"]:not([aria-disabled="true"])'));
  }
  function current(picker) { return picker.list.querySelector('[role="option"][aria-selected="true"]'); }
  function isOpen(picker) { return !picker.list.hidden; }

  function setActive(picker, option) {
    var before = current(picker);
    if (before) { before.setAttribute("aria-selected", "false"); }
    if (option) {
      option.setAttribute("aria-selected", "true");
      picker.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      picker.input.removeAttribute("aria-activedescendant");
    }
  }
  function setOpen(picker, open) {
    picker.list.hidden = !open;
    picker.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { setActive(picker, null); }
  }
  function setValue(picker, value) {
    if (picker.value.value === value) { return; }
    picker.value.value = value;
    // Other parts of the form may follow the choice (hx-trigger="change" on the hidden input).
    picker.value.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function choose(picker, option) {
    picker.input.value = option.dataset.label;
    setValue(picker, option.dataset.value);
    setOpen(picker, false);
  }

  function search(picker) {
    // A chosen record shows its label: opening the list then offers every record, not the label's matches.
    var values = { q: picker.value.value ? "" : picker.input.value };
    var form = picker.input.form;
    Object.keys(picker.box.dataset).forEach(function (key) {
      // data-send-party="party": the search gets the value of the form's field "party" as "party".
      if (key.indexOf("send") !== 0 || key.length < 5 || !form) { return; }
      var param = key.charAt(4).toLowerCase() + key.slice(5);
      var source = form.elements[picker.box.dataset[key]];
      if (source && source.value) { values[param] = source.value; }
    });
    htmx.ajax("GET", picker.box.dataset.searchUrl, {
      source: picker.input, target: picker.list, swap: "innerHTML", values: values
    });
  }
  function searchSoon(picker) {
    window.clearTimeout(timers.get(picker.input));
    timers.set(picker.input, window.setTimeout(function () { search(picker); }, DELAY));
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list || !list.classList || !list.classList.contains("picker-list")) { return; }
    var picker = pickerOf(list);
    list.querySelectorAll('[role="option"]').forEach(function (option, index) {
      option.id = list.id + "-" + index;
    });
    setActive(picker, null);
    var focused = document.activeElement === picker.input;
    setOpen(picker, focused);
    if (focused && wantsFirst.has(picker.input)) {
      wantsFirst.delete(picker.input);
      setActive(picker, choices(picker)[0] || null);
    }
  });

  document.addEventListener("input", function (event) {
    var picker = event.target.getAttribute && event.target.getAttribute("role") === "combobox" && pickerOf(event.target);
    if (!picker) { return; }
    setValue(picker, "");  // the text changed: the record chosen before no longer stands
    searchSoon(picker);
  });

  document.addEventListener("keydown", function (event) {
    var picker = event.target.getAttribute && event.target.getAttribute("role") === "combobox" && pickerOf(event.target);
    if (!picker) { return; }
    var options = choices(picker);
    var index = options.indexOf(current(picker));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!isOpen(picker)) {
        wantsFirst.add(picker.input);
        window.clearTimeout(timers.get(picker.input));
        search(picker);
        return;
      }
      if (!options.length) { return; }
      var next = event.key === "ArrowDown" ? Math.min(index + 1, options.length - 1) : index - 1;
      setActive(picker, next >= 0 ? options[next] : null);
    } else if (event.key === "Enter") {
      if (isOpen(picker) && index >= 0) {
        event.preventDefault();  // Enter on an option chooses it; Enter on a closed list sends the form
        choose(picker, options[index]);
      } else if (isOpen(picker)) {
        setOpen(picker, false);
      }
    } else if (event.key === "Escape" && isOpen(picker)) {
      event.preventDefault();
      event.stopPropagation();
      setOpen(picker, false);
    } else if (event.key === "Tab" && isOpen(picker)) {
      setOpen(picker, false);
    }
  });

  // A pointer may choose too: pressing on the list keeps the focus in the input.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest(".picker-list")) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest('.picker-list [role="option"]');
    if (!option || option.getAttribute("aria-disabled") === "true") { return; }
    var picker = pickerOf(option);
    choose(picker, option);
    picker.input.focus();
  });
  document.addEventListener("focusout", function (event) {
    var picker = event.target.getAttribute && event.target.getAttribute("role") === "combobox" && pickerOf(event.target);
    if (picker && isOpen(picker)) { setOpen(picker, false); }
  });
})();
