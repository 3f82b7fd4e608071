// The SPARQL editor on /sparql: YASGUI (npm @zazuko/yasgui, served from this origin) against this
// service's endpoint. Nothing may leave the origin: prefix.cc and the LOV term search that YASQE uses by
// default are replaced by the ontology's own prefixes and terms, no CORS proxy, one endpoint only.
"use strict";
(function () {
  var host = document.getElementById("yasgui");
  if (!host || typeof Yasgui === "undefined") return;
  var endpoint = new URL(host.dataset.endpoint, window.location.href).href;
  var BASE = "https://w3id.org/aichips/";  // the project's IRIs; a name, not a request
  var LOCAL = /^\/(?:(?:id|doc)\/[A-Za-z0-9][A-Za-z0-9_.-]*|claim\/[A-Za-z0-9][A-Za-z0-9_.\/-]*|ontology(?:#[A-Za-z0-9_.-]*)?)$/;

  // YASR's column resizer writes its rules into an inline <style>, which the page's CSP refuses (a console
  // error on every result table). Its rules are in /static/yasgui-table.css instead; a <style> made here
  // becomes an inert <template>, so nothing inline reaches the document.
  var createElement = document.createElement.bind(document);
  document.createElement = function (name, options) {
    return String(name).toLowerCase() === "style" ? createElement("template") : createElement(name, options);
  };

  fetch(host.dataset.config, { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(start)
    .catch(function (err) { console.warn("SPARQL editor: no configuration", err); });

  function start(config) {
    var Yasqe = Yasgui.Yasqe;
    var prefixLines = Object.keys(config.prefixes).map(function (p) {
      return p + ": <" + config.prefixes[p] + ">";
    });
    Yasqe.defaults.prefixCcApi = null;
    Yasqe.forkAutocompleter("prefixes", { name: "kg-prefixes", persistenceId: null,
      get: function () { return prefixLines; } }, false);
    Yasqe.forkAutocompleter("class", { name: "kg-classes", bulk: true, persistenceId: null,
      get: function () { return config.classes; } }, false);
    Yasqe.forkAutocompleter("property", { name: "kg-properties", bulk: true, persistenceId: null,
      get: function () { return config.properties; } }, false);

    Yasgui.Yasr.registerPlugin("chart", ChartPlugin);

    var form = document.getElementById("plain-query");
    if (form) form.hidden = true;
    var yasgui = new Yasgui(host, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      corsProxy: undefined,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      populateFromUrl: true,
      persistenceId: "kg-sparql-editor",
      yasqe: {
        value: config.starter,
        autocompleters: ["kg-prefixes", "variables", "kg-classes", "kg-properties"],
        prefixCcApi: null,
        createShareableLink: null,
      },
      yasr: { prefixes: config.prefixes, persistenceId: null, pluginOrder: ["table", "chart", "response"] },
    });
    // The named questions as example tabs, once each (YASGUI keeps tabs and their history across visits).
    config.examples.forEach(function (example) {
      if (!yasgui.tabNameTaken(example.title)) {
        yasgui.addTab(false, { name: example.title, yasqe: { value: example.query },
          requestConfig: { endpoint: endpoint } });
      }
    });
    accessible(host);
    new MutationObserver(function () { accessible(host); }).observe(host, { childList: true, subtree: true });
    window.kgYasgui = yasgui;
  }

  // A bar chart of the first numeric column of a SELECT result against a label column, drawn as SVG
  // elements (no inline style: the CSP would refuse it). Up to CHART_ROWS rows.
  var CHART_ROWS = 40, SVG = "http://www.w3.org/2000/svg";
  function chartColumns(results) {
    if (!results || !results.getVariables || !results.getBindings) return null;
    var vars = results.getVariables() || [], rows = results.getBindings() || [];
    if (!rows.length) return null;
    var isNumber = function (b) { return b && b.type !== "uri" && b.value !== "" && isFinite(b.value); };
    var value = vars.filter(function (v) {
      return rows.some(function (b) { return b[v]; }) && rows.every(function (b) { return !b[v] || isNumber(b[v]); });
    })[0];
    if (!value) return null;
    var label = vars.filter(function (v) { return v !== value; })[0];
    return label ? { value: value, label: label } : null;
  }
  function shortName(term) {
    if (!term) return "";
    return term.type === "uri" ? term.value.replace(/^.*[#/]/, "") : term.value;
  }
  function svgEl(name, attrs, text) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) el.textContent = text;
    return el;
  }
  function ChartPlugin(yasr) {
    this.yasr = yasr;
    this.label = "Chart";
    this.priority = 5;
  }
  ChartPlugin.prototype.canHandleResults = function () { return !!chartColumns(this.yasr.results); };
  ChartPlugin.prototype.getIcon = function () {
    var icon = document.createElement("span");
    icon.className = "chart-icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "\u2587";
    return icon;
  };
  ChartPlugin.prototype.draw = function () {
    var cols = chartColumns(this.yasr.results);
    var rows = this.yasr.results.getBindings().slice(0, CHART_ROWS);
    var max = Math.max.apply(null, rows.map(function (b) { return b[cols.value] ? Number(b[cols.value].value) : 0; }).concat([0]));
    var width = 1000, left = 320, bar = 24, height = rows.length * bar + 30;
    var svg = svgEl("svg", { viewBox: "0 0 " + width + " " + height, role: "img", class: "kg-chart" });
    svg.appendChild(svgEl("title", {}, cols.value + " by " + cols.label));
    rows.forEach(function (b, i) {
      var n = b[cols.value] ? Number(b[cols.value].value) : 0;
      var w = max > 0 ? Math.max(1, (width - left - 80) * n / max) : 1, y = 10 + i * bar;
      var name = shortName(b[cols.label]);
      svg.appendChild(svgEl("text", { x: left - 8, y: y + 16, "text-anchor": "end", class: "chart-label" },
        name.length > 48 ? name.slice(0, 47) + "\u2026" : name));
      svg.appendChild(svgEl("rect", { x: left, y: y + 3, width: w, height: bar - 8, rx: 2, class: "chart-bar" }));
      svg.appendChild(svgEl("text", { x: left + w + 6, y: y + 16, class: "chart-value" }, String(n)));
    });
    var figure = document.createElement("figure");
    figure.className = "kg-chart-figure";
    figure.appendChild(svg);
    var caption = document.createElement("figcaption");
    caption.textContent = "?" + cols.value + " by ?" + cols.label +
      (this.yasr.results.getBindings().length > CHART_ROWS ? " (first " + CHART_ROWS + " rows)" : "");
    figure.appendChild(caption);
    this.yasr.resultsEl.appendChild(figure);
  };

  // YASGUI's markup, mended where axe-core finds it wanting: the "add tab" button is moved out of the
  // tablist (which may only hold tabs), a tab names a panel only once YASGUI has made it, and the
  // endpoint field, the editor's textarea and its scroll area get a name or keyboard focus.
  function accessible(root) {
    root.querySelectorAll(".tabsList").forEach(function (list) {
      var add = list.querySelector(".addTab");
      var wrapper = add && add.parentElement;
      if (wrapper && wrapper.parentElement === list) list.parentElement.insertBefore(wrapper, list.nextSibling);
      list.querySelectorAll("[role=tab]").forEach(function (tab) {
        var panel = tab.getAttribute("aria-controls");
        if (panel && !document.getElementById(panel)) tab.removeAttribute("aria-controls");
        if (!tab.hasAttribute("aria-selected")) tab.setAttribute("aria-selected", "false");
      });
      list.querySelectorAll("input:not([aria-label])").forEach(function (input) {
        input.setAttribute("aria-label", "Tab name");
      });
    });
    root.querySelectorAll("input.autocomplete:not([aria-label])").forEach(function (input) {
      input.setAttribute("aria-label", "SPARQL endpoint");
    });
    root.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (area) {
      area.setAttribute("aria-label", "SPARQL query");
    });
    // A result IRI of this graph opens its page here (as api/links.py links them), in the same tab.
    root.querySelectorAll(".yasr a[href^='" + BASE + "']").forEach(function (a) {
      var local = "/" + a.getAttribute("href").slice(BASE.length);
      if (LOCAL.test(local)) {
        a.setAttribute("href", local);
        a.removeAttribute("target");
      }
    });
    root.querySelectorAll("select:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", select.classList.contains("tableSizer") ? "Rows per page" : "Option");
    });
    root.querySelectorAll(".CodeMirror-scroll:not([tabindex='0'])").forEach(function (scroll) {
      scroll.setAttribute("tabindex", "0");
    });
  }
})();
