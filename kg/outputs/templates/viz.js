// The interactive graph page of `kg viz`. Positions come precomputed from
// Python (a seeded layout), so this script only draws, pans, zooms, drags,
// searches and shows facts. Written for motorsport-kg; no libraries.
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var canvas = document.getElementById("canvas");
  var viewport = document.getElementById("viewport");
  var edgeLayer = document.getElementById("edges");
  var edgeLabelLayer = document.getElementById("edge-labels");
  var nodeLayer = document.getElementById("nodes");
  var tooltip = document.getElementById("tooltip");
  var panel = document.getElementById("panel");
  var search = document.getElementById("search");
  var results = document.getElementById("results");

  // World coordinates: the layout's [-1, 1] square, spread with the node count
  // so that large graphs are not a blot. SVG's y axis points down.
  var spread = Math.max(360, 130 * Math.sqrt(data.nodes.length));
  var colourOf = {};
  data.groups.forEach(function (g) { colourOf[g.name] = g.colour; });
  var byId = {};
  data.nodes.forEach(function (n) {
    n.px = n.x * spread;
    n.py = -n.y * spread;
    n.edges = [];
    n.folded = [fold(n.label)].concat(n.aliases.map(fold), [fold(n.short)]);
    byId[n.id] = n;
  });

  // Same folding as kg.lookup.fold: case, accents and spacing do not matter.
  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/ß/g, "ss").toLowerCase().replace(/[\s_\-./]+/g, " ").trim();
  }

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVGNS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  // Parallel edges between the same two nodes are bent apart so each stays visible.
  var pairCount = {};
  data.edges.forEach(function (e) {
    var pair = e.source < e.target ? e.source + "\u0000" + e.target : e.target + "\u0000" + e.source;
    e.index = pairCount[pair] || 0;
    pairCount[pair] = e.index + 1;
    e.pair = pair;
  });
  data.edges.forEach(function (e) {
    e.parallel = pairCount[e.pair];
    e.path = el("path", { "class": "edge", "marker-end": "url(#arrow)" }, edgeLayer);
    var title = el("title", {}, e.path);
    title.textContent = e.label;
    e.text = el("text", { "class": "edge-label", "text-anchor": "middle" }, edgeLabelLayer);
    e.text.textContent = e.label;
    e.text.style.display = "none";
    byId[e.source].edges.push(e);
    if (e.target !== e.source) { byId[e.target].edges.push(e); }
  });

  function radius(n) { return n.id === data.centre ? 11 : (n.kind === "claim" ? 6 : 8); }

  function placeEdge(e) {
    var a = byId[e.source], b = byId[e.target];
    var dx = b.px - a.px, dy = b.py - a.py;
    var length = Math.sqrt(dx * dx + dy * dy) || 1;
    var bend = (e.index - (e.parallel - 1) / 2) * 22;
    if (e.source > e.target) { bend = -bend; }
    var mx = (a.px + b.px) / 2 - dy / length * bend, my = (a.py + b.py) / 2 + dx / length * bend;
    // Stop the arrow at the target's rim.
    var tx = b.px - mx, ty = b.py - my, tl = Math.sqrt(tx * tx + ty * ty) || 1;
    var ex = b.px - tx / tl * (radius(b) + 2), ey = b.py - ty / tl * (radius(b) + 2);
    if (e.source === e.target) {
      e.path.setAttribute("d", "M " + a.px + " " + a.py + " c 30 -40 -30 -40 0 0");
      return;
    }
    e.path.setAttribute("d", "M " + a.px + " " + a.py + " Q " + mx + " " + my + " " + ex + " " + ey);
    e.text.setAttribute("x", (a.px + 2 * mx + b.px) / 4);
    e.text.setAttribute("y", (a.py + 2 * my + b.py) / 4);
  }

  data.nodes.forEach(function (n) {
    var kinds = "node " + n.kind + (n.id === data.centre ? " centre" : "");
    n.g = el("g", { "class": kinds, "data-id": n.id, "data-group": n.group }, nodeLayer);
    n.circle = el("circle", { r: radius(n), fill: colourOf[n.group] || "#999" }, n.g);
    n.text = el("text", { x: radius(n) + 3, y: 4 }, n.g);
    n.text.textContent = n.label;
    placeNode(n);
  });
  data.edges.forEach(placeEdge);

  function placeNode(n) {
    n.g.setAttribute("transform", "translate(" + n.px + " " + n.py + ")");
  }

  document.getElementById("counts").textContent =
    data.nodes.length + " nodes, " + data.edges.length + " edges";

  // ---- pan and zoom --------------------------------------------------------
  var view = { x: 0, y: 0, k: 1 };
  function applyView() {
    viewport.setAttribute("transform", "translate(" + view.x + " " + view.y + ") scale(" + view.k + ")");
  }
  function fit() {
    var box = canvas.getBoundingClientRect();
    var xs = data.nodes.map(function (n) { return n.px; });
    var ys = data.nodes.map(function (n) { return n.py; });
    if (!xs.length) { view = { x: box.width / 2, y: box.height / 2, k: 1 }; applyView(); return; }
    var minX = Math.min.apply(null, xs) - 60, maxX = Math.max.apply(null, xs) + 160;
    var minY = Math.min.apply(null, ys) - 40, maxY = Math.max.apply(null, ys) + 40;
    var k = Math.min(box.width / (maxX - minX), box.height / (maxY - minY), 2.5);
    view = { k: k, x: box.width / 2 - k * (minX + maxX) / 2, y: box.height / 2 - k * (minY + maxY) / 2 };
    applyView();
  }
  function toWorld(clientX, clientY) {
    var box = canvas.getBoundingClientRect();
    return { x: (clientX - box.left - view.x) / view.k, y: (clientY - box.top - view.y) / view.k };
  }
  canvas.addEventListener("wheel", function (event) {
    event.preventDefault();
    var box = canvas.getBoundingClientRect();
    var factor = Math.exp(-event.deltaY * 0.0015);
    var k = Math.min(Math.max(view.k * factor, 0.05), 12);
    var px = event.clientX - box.left, py = event.clientY - box.top;
    view.x = px - (px - view.x) * (k / view.k);
    view.y = py - (py - view.y) * (k / view.k);
    view.k = k;
    applyView();
  }, { passive: false });

  var drag = null;
  canvas.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) { return; }
    var target = event.target.closest ? event.target.closest(".node") : null;
    drag = { node: target ? byId[target.getAttribute("data-id")] : null,
             startX: event.clientX, startY: event.clientY, viewX: view.x, viewY: view.y, moved: false };
    canvas.setPointerCapture(event.pointerId);
    if (!drag.node) { canvas.classList.add("panning"); }
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drag) {
      var over = event.target.closest ? event.target.closest(".node") : null;
      if (over) { showTooltip(byId[over.getAttribute("data-id")], event); } else { tooltip.hidden = true; }
      return;
    }
    var dx = event.clientX - drag.startX, dy = event.clientY - drag.startY;
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; }
    if (!drag.moved) { return; }
    if (drag.node) {
      var p = toWorld(event.clientX, event.clientY);
      drag.node.px = p.x;
      drag.node.py = p.y;
      placeNode(drag.node);
      drag.node.edges.forEach(placeEdge);
      tooltip.hidden = true;
    } else {
      view.x = drag.viewX + dx;
      view.y = drag.viewY + dy;
      applyView();
    }
  });
  canvas.addEventListener("pointerup", function () {
    if (drag && !drag.moved && drag.node) { select(drag.node); }
    drag = null;
    canvas.classList.remove("panning");
  });
  canvas.addEventListener("pointerleave", function () { tooltip.hidden = true; });

  function showTooltip(n, event) {
    var box = document.getElementById("stage").getBoundingClientRect();
    tooltip.textContent = "";
    var name = document.createElement("strong");
    name.textContent = n.label;
    var type = document.createElement("span");
    type.className = "type";
    type.textContent = n.type;
    tooltip.appendChild(name);
    tooltip.appendChild(type);
    tooltip.style.left = (event.clientX - box.left + 14) + "px";
    tooltip.style.top = (event.clientY - box.top + 14) + "px";
    tooltip.hidden = false;
  }

  // ---- selection and the facts panel ------------------------------------------
  var selected = null;
  function select(n) {
    if (selected) {
      selected.g.classList.remove("selected");
      selected.edges.forEach(function (e) { e.path.classList.remove("near"); e.text.style.display = "none"; });
    }
    selected = n;
    n.g.classList.add("selected");
    n.edges.forEach(function (e) { e.path.classList.add("near"); e.text.style.display = ""; });
    showFacts(n);
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function showFacts(n) {
    document.getElementById("panel-label").textContent = n.label;
    document.getElementById("panel-type").textContent = n.type;
    document.getElementById("panel-iri").textContent = n.short;
    var body = document.querySelector("#facts tbody");
    body.textContent = "";
    n.facts.forEach(function (f) {
      var row = document.createElement("tr");
      row.className = "fact";
      cell(row, f.property);
      cell(row, f.value);
      var sources = cell(row, "", "source");
      if (!f.sources.length) {
        var none = document.createElement("span");
        none.className = "none";
        none.textContent = f.claim ? f.claim : "no source recorded";
        sources.appendChild(none);
      }
      f.sources.forEach(function (s) {
        var line = document.createElement("span");
        var details = [s.date, s.language].filter(function (x) { return x; }).join(", ");
        line.textContent = s.title + (details ? " (" + details + ")" : "");
        sources.appendChild(line);
      });
      body.appendChild(row);
    });
    if (!n.facts.length) {
      var empty = document.createElement("tr");
      cell(empty, "no facts recorded", "none").colSpan = 3;
      body.appendChild(empty);
    }
    panel.hidden = false;
  }
  document.getElementById("close").addEventListener("click", function () { panel.hidden = true; });

  // ---- search ---------------------------------------------------------------------
  var highlighted = null;
  function matches(text) {
    var wanted = fold(text);
    if (!wanted) { return []; }
    var exact = [], partial = [];
    data.nodes.forEach(function (n) {
      if (n.folded.indexOf(wanted) >= 0) { exact.push(n); }
      else if (n.folded.some(function (name) { return name.indexOf(wanted) >= 0; })) { partial.push(n); }
    });
    var byLabel = function (a, b) { return a.label < b.label ? -1 : a.label > b.label ? 1 : 0; };
    return exact.sort(byLabel).concat(partial.sort(byLabel));
  }
  function centreOn(n) {
    if (highlighted) { highlighted.g.classList.remove("highlight"); }
    highlighted = n;
    n.g.classList.add("highlight");
    select(n);
    // Centre in the part of the canvas that the facts panel leaves visible.
    var box = canvas.getBoundingClientRect();
    var visible = box.width - (panel.hidden ? 0 : panel.offsetWidth);
    view.k = Math.max(view.k, 1);
    view.x = visible / 2 - n.px * view.k;
    view.y = box.height / 2 - n.py * view.k;
    applyView();
  }
  function listResults() {
    var found = matches(search.value).slice(0, 30);
    results.textContent = "";
    found.forEach(function (n, index) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.setAttribute("data-id", n.id);
      if (index === 0) { item.className = "active"; }
      item.textContent = n.label;
      var type = document.createElement("small");
      type.textContent = n.type;
      item.appendChild(type);
      item.addEventListener("click", function () { results.hidden = true; centreOn(n); });
      results.appendChild(item);
    });
    results.hidden = found.length === 0;
    return found;
  }
  search.addEventListener("input", listResults);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var found = listResults();
      results.hidden = true;
      if (found.length) { centreOn(found[0]); }
    } else if (event.key === "Escape") {
      results.hidden = true;
    }
  });

  // ---- legend ---------------------------------------------------------------------
  var hiddenGroups = {};
  var legend = document.getElementById("legend-list");
  data.groups.forEach(function (g) {
    var item = document.createElement("li");
    item.setAttribute("data-group", g.name);
    var swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = g.colour;
    item.appendChild(swatch);
    var count = data.nodes.filter(function (n) { return n.group === g.name; }).length;
    item.appendChild(document.createTextNode(g.name + " (" + count + ")"));
    item.addEventListener("click", function () {
      hiddenGroups[g.name] = !hiddenGroups[g.name];
      item.classList.toggle("off", hiddenGroups[g.name]);
      data.nodes.forEach(function (n) { n.g.classList.toggle("dim", !!hiddenGroups[n.group]); });
    });
    legend.appendChild(item);
  });

  window.addEventListener("resize", fit);
  fit();
  if (data.centre && byId[data.centre]) { byId[data.centre].g.classList.add("highlight"); }
  document.body.setAttribute("data-ready", "true");
})();
