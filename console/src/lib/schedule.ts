// When a newsletter goes out: a wall-clock time in a chosen IANA zone. The API takes exactly that
// (`send_at` without an offset plus `timezone`) and refuses a local time the zone skips; the
// console only needs to show a person which moment they picked, and start from "now" in that zone.

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Every zone the browser knows (Intl), with the browser's own and UTC always among them. */
export function timeZones(): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([...known, browserZone(), "UTC"])].sort();
}

/** The wall-clock time in `zone` at `at`, as `YYYY-MM-DDTHH:MM:SS` (a datetime-local input's value). */
export function wallClock(at: Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

function asUtcMillis(local: string): number {
  const [date, time = "00:00"] = local.split("T");
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi, s = 0] = time.split(":").map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/**
 * The moment a wall-clock time in `zone` names. Across a DST change the zone's offset is read at
 * the guessed moment and once more (a time the zone skips lands an hour on; the API refuses it).
 */
export function momentOf(local: string, zone: string): Date {
  const wanted = asUtcMillis(local);
  const offsetAt = (millis: number) => asUtcMillis(wallClock(new Date(millis), zone)) - millis;
  let moment = wanted - offsetAt(wanted);
  moment = wanted - offsetAt(moment);
  return new Date(moment);
}

/** A datetime-local value (minutes, or seconds) as the API's `send_at`, with its zone. */
export function sendAtOf(local: string, zone: string): { send_at: string; timezone: string } {
  const withSeconds = /T\d{2}:\d{2}$/.test(local) ? `${local}:00` : local;
  return { send_at: withSeconds, timezone: zone };
}

/** "Now plus `seconds`" in `zone`, whole seconds: where the time picker starts. */
export function wallClockIn(seconds: number, zone: string, now: Date = new Date()): string {
  return wallClock(new Date(Math.ceil(now.getTime() / 1000) * 1000 + seconds * 1000), zone);
}
