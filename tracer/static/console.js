/* Producer console: fill a zone's coordinates from the phone's location, and add rows to the processing
   form. Loaded with `defer` from a static file (no inline script, so a strict CSP applies); every form
   also works without it. */
(function () {
  "use strict";

  function locate() {
    var button = document.getElementById("locate");
    var status = document.getElementById("locate-status");
    if (!button || !("geolocation" in navigator)) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = status.dataset.busy;
      navigator.geolocation.getCurrentPosition(function (position) {
        // written as the page writes numbers (data-decimal: "," on Vietnamese pages), six places: unambiguous
        var mark = button.dataset.decimal || ".";
        document.getElementById(button.dataset.lat).value = position.coords.latitude.toFixed(6).replace(".", mark);
        document.getElementById(button.dataset.lon).value = position.coords.longitude.toFixed(6).replace(".", mark);
        status.textContent = status.dataset.done;
      }, function () {
        status.textContent = status.dataset.failed;
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }

  function renumber(node, index) {
    // WTForms names rows "inputs-0-quantity": the copy gets the next free number.
    node.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(/-\d+-/, "-" + index + "-")); }
      });
    });
    node.querySelectorAll("input").forEach(function (el) { el.value = ""; el.removeAttribute("aria-invalid"); });
    node.querySelectorAll("select").forEach(function (el) { el.selectedIndex = 0; });
    node.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    // a question about the copied row's number (and its answer) belongs to that row only
    node.querySelectorAll(".question, input[name$='-reading']").forEach(function (el) { el.remove(); });
    node.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
  }

  function addRows() {
    document.querySelectorAll("[data-add-row]").forEach(function (button) {
      var kind = button.dataset.addRow;
      button.hidden = false;
      button.addEventListener("click", function () {
        var rows = document.querySelectorAll('[data-row="' + kind + '"]');
        var copy = rows[rows.length - 1].cloneNode(true);
        renumber(copy, rows.length);
        button.parentNode.insertBefore(copy, button);
        var first = copy.querySelector("select,input");
        if (first) { first.focus(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { locate(); addRows(); });
}());
