// The driver's app: sign in with a device token, today's route, pings, completing stops.
const TOKEN_KEY = "lastmile.driver.token";
const ROUTE_KEY = "lastmile.driver.route";
const BATCH = 100;
const FLUSH_EVERY_MS = 5000;
const $ = (id) => document.getElementById(id);
let lastFix = null;
let watchId = null;
let flushing = false;
let shown = null;  // the route as last drawn

class SignedOut extends Error {}

function token() { return localStorage.getItem(TOKEN_KEY); }

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token()}`, ...options.headers },
  });
  if (response.status === 401) {
    signOut("This device was signed out: ask your dispatcher for a new link.");
    throw new SignedOut();
  }
  return response;
}

function signIn(raw) {
  localStorage.setItem(TOKEN_KEY, raw.trim());
  start();
}

function signOut(message) {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(ROUTE_KEY);
  shown = null;
  if (watchId !== null) navigator.geolocation.clearWatch(watchId);
  watchId = null;
  // Positions of a signed-out device must not go out under the next device's token.
  PingQueue.clear();
  $("route").hidden = true;
  $("signin").hidden = false;
  $("signin-message").textContent = message || "";
}

function clock(iso, zone) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone: zone });
}

function renderRoute(route) {
  // Redrawing an unchanged route would close the form the driver is filling in.
  const drawn = JSON.stringify(route);
  if (drawn === shown) return;
  shown = drawn;
  const list = $("stops");
  list.replaceChildren();
  if (!route) { $("route-summary").textContent = "No route to drive now."; return; }
  const left = route.stops.filter((s) => s.status !== "delivered" && s.status !== "failed").length;
  $("route-summary").textContent = `Route ${route.route_id}: ${left} of ${route.stops.length} stops to go`;
  for (const stop of route.stops) list.append(renderStop(route, stop));
}

function renderStop(route, stop) {
  const item = $("stop-template").content.firstElementChild.cloneNode(true);
  const done = stop.status === "delivered" || stop.status === "failed";
  item.dataset.stopId = stop.stop_id;
  item.classList.toggle("done", done);
  item.querySelector(".seq").textContent = `${stop.sequence}.`;
  item.querySelector(".place").textContent = stop.address || `${stop.lat.toFixed(5)}, ${stop.lon.toFixed(5)}`;
  const windows = stop.windows.map(([a, b]) => `${clock(a, route.time_zone)}–${clock(b, route.time_zone)}`);
  item.querySelector(".window").textContent = windows.length
    ? `Window ${windows.join(", ")}` : `Planned ${clock(stop.planned_arrival, route.time_zone)}`;
  item.querySelector(".label").textContent = stop.load_label ? `Parcel: ${stop.load_label}` : "";
  item.querySelector(".note").textContent = stop.note || "";
  item.querySelector(".status").textContent = `Status: ${stop.status}`;
  if (stop.phone) {
    const call = item.querySelector(".call");
    call.href = `tel:${stop.phone}`;
    call.hidden = false;
  }
  item.querySelectorAll(".deliver, .fail").forEach((b) => { b.hidden = done; });
  item.querySelector(".deliver").onclick = () => { item.querySelector(".deliver-form").hidden = false; };
  item.querySelector(".fail").onclick = () => { item.querySelector(".fail-form").hidden = false; };
  item.querySelector(".deliver-form").onsubmit = (event) => {
    event.preventDefault();
    const proof = { recipient_name: event.target.recipient.value.trim() };
    if (lastFix) proof.location = { lat: lastFix.lat, lon: lastFix.lon };
    complete(route, stop, item, { outcome: "delivered", proof });
  };
  item.querySelector(".fail-form").onsubmit = (event) => {
    event.preventDefault();
    const form = event.target;
    complete(route, stop, item, { outcome: "failed", reason_code: form.reason_code.value, reason: form.reason.value });
  };
  return item;
}

async function complete(route, stop, item, body) {
  const error = item.querySelector(".error");
  error.textContent = "";
  try {
    const path = `/v1/routes/${encodeURIComponent(route.route_id)}/stops/${encodeURIComponent(stop.stop_id)}:complete`;
    const response = await api(path, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok && response.status !== 409) {
      const problem = await response.json().catch(() => ({}));
      error.textContent = problem.detail || `Not saved (${response.status})`;
      return;
    }
    await loadRoute();
  } catch (exc) {
    if (!(exc instanceof SignedOut)) error.textContent = "No connection: try again when online.";
  }
}

async function loadRoute() {
  try {
    const response = await api("/v1/device/route");
    if (!response.ok) return;
    const body = await response.json();
    localStorage.setItem(ROUTE_KEY, JSON.stringify(body.route));
    renderRoute(body.route);
  } catch (exc) {
    if (exc instanceof SignedOut) return;
    renderRoute(JSON.parse(localStorage.getItem(ROUTE_KEY) || "null"));  // offline: the last one loaded
  }
}

async function onPosition(position) {
  const c = position.coords;
  lastFix = { lat: c.latitude, lon: c.longitude };
  const ping = { time: new Date(position.timestamp).toISOString(), lat: c.latitude, lon: c.longitude };
  if (c.accuracy != null) ping.accuracy_m = c.accuracy;
  if (c.speed != null && c.speed >= 0) ping.speed_mps = c.speed;
  if (c.heading != null && c.heading >= 0 && c.heading < 360) ping.heading_deg = c.heading;
  await PingQueue.add(ping);
  await flush();
}

// Sends queued pings oldest first; a failed send leaves them queued for the next try.
async function flush() {
  if (flushing || !token()) return;
  flushing = true;
  try {
    for (;;) {
      const [keys, pings] = await PingQueue.oldest(BATCH);
      if (!keys.length) break;
      const response = await api("/v1/pings", { method: "POST", body: JSON.stringify({ pings }) });
      // 200: sent (rejected ones are reported, not retried); 422: none valid, retrying cannot help.
      if (response.status !== 200 && response.status !== 422) break;
      await PingQueue.remove(keys);
    }
  } catch (exc) {
    // offline or signed out: the pings stay queued
  } finally {
    flushing = false;
    await showQueue();
  }
}

async function showQueue() {
  const waiting = await PingQueue.count();
  $("queue").textContent = waiting ? `${waiting} positions waiting to be sent` : "";
  $("net").textContent = navigator.onLine ? "online" : "offline";
}

function start() {
  if (!token()) { signOut(""); return; }
  $("signin").hidden = true;
  $("route").hidden = false;
  loadRoute();
  if (watchId === null && "geolocation" in navigator) {
    watchId = navigator.geolocation.watchPosition(onPosition, () => {}, { enableHighAccuracy: true, maximumAge: 0 });
  }
  flush();
}

function tokenFromLink() {
  const match = location.hash.match(/token=([^&]+)/);
  if (!match) return;
  localStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
  history.replaceState(null, "", location.pathname);  // keep the token out of the history
}

$("signin-form").onsubmit = (event) => { event.preventDefault(); signIn($("token-input").value); };
$("signout").onclick = () => signOut("");
window.addEventListener("online", () => { flush(); loadRoute(); });
window.addEventListener("offline", showQueue);
setInterval(flush, FLUSH_EVERY_MS);
if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js");
tokenFromLink();
start();
