/* Type-ahead for the header's student search. Without JavaScript the form posts to the results
 * page; with it, matching students appear as you type. The text is sent by POST (never in a URL,
 * so never in access logs or history) and the server only returns students you may see.
 * Follows the ARIA combobox pattern: arrow keys move through the list, Enter opens, Escape closes. */
(function () {
  "use strict";

  var form = document.querySelector("form.site-search");
  if (!form) { return; }
  var input = form.querySelector("input[name=q]");
  var list = document.getElementById(input.getAttribute("aria-controls"));
  var url = form.dataset.suggestionsUrl;
  var minimum = 2;
  var pending = null;
  var latest = 0;
  var active = -1;
  var results = [];

  function token() {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
    results = [];
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    options.forEach(function (option, position) {
      option.setAttribute("aria-selected", position === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(found) {
    results = found;
    list.replaceChildren();
    if (!found.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "No student you can see matches.";
      list.append(none);
    }
    found.forEach(function (student, index) {
      var option = document.createElement("li");
      option.id = "site-search-option-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.textContent = student.name;
      var detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = student.detail;
      option.append(name, detail);
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        window.location.assign(student.url);
      });
      list.append(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  function fetchSuggestions() {
    var text = input.value.trim();
    if (text.length < minimum) { close(); return; }
    var ask = ++latest;
    var body = new FormData();
    body.append("q", text);
    body.append("csrfmiddlewaretoken", token());
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token(), "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("search failed"); }
      return response.json();
    }).then(function (answer) {
      if (ask === latest) { show(answer.results); }
    }).catch(close);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(fetchSuggestions, 200);
  });

  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown" && results.length) {
      event.preventDefault();
      highlight((active + 1) % results.length);
    } else if (event.key === "ArrowUp" && results.length) {
      event.preventDefault();
      highlight(active <= 0 ? results.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(results[active].url);
    } else if (event.key === "Escape") {
      close();
    }
  });

  input.addEventListener("blur", function () { window.setTimeout(close, 150); });

  // Someone may have typed before this script arrived (a slow network): look that text up now.
  if (document.activeElement === input && input.value.trim()) { fetchSuggestions(); }
})();
