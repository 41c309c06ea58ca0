// One stop of the route on the screen: where, when, which parcel, who; delivering it with
// photo, signature and the required checks, or failing it with a reason.
const KNOWN_SKILLS = ["age_check", "id_check"];

function clock(iso, zone) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone: zone });
}

function isDone(stop) { return stop.status === "delivered" || stop.status === "failed"; }

// ctx: { api, fix() -> last position or null, reload(), fresh: Set of new stop ids }
function renderStop(route, stop, ctx) {
  const item = document.getElementById("stop-template").content.firstElementChild.cloneNode(true);
  const done = isDone(stop);
  const $$ = (selector) => item.querySelector(selector);
  item.dataset.stopId = stop.stop_id;
  item.classList.toggle("done", done);
  item.classList.toggle("new", ctx.fresh.has(stop.stop_id));
  $$(".badge").hidden = !ctx.fresh.has(stop.stop_id);
  $$(".badge").textContent = t("newStop");
  $$(".seq").textContent = `${stop.sequence}.`;
  $$(".place").textContent = stop.address || `${stop.lat.toFixed(5)}, ${stop.lon.toFixed(5)}`;
  const windows = stop.windows.map(([a, b]) => `${clock(a, route.time_zone)}–${clock(b, route.time_zone)}`);
  $$(".window").textContent = windows.length
    ? t("window", { w: windows.join(", ") }) : t("planned", { t: clock(stop.planned_arrival, route.time_zone) });
  $$(".label").textContent = stop.load_label ? t("parcel", { label: stop.load_label }) : "";
  $$(".who").textContent = stop.recipient_name || "";
  $$(".note").textContent = stop.note || "";
  $$(".status").textContent = t("status", { s: t(`st_${stop.status}`) });
  if (stop.phone) {
    $$(".call").href = `tel:${stop.phone}`;
    $$(".call").hidden = false;
  }
  const links = RouteMap.navigation(stop);
  $$(".nav").href = links.geo;
  $$(".maps").href = links.web;
  item.querySelectorAll(".deliver, .fail, .nav, .maps").forEach((b) => { b.hidden = done; });
  $$(".deliver").onclick = () => openDelivery(item, stop);
  $$(".fail").onclick = () => { $$(".fail-form").hidden = false; };
  $$(".fail-form").onsubmit = (event) => {
    event.preventDefault();
    const form = event.target;
    complete(route, stop, item, ctx, async () => ({
      body: { outcome: "failed", reason_code: form.reason_code.value, reason: form.reason.value },
    }));
  };
  wireDelivery(route, stop, item, ctx);
  return item;
}

function openDelivery(item, stop) {
  const form = item.querySelector(".deliver-form");
  if (!form.hidden) return;
  form.hidden = false;
  const skills = form.querySelector(".skills");
  for (const skill of stop.skills || []) {
    const label = document.createElement("label");
    const box = Object.assign(document.createElement("input"), { type: "checkbox", required: true, name: `skill_${skill}` });
    const text = KNOWN_SKILLS.includes(skill) ? t(`skill_${skill}`) : t("skill_other", { skill });
    label.append(box, " ", text);
    skills.append(label);
    skills.hidden = false;
  }
  const pad = Proof.pad(form.querySelector("canvas"));
  form.querySelector(".clear").onclick = () => pad.clear();
  const preview = form.querySelector(".preview");
  form.photo.onchange = () => {
    const [file] = form.photo.files;
    preview.hidden = !file;
    if (file) preview.src = URL.createObjectURL(file);
  };
  item.pad = pad;
}

// The delivery as the driver confirmed it: the proof's blobs are made now, uploaded when sent.
async function delivery(route, stop, item, ctx) {
  const form = item.querySelector(".deliver-form");
  const proof = { recipient_name: form.recipient.value.trim() };
  const fix = ctx.fix();
  if (fix) proof.location = { lat: fix.lat, lon: fix.lon };
  const [file] = form.photo.files;
  const signed = item.pad && !item.pad.empty();
  return {
    body: { outcome: "delivered", proof },
    photo: file ? await Proof.photoBlob(file) : null,
    signature: signed ? new Blob([item.pad.svg()], { type: "image/svg+xml" }) : null,
  };
}

// Sends one completion (uploads first); returns the response, throws TypeError when offline.
async function sendCompletion(api, completion) {
  const { route_id: routeId, stop_id: stopId } = completion;
  const body = structuredClone(completion.body);
  if (completion.photo) body.proof.photo_ref = await Proof.upload(api, routeId, stopId, "photo", completion.photo);
  if (completion.signature) body.proof.signature_ref = await Proof.upload(api, routeId, stopId, "signature", completion.signature);
  const path = `/v1/routes/${encodeURIComponent(routeId)}/stops/${encodeURIComponent(stopId)}:complete`;
  return api(path, { method: "POST", body: JSON.stringify(body) });
}

async function complete(route, stop, item, ctx, make) {
  const error = item.querySelector(".error");
  error.textContent = t("sending");
  const completion = { route_id: route.route_id, stop_id: stop.stop_id, photo: null, signature: null, ...(await make()) };
  completion.body.completed_at = new Date().toISOString();  // when the driver confirmed it
  try {
    const response = await sendCompletion(ctx.api, completion);
    if (!response.ok && response.status !== 409) {
      const problem = await response.json().catch(() => ({}));
      error.textContent = problem.detail || t("notSaved", { status: response.status });
      return;
    }
    error.textContent = "";
    await ctx.reload();
  } catch (exc) {
    if (exc instanceof SignedOut) return;
    if (!(exc instanceof TypeError)) { error.textContent = exc.message; return; }
    // No network: kept on the phone with its photo and signature, sent when online.
    await CompletionQueue.add(completion);
    error.textContent = t("queued");
    await showQueue();
  }
}

function wireDelivery(route, stop, item, ctx) {
  item.querySelector(".deliver-form").onsubmit = (event) => {
    event.preventDefault();
    complete(route, stop, item, ctx, () => delivery(route, stop, item, ctx));
  };
}
