import { createHash } from 'node:crypto';
import { CorruptEventError } from './errors';
import type { Snapshot } from './event-store';

/**
 * Snapshots bigger than one NATS message (1 MB by default; a 10,000-host
 * scheduler's state is several) are stored in parts: the parts under
 * `<name>.__part.<slot>.<i>`, then a manifest under `<name>` that names the
 * slot, the number of parts, their length and SHA-256. Saves alternate
 * between two slots, so the parts a manifest names are never overwritten
 * until another manifest has replaced it, and the bucket holds at most two
 * generations. A load whose parts are missing or do not match their
 * manifest (two leaders saving at once) fails as corrupt, and the caller
 * replays the stream instead.
 */

/** a snapshot whose JSON is longer than this is stored in parts */
export const SNAPSHOT_PART_BYTES = 512 * 1024;

export type PartSlot = 'a' | 'b';

export interface PartsManifest {
  readonly sequence: number;
  readonly parts: { readonly slot: PartSlot; readonly count: number; readonly bytes: number; readonly sha256: string };
}

export function partKey(name: string, slot: PartSlot, index: number): string {
  return `${name}.__part.${slot}.${index}`;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The manifest stored under a snapshot's name, if that value is one (a small snapshot is stored whole). */
export function manifestOf(value: unknown): PartsManifest | undefined {
  const parts = (value as { parts?: PartsManifest['parts'] } | null)?.parts;
  return typeof parts === 'object' && parts !== null && (parts.slot === 'a' || parts.slot === 'b') ? (value as PartsManifest) : undefined;
}

/** `json` cut into parts for the slot not in use by `current` (the manifest now stored, if any), and the manifest to store after them. */
export function splitSnapshot(json: string, sequence: number, current: PartsManifest | undefined, partBytes = SNAPSHOT_PART_BYTES): { parts: Uint8Array[]; manifest: PartsManifest } {
  const bytes = Buffer.from(json, 'utf8');
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += partBytes) parts.push(bytes.subarray(at, at + partBytes));
  const slot: PartSlot = current?.parts.slot === 'a' ? 'b' : 'a';
  return { parts, manifest: { sequence, parts: { slot, count: parts.length, bytes: bytes.length, sha256: sha256(bytes) } } };
}

/** The snapshot the parts make up; CorruptEventError when one is missing or they do not match the manifest. */
export function joinSnapshot<TState>(name: string, manifest: PartsManifest, parts: readonly (Uint8Array | undefined)[]): Snapshot<TState> {
  const missing = parts.findIndex((p) => p === undefined);
  if (missing >= 0) throw new CorruptEventError(`snapshot ${name}: part ${missing + 1} of ${manifest.parts.count} is missing`);
  const bytes = Buffer.concat(parts as Uint8Array[]);
  if (bytes.length !== manifest.parts.bytes || sha256(bytes) !== manifest.parts.sha256) {
    throw new CorruptEventError(`snapshot ${name}: its parts do not match their manifest (written over by another save?)`);
  }
  return JSON.parse(bytes.toString('utf8')) as Snapshot<TState>;
}
