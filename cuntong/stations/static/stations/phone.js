/* Station operators' phone pages: a draft that survives a dropped connection, and the check-in position.
 * No framework: this file is all the script these pages load. */
(function () {
  "use strict";
  var store = window.localStorage;

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "file" && el.type !== "hidden";
    });
  }
  function read(key) {
    try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
  }
  function save(form) {
    var values = {};
    fields(form).forEach(function (el) { values[el.name] = el.type === "checkbox" ? el.checked : el.value; });
    try { store.setItem(form.dataset.draft, JSON.stringify({ savedAt: Date.now(), values: values })); } catch (e) { /* storage full or off */ }
  }
  function restore(form, draft) {
    var changed = false;
    fields(form).forEach(function (el) {
      if (!(el.name in draft.values)) { return; }
      var value = draft.values[el.name];
      if (el.type === "checkbox") { changed = changed || el.checked !== value; el.checked = value; }
      else if (el.value !== value) { el.value = value; changed = true; }
    });
    return changed;
  }

  function setUpDraft(form) {
    var key = form.dataset.draft;
    var draft = read(key);
    // A bound form (the server sent it back with errors or warnings) shows what was just submitted: keep it.
    if (draft && form.dataset.bound !== "1" && restore(form, draft)) {
      var notice = document.getElementById("draft-restored");
      if (notice) { notice.hidden = false; }
    }
    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function () { save(form); });
    form.addEventListener("submit", function (event) {
      save(form);
      if (navigator.onLine === false) {
        event.preventDefault();
        document.getElementById("offline-banner").hidden = false;
      }
    });
    document.querySelectorAll("[data-discard-draft]").forEach(function (button) {
      button.addEventListener("click", function () { store.removeItem(key); window.location.reload(); });
    });
  }

  function setUpGeo(form) {
    var status = form.querySelector("[data-geo-status]");
    if (!navigator.geolocation) { return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.latitude.value = position.coords.latitude.toFixed(6);
      form.elements.longitude.value = position.coords.longitude.toFixed(6);
      if (status) { status.textContent = status.textContent.replace(/。?$/, "") + " ✓"; }
    }, function () { /* no position: the check-in still counts */ }, { timeout: 8000, maximumAge: 600000 });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-clear-draft]").forEach(function (el) { store.removeItem(el.dataset.clearDraft); });
    document.querySelectorAll("form[data-draft]").forEach(setUpDraft);
    document.querySelectorAll("form[data-geo]").forEach(setUpGeo);
    var banner = document.getElementById("offline-banner");
    window.addEventListener("offline", function () { banner.hidden = false; });
    window.addEventListener("online", function () { banner.hidden = true; });
  });
})();
