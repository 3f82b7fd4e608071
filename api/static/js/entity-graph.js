// The neighbourhood picture of an entity page (cytoscape.js from npm, served from this origin). The page
// carries the graph in data-graph; the list it replaces stays the no-script fallback. Asserted edges are
// solid, inferred ones dashed (the legend under the picture); a click on a node opens its page.
"use strict";
(function () {
  var host = document.getElementById("kg-graph");
  if (!host || typeof cytoscape === "undefined") return;
  var data = JSON.parse(host.dataset.graph);
  if (!data.nodes.length) return;
  var elements = [];
  data.nodes.forEach(function (n) {
    elements.push({ data: { id: n.id, label: n.label, centre: n.centre ? 1 : 0 } });
  });
  data.edges.forEach(function (e, i) {
    elements.push({ data: { id: "e" + i, source: e.source, target: e.target, label: e.label,
      inferred: e.inferred ? 1 : 0 } });
  });
  // Beyond a couple of dozen edges their labels overlap into noise: then they show for the hovered node.
  var quiet = data.edges.length > 24;
  host.textContent = "";
  host.classList.add("drawn");
  var cy = cytoscape({
    container: host,
    elements: elements,
    style: [
      { selector: "node", style: { "background-color": "#2f6f9f", label: "data(label)", color: "#1b1b1b",
        "font-size": 14, "text-wrap": "wrap", "text-max-width": 140, "text-valign": "bottom", "text-margin-y": 4,
        width: 18, height: 18 } },
      { selector: "node[centre = 1]", style: { "background-color": "#b5432a", width: 28, height: 28,
        "font-weight": "bold" } },
      { selector: "edge", style: { width: 1.6, "line-color": "#55606b", "target-arrow-color": "#55606b",
        "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)", "font-size": 11,
        color: "#3a4550", "text-rotation": "autorotate", "text-background-color": "#ffffff",
        "text-background-opacity": 0.85, "text-background-padding": 2 } },
      { selector: "edge[inferred = 1]", style: { "line-style": "dashed", "line-color": "#b07d18",
        "target-arrow-color": "#b07d18", color: "#7a5510" } },
      { selector: "edge.quiet", style: { label: "" } },
      { selector: "edge.quiet.lit", style: { label: "data(label)" } },
    ],
    layout: { name: "concentric", concentric: function (n) { return n.data("centre") ? 2 : 1; },
      levelWidth: function () { return 1; }, minNodeSpacing: 70, spacingFactor: 1.5, padding: 40,
      animate: false },
  });
  cy.on("tap", "node", function (evt) {
    var id = evt.target.id();
    if (id !== host.dataset.centre) window.location.href = "/id/" + encodeURIComponent(id);
  });
  if (quiet) cy.edges().addClass("quiet");
  cy.on("mouseover", "node", function (evt) {
    host.classList.add("pointer");
    evt.target.connectedEdges().addClass("lit");
  });
  cy.on("mouseout", "node", function (evt) {
    host.classList.remove("pointer");
    evt.target.connectedEdges().removeClass("lit");
  });
  window.kgGraph = cy;
})();
