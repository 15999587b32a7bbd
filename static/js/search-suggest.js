/* Suggestions as you type, for every search box with a data-suggest URL.
   Progressive enhancement: without this file each box is a plain search form. With it, a
   list of a few pages for what has been typed opens under the box (arrow keys choose,
   Enter or a click opens one, Escape closes); the box keeps its role and still searches. */
(function () {
  "use strict";
  var DELAY = 150, MIN_LENGTH = 2, count = 0;

  function setup(input) {
    var url = input.getAttribute("data-suggest"), form = input.form;
    if (!url || !form || !window.fetch) { return; }
    var id = "search-suggestions-" + (++count);
    var list = document.createElement("ul"), status = document.createElement("p");
    var timer = null, asked = "", shown = [], active = -1;
    list.id = id;
    list.className = "search-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.classList.add("has-suggestions");
    form.appendChild(list);
    form.appendChild(status);
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    function mark(index) {
      var items = list.children;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0) { input.setAttribute("aria-activedescendant", items[index].id); }
      else { input.removeAttribute("aria-activedescendant"); }
    }

    function close() {
      list.hidden = true;
      mark(-1);
    }

    function show(items) {
      shown = items;
      list.textContent = "";
      items.forEach(function (item, index) {
        var option = document.createElement("li"), kind = document.createElement("span");
        option.id = id + "-" + index;
        option.setAttribute("role", "option");
        option.textContent = item.label;
        kind.className = "search-suggestion-kind";
        kind.textContent = item.kind;
        option.appendChild(kind);
        list.appendChild(option);
      });
      status.textContent = items.length ? items.length + " suggestions: use the arrow keys" : "";
      list.hidden = !items.length;
      mark(-1);
    }

    function ask() {
      var text = input.value.trim();
      if (text === asked) { return; }
      asked = text;
      if (text.length < MIN_LENGTH) { show([]); return; }
      fetch(url + "?q=" + encodeURIComponent(text), {headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && input.value.trim() === text) { show(data.suggestions || []); }
        })
        .catch(function () { show([]); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = active + (event.key === "ArrowDown" ? 1 : -1);
        mark(next >= shown.length ? -1 : next < -1 ? shown.length - 1 : next);
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.assign(shown[active].url);
      }
    });
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) { return; }
      event.preventDefault();  /* keep the focus in the box */
      window.location.assign(shown[Number(option.id.split("-").pop())].url);
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("focus", function () { if (shown.length) { list.hidden = false; } });
  }

  var inputs = document.querySelectorAll("input[data-suggest]");
  for (var i = 0; i < inputs.length; i++) { setup(inputs[i]); }
})();
