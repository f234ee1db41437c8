/* newsdigest search: reads the build-time index and searches it in the page. The index is a
   manifest (search-index.json: the tags and the parts, newest first) and one part per month,
   fetched in parallel and joined in the manifest's order. No dependencies, no other hosts.
   Every query word must match the start of a word in the title, tags, summary or body;
   title matches rank highest, then tags, summary, body; ties keep the site's order (newest
   first). */
(function () {
  "use strict";
  var MAX_RESULTS = 50;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list) return;

  // The messages come translated from the page (data-* attributes of the form, made from the
  // theme's catalogues); {count}, {query} and {max} are filled in here.
  function message(name, fallback, values) {
    var text = form.getAttribute("data-" + name) || fallback;
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  var entries = null;
  var tagUrls = new Map();
  var timer = 0;

  function fold(text) {
    return text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
  }
  function words(text) {
    return " " + fold(text).split(/[^\p{L}\p{N}_]+/u).filter(Boolean).join(" ");
  }

  function prepare(manifest, parts) {
    manifest.tags.forEach(function (tag) { tagUrls.set(tag[0], tag[1]); });
    var articles = [].concat.apply([], parts.map(function (part) { return part.articles; }));
    entries = articles.map(function (item, order) {
      return {
        item: item,
        order: order,
        title: words(item.t),
        tags: words(item.g.join(" ")),
        summary: words(item.s),
        body: " " + item.w
      };
    });
  }

  function score(entry, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var needle = " " + terms[i];
      if (entry.title.indexOf(needle) >= 0) total += 8;
      else if (entry.tags.indexOf(needle) >= 0) total += 5;
      else if (entry.summary.indexOf(needle) >= 0) total += 3;
      else if (entry.body.indexOf(needle) >= 0) total += 1;
      else return 0;
    }
    return total;
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function show(query) {
    var terms = words(query).trim().split(" ").filter(Boolean);
    list.textContent = "";
    if (!terms.length) {
      status.textContent = "";
      return;
    }
    var found = [];
    entries.forEach(function (entry) {
      var points = score(entry, terms);
      if (points) found.push({ entry: entry, points: points });
    });
    found.sort(function (a, b) { return b.points - a.points || a.entry.order - b.entry.order; });
    found.slice(0, MAX_RESULTS).forEach(function (hit) {
      var item = hit.entry.item;
      var li = element("li");
      var article = element("article");
      var heading = element("h2");
      var link = element("a", "", item.t);
      link.href = item.u;
      heading.appendChild(link);
      article.appendChild(heading);
      var meta = element("p", "meta");
      var time = element("time", "", item.f);
      time.setAttribute("datetime", item.d);
      meta.appendChild(time);
      item.g.forEach(function (name, position) {
        meta.appendChild(document.createTextNode(position ? ", " : " · "));
        var tag = element("a", "tag", name);
        tag.href = tagUrls.get(name);
        meta.appendChild(tag);
      });
      article.appendChild(meta);
      if (item.s) article.appendChild(element("p", "summary", item.s));
      li.appendChild(article);
      list.appendChild(li);
    });
    var count = found.length;
    var values = { count: count, query: query.trim(), max: MAX_RESULTS };
    var foundText = count === 0
      ? message("none", "No articles found for “{query}”.", values)
      : count === 1
        ? message("one", "1 article found for “{query}”.", values)
        : message("many", "{count} articles found for “{query}”.", values);
    var shown = count > MAX_RESULTS ? " " + message("shown", "(showing the first {max})", values) : "";
    status.textContent = foundText + shown;
  }

  function update() {
    var query = input.value;
    var url = new URL(window.location.href);
    if (query.trim()) url.searchParams.set("q", query); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
    if (entries) show(query);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
  });
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 120);
  });

  input.value = new URLSearchParams(window.location.search).get("q") || "";
  status.textContent = message("loading", "Loading the search index…", {});
  function getJSON(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  getJSON(form.getAttribute("data-index"))
    .then(function (manifest) {
      var parts = manifest.parts.map(function (part) { return getJSON(part.url); });
      return Promise.all(parts).then(function (loaded) { prepare(manifest, loaded); });
    })
    .then(function () {
      status.textContent = "";
      form.setAttribute("data-ready", "");
      show(input.value);
    })
    .catch(function () {
      status.textContent = message(
        "failed", "The search index could not be loaded. Search works when the site is served over http(s).", {}
      );
    });
})();
