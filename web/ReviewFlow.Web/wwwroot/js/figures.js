// Numbers in plain words for the admin pages: shares as percentages, intervals, counts. Nulls become "—".

export function share(v, digits = 1) { return typeof v === "number" && isFinite(v) ? (v * 100).toFixed(digits) + " %" : "—"; }

export function count(v) { return typeof v === "number" ? v.toLocaleString("en-GB") : "—"; }

export function num(v, digits = 3) { return typeof v === "number" && isFinite(v) ? v.toFixed(digits) : "—"; }

// A proportion { estimate, low, high, samples } as "97.0 % (95 % interval 91.2–99.1 %, 120 samples)".
export function proportion(p, noun = "samples") {
  if (!p || !p.samples) return "no evidence (0 " + noun + ")";
  return `${share(p.estimate)} (95 % interval ${share(p.low)} – ${share(p.high)}, ${count(p.samples)} ${noun})`;
}

// The same, short, for a table cell: "30.0 % (10.8–60.3 %, 10)".
export function proportionShort(p) {
  if (!p || !p.samples) return "no evidence";
  return `${share(p.estimate)} (${share(p.low).replace(" %", "")}–${share(p.high)}, ${count(p.samples)})`;
}

// A day of the API ("2026-12-01T00:00:00+00:00" or "2026-12-01") as 2026-12-01 (UTC).
export function day(iso) { return typeof iso === "string" ? iso.slice(0, 10) : "—"; }

// The last day a period [from, to) includes: "to" is exclusive, usually a midnight.
export function lastDay(iso) { return new Date(new Date(iso).getTime() - 1).toISOString().slice(0, 10); }

// <input type="date"> values (UTC days) to the API's period [from, to): "to" is included, so the API's end is the next midnight.
export function periodQuery(q, fromDay, toDay) {
  if (fromDay) q.set("from", fromDay + "T00:00:00Z");
  if (toDay) {
    const end = new Date(toDay + "T00:00:00Z");
    end.setUTCDate(end.getUTCDate() + 1);
    q.set("to", end.toISOString());
  }
  return q;
}

// Today and n days ago as UTC dates for the date inputs.
export function utcDay(daysAgo = 0) {
  const d = new Date(Date.now() - daysAgo * 86400000);
  return d.toISOString().slice(0, 10);
}
