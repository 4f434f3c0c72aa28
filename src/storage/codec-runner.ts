import { decodeSnapshot, encodeSnapshot, type Decoded, type EncodeInput, type Encoded, type EncryptionKey, type Expectation } from './codec/index.js';

/**
 * Where the codec's CPU work (gzip, AES, SHA-256) runs. A session host packs one small folder at a
 * time and runs it inline; bulk maintenance runs it on a piscina pool (see cli/pool-codec.ts) so
 * hundreds of sessions are verified without blocking the event loop.
 */
export interface CodecRunner {
  encode(input: EncodeInput, key: EncryptionKey | undefined): Promise<Encoded>;
  decode(blob: Buffer, expect: Expectation, keys: readonly EncryptionKey[]): Promise<Decoded>;
  close(): Promise<void>;
}

export const inlineCodec: CodecRunner = {
  encode: async (input, key) => encodeSnapshot(input, key),
  decode: async (blob, expect, keys) => decodeSnapshot(blob, expect, keys),
  close: async () => {},
};
