/* The agent workspace, progressively enhanced: every page works without this file.
 *
 * Inbox: keyboard navigation (j/k, o/Enter, /, ?), a selection for bulk actions, and a refresh
 * every few seconds that swaps in new rows while keeping the selected row and ticked boxes.
 * Ticket page: presence heartbeat (who else is viewing or typing), a warning when the sender
 * writes while one is composing, the channel's length limit as one types, canned replies, and
 * r/n/a/s shortcuts.
 */
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var CSRF = csrfMeta ? csrfMeta.content : "";
  var REFRESH_MS = parseInt(document.body.dataset.refreshMs || "8000", 10);
  var HEARTBEAT_MS = parseInt(document.body.dataset.heartbeatMs || "5000", 10);

  function typingTarget(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function post(url, data) {
    var body = new URLSearchParams(data || {});
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": CSRF, "Accept": "application/json"}
    });
  }

  /* ---------- shortcuts help ---------- */
  var help = document.getElementById("shortcuts");
  function toggleHelp() {
    if (!help) return;
    if (help.open) { help.close(); } else { help.showModal(); }
  }

  /* ---------- inbox ---------- */
  var inbox = document.querySelector("[data-inbox]");
  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#ticket-rows tr.ticket-row"));
  }

  function select(index) {
    var list = rows();
    if (!list.length) return;
    index = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (row) { row.classList.remove("selected"); row.removeAttribute("aria-selected"); });
    var row = list[index];
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    var link = row.querySelector("a.ref");
    if (link) link.focus({preventScroll: false});
    current = index;
    try { sessionStorage.setItem("inbox-selected", row.dataset.reference); } catch (e) { /* private mode */ }
  }

  function selectedRow() {
    var list = rows();
    return current >= 0 && current < list.length ? list[current] : null;
  }

  function updateSelectedCount() {
    var n = document.querySelectorAll("#ticket-rows input.select-row:checked").length;
    var label = document.getElementById("selected-count");
    if (label) label.textContent = n + " selected";
  }

  function updateBulkFields() {
    var action = document.getElementById("bulk-action");
    if (!action) return;
    var assignee = document.querySelector(".bulk-assignee");
    var tags = document.querySelector(".bulk-tags");
    if (assignee) assignee.hidden = action.value !== "assign";
    if (tags) tags.hidden = action.value !== "tag";
  }

  function refreshInbox() {
    if (!inbox || document.hidden) return;
    var url = inbox.dataset.refreshUrl;
    url += (url.indexOf("?") >= 0 ? "&" : "?") + "known=" + encodeURIComponent(inbox.dataset.fingerprint || "");
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        Object.keys(data.counts || {}).forEach(function (name) {
          var badge = document.querySelector('[data-count="' + name + '"]');
          if (badge) badge.textContent = data.counts[name];
        });
        if (!data.rows || data.fingerprint === inbox.dataset.fingerprint) return;
        var keepRef = selectedRow() ? selectedRow().dataset.reference : null;
        var ticked = {};
        document.querySelectorAll("#ticket-rows input.select-row:checked").forEach(function (box) { ticked[box.value] = true; });
        var hadFocus = document.activeElement && document.getElementById("ticket-rows").contains(document.activeElement);
        document.getElementById("ticket-rows").innerHTML = data.rows;
        inbox.dataset.fingerprint = data.fingerprint;
        document.querySelectorAll("#ticket-rows input.select-row").forEach(function (box) { if (ticked[box.value]) box.checked = true; });
        updateSelectedCount();
        current = -1;
        if (keepRef) {
          rows().forEach(function (row, i) {
            if (row.dataset.reference === keepRef) {
              if (hadFocus) { select(i); } else { current = i; row.classList.add("selected"); }
            }
          });
        }
        var status = document.getElementById("refresh-status");
        if (status) status.textContent = "List updated " + new Date().toLocaleTimeString();
      })
      .catch(function () { /* offline for a moment: try again next round */ });
  }

  if (inbox) {
    document.getElementById("ticket-rows").addEventListener("change", function (e) {
      if (e.target.classList.contains("select-row")) updateSelectedCount();
    });
    var action = document.getElementById("bulk-action");
    if (action) { action.addEventListener("change", updateBulkFields); updateBulkFields(); }
    var remembered = null;
    try { remembered = sessionStorage.getItem("inbox-selected"); } catch (e) { remembered = null; }
    if (remembered) {
      rows().forEach(function (row, i) { if (row.dataset.reference === remembered) { current = i; row.classList.add("selected"); } });
    }
    setInterval(refreshInbox, REFRESH_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refreshInbox(); });
  }

  /* ---------- ticket page ---------- */
  var page = document.querySelector("[data-ticket]");
  var composer = document.getElementById("reply");
  var typingUntil = 0;
  // Handle time is billed from heartbeats: none after a minute without keyboard or mouse.
  var IDLE_MS = 60000;
  var lastActivity = Date.now();
  ["keydown", "mousemove", "mousedown", "scroll", "touchstart", "focus"].forEach(function (name) {
    window.addEventListener(name, function () { lastActivity = Date.now(); }, {passive: true, capture: true});
  });

  function heartbeat() {
    if (!page || document.hidden || Date.now() - lastActivity > IDLE_MS) return;
    var typing = Date.now() < typingUntil ? "1" : "0";
    post(page.dataset.presenceUrl, {typing: typing})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var box = document.getElementById("viewers");
        if (box) {
          box.innerHTML = "";
          data.viewers.forEach(function (v) {
            var span = document.createElement("span");
            span.className = "viewer";
            span.textContent = v.name + (v.typing ? " is typing…" : " is viewing");
            box.appendChild(span);
          });
        }
        var seen = parseInt(page.dataset.latestInbound || "0", 10);
        if (data.latest_inbound_id > seen) {
          var banner = document.getElementById("new-inbound-banner");
          if (banner) banner.hidden = false;
        }
      })
      .catch(function () { /* try again next beat */ });
  }

  function updateCount() {
    var counter = document.getElementById("reply-count");
    if (!composer || !counter) return;
    var max = parseInt(composer.dataset.max || "0", 10);
    var n = composer.value.length;
    counter.textContent = max ? (n + " / " + max + " characters") : (n + " characters");
    counter.classList.toggle("over", max > 0 && n > max);
  }

  var offers = [];
  function fillCanned() {
    var pick = document.getElementById("canned-select");
    var lang = document.getElementById("canned-language");
    if (!pick || !page) return;
    var url = page.dataset.cannedUrl;
    var wanted = lang && lang.value ? "?language=" + encodeURIComponent(lang.value) : "";
    fetch(url + wanted, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        offers = list || [];
        var chosen = pick.value;
        pick.innerHTML = '<option value="">— choose —</option>';
        offers.forEach(function (o) {
          var opt = document.createElement("option");
          opt.value = String(o.id);
          opt.textContent = o.title + " (" + o.language + ")";
          pick.appendChild(opt);
        });
        if (chosen) pick.value = chosen;
        showLanguages();
      })
      .catch(function () { document.getElementById("canned-box").hidden = true; });
  }

  function showLanguages() {
    var pick = document.getElementById("canned-select");
    var lang = document.getElementById("canned-language");
    var offer = offers.filter(function (o) { return String(o.id) === pick.value; })[0];
    if (!lang) return;
    var keep = lang.value;
    lang.innerHTML = "";
    (offer ? offer.languages : []).forEach(function (code) {
      var opt = document.createElement("option");
      opt.value = code; opt.textContent = code;
      if (offer && code === offer.language) opt.selected = true;
      lang.appendChild(opt);
    });
    if (keep && offer && offer.languages.indexOf(keep) >= 0) lang.value = keep;
  }

  function insertCanned() {
    var pick = document.getElementById("canned-select");
    var offer = offers.filter(function (o) { return String(o.id) === pick.value; })[0];
    if (!offer || !composer) return;
    composer.value = composer.value ? composer.value.replace(/\s*$/, "\n\n") + offer.body : offer.body;
    composer.focus();
    updateCount();
  }

  if (page) {
    if (composer) {
      composer.addEventListener("input", function () {
        var wasTyping = Date.now() < typingUntil;
        typingUntil = Date.now() + 6000;
        if (!wasTyping) heartbeat();  // tell the others at once, not at the next beat
        updateCount();
      });
      updateCount();
    }
    var pick = document.getElementById("canned-select");
    if (pick) {
      fillCanned();
      pick.addEventListener("change", showLanguages);
      document.getElementById("canned-language").addEventListener("change", fillCanned);
      document.getElementById("canned-insert").addEventListener("click", insertCanned);
    }
    heartbeat();
    setInterval(heartbeat, HEARTBEAT_MS);
    window.addEventListener("pagehide", function () {
      if (navigator.sendBeacon) {
        var data = new FormData();
        data.append("csrf_token", CSRF);
        navigator.sendBeacon(page.dataset.leaveUrl, data);
      }
    });
  }

  function submitForm(id) {
    var form = document.getElementById(id);
    if (form) { if (form.requestSubmit) form.requestSubmit(); else form.submit(); }
  }

  /* ---------- keyboard ---------- */
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target.tagName === "TEXTAREA" && e.target.form) {
      e.preventDefault();  // Ctrl/Cmd+Enter sends the reply or note being written
      if (e.target.form.requestSubmit) e.target.form.requestSubmit(); else e.target.form.submit();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape" && typingTarget(document.activeElement)) { document.activeElement.blur(); return; }
    if (typingTarget(e.target)) return;
    var key = e.key;
    if (key === "?") { e.preventDefault(); toggleHelp(); return; }
    if (key === "/") {
      var search = document.getElementById("global-search");
      if (search) { e.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (inbox) {
      if (key === "j") { e.preventDefault(); select(current + 1); }
      else if (key === "k") { e.preventDefault(); select(current < 0 ? 0 : current - 1); }
      else if (key === "o" || (key === "Enter" && e.target === document.body)) {
        var row = selectedRow();
        if (row) { e.preventDefault(); window.location = row.querySelector("a.ref").href; }
      } else if (key === "x") {
        var r = selectedRow();
        if (r) { var box = r.querySelector("input.select-row"); box.checked = !box.checked; updateSelectedCount(); }
      }
      return;
    }
    if (page) {
      if (key === "r" && composer) { e.preventDefault(); composer.focus(); }
      else if (key === "n") { var note = document.getElementById("note"); if (note) { e.preventDefault(); note.focus(); } }
      else if (key === "a") { e.preventDefault(); submitForm("claim-form"); }
      else if (key === "s") {
        var status = document.querySelector("#status-form select");
        if (status && status.querySelector('option[value="solved"]')) { e.preventDefault(); status.value = "solved"; submitForm("status-form"); }
      } else if (key === "u") { var back = document.getElementById("back-to-inbox"); if (back) window.location = back.href; }
    }
  });
  // Shortcuts work from here on (browser tests wait for this).
  document.documentElement.dataset.workspaceReady = "1";
})();
