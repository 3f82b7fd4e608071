// The document reader (/doc/{id}): a highlighted passage, hovered, focused or clicked, shows the claims
// quoting it (the server-rendered list items, cloned into the side panel) and lights up the rest of their
// quotes. The pipeline's proposals, when the service offers them (GET /documents/{id}/proposals answers
// 200), are drawn in another colour with accept/reject buttons for whoever gives a review token; the token
// stays in this tab's sessionStorage only.
"use strict";
(function () {
  var reader = document.getElementById("reader");
  var text = document.getElementById("doc-text");
  var panel = document.getElementById("panel");
  if (!reader || !text || !panel) return;
  var docId = reader.dataset.doc;
  var marks = Array.prototype.slice.call(text.querySelectorAll("mark.q"));

  function claimsOf(mark) {
    return (mark.dataset.claims || "").split(" ").filter(Boolean);
  }

  function show(mark) {
    var ids = claimsOf(mark);
    marks.forEach(function (m) {
      var shared = claimsOf(m).some(function (c) { return ids.indexOf(c) >= 0; });
      m.classList.toggle("active", shared);
      m.classList.toggle("current", m === mark);
    });
    panel.textContent = "";
    var heading = document.createElement("p");
    heading.className = "muted";
    heading.textContent = ids.length + (ids.length === 1 ? " claim quotes" : " claims quote") + " this passage:";
    panel.appendChild(heading);
    var list = document.createElement("ol");
    list.className = "panel-claims";
    panel.appendChild(list);
    ids.forEach(function (i) {
      var item = document.getElementById("c-" + i);
      if (!item) return;
      var copy = item.cloneNode(true);
      copy.removeAttribute("id");
      copy.classList.add("in-panel");
      copy.querySelectorAll("details").forEach(function (d) { d.open = true; });
      list.appendChild(copy);
    });
  }

  marks.forEach(function (m) {
    m.addEventListener("click", function () { show(m); });
    m.addEventListener("focus", function () { show(m); });
    m.addEventListener("mouseenter", function () { show(m); });
    m.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); show(m); }
    });
  });

  function fromHash() {
    if (!window.location.hash.startsWith("#claim-")) return;
    var anchor = document.getElementById(window.location.hash.slice(1));
    var node = anchor && anchor.nextElementSibling;
    while (node && !(node.matches && node.matches("mark.q"))) node = node.nextElementSibling;
    if (node) { show(node); node.scrollIntoView({ block: "center" }); }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();

  // -- proposals ---------------------------------------------------------------------------------------
  var review = document.getElementById("review");
  var tokenForm = document.getElementById("token-form");
  var tokenKey = "kg-review-token", reviewerKey = "kg-reviewer";

  function token() { return window.sessionStorage.getItem(tokenKey); }

  // Wraps [start, end) of the document text in <span class="proposal">, splitting text nodes as needed.
  function wrapRange(start, end, claimId) {
    var walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    var offset = 0, node, pieces = [];
    while ((node = walker.nextNode())) {
      var len = node.nodeValue.length, a = Math.max(start, offset), b = Math.min(end, offset + len);
      if (a < b) pieces.push([node, a - offset, b - offset]);
      offset += len;
    }
    pieces.forEach(function (p) {
      var n = p[0];
      if (p[2] < n.nodeValue.length) n.splitText(p[2]);
      var middle = p[1] > 0 ? n.splitText(p[1]) : n;
      var span = document.createElement("span");
      span.className = "proposal";
      span.dataset.proposal = claimId;
      middle.parentNode.replaceChild(span, middle);
      span.appendChild(middle);
    });
  }

  function decide(claim, verdict, item) {
    var status = item.querySelector(".outcome");
    status.textContent = "…";
    fetch("/documents/" + encodeURIComponent(docId) + "/proposals/" + encodeURIComponent(claim.id) + "/" + verdict, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json",
        Authorization: "Bearer " + token() },
      body: JSON.stringify({ reviewer: window.sessionStorage.getItem(reviewerKey) || "" }),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        status.textContent = r.ok ? (verdict === "accept" ? "accepted" : "rejected")
          : (body.message || ("failed: " + r.status));
        if (r.ok) item.classList.add(verdict === "accept" ? "accepted" : "rejected");
      });
    }).catch(function (err) { status.textContent = "failed: " + err; });
  }

  function renderProposals(data) {
    var claims = data.claims || [];
    review.hidden = false;
    document.getElementById("review-count").textContent = claims.length + " proposed claim" +
      (claims.length === 1 ? "" : "s") + ", shown in the text with a dotted outline.";
    var list = document.createElement("ol");
    list.className = "proposals";
    claims.forEach(function (c) {
      if (typeof c.start === "number" && typeof c.end === "number") wrapRange(c.start, c.end, c.id);
      var item = document.createElement("li");
      var quote = document.createElement("blockquote");
      quote.textContent = c.quote || "";
      var meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = [c.status, c.by, c.confidence != null ? "confidence " + c.confidence : null]
        .filter(Boolean).join(" · ");
      item.appendChild(quote);
      item.appendChild(meta);
      if (c.why) { var why = document.createElement("p"); why.className = "note"; why.textContent = c.why; item.appendChild(why); }
      var buttons = document.createElement("p");
      buttons.className = "decide";
      ["accept", "reject"].forEach(function (verdict) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = verdict === "accept" ? "Accept" : "Reject";
        b.addEventListener("click", function () { decide(c, verdict, item); });
        buttons.appendChild(b);
      });
      var outcome = document.createElement("span");
      outcome.className = "outcome";
      outcome.setAttribute("aria-live", "polite");
      buttons.appendChild(outcome);
      item.appendChild(buttons);
      list.appendChild(item);
    });
    review.appendChild(list);
    review.classList.toggle("has-token", !!token());
  }

  if (tokenForm) {
    var reviewer = document.getElementById("reviewer");
    reviewer.value = window.sessionStorage.getItem(reviewerKey) || "";
    tokenForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var t = document.getElementById("token").value.trim();
      if (t) window.sessionStorage.setItem(tokenKey, t); else window.sessionStorage.removeItem(tokenKey);
      window.sessionStorage.setItem(reviewerKey, reviewer.value.trim());
      document.getElementById("token").value = "";
      review.classList.toggle("has-token", !!token());
    });
  }

  // Asked only where the API offers proposals (its OpenAPI lists the path): a 404 would be a console error.
  fetch("/openapi.json", { headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : { paths: {} }; })
    .then(function (spec) {
      var offered = Object.keys(spec.paths || {}).some(function (p) { return /^\/documents\/\{[^}]+\}\/proposals$/.test(p); });
      if (!offered) return null;
      return fetch("/documents/" + encodeURIComponent(docId) + "/proposals", { headers: { Accept: "application/json" } })
        .then(function (r) { return r.status === 200 ? r.json() : null; });
    })
    .then(function (data) { if (data) renderProposals(data); })
    .catch(function () { /* no proposals on this service */ });
})();
