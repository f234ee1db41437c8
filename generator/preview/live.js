// newsdigest serve's live reload, added to every HTML page as the preview server sends it
// (never written into the built files). It follows the build state over Server-Sent Events:
// a newer build reloads the page, a failed one shows its errors over the page.
// The server replaces __NEWSDIGEST_EVENTS__ with the event stream's path when it serves this.
(function () {
  "use strict";
  var me = document.currentScript;
  var built = Number(me && me.getAttribute("data-build"));
  var box = null;
  function hide() { if (box) { box.remove(); box = null; } }
  function show(lines) {
    hide();
    box = document.createElement("div");
    box.id = "newsdigest-error-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,20,.94);color:#fff;font:14px/1.5 ui-monospace,monospace;padding:1.5rem";
    var title = document.createElement("p");
    title.style.cssText = "font-weight:bold;color:#ff8a80;margin:0 0 1rem";
    title.textContent = "newsdigest: the build failed. The last good version of the site is shown; fix the problem and save to rebuild.";
    var text = document.createElement("pre");
    text.style.cssText = "white-space:pre-wrap;margin:0";
    text.textContent = lines.join("\n");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.style.cssText = "margin-top:1rem;font:inherit";
    close.addEventListener("click", hide);
    box.append(title, text, close);
    document.body.appendChild(box);
  }
  var source = new EventSource("__NEWSDIGEST_EVENTS__");
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.errors) { show(state.errors); return; }
    hide();
    if (state.build !== built) window.location.reload();
  });
})();
