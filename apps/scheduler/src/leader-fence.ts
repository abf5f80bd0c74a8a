import { randomUUID } from 'node:crypto';
import { eventSubject } from '@berth/contracts';
import { LEADER_TERM_ID, MarkerAggregate, type LeaderTermStarted } from '@berth/domain';
import { toNewEvent, type EventStore, type FencedError } from '@berth/event-store';
import { SCHEDULER_ACTOR } from './command-executor';

/*
 * Fencing a leader's term
 * -----------------------
 * A scheduler that wins the lease writes LeaderTermStarted on the one
 * leader-term aggregate, unfenced, and from then on fences every append on
 * that aggregate's subject at its marker's sequence: the server stores an
 * append only if no newer marker exists (checked in the append's atomic batch,
 * see the event store's `fence`). When the next leader's marker lands, every
 * later append of this one is refused (FENCED, nothing written), however long
 * it was paused and whatever it decided on, and `onFenced` makes it step down.
 * Writes of the old term that landed before the new marker are what the new
 * leader's projection reads before it decides anything.
 */

/** Begins a fenced term for `holder`: resolves with the marker's stream sequence (the term starts after it). */
export async function beginFencedTerm(store: EventStore, holder: string, onFenced: (err: FencedError) => void): Promise<number> {
  // a fence from an earlier term of ours would refuse our own new marker
  store.fence(undefined);
  const time = new Date().toISOString();
  const commandId = randomUUID();
  const marker: LeaderTermStarted = { type: 'LeaderTermStarted', holder, time };
  const { lastSequence } = await store.append(MarkerAggregate.LEADER_TERM, LEADER_TERM_ID, 'any', [
    toNewEvent(marker, { actor: SCHEDULER_ACTOR, correlationId: commandId, causationId: commandId, time }, randomUUID),
  ]);
  store.fence({ subject: eventSubject(MarkerAggregate.LEADER_TERM, LEADER_TERM_ID), unchangedSince: lastSequence }, onFenced);
  return lastSequence;
}
