/*!
 * Leadline loader. On any page:
 *   <script src="https://widget.example/loader.js" data-site-key="KEY" async></script>
 * adds a chat launcher, once the widget says this page may show the site's chat
 * (else a console message says why not); the chat itself runs in an iframe
 * from the loader's own origin. Plain JavaScript, no build step, no
 * dependencies: it runs on pages we do not control, so it stays tiny (a test
 * keeps it under 5 KB gzipped).
 */
(function () {
  "use strict";
  var win = window;
  var doc = document;
  // Included twice (a theme and a tag manager, say): the first copy wins.
  if (win.__leadlineLoaded) return;

  // currentScript is null only in odd cases (modules, old browsers): find the tag instead.
  var script = doc.currentScript || doc.querySelector("script[data-site-key][src*='loader.js']");
  if (!script || !script.src) return;
  var siteKey = script.getAttribute("data-site-key") || "";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(siteKey)) {
    if (win.console) console.warn("Leadline: data-site-key is missing or invalid");
    return;
  }
  win.__leadlineLoaded = true;

  var origin = new URL(script.src, location.href).origin;
  var embedUrl = origin + "/embed/" + siteKey;

  // Shadow DOM keeps the host page's CSS out (and ours in); `all: initial` resets what inherits.
  var CSS =
    ":host{all:initial}" +
    ".w{--a:#2563eb;--o:#fff}" +
    ".l{position:fixed;right:20px;bottom:20px;z-index:2147483646;width:56px;height:56px;margin:0;padding:0;border:0;border-radius:50%;" +
    "background:var(--a);color:var(--o);box-shadow:0 4px 14px rgba(0,0,0,.28);cursor:pointer;display:flex;align-items:center;justify-content:center}" +
    ".l:focus-visible{outline:3px solid #111;outline-offset:3px;box-shadow:0 0 0 3px #fff}" +
    ".l svg{width:28px;height:28px;fill:currentColor}" +
    ".l .x,.open .l .c{display:none}.open .l .x{display:block}" +
    ".p{position:fixed;right:20px;bottom:88px;z-index:2147483647;width:380px;height:620px;max-width:calc(100vw - 40px);" +
    "max-height:calc(100vh - 108px);border-radius:14px;overflow:hidden;background:#fff;box-shadow:0 12px 40px rgba(0,0,0,.3)}" +
    ".p[hidden]{display:none}" +
    ".left .l,.left .p{right:auto;left:20px}" +
    "iframe{display:block;width:100%;height:100%;border:0}" +
    // Phones: the chat takes the whole viewport; its own Close button and Escape close it.
    "@media (max-width:480px){.p,.left .p{top:0;right:0;bottom:0;left:0;width:100%;height:100%;max-width:none;max-height:none;border-radius:0}}";

  var ICONS =
    '<svg class="c" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>' +
    '<svg class="x" viewBox="0 0 24 24" aria-hidden="true"><path d="M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z"/></svg>';

  function mount() {
    var host = doc.createElement("div");
    host.setAttribute("data-leadline", "");
    // Open, not closed: tests and assistive tooling can reach the launcher.
    var root = host.attachShadow({ mode: "open" });
    root.innerHTML =
      "<style>" + CSS + "</style>" +
      '<div class="w"><button class="l" type="button" aria-label="Open chat" aria-expanded="false" aria-controls="leadline-panel">' +
      ICONS + '</button><div class="p" id="leadline-panel" hidden></div></div>';
    doc.body.appendChild(host);

    var wrap = root.querySelector(".w");
    var button = root.querySelector(".l");
    var panel = root.querySelector(".p");
    var frame = null;
    var frameReady = false;
    var open = false;

    // Tells the chat it is visible, so it can put the cursor in the textbox.
    function notifyOpened() {
      if (open && frameReady) frame.contentWindow.postMessage({ source: "leadline", type: "opened" }, origin);
    }

    function setOpen(next) {
      if (next === open) return;
      open = next;
      // The iframe (and the chat session) is created on first open: pages pay nothing until then.
      if (open && !frame) {
        frame = doc.createElement("iframe");
        frame.title = "Chat";
        frame.src = embedUrl;
        panel.appendChild(frame);
      }
      panel.hidden = !open;
      wrap.classList.toggle("open", open);
      button.setAttribute("aria-expanded", String(open));
      if (open) {
        frame.focus();
        notifyOpened();
      }
    }

    function close() {
      setOpen(false);
      button.focus();
    }

    button.addEventListener("click", function () {
      setOpen(!open);
    });

    doc.addEventListener("keydown", function (event) {
      if (open && event.key === "Escape" && !event.defaultPrevented) close();
    });

    win.addEventListener("message", function (event) {
      // Only our own iframe, from our own origin, may steer the launcher.
      if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
      var data = event.data;
      if (!data || data.source !== "leadline") return;
      if (data.type === "ready") {
        frameReady = true;
        notifyOpened();
      }
      if (data.type === "close") close();
      if (data.type === "theme") {
        wrap.style.setProperty("--a", String(data.accent));
        wrap.style.setProperty("--o", String(data.onAccent));
        wrap.classList.toggle("left", data.position === "bottom-left");
      }
    });
  }

  function warn(text) {
    if (win.console) console.warn("Leadline: " + text);
  }

  // Ask first whether this page may show the chat: a page left out of the site's
  // allowed origins would get a frame the browser refuses (frame-ancestors), so
  // it gets nothing but a console message saying what to do.
  var page = location.origin;
  var site = 'site "' + siteKey + '"';
  fetch(embedUrl + "/allowed", { method: "POST" })
    .then(function (response) {
      return response.json();
    })
    .then(function (check) {
      if (check.allowed) {
        if (doc.body) mount();
        else doc.addEventListener("DOMContentLoaded", mount);
      } else if (check.reason === "not-listed") {
        warn("the chat of " + site + " is not shown on " + page + ": this origin is not one of the site's allowed origins. Add " + page + " to them to show it here.");
      } else if (check.reason === "unknown-site") {
        warn("there is no " + site + "; check the data-site-key of the loader's tag.");
      } else {
        warn("could not check whether " + page + " may show the chat of " + site + ", so it is not shown; try again later.");
      }
    })
    .catch(function () {
      warn("could not reach " + origin + " to check whether " + page + " may show the chat of " + site + ", so it is not shown.");
    });
})();
