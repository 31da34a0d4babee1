// The view page's script: reads the JSON block, wraps every tooltip in a DOM node filled with textContent
// (so no vis-network version can ever parse it as HTML), draws, fills the legend, wires the finder.
// Its SHA-256 goes into the page's Content-Security-Policy: no other script can run.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  function tip(text) { var d = document.createElement("div"); d.textContent = text; return d; }
  data.nodes.forEach(function (n) { if (n.title) { n.title = tip(n.title); } });
  data.edges.forEach(function (e) { if (e.title) { e.title = tip(e.title); } });
  var nodes = new vis.DataSet(data.nodes), edges = new vis.DataSet(data.edges);
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  window.kgView = {network: network, nodes: nodes, edges: edges, drawn: false};
  network.once("afterDrawing", function () { window.kgView.drawn = true; });
  var list = document.getElementById("kg-legend-list");
  data.legend.forEach(function (item) {
    var li = document.createElement("li");
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("width", "16"); svg.setAttribute("height", "16"); svg.setAttribute("viewBox", "-8 -8 16 16");
    var shape = document.createElementNS("http://www.w3.org/2000/svg", item.shape === "dot" ? "circle" : "polygon");
    if (item.shape === "dot") { shape.setAttribute("r", "6"); } else { shape.setAttribute("points", item.points); }
    shape.setAttribute("fill", item.color); shape.setAttribute("stroke", "#444"); shape.setAttribute("stroke-width", "0.8");
    svg.appendChild(shape); li.appendChild(svg);
    var name = document.createElement("span"); name.textContent = item.legend; li.appendChild(name);
    var count = document.createElement("span"); count.className = "n"; count.textContent = String(item.count); li.appendChild(count);
    list.appendChild(li);
  });
  var find = document.getElementById("kg-find");
  find.addEventListener("change", function () {
    var q = find.value.trim();
    if (!q) { network.unselectAll(); return; }
    var hits = nodes.get({filter: function (n) { return (n.label || "").indexOf(q) >= 0 || n.id === q; }});
    if (hits.length) {
      network.selectNodes(hits.map(function (n) { return n.id; }));
      network.fit({nodes: hits.map(function (n) { return n.id; }), animation: false});
    }
  });
})();
