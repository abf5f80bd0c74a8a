/**
 * One value per key, built at most once per read-model position: every
 * subscriber of the same rollout or group gets the same update for the same
 * event (built once, and so executed and serialized once by
 * sharedSubscribe). Only the current position's values are kept, so the
 * cache holds one value per key being followed right now.
 */
export class PerPositionCache<V> {
  private position = -1;
  private readonly values = new Map<string, V>();

  get(key: string, position: number, build: () => V): V {
    if (position !== this.position) {
      this.values.clear();
      this.position = position;
    }
    let value = this.values.get(key);
    if (value === undefined) {
      value = build();
      this.values.set(key, value);
    }
    return value;
  }
}
