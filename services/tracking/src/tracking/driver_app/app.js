// The driver's app: sign in with a device token, today's route (re-read every 30 s, new stops
// marked), pings queued and sent in batches (slower on a low battery), breaks, route finished.
const TOKEN_KEY = "lastmile.driver.token";
const ROUTE_KEY = "lastmile.driver.route";
const SEEN_KEY = "lastmile.driver.seen";  // {route_id, version, stops, fresh} of the route shown
const STREETS_KEY = "lastmile.driver.streets";  // {key, layer}: the base layer under the route
const BATCH = 100;
const FLUSH_EVERY_MS = 5000;
const LOW_BATTERY_EVERY_MS = 30000;  // fixes kept and sent this often when the battery is low
const ROUTE_EVERY_MS = 30000;
const $ = (id) => document.getElementById(id);
let lastFix = null;
let lastKeptAt = 0;
let lastFlushAt = 0;
let watchId = null;
let flushing = false;
let shown = null;  // the route as last drawn
let battery = { level: null, low: false };
let finished = false;
let streets = JSON.parse(localStorage.getItem(STREETS_KEY) || "null");

class SignedOut extends Error {}

function token() { return localStorage.getItem(TOKEN_KEY); }

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token()}`, ...options.headers },
  });
  if (response.status === 401) {
    signOut(t("signedOut"));
    throw new SignedOut();
  }
  return response;
}

function signIn(raw) {
  localStorage.setItem(TOKEN_KEY, raw.trim());
  start();
}

function signOut(message) {
  [TOKEN_KEY, ROUTE_KEY, SEEN_KEY, STREETS_KEY].forEach((k) => localStorage.removeItem(k));
  shown = null;
  streets = null;
  stopWatching();
  // Positions of a signed-out device must not go out under the next device's token.
  PingQueue.clear();
  CompletionQueue.clear();
  $("route").hidden = true;
  $("signin").hidden = false;
  $("signin-message").textContent = message || "";
}

// Stops the planner added since the route was last shown (same route, newer version).
function freshStops(route) {
  const seen = JSON.parse(localStorage.getItem(SEEN_KEY) || "null");
  const ids = route.stops.map((s) => s.stop_id);
  let fresh = [];
  if (seen && seen.route_id === route.route_id) {
    fresh = route.version > seen.version ? ids.filter((id) => !seen.stops.includes(id)) : seen.fresh;
  }
  localStorage.setItem(SEEN_KEY, JSON.stringify({ route_id: route.route_id, version: route.version, stops: ids, fresh }));
  if (seen && route.version > seen.version && fresh.length) $("notice").textContent = t("replanned", { n: fresh.length });
  return new Set(fresh);
}

function renderRoute(route) {
  // Redrawing an unchanged route would close the form the driver is filling in.
  const drawn = JSON.stringify(route);
  if (drawn === shown) return;
  shown = drawn;
  const list = $("stops");
  list.replaceChildren();
  $("map-box").hidden = !route;
  if (!route) { $("route-summary").textContent = t("noRoute"); return; }
  const left = route.stops.filter((s) => !isDone(s)).length;
  $("route-summary").textContent = t("summary", { route: route.route_id, left, total: route.stops.length });
  const ctx = { api, fix: () => lastFix, reload: loadRoute, fresh: freshStops(route) };
  for (const stop of route.stops) list.append(renderStop(route, stop, ctx));
  drawMap();
}

function drawMap() {
  if (shown && shown !== "null") RouteMap.draw($("map"), JSON.parse(shown), lastFix, streets && streets.layer);
}

// The streets under the route (GET /v1/device/basemap for the route's box), asked once per box
// and kept on the phone, so the map opened offline still has them.
async function loadStreets(route) {
  const box = route && RouteMap.box(route);
  const key = box && box.map((n) => n.toFixed(4)).join(",");
  if (!key || (streets && streets.key === key)) return;
  const [south, west, north, east] = box;
  const response = await api(`/v1/device/basemap?south=${south}&west=${west}&north=${north}&east=${east}`);
  if (!response.ok) return;
  streets = { key, layer: await response.json() };
  try {
    localStorage.setItem(STREETS_KEY, JSON.stringify(streets));
  } catch {
    // Too large for the phone's storage: drawn while the app stays open.
  }
  drawMap();
}

async function loadRoute() {
  try {
    const response = await api("/v1/device/route");
    if (!response.ok) return;
    const body = await response.json();
    localStorage.setItem(ROUTE_KEY, JSON.stringify(body.route));
    renderRoute(body.route);
    showDay(body);
    loadStreets(body.route).catch(() => {});  // offline again: the map draws without them
  } catch (exc) {
    if (exc instanceof SignedOut) return;
    renderRoute(JSON.parse(localStorage.getItem(ROUTE_KEY) || "null"));  // offline: the last one loaded
  }
}

function showDay(body) {
  const pause = body.break_started_at;
  $("break").textContent = t(pause ? "breakEnd" : "breakStart");
  $("break").dataset.action = pause ? "end" : "start";
  $("day-status").textContent = pause ? t("onBreak", { t: clock(pause) }) : "";
}

async function dayAction(path, body) {
  let response;
  try {
    response = await api(path, { method: "POST", body: JSON.stringify(body || {}) });
  } catch (exc) {
    if (!(exc instanceof SignedOut)) $("day-status").textContent = t("offlineAction");
    return null;
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) { $("day-status").textContent = answer.detail || t("notSaved", { status: response.status }); return null; }
  return answer;
}

async function onPosition(position) {
  if (finished) return;
  const c = position.coords;
  lastFix = { lat: c.latitude, lon: c.longitude };
  drawMap();
  // On a low battery one fix per interval is kept: fewer radio wake-ups, fewer uploads.
  if (battery.low && position.timestamp - lastKeptAt < LOW_BATTERY_EVERY_MS) return;
  lastKeptAt = position.timestamp;
  const ping = { time: new Date(position.timestamp).toISOString(), lat: c.latitude, lon: c.longitude };
  if (c.accuracy != null) ping.accuracy_m = c.accuracy;
  if (c.speed != null && c.speed >= 0) ping.speed_mps = c.speed;
  if (c.heading != null && c.heading >= 0 && c.heading < 360) ping.heading_deg = c.heading;
  if (battery.level != null) ping.battery = battery.level;
  await PingQueue.add(ping);
  await flush();
}

// Sends completions made offline, oldest first; one the server refuses is dropped and said.
async function flushCompletions() {
  for (;;) {
    const [keys, completions] = await CompletionQueue.oldest(1);
    if (!keys.length) return;
    let response;
    try {
      response = await sendCompletion(api, completions[0]);
    } catch (exc) {
      if (exc instanceof TypeError || exc instanceof SignedOut) throw exc;
      $("notice").textContent = exc.message;  // an upload refused: retrying cannot help
    }
    if (response && !response.ok && response.status !== 409) {
      const problem = await response.json().catch(() => ({}));
      $("notice").textContent = problem.detail || t("notSaved", { status: response.status });
    }
    await CompletionQueue.remove(keys);
    shown = null;  // the route changed: redraw it
    await loadRoute();
  }
}

// Sends queued completions, then pings oldest first; a failed send leaves them queued.
async function flush() {
  if (flushing || !token()) return;
  flushing = true;
  lastFlushAt = Date.now();
  try {
    await flushCompletions();
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
  const stops = await CompletionQueue.count();
  $("queue").textContent = [waiting ? t("waiting", { n: waiting }) : "", stops ? t("stopsWaiting", { n: stops }) : ""]
    .filter(Boolean).join(" · ");
  $("net").textContent = t(navigator.onLine ? "online" : "offline");
  $("battery").textContent = battery.low ? t("lowBattery") : "";
}

function watch() {
  if (watchId !== null || finished || !("geolocation" in navigator)) return;
  watchId = navigator.geolocation.watchPosition(onPosition, () => {}, {
    enableHighAccuracy: !battery.low, maximumAge: battery.low ? LOW_BATTERY_EVERY_MS : 0,
  });
}

function stopWatching() {
  if (watchId !== null) navigator.geolocation.clearWatch(watchId);
  watchId = null;
}

// Low: under 20 % and not charging. The watch is restarted with the matching accuracy.
async function watchBattery() {
  if (!navigator.getBattery) return;
  const device = await navigator.getBattery();
  const update = () => {
    const low = device.level < 0.2 && !device.charging;
    const changed = low !== battery.low;
    battery = { level: Math.round(device.level * 100) / 100, low };
    if (changed && watchId !== null) { stopWatching(); watch(); }
    showQueue();
  };
  device.addEventListener("levelchange", update);
  device.addEventListener("chargingchange", update);
  update();
}

function start() {
  if (!token()) { signOut(""); return; }
  $("signin").hidden = true;
  $("route").hidden = false;
  loadRoute();
  watch();
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
$("break").onclick = async () => {
  if (await dayAction("/v1/device/break", { action: $("break").dataset.action || "start" })) loadRoute();
};
$("finish").onclick = async () => {
  const done = await dayAction("/v1/device/finish");
  if (!done) return;
  finished = true;
  stopWatching();
  await flush();
  $("day-status").textContent = t("finished");
};
window.addEventListener("online", () => { flush(); loadRoute(); });
window.addEventListener("offline", showQueue);
setInterval(() => {
  if (!battery.low || Date.now() - lastFlushAt >= LOW_BATTERY_EVERY_MS) flush();
}, FLUSH_EVERY_MS);
setInterval(() => { if (token() && !finished) loadRoute(); }, ROUTE_EVERY_MS);
translatePage();
if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js");
tokenFromLink();
watchBattery();
start();
