/**
 * One client WebSocket as the server sees it: intro header and framing, the Noise handshake, then
 * encrypted binary nodes. Frames are handled strictly one after another (node decoding is async and
 * the transport counters must stay in step with the client's).
 */
import { decodeBinaryNode, encodeBinaryNode, type BinaryNode } from '@whiskeysockets/baileys';
import type { WebSocket } from 'ws';
import type { KeyPair } from './certs.js';
import { encodeFrame, FrameReader } from './framing.js';
import { NoiseResponder, type HandshakeResult, type TransportCipher } from './noise-responder.js';

export interface ConnectionHooks {
  /** Handshake done: the simulator decides between registration and login. */
  onHandshake(conn: SimConnection, result: HandshakeResult): void;
  onNode(conn: SimConnection, node: BinaryNode): Promise<void> | void;
  onClose(conn: SimConnection): void;
  onError(conn: SimConnection, err: unknown): void;
}

/** How long the server waits for the client to hang up after a stream error before closing itself. */
const CLOSE_GRACE_MS = 1500;

let nextConnId = 1;

export class SimConnection {
  readonly id = nextConnId++;
  /** Set once the connection has logged in as a paired device. */
  phone: string | undefined;
  deviceId: number | undefined;
  clientStaticPublic: Buffer | undefined;
  /** While true every incoming frame is dropped unanswered (stall, hanging login). */
  stalled = false;
  /** The close code the server imposed (stream error / failure), if any. */
  closeCode: number | undefined;
  closed = false;

  private readonly reader = new FrameReader();
  private responder: NoiseResponder | undefined;
  private transport: TransportCipher | undefined;
  private phase: 'hello' | 'finish' | 'transport' = 'hello';
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly staticKey: KeyPair,
    private readonly certChain: Uint8Array,
    private readonly hooks: ConnectionHooks,
  ) {
    ws.on('message', (data: Buffer) => {
      this.chain = this.chain.then(() => this.onData(data)).catch((err) => {
        hooks.onError(this, err);
        this.terminate();
      });
    });
    ws.on('close', () => {
      // Frames that arrived before the client hung up are still handled first: Baileys' logout
      // sends its remove-companion-device iq and closes the socket right after.
      this.chain = this.chain
        .then(() => {
          this.closed = true;
          hooks.onClose(this);
        })
        .catch((err) => hooks.onError(this, err));
    });
    ws.on('error', (err) => hooks.onError(this, err));
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  private async onData(data: Buffer): Promise<void> {
    if (this.closed) return;
    for (const frame of this.reader.push(data)) {
      if (this.stalled) continue;
      await this.onFrame(frame);
    }
  }

  private async onFrame(frame: Buffer): Promise<void> {
    switch (this.phase) {
      case 'hello': {
        this.responder = new NoiseResponder(this.staticKey, this.certChain, this.reader.noiseHeader!);
        const reply = this.responder.respondToHello(frame);
        this.phase = 'finish';
        this.sendRaw(reply);
        return;
      }
      case 'finish': {
        const result = this.responder!.finish(frame);
        this.responder = undefined;
        this.transport = result.transport;
        this.clientStaticPublic = result.clientStaticPublic;
        this.phase = 'transport';
        this.hooks.onHandshake(this, result);
        return;
      }
      case 'transport': {
        const node = await decodeBinaryNode(this.transport!.decrypt(frame));
        if (this.stalled || this.closed) return;
        await this.hooks.onNode(this, node);
        return;
      }
    }
  }

  private sendRaw(bytes: Uint8Array): void {
    if (!this.isOpen) return;
    this.ws.send(encodeFrame(bytes));
  }

  sendNode(node: BinaryNode): void {
    if (!this.transport || !this.isOpen) return;
    this.sendRaw(this.transport.encrypt(encodeBinaryNode(node)));
  }

  /** Sends a node that ends the stream, then lets the client hang up (closing first could race it). */
  endWith(node: BinaryNode, code: number): void {
    if (this.closeCode === undefined) this.closeCode = code;
    this.sendNode(node);
    this.stalled = true;
    const timer = setTimeout(() => this.terminate(), CLOSE_GRACE_MS);
    timer.unref();
  }

  /** Closes the TCP connection without a goodbye (what a network drop looks like). */
  terminate(): void {
    if (this.ws.readyState === this.ws.CLOSED) return;
    this.ws.terminate();
  }
}
