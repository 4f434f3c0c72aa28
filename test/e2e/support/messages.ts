/**
 * Incoming messages as the fake backend received them (`POST /api/webhooks/messages`, seed
 * profile), for tests that count deliveries.
 */
import type { World } from './world.js';

export interface DeliveredMessage {
  id: string;
  from: string;
  text?: string;
  offline?: boolean;
}

/** Every message the backend accepted for `sessionId`, in the order it received them (repeats kept). */
export function deliveredMessages(world: World, sessionId: string): DeliveredMessage[] {
  return world.backend
    .callsTo('messages')
    .filter((c) => c.status === 200 && (c.body as { sessionId: string }).sessionId === sessionId)
    .flatMap((c) => (c.body as { messages: DeliveredMessage[] }).messages);
}

/** Their texts (a text sent twice by the backend's count shows twice). */
export function deliveredTexts(world: World, sessionId: string): string[] {
  return deliveredMessages(world, sessionId).flatMap((m) => (m.text === undefined ? [] : [m.text]));
}

/** Waits up to `ms` for `promise`; true when it resolved, false when it rejected or is still pending. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(() => true, () => false),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  // A delivery still waiting for its receipt rejects later (the server keeps the message): not an error here.
  promise.catch(() => undefined);
  return outcome;
}
