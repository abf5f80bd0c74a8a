/** ISO instants ↔ epoch milliseconds. The domain has no clock: every "now" comes from a command. */
export function instant(time: string): number {
  const millis = Date.parse(time);
  // a bad time is the caller's bug, not the user's
  if (Number.isNaN(millis)) throw new TypeError(`Time is not an ISO-8601 instant: ${time}`);
  return millis;
}

export function plusSeconds(time: string, seconds: number): string {
  return new Date(instant(time) + seconds * 1000).toISOString();
}

/** Whether `seconds` have passed from `since` to `now`. */
export function elapsed(since: string, seconds: number, now: string): boolean {
  return instant(now) - instant(since) >= seconds * 1000;
}
