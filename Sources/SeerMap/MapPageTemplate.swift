extension MapPage {
    /// The page: @TITLE@, @META@ (titles, names, colours, paths) and @DATA@ (base64 arrays) are filled in.
    static let template = #"""
<!doctype html>
<html><head><meta charset="utf-8"><title>@TITLE@</title>
<style>
html, body { margin: 0; height: 100%; font: 13px system-ui, sans-serif; overflow: hidden; }
#app { display: flex; height: 100%; }
#plot { flex: 1; position: relative; background: #fff; }
#canvas { position: absolute; left: 0; top: 0; width: 100%; height: 100%; cursor: grab; }
#overlay { position: absolute; left: 0; top: 0; width: 100%; height: 100%; pointer-events: none; }
#side { width: 300px; border-left: 1px solid #ddd; padding: 10px; overflow: auto; box-sizing: border-box; }
h1 { font-size: 15px; margin: 0 0 4px; } .sub { color: #666; margin-bottom: 10px; overflow-wrap: anywhere; }
#legend div.entry { cursor: pointer; padding: 2px 0; user-select: none; }
#legend div.entry.off { opacity: 0.35; text-decoration: line-through; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
#bar { height: 14px; margin: 4px 0; } .ends { display: flex; justify-content: space-between; color: #444; }
#tip { position: absolute; pointer-events: none; background: rgba(255,255,255,0.96); border: 1px solid #bbb; padding: 4px;
       max-width: 260px; word-break: break-all; display: none; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
#tip img { max-width: 250px; max-height: 180px; display: block; }
button { margin: 2px 4px 2px 0; } button.on { background: #333; color: #fff; }
#selection textarea { width: 100%; height: 220px; font-size: 11px; box-sizing: border-box; }
</style></head>
<body data-state="loading">
<div id="app">
  <div id="plot"><canvas id="canvas"></canvas><canvas id="overlay"></canvas><div id="tip"></div></div>
  <div id="side">
    <h1 id="title"></h1><div class="sub" id="subtitle"></div>
    <div><button id="lasso">Lasso</button><button id="reset">Reset view</button></div>
    <div class="sub">Drag to pan, wheel to zoom, shift-drag (or Lasso) to select.</div>
    <div id="legend"></div>
    <div id="selection"><b id="selcount">No selection</b>
      <div><button id="export">Export paths</button><button id="clear">Clear</button></div>
      <textarea id="selpaths" readonly></textarea></div>
  </div>
</div>
<script type="application/json" id="meta">@META@</script>
<script type="application/json" id="data">@DATA@</script>
<script>
"use strict";
(function () {
  const meta = JSON.parse(document.getElementById("meta").textContent);
  const raw = JSON.parse(document.getElementById("data").textContent);
  function bytes(b64) { const s = atob(b64), u = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u.buffer; }
  const X = new Float32Array(bytes(raw.x)), Y = new Float32Array(bytes(raw.y)), N = X.length;
  const classes = raw.classes ? new Int32Array(bytes(raw.classes)) : null;
  const values = raw.values ? new Float32Array(bytes(raw.values)) : null;
  const hidden = new Set();
  let selected = new Uint8Array(N), selectedCount = 0;

  // Colours as packed RGBA (little-endian ABGR) per point.
  function rgb(hex) { const v = parseInt(hex.slice(1), 16); return [(v >> 16) & 255, (v >> 8) & 255, v & 255]; }
  function pack(c) { return (255 << 24) | (c[2] << 16) | (c[1] << 8) | c[0]; }
  const missing = pack(rgb(meta.missing));
  const colour = new Uint32Array(N);
  if (classes) {
    const table = meta.colors.map(h => pack(rgb(h)));
    for (let i = 0; i < N; i++) colour[i] = classes[i] >= 0 ? table[classes[i]] : missing;
  } else if (values) {
    const stops = meta.scale.map(rgb), lo = meta.min, hi = meta.max;
    for (let i = 0; i < N; i++) {
      const v = values[i];
      if (!isFinite(v)) { colour[i] = missing; continue; }
      const t = Math.min(1, Math.max(0, hi > lo ? (v - lo) / (hi - lo) : 0.5)) * (stops.length - 1);
      const k = Math.min(stops.length - 2, Math.floor(t)), f = t - k;
      colour[i] = pack([0, 1, 2].map(c => Math.round(stops[k][c] + (stops[k + 1][c] - stops[k][c]) * f)));
    }
  } else { colour.fill(pack([31, 119, 180])); }

  // Side panel.
  document.getElementById("title").textContent = meta.title;
  document.getElementById("subtitle").textContent = meta.subtitle;
  const legend = document.getElementById("legend");
  if (classes) {
    const counts = new Array(meta.names.length).fill(0);
    for (let i = 0; i < N; i++) if (classes[i] >= 0) counts[classes[i]]++;
    const head = document.createElement("div"); head.innerHTML = "<b></b>"; head.firstChild.textContent = meta.field; legend.appendChild(head);
    meta.names.forEach((name, c) => {
      const entry = document.createElement("div"); entry.className = "entry"; entry.dataset.class = c;
      const sw = document.createElement("span"); sw.className = "swatch"; sw.style.background = meta.colors[c];
      entry.appendChild(sw); entry.appendChild(document.createTextNode(name + " · " + counts[c]));
      entry.addEventListener("click", () => { if (hidden.has(c)) hidden.delete(c); else hidden.add(c); entry.classList.toggle("off", hidden.has(c)); draw(); });
      legend.appendChild(entry);
    });
  } else if (values) {
    legend.innerHTML = "<b></b><canvas id='bar' width='280' height='14'></canvas><div class='ends'><span></span><span></span></div>";
    legend.querySelector("b").textContent = meta.field;
    const bar = legend.querySelector("#bar").getContext("2d"), g = bar.createLinearGradient(0, 0, 280, 0);
    meta.scale.forEach((h, k) => g.addColorStop(k / (meta.scale.length - 1), h));
    bar.fillStyle = g; bar.fillRect(0, 0, 280, 14);
    const ends = legend.querySelectorAll(".ends span"); ends[0].textContent = (+meta.min).toPrecision(4); ends[1].textContent = (+meta.max).toPrecision(4);
  }

  // View: world (x, y) → screen (sx, sy) = ((x − cx)·scale + w/2, h/2 − (y − cy)·scale).
  const canvas = document.getElementById("canvas"), overlay = document.getElementById("overlay"), plot = document.getElementById("plot");
  const ctx = canvas.getContext("2d"), octx = overlay.getContext("2d");
  let W = 0, H = 0, cx = 0, cy = 0, scale = 1;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < N; i++) { if (!isFinite(X[i]) || !isFinite(Y[i])) continue; minX = Math.min(minX, X[i]); maxX = Math.max(maxX, X[i]); minY = Math.min(minY, Y[i]); maxY = Math.max(maxY, Y[i]); }
  function resetView() { cx = (minX + maxX) / 2; cy = (minY + maxY) / 2; scale = 0.92 * Math.min(W / Math.max(maxX - minX, 1e-9), H / Math.max(maxY - minY, 1e-9)); }
  function resize() { W = plot.clientWidth; H = plot.clientHeight; canvas.width = overlay.width = W; canvas.height = overlay.height = H; }
  const SX = new Float32Array(N), SY = new Float32Array(N);
  const radius = N > 200000 ? 0 : N > 20000 ? 1 : 2;
  let gridStart = null, gridItems = null; const CELL = 16; let GW = 0, GH = 0;

  function visible(i) { return !(classes && hidden.has(classes[i])) && isFinite(X[i]) && isFinite(Y[i]); }
  function draw() {
    const image = ctx.createImageData(W, H), px = new Uint32Array(image.data.buffer);
    px.fill(0xffffffff);
    GW = Math.ceil(W / CELL) + 1; GH = Math.ceil(H / CELL) + 1;
    const counts = new Int32Array(GW * GH + 1), cellOf = new Int32Array(N).fill(-1);
    const dot = (x, y, r, c) => { for (let yy = y - r; yy <= y + r; yy++) { if (yy < 0 || yy >= H) continue; const row = yy * W; for (let xx = x - r; xx <= x + r; xx++) if (xx >= 0 && xx < W) px[row + xx] = c; } };
    for (let i = 0; i < N; i++) {
      const sx = (X[i] - cx) * scale + W / 2, sy = H / 2 - (Y[i] - cy) * scale;
      SX[i] = sx; SY[i] = sy;
      if (!visible(i) || sx < -4 || sy < -4 || sx > W + 4 || sy > H + 4) continue;
      const x = Math.round(sx), y = Math.round(sy);
      if (selected[i]) dot(x, y, radius + 2, 0xff000000);
      dot(x, y, radius, colour[i]);
      const cell = Math.floor(Math.max(0, sy) / CELL) * GW + Math.floor(Math.max(0, sx) / CELL);
      cellOf[i] = cell; counts[cell + 1]++;
    }
    ctx.putImageData(image, 0, 0);
    for (let c = 0; c < GW * GH; c++) counts[c + 1] += counts[c];
    gridStart = counts.slice(); gridItems = new Int32Array(counts[GW * GH]);
    const fill = counts.slice();
    for (let i = 0; i < N; i++) if (cellOf[i] >= 0) gridItems[fill[cellOf[i]]++] = i;
  }
  function nearest(sx, sy) {
    let best = -1, bestD = 100; // within 10 px
    const gx = Math.floor(sx / CELL), gy = Math.floor(sy / CELL);
    for (let y = gy - 1; y <= gy + 1; y++) for (let x = gx - 1; x <= gx + 1; x++) {
      if (x < 0 || y < 0 || x >= GW || y >= GH) continue;
      const c = y * GW + x;
      for (let k = gridStart[c]; k < gridStart[c + 1]; k++) { const i = gridItems[k], d = (SX[i] - sx) ** 2 + (SY[i] - sy) ** 2; if (d < bestD) { bestD = d; best = i; } }
    }
    return best;
  }

  // Tooltip.
  const tip = document.getElementById("tip");
  function showTip(i, sx, sy) {
    if (i < 0) { tip.style.display = "none"; tip.dataset.index = ""; return; }
    tip.dataset.index = i;
    let label = "";
    if (classes && classes[i] >= 0) label = meta.names[classes[i]];
    else if (values && isFinite(values[i])) label = meta.field + " " + values[i].toPrecision(4);
    tip.innerHTML = "<img alt=''><div class='path'></div><div class='label'></div>";
    tip.querySelector("img").src = meta.files[i];
    tip.querySelector(".path").textContent = meta.paths[i];
    tip.querySelector(".label").textContent = label;
    tip.style.display = "block";
    tip.style.left = Math.min(sx + 14, W - 270) + "px"; tip.style.top = Math.min(sy + 14, H - 60) + "px";
  }

  // Selection.
  function setSelection(rows) {
    selected = new Uint8Array(N); rows.forEach(i => selected[i] = 1); selectedCount = rows.length;
    document.getElementById("selcount").textContent = rows.length ? rows.length + " selected" : "No selection";
    document.getElementById("selpaths").value = rows.map(i => meta.paths[i]).join("\n");
    document.body.dataset.selected = rows.length;
    draw();
  }
  function inside(poly, x, y) {
    let yes = false;
    for (let a = 0, b = poly.length - 1; a < poly.length; b = a++) {
      const [xa, ya] = poly[a], [xb, yb] = poly[b];
      if ((ya > y) !== (yb > y) && x < (xb - xa) * (y - ya) / (yb - ya) + xa) yes = !yes;
    }
    return yes;
  }
  document.getElementById("clear").onclick = () => setSelection([]);
  document.getElementById("export").onclick = () => {
    const rows = []; for (let i = 0; i < N; i++) if (selected[i]) rows.push(meta.paths[i]);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([rows.join("\n") + "\n"], { type: "text/plain" }));
    a.download = "selection.txt"; document.body.appendChild(a); a.click(); a.remove();
  };
  let lassoMode = false;
  const lassoButton = document.getElementById("lasso");
  lassoButton.onclick = () => { lassoMode = !lassoMode; lassoButton.classList.toggle("on", lassoMode); };
  document.getElementById("reset").onclick = () => { resetView(); draw(); };

  // Mouse: drag pans, shift-drag or lasso mode draws a lasso, wheel zooms about the cursor.
  let drag = null;
  function local(e) { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
  canvas.addEventListener("mousedown", e => {
    const [x, y] = local(e);
    drag = (e.shiftKey || lassoMode) ? { lasso: [[x, y]] } : { x, y, cx, cy };
    e.preventDefault();
  });
  window.addEventListener("mousemove", e => {
    const [x, y] = local(e);
    if (!drag) { showTip(x >= 0 && y >= 0 && x < W && y < H ? nearest(x, y) : -1, x, y); return; }
    if (drag.lasso) {
      drag.lasso.push([x, y]);
      octx.clearRect(0, 0, W, H); octx.strokeStyle = "#000"; octx.setLineDash([4, 3]); octx.beginPath();
      drag.lasso.forEach(([px, py], k) => k ? octx.lineTo(px, py) : octx.moveTo(px, py)); octx.closePath(); octx.stroke();
    } else { cx = drag.cx - (x - drag.x) / scale; cy = drag.cy + (y - drag.y) / scale; draw(); }
  });
  window.addEventListener("mouseup", () => {
    if (drag && drag.lasso) {
      octx.clearRect(0, 0, W, H);
      if (drag.lasso.length > 2) { const rows = []; for (let i = 0; i < N; i++) if (visible(i) && inside(drag.lasso, SX[i], SY[i])) rows.push(i); setSelection(rows); }
    }
    drag = null;
  });
  canvas.addEventListener("wheel", e => {
    e.preventDefault();
    const [x, y] = local(e), wx = (x - W / 2) / scale + cx, wy = cy - (y - H / 2) / scale;
    scale *= Math.exp(-e.deltaY * 0.0015);
    cx = wx - (x - W / 2) / scale; cy = wy + (y - H / 2) / scale; draw();
  }, { passive: false });
  window.addEventListener("resize", () => { resize(); draw(); });

  resize(); resetView(); draw();
  window.seerMap = {
    count: N,
    // Page (client) coordinates of point i as drawn now.
    screenPosition: i => { const r = canvas.getBoundingClientRect(); return { x: r.left + SX[i], y: r.top + SY[i] }; },
    selectedPaths: () => { const rows = []; for (let i = 0; i < N; i++) if (selected[i]) rows.push(meta.paths[i]); return rows; },
    tooltipPath: () => tip.style.display === "none" ? null : tip.querySelector(".path").textContent,
  };
  document.body.dataset.state = "ready";
})();
</script>
</body></html>

"""#
}
