// The route on a small map (the streets of the platform's own map extract under the planned
// roads, the stops, the phone's position) and the hand-off to the phone's own navigation app.
// Nothing is fetched from elsewhere.
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

  // The box [south, west, north, east] whose streets the map asks for: the route's, with room
  // around it for the phone's position.
  const MAX_BOX = 0.99;
  function box(route) {
    const all = (route.geometry ? decode(route.geometry) : []).concat(route.stops.map((s) => [s.lat, s.lon]));
    if (!all.length) return null;
    const lats = all.map((p) => p[0]), lons = all.map((p) => p[1]);
    const [south, north, west, east] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
    const pad = Math.max(north - south, east - west, 0.01) / 2;
    // At most MAX_BOX degrees each way (what tracking serves): around the route's middle.
    const clamp = (low, high) => {
      const middle = (low + high) / 2, half = Math.min(high - low, MAX_BOX) / 2;
      return [middle - half, middle + half];
    };
    const [s, n] = clamp(south - pad, north + pad), [w, e] = clamp(west - pad, east + pad);
    return [s, w, n, e];
  }

  // The base layer's streets ({roads: [{kind, points}]}) that cross the frame, minor under major.
  // Built once per layer and frame: a fix inside the route's frame redraws only the route.
  let drawn = { layer: null, frame: "", nodes: [] };
  function streets(svg, layer, xy, frame) {
    if (drawn.layer !== layer || drawn.frame !== frame) {
      const crosses = (points) => {
        const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
        return Math.min(...xs) <= SIZE && Math.max(...xs) >= 0 && Math.min(...ys) <= SIZE && Math.max(...ys) >= 0;
      };
      const nodes = [];
      for (const kind of ["service", "minor", "major"]) {
        for (const street of layer.roads) {
          if (street.kind !== kind) continue;
          const points = street.points.map(xy);
          if (!crosses(points)) continue;
          nodes.push(element("polyline", { points: points.map((p) => p.join(",")).join(" "), class: `street ${kind}` }));
        }
      }
      drawn = { layer, frame, nodes };
    }
    svg.append(...drawn.nodes);
  }

  // Draws the route into `svg` over the streets of `layer` (the base layer, when loaded); the
  // next open stop and the leg to it are marked, `fix` is the phone's position.
  function draw(svg, route, fix, layer) {
    svg.replaceChildren();
    const road = route.geometry ? decode(route.geometry) : [];
    const stops = route.stops.map((s) => [s.lat, s.lon]);
    const all = road.concat(stops, fix ? [[fix.lat, fix.lon]] : []);
    if (!all.length) return;
    const lats = all.map((p) => p[0]), lons = all.map((p) => p[1]);
    const minLat = Math.min(...lats), minLon = Math.min(...lons);
    const k = Math.cos((((minLat + Math.max(...lats)) / 2) * Math.PI) / 180);
    const span = Math.max(Math.max(...lats) - minLat, (Math.max(...lons) - minLon) * k, 1e-4);
    const xy = ([lat, lon]) => [
      +(12 + ((lon - minLon) * k * (SIZE - 24)) / span).toFixed(1),
      +(SIZE - 12 - ((lat - minLat) * (SIZE - 24)) / span).toFixed(1),
    ];
    svg.setAttribute("viewBox", `0 0 ${SIZE} ${SIZE}`);
    if (layer) streets(svg, layer, xy, `${minLat},${minLon},${k},${span}`);
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

  return { box, decode, draw, navigation, nextLeg };
})();
