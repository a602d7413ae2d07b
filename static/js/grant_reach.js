// The grant form's reach preview: once an educator and what the grant is on are chosen, ask the grant
// page how many students the grant will show, and say so before it is saved.
"use strict";
(function ($) {
  function update() {
    const box = document.getElementById("grant-reach");
    const educator = document.getElementById("id_user");
    const target = document.getElementById("id_content_object");
    if (!box || !educator || !target) {
      return;
    }
    if (!educator.value || !target.value) {
      box.textContent = box.dataset.prompt;
      return;
    }
    const url = new URL(box.dataset.url, window.location.href);
    url.searchParams.set("user", educator.value);
    url.searchParams.set("object", target.value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((answer) => {
        box.textContent = answer.text || answer.error;
      })
      .catch(() => {
        box.textContent = "The reach could not be counted just now; it is shown after saving.";
      });
  }
  // Select2 announces a choice with a jQuery "change" event, which plain listeners do not hear.
  $(document).on("change", "#id_user, #id_content_object", update);
  $(update);
})(django.jQuery);
