/* Live pages (station map, wall dashboard): re-fetch their data every few seconds and redraw in place.
 *
 *   <div data-live="/stations/wall/data/" data-live-interval="15"> … </div>
 *
 * The endpoint answers {generated_at, scripts: {id: data}, text: {id: string}, lists: {id: [{text, url, tone}]}}:
 * each json_script block is replaced and the shared helper (cuntong.js) redraws its chart or map; texts and lists
 * are updated as they are. Requests carry X-Cuntong-Background so they never count as someone being active.
 */
(function () {
  "use strict";

  function renderList(list, items) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "list-group-item" + (item.tone ? " list-group-item-" + item.tone : "");
      if (item.url) {
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.text;
        li.appendChild(a);
      } else {
        li.textContent = item.text;
      }
      list.appendChild(li);
    });
  }

  function apply(payload) {
    Object.keys(payload.scripts || {}).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.textContent = JSON.stringify(payload.scripts[id]); }
    });
    Object.keys(payload.text || {}).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.textContent = payload.text[id]; }
    });
    Object.keys(payload.lists || {}).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { renderList(el, payload.lists[id]); }
    });
    if (window.Cuntong) { window.Cuntong.render(document); }
  }

  function start(root) {
    var every = Math.max(2, parseInt(root.dataset.liveInterval || "15", 10)) * 1000;
    var banner = root.querySelector("[data-live-offline]");
    function tick() {
      fetch(root.dataset.live, {
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-Cuntong-Background": "1" }
      }).then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (!response.ok || type.indexOf("json") < 0) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (payload) {
        apply(payload);
        root.dataset.liveUpdated = payload.generated_at || "";
        root.dataset.liveRefreshes = String(parseInt(root.dataset.liveRefreshes || "0", 10) + 1);
        if (banner) { banner.hidden = true; }
      }).catch(function () {
        if (banner) { banner.hidden = false; }
      }).then(function () { window.setTimeout(tick, every); });
    }
    window.setTimeout(tick, every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live]").forEach(start);
  });
})();
