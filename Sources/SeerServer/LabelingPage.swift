import Hummingbird

/// `GET /label`: a click-to-label page over the SAM routes. Open an image (it is embedded once
/// under a fresh `image_id`), click inside an object (shift-click or right-click outside it),
/// see the mask, name its class, Accept, and Export the annotations as COCO JSON.
///
/// Plain HTML and JavaScript in one string, no external assets: `seer` stays one binary and the
/// page works offline. The page keeps its state in `window.seerLabel` and mirrors progress in
/// `document.body.dataset` (`state`, `segments`), which the browser test reads.
enum LabelingPage {
    static func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static let html = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>Seer · label with SAM</title>
    <link rel="icon" href="data:,">
    <style>
      body { font: 14px system-ui, sans-serif; margin: 12px; color: #222; }
      header { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
      #canvas { border: 1px solid #999; cursor: crosshair; max-width: 100%; }
      #status { color: #555; min-height: 1.2em; margin: 4px 0; }
      #status.error { color: #b00; }
      #export { width: 100%; height: 12em; font: 12px monospace; }
      ul { margin: 4px 0; padding-left: 20px; }
    </style>
    </head>
    <body data-state="empty" data-segments="0">
    <header>
      <input type="file" id="file" accept="image/jpeg,image/png,image/webp">
      <label>Class <input id="category" placeholder="e.g. cat" size="12"></label>
      <button id="accept" disabled>Accept</button>
      <button id="undo" disabled>Undo click</button>
      <button id="clear" disabled>Clear</button>
      <button id="export-button">Export COCO</button>
      <label>API key <input id="apikey" type="password" size="10"></label>
    </header>
    <div id="status">Open an image. Click inside an object; shift-click or right-click marks background.</div>
    <canvas id="canvas" width="0" height="0"></canvas>
    <ul id="annotations"></ul>
    <textarea id="export" readonly placeholder="COCO JSON appears here after Export"></textarea>
    <script>
    "use strict";
    const $ = (id) => document.getElementById(id);
    const canvas = $("canvas"), ctx = canvas.getContext("2d");
    // One labeling session: images, categories and accepted annotations, COCO-numbered from 1.
    const state = window.seerLabel = {
      images: [], categories: [], annotations: [],
      image: null,        // {id, imageId, fileName, width, height, base64, element}
      points: [],         // [{x, y, label}] of the mask being made
      current: null,      // the server's COCO annotation for the current points
      request: 0,         // the latest segment request; older answers are dropped
    };

    function setState(name, message, isError) {
      document.body.dataset.state = name;
      if (message !== undefined) {
        $("status").textContent = message;
        $("status").className = isError ? "error" : "";
      }
      $("accept").disabled = !(state.current && state.current.area > 0);
      $("undo").disabled = state.points.length === 0;
      $("clear").disabled = state.points.length === 0;
    }

    async function post(path, body) {
      const headers = {"Content-Type": "application/json"};
      if ($("apikey").value) headers["Authorization"] = "Bearer " + $("apikey").value;
      const response = await fetch(path, {method: "POST", headers, body: JSON.stringify(body)});
      let data = null;
      try { data = await response.json(); } catch (e) { /* not JSON: reported below */ }
      if (!response.ok) {
        const error = new Error((data && data.message) || ("HTTP " + response.status));
        error.type = data && data.error_type;
        throw error;
      }
      return data;
    }

    // Opening an image: show it, then embed it once under a fresh image_id.
    $("file").addEventListener("change", () => {
      const file = $("file").files[0];
      if (!file) return;
      const reader = new FileReader();
      reader.onload = () => openImage(file.name, reader.result);
      reader.onerror = () => setState("error", "Cannot read " + file.name, true);
      reader.readAsDataURL(file);
    });

    function openImage(fileName, dataURL) {
      const element = new Image();
      element.onerror = () => setState("error", fileName + " is not an image this browser can show", true);
      element.onload = async () => {
        const id = state.images.length + 1;
        state.image = {
          id, fileName, element, width: element.naturalWidth, height: element.naturalHeight,
          imageId: "label-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2),
          base64: dataURL.slice(dataURL.indexOf(",") + 1),
        };
        state.images.push({id, file_name: fileName, width: element.naturalWidth, height: element.naturalHeight});
        state.points = [];
        state.current = null;
        canvas.width = element.naturalWidth;
        canvas.height = element.naturalHeight;
        draw();
        setState("embedding", "Embedding " + fileName + "…");
        try {
          await embed();
          setState("ready", "Ready: click inside an object.");
        } catch (error) {
          setState("error", "Embedding failed: " + error.message, true);
        }
      };
      element.src = dataURL;
    }

    function embed() {
      const image = state.image;
      return post("/sam/embed_image", {image: {type: "base64", value: image.base64}, image_id: image.imageId});
    }

    // Clicks become points in image pixels: measured from the canvas's content box (inside its
    // border), which may be shown scaled down.
    function pointFromEvent(event) {
      const box = canvas.getBoundingClientRect();
      const x = (event.clientX - box.left - canvas.clientLeft) * canvas.width / canvas.clientWidth;
      const y = (event.clientY - box.top - canvas.clientTop) * canvas.height / canvas.clientHeight;
      return {
        x: Math.min(canvas.width - 1, Math.max(0, Math.floor(x))),
        y: Math.min(canvas.height - 1, Math.max(0, Math.floor(y))),
      };
    }

    function addPoint(event, label) {
      event.preventDefault();
      if (!state.image) return;
      const p = pointFromEvent(event);
      state.points.push({x: p.x, y: p.y, label});
      segment();
    }
    canvas.addEventListener("click", (event) => addPoint(event, event.shiftKey ? 0 : 1));
    canvas.addEventListener("contextmenu", (event) => addPoint(event, 0));

    async function segment() {
      const request = ++state.request;
      if (state.points.length === 0) {
        state.current = null;
        draw();
        setState("ready", "Cleared.");
        return;
      }
      const image = state.image;
      const body = {
        image_id: image.imageId, coco: true,
        point_coords: state.points.map((p) => [p.x, p.y]),
        point_labels: state.points.map((p) => p.label),
      };
      setState("segmenting", "Segmenting…");
      try {
        let data;
        try {
          data = await post("/sam/segment_image", body);
        } catch (error) {
          // The server dropped this image's embedding (its cache is bounded): send the image again.
          if (error.type !== "EmbeddingNotFound") throw error;
          data = await post("/sam/segment_image", Object.assign({image: {type: "base64", value: image.base64}}, body));
        }
        if (request !== state.request || image !== state.image) return;
        state.current = data.coco[0];
        draw();
        document.body.dataset.segments = String(Number(document.body.dataset.segments) + 1);
        setState("mask", "Mask: " + state.current.area + " pixels. Name its class and Accept, or click more.");
      } catch (error) {
        if (request !== state.request) return;
        setState("error", "Segmentation failed: " + error.message, true);
      }
    }

    $("undo").addEventListener("click", () => { state.points.pop(); segment(); });
    $("clear").addEventListener("click", () => { state.points = []; segment(); });

    $("accept").addEventListener("click", () => {
      const name = $("category").value.trim();
      if (!name) { setState(document.body.dataset.state, "Name the class first.", true); return; }
      if (!state.current) return;
      let category = state.categories.find((c) => c.name === name);
      if (!category) {
        category = {id: state.categories.length + 1, name, supercategory: ""};
        state.categories.push(category);
      }
      state.annotations.push({
        id: state.annotations.length + 1, image_id: state.image.id, category_id: category.id,
        segmentation: state.current.segmentation, area: state.current.area, bbox: state.current.bbox, iscrowd: 0,
      });
      const item = document.createElement("li");
      item.textContent = name + " on " + state.image.fileName + ": " + state.current.area + " px, bbox " + state.current.bbox.join(" ");
      $("annotations").appendChild(item);
      state.points = [];
      state.current = null;
      draw();
      setState("accepted", "Accepted as " + name + ".");
    });

    function cocoDocument() {
      return {
        info: {description: "Labeled with Seer (SAM)", date_created: new Date().toISOString()},
        images: state.images, categories: state.categories, annotations: state.annotations,
      };
    }

    $("export-button").addEventListener("click", () => {
      const text = JSON.stringify(cocoDocument(), null, 1);
      $("export").value = text;
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text], {type: "application/json"}));
      link.download = "annotations.coco.json";
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
      document.body.dataset.exported = "1";
    });

    // The image, accepted masks of this image in blue, the current mask in green, clicks as dots.
    function fillSegmentation(segmentation, color) {
      ctx.beginPath();
      for (const polygon of segmentation) {
        ctx.moveTo(polygon[0], polygon[1]);
        for (let i = 2; i < polygon.length; i += 2) ctx.lineTo(polygon[i], polygon[i + 1]);
        ctx.closePath();
      }
      ctx.fillStyle = color;
      ctx.fill("evenodd");
    }

    function draw() {
      if (!state.image) return;
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(state.image.element, 0, 0);
      for (const a of state.annotations) {
        if (a.image_id === state.image.id) fillSegmentation(a.segmentation, "rgba(30, 90, 255, 0.45)");
      }
      if (state.current) fillSegmentation(state.current.segmentation, "rgba(0, 220, 90, 0.5)");
      for (const p of state.points) {
        ctx.beginPath();
        ctx.arc(p.x + 0.5, p.y + 0.5, 4, 0, 2 * Math.PI);
        ctx.fillStyle = p.label === 1 ? "#0c0" : "#e00";
        ctx.fill();
        ctx.strokeStyle = "#fff";
        ctx.stroke();
      }
    }
    </script>
    </body>
    </html>
    """
}
