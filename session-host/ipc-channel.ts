import { WorkerError } from '../src/errors.js';
import type { HostToSupervisor, IncomingMessage, IpcError, MessageInAck, ResponseMap, RequestType, SupervisorToHost } from '../src/ipc/protocol.js';
import { isSupervisorMessage } from '../src/ipc/protocol.js';
import { rebuildError } from '../src/error-codes.js';

interface PendingDelivery {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** The parts of `process` the channel uses; a test can hand in any object with this shape. */
export interface IpcEndpoint {
  connected?: boolean;
  send?(message: unknown, callback?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/**
 * Typed sending from the host to the supervisor that respects `process.send` returning `false`:
 * once the channel pushes back, messages queue until the pending send's callback fires. Queued
 * `status` messages coalesce (only the newest matters, and it moves to the end so it never
 * overtakes a `qr` sent after an older status). Sending never throws: with the supervisor gone
 * there is nobody to tell, and the orphan guard handles the exit.
 */
export class IpcChannel {
  private readonly queue: HostToSupervisor[] = [];
  private blocked = false;
  /** Messages handed to `process.send` whose callback has not fired yet. */
  private inFlight = 0;
  private drainWaiters: (() => void)[] = [];
  private listener: ((message: unknown) => void) | undefined;
  /** `message-in` sent with a `deliveryId`, waiting for the supervisor's `message-in-ack`. */
  private readonly deliveries = new Map<number, PendingDelivery>();
  private nextDeliveryId = 1;

  constructor(private readonly endpoint: IpcEndpoint) {}

  get connected(): boolean {
    return this.endpoint.connected === true && typeof this.endpoint.send === 'function';
  }

  send(message: HostToSupervisor): void {
    if (!this.connected) return;
    if (this.blocked) {
      if (message.type === 'status') {
        const old = this.queue.findIndex((m) => m.type === 'status');
        if (old >= 0) this.queue.splice(old, 1);
      }
      this.queue.push(message);
      return;
    }
    this.write(message);
  }

  /**
   * Hands incoming messages to the supervisor and resolves once its outbox committed them
   * (`message-in-ack`). Rejects on the supervisor's error, after `timeoutMs`, or when the channel
   * is gone (`abandonDeliveries`) — the caller then withholds WhatsApp's receipt.
   */
  deliver(messages: IncomingMessage[], timeoutMs: number): Promise<void> {
    if (!this.connected) return Promise.reject(new WorkerError('IPC_CLOSED', 'the supervisor is gone'));
    const deliveryId = this.nextDeliveryId++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.deliveries.delete(deliveryId);
        reject(new WorkerError('INBOX_ACK_TIMEOUT', `the supervisor did not confirm ${messages.length} incoming message(s) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.deliveries.set(deliveryId, { resolve, reject, timer });
      this.send({ type: 'message-in', messages, deliveryId });
    });
  }

  /** The one place pending deliveries fail when the supervisor is gone (IPC `disconnect`). */
  abandonDeliveries(): void {
    const err = new WorkerError('IPC_CLOSED', 'the supervisor is gone');
    for (const d of this.deliveries.values()) {
      clearTimeout(d.timer);
      d.reject(err);
    }
    this.deliveries.clear();
  }

  private settleDelivery(ack: MessageInAck): void {
    const d = this.deliveries.get(ack.deliveryId);
    if (!d) return; // answered after its timeout: the message is committed, WhatsApp redelivers, the outbox drops the copy
    this.deliveries.delete(ack.deliveryId);
    clearTimeout(d.timer);
    if (ack.ok) d.resolve();
    else d.reject(rebuildError(ack.error.code, ack.error.message));
  }

  respond<T extends RequestType>(id: number, result: ResponseMap[T]): void {
    this.send({ type: 'response', id, ok: true, result });
  }

  fail(id: number, error: IpcError): void {
    this.send({ type: 'response', id, ok: false, error: { code: error.code, message: error.message } });
  }

  /**
   * Resolves once every message sent so far has been written (or the channel is gone). Call it
   * before `process.exit`: an exit with writes pending can drop the last status or response.
   */
  drained(): Promise<void> {
    if (this.idle() || !this.connected) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private idle(): boolean {
    return this.inFlight === 0 && this.queue.length === 0 && !this.blocked;
  }

  /** Supervisor messages for the host; delivery acks are settled here and not passed on. */
  onMessage(handler: (message: Exclude<SupervisorToHost, MessageInAck>) => void, onInvalid?: (raw: unknown) => void): void {
    this.listener = (raw: unknown) => {
      if (!isSupervisorMessage(raw)) return onInvalid?.(raw);
      if (raw.type === 'message-in-ack') return this.settleDelivery(raw);
      handler(raw);
    };
    this.endpoint.on('message', this.listener);
  }

  /** Stops listening so the IPC handle no longer keeps the event loop alive for us. */
  close(): void {
    if (this.listener) this.endpoint.off('message', this.listener);
    this.listener = undefined;
  }

  private write(message: HostToSupervisor): void {
    let accepted: boolean;
    this.inFlight++;
    try {
      accepted = this.endpoint.send!(message, (err) => {
        this.inFlight--;
        if (err) this.releaseAll();
        else if (!accepted || this.blocked) this.pump();
        else if (this.idle()) this.releaseAll(false);
      });
    } catch {
      // ERR_IPC_CHANNEL_CLOSED and friends: the supervisor is gone.
      this.inFlight--;
      this.releaseAll();
      return;
    }
    if (!accepted) this.blocked = true;
  }

  /** Called from a send callback: the backlog moved, try the queue again. */
  private pump(): void {
    this.blocked = false;
    while (this.queue.length > 0 && !this.blocked) {
      if (!this.connected) return this.releaseAll();
      this.write(this.queue.shift()!);
    }
    if (this.idle()) this.releaseAll(false);
  }

  private releaseAll(clearQueue = true): void {
    if (clearQueue) {
      this.queue.length = 0;
      this.blocked = false;
    }
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
