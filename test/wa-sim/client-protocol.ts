/** IPC messages between a test and a Baileys client fixture process (fixtures/wa-client.ts). */
export type ClientEvent =
  | { type: 'qr'; qr: string; socket: number }
  | { type: 'open'; me: string; lid: string; socket: number }
  | { type: 'close'; code: number; message: string; reconnect: boolean; socket: number }
  | { type: 'creds-saved' }
  | { type: 'message'; id: string; from: string; fromMe: boolean; text: string; upsertType: string }
  | { type: 'sent'; reqId: number; id: string }
  | { type: 'send-failed'; reqId: number; message: string }
  | { type: 'pairing-code'; reqId: number; code: string }
  | { type: 'pairing-code-failed'; reqId: number; message: string };

export type ClientCommand =
  | { type: 'send'; reqId: number; to: string; text: string }
  | { type: 'exit' }
  /** `sock.requestPairingCode(phone)` on the current socket (it must be showing QR codes). */
  | { type: 'pairing-code'; reqId: number; phone: string }
  /** `sock.logout()`: asks the server to forget this device, then closes (401, no reconnect). */
  | { type: 'logout' };
