// The address form asks for what the chosen country's addresses need. Without JavaScript,
// "Update the form for this country" sends the form and the page comes back with that
// country's fields. With it, choosing a country fetches the same page and swaps the fields
// in place (what was typed is sent along and kept), without leaving the country list.
(function () {
  "use strict";
  var form = document.querySelector("form[data-country-form]");
  if (!form || !window.fetch || !window.DOMParser || !window.FormData) {
    return;
  }
  var select = form.querySelector("select[name=country]");
  var button = form.querySelector("[data-country-update]");
  var fields = form.querySelector("[data-address-fields]");
  var status = form.querySelector("[data-address-status]");
  if (!select || !button || !fields) {
    return;
  }
  button.parentNode.hidden = true;

  function fallback() {
    button.parentNode.hidden = false;
    if (form.requestSubmit) {
      form.requestSubmit(button);
    } else {
      button.click();
    }
  }

  select.addEventListener("change", function () {
    var data = new FormData(form);
    data.set("action", "country");
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("form[data-country-form] [data-address-fields]");
        if (!fresh) {
          throw new Error("no address fields in the answer");
        }
        fields.innerHTML = fresh.innerHTML;
        if (status) {
          var chosen = select.options[select.selectedIndex];
          status.textContent = "The address fields are now those of " + chosen.text + ".";
        }
      })
      .catch(fallback);
  });
})();
