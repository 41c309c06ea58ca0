// Proof of delivery in the app: a camera photo (downscaled to a JPEG) and a signature drawn with
// a finger (sent as SVG), each uploaded to /v1/proofs/{route}/{stop}/{kind} before completing.
const Proof = (() => {
  const MAX_SIDE = 1600;  // pixels: a readable doorstep photo well under the 5 MB limit

  // The photo as a JPEG blob no larger than MAX_SIDE; a file the browser cannot decode goes as
  // it is, so that the server's check says what is wrong with it.
  async function photoBlob(file) {
    let bitmap;
    try { bitmap = await createImageBitmap(file); } catch { return file; }
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob || file), "image/jpeg", 0.85));
  }

  // A signature pad on a canvas: strokes kept as points, drawn as they come, exported as SVG.
  function pad(canvas) {
    const strokes = [];
    const ctx = canvas.getContext("2d");
    ctx.lineWidth = 3;
    ctx.lineCap = ctx.lineJoin = "round";
    let current = null;
    const point = (event) => {
      const box = canvas.getBoundingClientRect();
      return [
        Math.round(((event.clientX - box.left) * canvas.width) / box.width),
        Math.round(((event.clientY - box.top) * canvas.height) / box.height),
      ];
    };
    canvas.addEventListener("pointerdown", (event) => {
      canvas.setPointerCapture(event.pointerId);
      current = [point(event)];
      strokes.push(current);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!current) return;
      const [x0, y0] = current[current.length - 1];
      const [x, y] = point(event);
      current.push([x, y]);
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x, y);
      ctx.stroke();
    });
    const end = () => { current = null; };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    return {
      empty: () => !strokes.some((s) => s.length > 1),
      clear: () => { strokes.length = 0; ctx.clearRect(0, 0, canvas.width, canvas.height); },
      svg: () => {
        const d = strokes.filter((s) => s.length > 1)
          .map((s) => "M" + s.map(([x, y]) => `${x} ${y}`).join(" L")).join(" ");
        return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${canvas.width} ${canvas.height}">`
          + `<path d="${d}" fill="none" stroke="#000" stroke-width="3" stroke-linecap="round"/></svg>`;
      },
    };
  }

  // Uploads one proof; returns its reference, or throws an Error with the server's message
  // (a TypeError when the network is gone).
  async function upload(api, routeId, stopId, kind, blob) {
    const path = `/v1/proofs/${encodeURIComponent(routeId)}/${encodeURIComponent(stopId)}/${kind}`;
    const response = await api(path, {
      method: "POST", body: blob, headers: { "Content-Type": blob.type || "application/octet-stream" },
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.detail || `${kind} not saved (${response.status})`);
    }
    return (await response.json()).ref;
  }

  return { photoBlob, pad, upload };
})();
