// The route on a small street-less map (the planned roads as a line, the stops, the phone's
// position) and the hand-off to the phone's own navigation app. Nothing is fetched from elsewhere.
const RouteMap = (() => {
  const SIZE = 320;
  const NS = "http://www.w3.org/2000/svg";

  // Google encoded polyline (precision 5) to [[lat, lon], ...].
  function decode(text) {
    const points = [];
    let index = 0, lat = 0, lon = 0;
    const next = () => {
      let result = 0, shift = 0, byte;
      do {
        byte = text.charCodeAt(index++) - 63;
        result |= (byte & 0x1f) << shift;
        shift += 5;
      } while (byte >= 0x20);
      return result & 1 ? ~(result >> 1) : result >> 1;
    };
    while (index < text.length) {
      lat += next();
      lon += next();
      points.push([lat / 1e5, lon / 1e5]);
    }
    return points;
  }

  function element(name, attrs) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  // The index of the road point nearest to `at` ([lat, lon]), from `from` on.
  function nearest(road, at, from = 0) {
    let best = from, bestD = Infinity;
    for (let i = from; i < road.length; i++) {
      const d = (road[i][0] - at[0]) ** 2 + (road[i][1] - at[1]) ** 2;
      if (d < bestD) { best = i; bestD = d; }
    }
    return best;
  }

  // The next leg: the planned roads from the phone (else the last stop done, else the start)
  // to the next open stop.
  function nextLeg(road, route, next, fix) {
    if (!road.length || !next) return [];
    const done = route.stops.filter((s) => s.sequence < next.sequence);
    const last = done.length ? done[done.length - 1] : null;
    const from = fix ? [fix.lat, fix.lon] : last ? [last.lat, last.lon] : road[0];
    const start = nearest(road, from);
    return road.slice(start, nearest(road, [next.lat, next.lon], start) + 1);
  }

  // Draws the route into `svg`; the next open stop and the leg to it are marked, `fix` is the
  // phone's position.
  function draw(svg, route, fix) {
    svg.replaceChildren();
    const road = route.geometry ? decode(route.geometry) : [];
    const stops = route.stops.map((s) => [s.lat, s.lon]);
    const all = road.concat(stops, fix ? [[fix.lat, fix.lon]] : []);
    if (!all.length) return;
    const lats = all.map((p) => p[0]), lons = all.map((p) => p[1]);
    const k = Math.cos((((Math.min(...lats) + Math.max(...lats)) / 2) * Math.PI) / 180);
    const span = Math.max(Math.max(...lats) - Math.min(...lats), (Math.max(...lons) - Math.min(...lons)) * k, 1e-4);
    const xy = ([lat, lon]) => [
      (12 + ((lon - Math.min(...lons)) * k * (SIZE - 24)) / span).toFixed(1),
      (SIZE - 12 - ((lat - Math.min(...lats)) * (SIZE - 24)) / span).toFixed(1),
    ];
    svg.setAttribute("viewBox", `0 0 ${SIZE} ${SIZE}`);
    if (road.length) svg.append(element("polyline", { points: road.map((p) => xy(p).join(",")).join(" "), class: "road" }));
    const next = route.stops.find((s) => s.status !== "delivered" && s.status !== "failed");
    const leg = nextLeg(road, route, next, fix);
    if (leg.length > 1) svg.append(element("polyline", { points: leg.map((p) => xy(p).join(",")).join(" "), class: "leg" }));
    for (const stop of route.stops) {
      const [x, y] = xy([stop.lat, stop.lon]);
      const done = stop.status === "delivered" || stop.status === "failed";
      svg.append(element("circle", { cx: x, cy: y, r: stop === next ? 9 : 6, class: stop === next ? "next" : done ? "done" : "stop" }));
    }
    if (fix) {
      const [x, y] = xy([fix.lat, fix.lon]);
      svg.append(element("circle", { cx: x, cy: y, r: 6, class: "me" }));
    }
  }

  // Links that open the phone's navigation app at a stop.
  function navigation(stop) {
    const at = `${stop.lat.toFixed(6)},${stop.lon.toFixed(6)}`;
    const label = encodeURIComponent(stop.address || at);
    return {
      geo: `geo:${at}?q=${at}(${label})`,
      web: `https://www.google.com/maps/dir/?api=1&destination=${at}&travelmode=driving`,
    };
  }

  return { decode, draw, navigation, nextLeg };
})();
