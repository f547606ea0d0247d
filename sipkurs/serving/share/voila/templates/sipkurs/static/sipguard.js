/*
 * sipkurs page guard, loaded in the page's <head> before Voila's front end.
 *
 * 1. Connection: notices that the page's kernel or the server is gone (the kernel websocket closes, or the kernel's
 *    address answers 404, or the server does not answer) and shows a Swedish banner with one button, "Anslut igen",
 *    which opens the page again (at the address of an element with data-sip-resume, if the page has one).
 * 2. Drafts: what is typed into a plan field is kept in localStorage until the app has stored it, and written back
 *    into the field when the page is opened again. The contract with the app:
 *    - a plan field is an <input> or <textarea> inside an element with a class "sip-k-<key>", inside ".sip-form";
 *    - an element with data-sip-scope="<whose plan>" names the plan; without it nothing is kept;
 *    - when the app has stored a field, it renders <span data-sip-saved="sip-k-<key>" data-sip-hash="<hash>"
 *      data-sip-rev="<revision>">, the hash being FNV-1a 32-bit over the stored text's UTF-16 code units, 8 lowercase
 *      hex digits (sipkurs.serving.draftguard.saved_hash), the revision the store's revision of that field (optional);
 *      the kept entry is dropped once a marker carries its text's hash. A kept entry remembers the newest revision
 *      the page had been told of for its field when its text was begun: the revision it was typed on;
 *    - when a kept text is settled without being stored as it is (the participant chose another text in a conflict,
 *      or merged it into a text that is now stored), the app renders <span data-sip-settled="sip-k-<key>"
 *      data-sip-hash="<hash of that text>">, and the entry is dropped;
 *    - when the scope element also has data-sip-kept, the app has a hidden text input inside ".sip-kept": kept text
 *      is handed to it rather than typed into the field, so the app can tell an old draft from an edit made on top of
 *      what the page shows (someone may have written the field since). Its value is a JSON list of every text given
 *      back on this page so far, [{"k": "sip-k-<key>", "v": text, "r": revision or null}, …]: widget updates sent
 *      close together may be merged into the last one, so each value says everything.
 * 3. Loading: a page still loading after 90 seconds offers "Försök igen".
 */
(function () {
  "use strict";

  var PREFIX = "sipkurs:utkast:";
  var MAX_CHARS = 20000; // the form allows 10,000 per field; anything longer is not the form's and is not kept
  var MAX_AGE_MS = 7 * 24 * 3600 * 1000; // kept entries expire: a shared computer forgets unsaved text in a week
  var POLL_MS = 10000;
  var SLOW_MS = 90000;

  // --- FNV-1a 32-bit over UTF-16 code units -------------------------------------------------------------------
  function hash(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return ("0000000" + (h >>> 0).toString(16)).slice(-8);
  }

  // --- the page's kernel --------------------------------------------------------------------------------------
  function config() {
    var el = document.getElementById("jupyter-config-data");
    if (!el) { return null; }
    try { return JSON.parse(el.textContent || "{}"); } catch (e) { return null; }
  }

  var state = { lost: null, unloading: false, checking: false, banner: null };

  function kernelUrl() {
    var c = config();
    if (!c || !c.kernelId) { return null; }
    var base = c.baseUrl || "/";
    if (base.charAt(base.length - 1) !== "/") { base += "/"; }
    return base + "api/kernels/" + encodeURIComponent(c.kernelId);
  }

  function check() {
    var url = kernelUrl();
    if (!url || state.unloading || state.lost === "gone" || state.checking) { return; }
    state.checking = true;
    fetch(url + "?t=" + Date.now(), { cache: "no-store", credentials: "same-origin" }).then(function (response) {
      state.checking = false;
      if (response.status === 404) { lose("gone"); }
      else if (response.ok && state.lost === "unreachable") { found(); }
    }, function () {
      state.checking = false;
      if (!state.unloading) { lose("unreachable"); }
    });
  }

  var TEXTS = {
    gone: "Sidan har tappat kontakten med servern (den stängs efter en stund utan aktivitet, eller har startats om).",
    unreachable: "Servern svarar inte just nu."
  };

  function lose(why) {
    if (state.lost === "gone") { return; }
    state.lost = why;
    var kept = pendingCount();
    var text = TEXTS[why] + " " + (kept
      ? "Det du skrivit i " + kept + (kept === 1 ? " fält" : " fält") + " finns kvar i webbläsaren och sparas när du ansluter igen."
      : "Det som redan är sparat finns kvar.");
    showBanner(text);
  }

  function found() {
    state.lost = null;
    if (state.banner) { state.banner.remove(); state.banner = null; }
  }

  function showBanner(text) {
    if (!document.body) { return; }
    if (!state.banner) {
      var banner = document.createElement("div");
      banner.className = "sip-banner";
      banner.setAttribute("role", "alert");
      banner.setAttribute("lang", "sv");
      var p = document.createElement("p");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Anslut igen";
      button.addEventListener("click", reconnect);
      banner.appendChild(p);
      banner.appendChild(button);
      document.body.appendChild(banner);
      state.banner = banner;
    }
    state.banner.querySelector("p").textContent = text;
  }

  function reconnect() {
    var target = document.querySelector("[data-sip-resume]");
    var url = target ? target.getAttribute("data-sip-resume") : "";
    state.unloading = true;
    location.replace(url ? new URL(url, location.href).href : location.href);
  }

  // The server says "dead" in a status message when the kernel's process is gone (small messages only are read).
  var decoder = window.TextDecoder ? new TextDecoder() : null;
  function saysDead(data) {
    if (typeof data === "string") { return data.length < 4000 && data.indexOf('"dead"') >= 0; }
    if (decoder && data instanceof ArrayBuffer && data.byteLength < 4000) {
      return decoder.decode(data).indexOf('"dead"') >= 0;
    }
    return false;
  }

  // The kernel's websocket: a close is checked at once (Jupyter reconnects by itself when the kernel still lives).
  var NativeSocket = window.WebSocket;
  if (NativeSocket) {
    var TrackedSocket = function (url, protocols) {
      var socket = protocols === undefined ? new NativeSocket(url) : new NativeSocket(url, protocols);
      if (/\/api\/kernels\/[^/]+\/channels/.test(String(url))) {
        socket.addEventListener("open", function () { if (state.lost === "unreachable") { found(); } });
        socket.addEventListener("close", function () { setTimeout(check, 300); });
        socket.addEventListener("message", function (event) { if (saysDead(event.data)) { setTimeout(check, 300); } });
      }
      return socket;
    };
    TrackedSocket.prototype = NativeSocket.prototype;
    ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { TrackedSocket[k] = NativeSocket[k]; });
    window.WebSocket = TrackedSocket;
  }

  window.addEventListener("pagehide", function () { state.unloading = true; });
  window.addEventListener("beforeunload", function () { state.unloading = true; });
  window.addEventListener("online", check);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { check(); } });
  setInterval(function () { if (!document.hidden) { check(); } }, POLL_MS);

  // --- drafts ---------------------------------------------------------------------------------------------------
  function scope() {
    var el = document.querySelector("[data-sip-scope]");
    return el ? el.getAttribute("data-sip-scope") : null;
  }

  function storageKey(s, key) { return PREFIX + s + ":" + key; }

  function read(name) {
    try {
      var entry = JSON.parse(localStorage.getItem(name));
      return entry && typeof entry.v === "string" ? entry : null;
    } catch (e) { return null; }
  }

  function forget(name) { try { localStorage.removeItem(name); } catch (e) { /* storage off */ } }

  function fieldKey(input) {
    var holder = input.closest("[class*='sip-k-']");
    if (!holder || !holder.closest(".sip-form")) { return null; }
    for (var i = 0; i < holder.classList.length; i++) {
      if (holder.classList[i].indexOf("sip-k-") === 0) { return holder.classList[i]; }
    }
    return null;
  }

  var SKIP = { checkbox: 1, radio: 1, button: 1, submit: 1, reset: 1, password: 1, file: 1, hidden: 1, image: 1, range: 1, color: 1 };
  function isField(el) {
    return el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && !SKIP[(el.type || "text").toLowerCase()]));
  }

  function entries(s) {
    var out = [];
    var prefix = PREFIX + s + ":";
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var name = localStorage.key(i);
        if (name && name.indexOf(prefix) === 0) { out.push([name, name.slice(prefix.length)]); }
      }
    } catch (e) { /* storage off */ }
    return out;
  }

  function pendingCount() {
    var s = scope();
    return s ? entries(s).length : 0;
  }

  function keep(event) {
    var input = event.target;
    if (!isField(input) || input.dataset.sipRestoring) { return; }
    var s = scope();
    var key = s && fieldKey(input);
    if (!key) { return; }
    var name = storageKey(s, key);
    if (input.value.length > MAX_CHARS) { forget(name); return; }
    // The revision the text was begun on: kept while the entry lives (a conflict's newer text must not become it).
    var before = owned[name] ? read(name) : null;
    var entry = { v: input.value, t: Date.now(), r: before && typeof before.r === "number" ? before.r : revision(key) };
    try { localStorage.setItem(name, JSON.stringify(entry)); } catch (e) { /* full or off */ }
    owned[name] = true;
    scheduleMarkers();
  }
  document.addEventListener("input", keep, true);
  document.addEventListener("change", keep, true);

  // The newest revision of a field the app has told this page of (null if none is on the page).
  function revision(key) {
    var markers = document.querySelectorAll("[data-sip-saved][data-sip-rev]");
    var newest = null;
    for (var i = 0; i < markers.length; i++) {
      if (markers[i].getAttribute("data-sip-saved") !== key) { continue; }
      var rev = parseInt(markers[i].getAttribute("data-sip-rev"), 10);
      if (!isNaN(rev) && (newest === null || rev > newest)) { newest = rev; }
    }
    return newest;
  }

  function applyMarkers() {
    var s = scope();
    if (!s) { return; }
    var markers = document.querySelectorAll("[data-sip-saved], [data-sip-settled]");
    for (var i = 0; i < markers.length; i++) {
      var key = markers[i].getAttribute("data-sip-saved") || markers[i].getAttribute("data-sip-settled");
      var name = storageKey(s, key);
      var entry = read(name);
      if (entry && hash(entry.v) === markers[i].getAttribute("data-sip-hash")) { forget(name); }
    }
  }

  // Entries this page typed or restored itself: never restored again on this page.
  var owned = {};
  var restoredCount = 0;

  function fieldFor(key) {
    var selector = ".sip-form ." + (window.CSS && CSS.escape ? CSS.escape(key) : key);
    var holders = document.querySelectorAll(selector);
    for (var i = 0; i < holders.length; i++) {
      var field = isField(holders[i]) ? holders[i] : holders[i].querySelector("textarea, input");
      if (isField(field)) { return field; }
    }
    return null;
  }

  // The app's input for kept text (see the contract above): null while not rendered yet, false if the app has none.
  function keptChannel() {
    var el = document.querySelector("[data-sip-scope]");
    if (!el || !el.hasAttribute("data-sip-kept")) { return false; }
    return document.querySelector(".sip-kept input") || null;
  }

  var givenBack = [];
  function giveBack(field, key, entry, channel) {
    var text = entry.v;
    field.dataset.sipRestoring = "1";
    field.value = text;
    if (channel) {
      givenBack.push({ k: key, v: text, r: typeof entry.r === "number" ? entry.r : null });
      channel.value = JSON.stringify(givenBack);
      channel.dispatchEvent(new Event("input", { bubbles: true }));
    } else {
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
    delete field.dataset.sipRestoring;
  }

  function restore() {
    var s = scope();
    if (!s) { return; }
    var channel = keptChannel();
    if (channel === null) { return; } // tried again on the next change of the page
    var now = Date.now();
    var list = entries(s);
    var count = 0;
    for (var i = 0; i < list.length; i++) {
      var name = list[i][0], key = list[i][1];
      if (owned[name]) { continue; }
      var entry = read(name);
      if (!entry || now - (entry.t || 0) > MAX_AGE_MS) { forget(name); continue; }
      var field = fieldFor(key);
      if (!field) { continue; } // not rendered yet: tried again on the next change of the page
      owned[name] = true;
      if (field.value === entry.v) { continue; }
      giveBack(field, key, entry, channel);
      count += 1;
    }
    if (count) {
      restoredCount += count;
      notice(restoredCount === 1
        ? "1 fält som inte hann sparas har återställts från den här webbläsaren."
        : restoredCount + " fält som inte hann sparas har återställts från den här webbläsaren.");
    }
  }

  function notice(text) {
    var el = document.querySelector(".sip-notice");
    if (!el) {
      el = document.createElement("div");
      el.className = "sip-notice";
      el.setAttribute("role", "status");
      el.setAttribute("lang", "sv");
      document.body.appendChild(el);
    }
    el.textContent = text;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(function () { el.remove(); }, 15000);
  }

  var scheduled = false;
  function scheduleMarkers() {
    if (scheduled) { return; }
    scheduled = true;
    setTimeout(function () {
      scheduled = false;
      applyMarkers();
      restore();
    }, 60);
  }

  function watch() {
    new MutationObserver(scheduleMarkers).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["data-sip-hash", "data-sip-saved", "data-sip-settled", "data-sip-scope"]
    });
    scheduleMarkers();
    setTimeout(function () {
      var loading = document.getElementById("loading");
      if (!loading || loading.querySelector(".sip-slow")) { return; }
      var p = document.createElement("p");
      p.className = "sip-slow";
      p.textContent = "Det tar ovanligt lång tid. ";
      var a = document.createElement("a");
      a.href = location.href;
      a.textContent = "Försök igen";
      p.appendChild(a);
      loading.appendChild(p);
    }, SLOW_MS);
  }
  if (document.body) { watch(); } else { document.addEventListener("DOMContentLoaded", watch); }

  window.sipGuard = { hash: hash, check: check, pending: pendingCount, restore: restore };
})();
