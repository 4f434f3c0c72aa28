import { withDeadline } from '../src/deadline.js';
import { WorkerError } from '../src/errors.js';
import type { ActionResult, ChatAction } from '../src/ipc/protocol.js';

/**
 * Chat actions (typing, read, revoke, delete for me, reaction, edit, star) as the one Baileys call
 * each one is. `planAction` is pure (unit-tested without a socket); `performAction` applies a plan
 * to the open socket.
 */
export interface MessageKey {
  remoteJid: string;
  id: string;
  fromMe: boolean;
}

export type ActionPlan =
  | { call: 'sendPresenceUpdate'; args: ['composing' | 'paused', string] }
  | { call: 'readMessages'; args: [MessageKey[]] }
  | { call: 'sendMessage'; args: [string, Record<string, unknown>] }
  | { call: 'chatModify'; args: [Record<string, unknown>, string] };

/**
 * `ownIds` says whether this host sent a message (when the caller did not say `fromMe`): a reaction,
 * a read receipt or a star names someone else's message unless it is one of ours.
 */
export function planAction(jid: string, act: ChatAction, ownIds: (id: string) => boolean, now: number): ActionPlan {
  const key = (id: string, fromMe?: boolean): MessageKey => ({ remoteJid: jid, id, fromMe: fromMe ?? ownIds(id) });
  switch (act.action) {
    case 'typing':
      return { call: 'sendPresenceUpdate', args: [act.state, jid] };
    case 'read':
      return { call: 'readMessages', args: [[key(act.messageId, act.fromMe ?? false)]] };
    case 'revoke':
      // Only one's own messages can be revoked in a 1:1 chat.
      return { call: 'sendMessage', args: [jid, { delete: key(act.messageId, true) }] };
    case 'react':
      return { call: 'sendMessage', args: [jid, { react: { text: act.emoji, key: key(act.messageId, act.fromMe) } }] };
    case 'edit':
      return { call: 'sendMessage', args: [jid, { text: act.text, edit: key(act.messageId, true) }] };
    case 'delete_for_me':
      return { call: 'chatModify', args: [{ deleteForMe: { key: key(act.messageId, act.fromMe), timestamp: now, deleteMedia: false } }, jid] };
    case 'star':
      return { call: 'chatModify', args: [{ star: { messages: [{ id: act.messageId, fromMe: act.fromMe ?? ownIds(act.messageId) }], star: act.star } }, jid] };
  }
}

/** The socket calls a plan may make (structural, so a test can record them). */
export interface ActionSocket {
  sendPresenceUpdate(state: 'composing' | 'paused', jid: string): Promise<unknown>;
  readMessages(keys: MessageKey[]): Promise<unknown>;
  sendMessage(jid: string, content: never): Promise<{ key?: { id?: string | null } } | undefined>;
  chatModify(mod: never, jid: string): Promise<unknown>;
}

export async function performAction(sock: ActionSocket, plan: ActionPlan, jid: string): Promise<ActionResult> {
  let messageId: string | null = null;
  switch (plan.call) {
    case 'sendPresenceUpdate':
      await sock.sendPresenceUpdate(...plan.args);
      break;
    case 'readMessages':
      await sock.readMessages(...plan.args);
      break;
    case 'sendMessage': {
      const sent = await sock.sendMessage(plan.args[0], plan.args[1] as never);
      if (!sent?.key?.id) throw new WorkerError('SEND_FAILED', 'WhatsApp returned no message id');
      messageId = sent.key.id;
      break;
    }
    case 'chatModify':
      await sock.chatModify(plan.args[0] as never, plan.args[1]);
      break;
  }
  return { messageId, to: jid, timestamp: new Date().toISOString() };
}

/** Plans and performs one action on the open socket, bounded by `timeoutMs`. */
export async function actOnSocket(sock: ActionSocket | undefined, jid: string, act: ChatAction, ownIds: (id: string) => boolean, timeoutMs: number): Promise<ActionResult> {
  const plan = planAction(jid, act, ownIds, Date.now());
  if (!sock) throw new WorkerError('NOT_CONNECTED', 'the session is not connected to WhatsApp');
  try {
    return await withDeadline(performAction(sock, plan, jid), timeoutMs, () => new WorkerError('SEND_TIMEOUT', `${act.action} took longer than ${timeoutMs} ms`));
  } catch (err) {
    if (err instanceof WorkerError) throw err;
    // Baileys' words when the phone has not shared its app state keys yet (soon after pairing).
    if (/app state key not present/i.test((err as Error)?.message ?? '')) {
      throw new WorkerError('APP_STATE_NOT_READY', `${act.action}: the phone has not shared its app state keys yet (star, unstar and delete-for-me need them); try again later`);
    }
    throw new WorkerError('ACTION_FAILED', `${act.action}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

/** Ids of messages this host sent, newest last, bounded (the `fromMe` guess of `planAction`). */
export class OwnMessageIds {
  private readonly ids = new Set<string>();
  constructor(private readonly limit = 5_000) {}
  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value as string);
  }
  has = (id: string): boolean => this.ids.has(id);
}
