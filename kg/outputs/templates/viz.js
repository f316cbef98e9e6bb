// The interactive graph page of `kg viz`. Written for motorsport-kg; no libraries.
//
// A large graph opens on a readable neighbourhood: the `opening` nodes nearest
// the focus (the entity asked for, else the best-linked one), laid out here by a
// small force layout. Double-click a node (or "Show its links") to add its
// neighbours, search to open on another node, "Show all" to draw everything at
// the positions precomputed in Python (a seeded layout). Only what is shown is
// in the DOM, so a graph of thousands of nodes stays fluid.
//
// Labels keep their size on screen whatever the zoom, and after every change of
// view they are placed greedily (selected, searched and focus first, then the
// best-linked): a label that would overlap one already placed is hidden (its
// node's tooltip still names it), so no two visible labels collide.
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
  var showAllButton = document.getElementById("show-all");
  var resetButton = document.getElementById("reset");
  var expandButton = document.getElementById("expand");
  var LINK = 110;  // the force layout's ideal link length, in world units

  // World coordinates of "show all": the layout's [-1, 1] square, spread with
  // the node count so that large graphs are not a blot. SVG's y axis points down.
  var spread = Math.max(360, 130 * Math.sqrt(data.nodes.length));
  var colourOf = {};
  data.groups.forEach(function (g) { colourOf[g.name] = g.colour; });
  var byId = {};
  data.nodes.forEach(function (n, index) {
    n.order = index;
    n.gx = n.x * spread;
    n.gy = -n.y * spread;
    n.px = n.gx;
    n.py = n.gy;
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
    byId[e.source].edges.push(e);
    if (e.target !== e.source) { byId[e.target].edges.push(e); }
  });
  function other(e, n) { return e.source === n.id ? byId[e.target] : byId[e.source]; }
  function neighbours(n) {
    var seen = {}, found = [];
    n.edges.forEach(function (e) {
      var m = other(e, n);
      if (m !== n && !seen[m.id]) { seen[m.id] = true; found.push(m); }
    });
    return found.sort(byImportance);
  }
  function mixed(nodes) {
    var byGroup = {}, groups = [];
    nodes.forEach(function (n) {
      if (!byGroup[n.group]) { byGroup[n.group] = []; groups.push(n.group); }
      byGroup[n.group].push(n);
    });
    var result = [];
    for (var round = 0; result.length < nodes.length; round += 1) {
      groups.forEach(function (g) { if (byGroup[g][round]) { result.push(byGroup[g][round]); } });
    }
    return result;
  }
  function byImportance(a, b) {
    return b.degree - a.degree || (a.label < b.label ? -1 : a.label > b.label ? 1 : a.order - b.order);
  }

  function radius(n) { return n.id === data.centre ? 11 : (n.kind === "claim" ? 6 : 8); }

  // ---- what is shown ----------------------------------------------------------------
  var shown = {};       // id -> node, the nodes in the DOM
  var shownCount = 0;
  var drawnEdges = [];  // edges whose two ends are shown
  var hiddenGroups = {};

  function hiddenLinks(n) {
    var count = 0;
    neighbours(n).forEach(function (m) { if (!shown[m.id]) { count += 1; } });
    return count;
  }

  function drawNode(n) {
    var kinds = "node " + n.kind + (n.id === data.centre ? " centre" : "");
    n.g = el("g", { "class": kinds, "data-id": n.id, "data-group": n.group }, nodeLayer);
    n.circle = el("circle", { r: radius(n), fill: colourOf[n.group] || "#999" }, n.g);
    n.text = el("text", { x: radius(n) + 3, y: 4 }, n.g);
    n.text.textContent = n.label;
    n.box = null;
    n.placed = true;
    if (hiddenGroups[n.group]) { n.g.classList.add("dim"); }
    if (n === highlighted) { n.g.classList.add("highlight"); }
    if (n === selected) { n.g.classList.add("selected"); }
  }
  function dropNode(n) {
    nodeLayer.removeChild(n.g);
    n.g = n.circle = n.text = null;
  }
  function drawEdge(e) {
    e.path = el("path", { "class": "edge", "marker-end": "url(#arrow)" }, edgeLayer);
    var title = el("title", {}, e.path);
    title.textContent = e.label;
    e.text = el("text", { "class": "edge-label", "text-anchor": "middle" }, edgeLabelLayer);
    e.text.textContent = e.label;
    e.text.style.display = "none";
    e.box = null;
    if (selected && (e.source === selected.id || e.target === selected.id)) { nearEdge(e, true); }
  }

  // Replace what is shown by `wanted` (a list of nodes), keeping the DOM of nodes that stay.
  function showOnly(wanted) {
    var keep = {};
    wanted.forEach(function (n) { keep[n.id] = n; });
    Object.keys(shown).forEach(function (id) { if (!keep[id]) { dropNode(shown[id]); } });
    drawnEdges.forEach(function (e) {
      edgeLayer.removeChild(e.path);
      edgeLabelLayer.removeChild(e.text);
      e.path = e.text = null;
    });
    var before = shown;
    shown = keep;
    shownCount = wanted.length;
    wanted.forEach(function (n) { if (!before[n.id]) { drawNode(n); } });
    drawnEdges = data.edges.filter(function (e) { return shown[e.source] && shown[e.target]; });
    drawnEdges.forEach(drawEdge);
    measureLabels();
    Object.keys(shown).forEach(function (id) { placeNode(shown[id]); });
    drawnEdges.forEach(placeEdge);
    markHiddenLinks();
    updateCounts();
  }

  function markHiddenLinks() {
    Object.keys(shown).forEach(function (id) {
      var n = shown[id];
      n.g.classList.toggle("more", hiddenLinks(n) > 0);
    });
  }

  // Up to `limit` nodes around `start`, breadth first; of each node's neighbours, one
  // of each class in turn (best-linked first), so sixty entries do not crowd out the rest.
  function around(start, limit) {
    var found = [start], seen = {};
    seen[start.id] = true;
    for (var i = 0; i < found.length && found.length < limit; i += 1) {
      var next = mixed(neighbours(found[i]));
      for (var j = 0; j < next.length && found.length < limit; j += 1) {
        if (!seen[next[j].id]) { seen[next[j].id] = true; found.push(next[j]); }
      }
    }
    return found;
  }

  // A small force layout (Fruchterman-Reingold) of the shown nodes, without chance:
  // it starts from the precomputed positions, and nodes in `pinned` stay where they are.
  function relax(nodes, pinned, iterations) {
    var count = nodes.length;
    if (count < 2) { return; }
    var index = {};
    nodes.forEach(function (n, i) { index[n.id] = i; });
    var links = [];
    drawnEdges.forEach(function (e) {
      if (e.source !== e.target && index[e.source] !== undefined && index[e.target] !== undefined) {
        links.push([index[e.source], index[e.target]]);
      }
    });
    var x = nodes.map(function (n) { return n.px; });
    var y = nodes.map(function (n) { return n.py; });
    var free = nodes.map(function (n) { return !pinned[n.id]; });
    var temperature = LINK * 2;
    for (var step = 0; step < iterations; step += 1) {
      var dx = new Float64Array(count), dy = new Float64Array(count);
      for (var a = 0; a < count; a += 1) {
        for (var b = a + 1; b < count; b += 1) {
          var ux = x[a] - x[b], uy = y[a] - y[b];
          var d2 = ux * ux + uy * uy;
          if (d2 < 1) { ux = (a - b) * 0.7 + 0.5; uy = (b % 3) - 1 + 0.3; d2 = ux * ux + uy * uy; }
          var push = LINK * LINK / d2;
          dx[a] += ux * push; dy[a] += uy * push;
          dx[b] -= ux * push; dy[b] -= uy * push;
        }
      }
      links.forEach(function (link) {
        var s = link[0], t = link[1];
        var vx = x[s] - x[t], vy = y[s] - y[t];
        var d = Math.sqrt(vx * vx + vy * vy) || 1;
        var pull = d / LINK;
        dx[s] -= vx * pull; dy[s] -= vy * pull;
        dx[t] += vx * pull; dy[t] += vy * pull;
      });
      for (var i = 0; i < count; i += 1) {
        if (!free[i]) { continue; }
        var length = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
        if (length > 0) {
          var move = Math.min(length, temperature);
          x[i] += dx[i] / length * move;
          y[i] += dy[i] / length * move;
        }
      }
      temperature = Math.max(temperature * 0.95, 1);
    }
    nodes.forEach(function (n, i) { n.px = x[i]; n.py = y[i]; });
  }

  // Open on `start`: its neighbourhood, laid out afresh, fitted to the canvas.
  function openOn(start) {
    var wanted = around(start, data.opening);
    if (wanted.length === data.nodes.length) {
      showEverything();
      return;
    }
    // Start from the global layout, scaled to the ideal link length around `start`.
    var scale = LINK / (spread / Math.sqrt(data.nodes.length)) || 1;
    wanted.forEach(function (n) {
      n.px = (n.gx - start.gx) * scale;
      n.py = (n.gy - start.gy) * scale;
    });
    showOnly(wanted);
    relax(wanted, {}, 250);
    Object.keys(shown).forEach(function (id) { placeNode(shown[id]); });
    drawnEdges.forEach(placeEdge);
    fit();
  }

  function showEverything() {
    data.nodes.forEach(function (n) { n.px = n.gx; n.py = n.gy; });
    showOnly(data.nodes.slice());
    fit();
  }

  // Add `n`'s neighbours around it; what was shown stays in place.
  function expand(n) {
    var added = neighbours(n).filter(function (m) { return !shown[m.id]; });
    if (!added.length) { return; }
    var pinned = {};
    Object.keys(shown).forEach(function (id) { pinned[id] = true; });
    added.forEach(function (m, i) {
      var angle = 2 * Math.PI * i / added.length;
      m.px = n.px + Math.cos(angle) * LINK;
      m.py = n.py + Math.sin(angle) * LINK;
    });
    var wanted = Object.keys(shown).map(function (id) { return shown[id]; }).concat(added);
    showOnly(wanted);
    relax(wanted, pinned, 120);
    added.forEach(placeNode);
    drawnEdges.forEach(placeEdge);
    scheduleLabels();
  }

  function updateCounts() {
    var total = data.nodes.length;
    var all = shownCount === total;
    document.getElementById("counts").textContent = all
      ? total + " nodes, " + data.edges.length + " edges"
      : "showing " + shownCount + " of " + total + " nodes, " + drawnEdges.length + " of "
        + data.edges.length + " edges";
    showAllButton.hidden = all;
    resetButton.hidden = all && total <= data.opening;
  }

  // ---- placing ------------------------------------------------------------------------
  function placeNode(n) {
    n.g.setAttribute("transform", "translate(" + n.px + " " + n.py + ")");
  }

  function placeEdge(e) {
    var a = byId[e.source], b = byId[e.target];
    if (e.source === e.target) {
      e.path.setAttribute("d", "M " + a.px + " " + a.py + " c 30 -40 -30 -40 0 0");
      return;
    }
    var dx = b.px - a.px, dy = b.py - a.py;
    var length = Math.sqrt(dx * dx + dy * dy) || 1;
    var bend = (e.index - (e.parallel - 1) / 2) * 22;
    if (e.source > e.target) { bend = -bend; }
    var mx = (a.px + b.px) / 2 - dy / length * bend, my = (a.py + b.py) / 2 + dx / length * bend;
    // Stop the arrow at the target's rim.
    var tx = b.px - mx, ty = b.py - my, tl = Math.sqrt(tx * tx + ty * ty) || 1;
    var ex = b.px - tx / tl * (radius(b) + 2), ey = b.py - ty / tl * (radius(b) + 2);
    e.path.setAttribute("d", "M " + a.px + " " + a.py + " Q " + mx + " " + my + " " + ex + " " + ey);
    e.lx = (a.px + 2 * mx + b.px) / 4;
    e.ly = (a.py + 2 * my + b.py) / 4;
  }

  // ---- labels ---------------------------------------------------------------------------
  // Each label's box on screen, relative to its anchor, measured once (labels do not
  // scale with the zoom, so the box does not change).
  // All writes first, then all reads: one layout of the page, not one per label.
  function measureLabels() {
    var fresh = Object.keys(shown).map(function (id) { return shown[id]; })
      .filter(function (n) { return !n.box; });
    fresh.forEach(function (n) {
      n.text.setAttribute("transform", "scale(" + 1 / view.k + ")");
      n.text.setAttribute("x", radius(n) * view.k + 3);
    });
    fresh.forEach(function (n) {
      var b = n.text.getBBox();
      n.box = { dx: b.x - (radius(n) * view.k + 3), y: b.y, w: b.width, h: b.height };
    });
  }

  var labelFrame = 0;
  function scheduleLabels() {
    if (!labelFrame) { labelFrame = requestAnimationFrame(placeLabels); }
  }

  function placeLabels() {
    labelFrame = 0;
    var box = canvas.getBoundingClientRect();
    var k = view.k;
    var cell = 64, grid = {};
    function overlaps(r) {
      for (var gx = Math.floor(r.l / cell); gx <= Math.floor(r.r / cell); gx += 1) {
        for (var gy = Math.floor(r.t / cell); gy <= Math.floor(r.b / cell); gy += 1) {
          var list = grid[gx + "," + gy];
          if (!list) { continue; }
          for (var i = 0; i < list.length; i += 1) {
            var o = list[i];
            if (r.l < o.r && o.l < r.r && r.t < o.b && o.t < r.b) { return true; }
          }
        }
      }
      return false;
    }
    function keep(r) {
      for (var gx = Math.floor(r.l / cell); gx <= Math.floor(r.r / cell); gx += 1) {
        for (var gy = Math.floor(r.t / cell); gy <= Math.floor(r.b / cell); gy += 1) {
          (grid[gx + "," + gy] = grid[gx + "," + gy] || []).push(r);
        }
      }
    }
    var pad = 2;
    var candidates = Object.keys(shown).map(function (id) { return shown[id]; });
    candidates.sort(function (a, b) {
      return rank(a) - rank(b) || byImportance(a, b);
    });
    var first = candidates.filter(function (n) { return rank(n) < 3; });
    var rest = candidates.filter(function (n) { return rank(n) >= 3; });
    var edgeLabels = drawnEdges.filter(function (e) { return e.near && e.source !== e.target; });
    var order = first.map(nodeLabel).concat(edgeLabels.map(edgeLabel), rest.map(nodeLabel));
    order.forEach(function (item) {
      var r = item.rect;
      var visible = r && r.r > 0 && r.l < box.width && r.b > 0 && r.t < box.height && !item.dim;
      if (visible && overlaps(r)) { visible = false; }
      if (visible) { keep(r); }
      item.show(visible);
    });

    function nodeLabel(n) {
      var sx = view.x + n.px * k, sy = view.y + n.py * k;
      var left = sx + radius(n) * k + 3 + n.box.dx;
      var rect = { l: left - pad, r: left + n.box.w + pad, t: sy + n.box.y - pad, b: sy + n.box.y + n.box.h + pad };
      return {
        rect: rect,
        dim: !!hiddenGroups[n.group],
        show: function (visible) {
          if (visible) {
            n.text.setAttribute("transform", "scale(" + 1 / k + ")");
            n.text.setAttribute("x", radius(n) * k + 3);
          }
          if (visible !== n.placed) {
            n.text.style.display = visible ? "" : "none";
            n.placed = visible;
          }
        }
      };
    }
    function edgeLabel(e) {
      e.text.style.display = "";
      e.text.setAttribute("transform", "translate(" + e.lx + " " + e.ly + ") scale(" + 1 / k + ")");
      if (!e.box) { var b = e.text.getBBox(); e.box = { x: b.x, y: b.y, w: b.width, h: b.height }; }
      var sx = view.x + e.lx * k, sy = view.y + e.ly * k;
      var rect = { l: sx + e.box.x - pad, r: sx + e.box.x + e.box.w + pad,
                   t: sy + e.box.y - pad, b: sy + e.box.y + e.box.h + pad };
      return { rect: rect, dim: false, show: function (visible) { e.text.style.display = visible ? "" : "none"; } };
    }
  }
  function rank(n) {
    if (n === selected) { return 0; }
    if (n === highlighted) { return 1; }
    if (n.id === data.focus) { return 2; }
    return 3;
  }

  // ---- pan and zoom --------------------------------------------------------
  var view = { x: 0, y: 0, k: 1 };
  function applyView() {
    viewport.setAttribute("transform", "translate(" + view.x + " " + view.y + ") scale(" + view.k + ")");
    scheduleLabels();
  }
  function fit() {
    var box = canvas.getBoundingClientRect();
    var ids = Object.keys(shown);
    if (!ids.length) { view = { x: box.width / 2, y: box.height / 2, k: 1 }; applyView(); return; }
    var xs = ids.map(function (id) { return shown[id].px; });
    var ys = ids.map(function (id) { return shown[id].py; });
    var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs);
    var minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
    // Room on screen for the labels right of the nodes, and for the circles.
    var k = Math.min((box.width - 260) / Math.max(maxX - minX, 1),
                     (box.height - 80) / Math.max(maxY - minY, 1), 2.5);
    k = Math.max(k, 0.02);
    view = { k: k, x: (box.width - 200) / 2 - k * (minX + maxX) / 2, y: box.height / 2 - k * (minY + maxY) / 2 };
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
    var k = Math.min(Math.max(view.k * factor, 0.02), 12);
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
      drag.node.edges.forEach(function (e) { if (e.path) { placeEdge(e); } });
      tooltip.hidden = true;
      scheduleLabels();
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
  canvas.addEventListener("dblclick", function (event) {
    // The canvas captures the pointer, so the event's target is the canvas itself.
    var under = document.elementFromPoint(event.clientX, event.clientY);
    var target = under && under.closest ? under.closest(".node") : null;
    if (target) { expand(byId[target.getAttribute("data-id")]); }
  });

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
    var more = hiddenLinks(n);
    if (more) {
      var hint = document.createElement("span");
      hint.className = "type";
      hint.textContent = more + " more linked (double-click to show)";
      tooltip.appendChild(hint);
    }
    tooltip.style.left = (event.clientX - box.left + 14) + "px";
    tooltip.style.top = (event.clientY - box.top + 14) + "px";
    tooltip.hidden = false;
  }

  // ---- selection and the facts panel ------------------------------------------
  var selected = null;
  var highlighted = null;
  function nearEdge(e, near) {
    e.near = near;
    e.path.classList.toggle("near", near);
    if (!near) { e.text.style.display = "none"; }
  }
  function select(n) {
    if (selected) {
      if (selected.g) { selected.g.classList.remove("selected"); }
      selected.edges.forEach(function (e) { if (e.path) { nearEdge(e, false); } });
    }
    selected = n;
    n.g.classList.add("selected");
    n.edges.forEach(function (e) { if (e.path) { nearEdge(e, true); } });
    showFacts(n);
    scheduleLabels();
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
    var more = hiddenLinks(n);
    expandButton.hidden = more === 0;
    expandButton.textContent = "Show its links (" + more + " more)";
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
  expandButton.addEventListener("click", function () {
    if (selected) { expand(selected); showFacts(selected); }
  });
  showAllButton.addEventListener("click", showEverything);
  resetButton.addEventListener("click", function () { openOn(byId[data.focus]); });

  // ---- search ---------------------------------------------------------------------
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
    var opened = !shown[n.id];
    if (opened) { openOn(n); }
    if (highlighted && highlighted.g) { highlighted.g.classList.remove("highlight"); }
    highlighted = n;
    n.g.classList.add("highlight");
    select(n);
    // Centre in the part of the canvas that the facts panel leaves visible.
    var box = canvas.getBoundingClientRect();
    var visible = box.width - (panel.hidden ? 0 : panel.offsetWidth);
    // A neighbourhood just opened keeps the zoom that fits it; otherwise zoom in to read.
    if (!opened) { view.k = Math.max(view.k, 1); }
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
      Object.keys(shown).forEach(function (id) {
        shown[id].g.classList.toggle("dim", !!hiddenGroups[shown[id].group]);
      });
      scheduleLabels();
    });
    legend.appendChild(item);
  });

  window.addEventListener("resize", fit);
  if (data.nodes.length <= data.opening || !byId[data.focus]) {
    showEverything();
  } else {
    openOn(byId[data.focus]);
  }
  if (data.centre && byId[data.centre] && shown[data.centre]) {
    highlighted = byId[data.centre];
    highlighted.g.classList.add("highlight");
  }
  placeLabels();
  document.body.setAttribute("data-ready", "true");
})();
