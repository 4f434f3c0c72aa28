import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader } from './framing.js';

const WA_HEADER = Buffer.from([87, 65, 6, 3]);

describe('FrameReader', () => {
  it('strips the WA intro header and splits length-prefixed frames, across chunk boundaries', () => {
    const r = new FrameReader();
    const bytes = Buffer.concat([WA_HEADER, encodeFrame(Buffer.from('hello')), encodeFrame(Buffer.from('world!'))]);
    const got: string[] = [];
    for (let i = 0; i < bytes.length; i += 3) got.push(...r.push(bytes.subarray(i, i + 3)).map((f) => f.toString()));
    expect(got).toEqual(['hello', 'world!']);
    expect(r.noiseHeader).toEqual(WA_HEADER);
  });

  it('skips an ED routing prefix before the WA header', () => {
    const routing = Buffer.from([1, 2, 3, 4, 5]);
    const prefix = Buffer.from([69, 68, 0, 1, 0, 0, routing.length]);
    const r = new FrameReader();
    const frames = r.push(Buffer.concat([prefix, routing, WA_HEADER, encodeFrame(Buffer.from('x'))]));
    expect(frames.map((f) => f.toString())).toEqual(['x']);
    expect(r.noiseHeader).toEqual(WA_HEADER);
  });

  it('rejects a client that does not speak the WA transport', () => {
    expect(() => new FrameReader().push(Buffer.from('GET / HTTP/1.1'))).toThrow(/WA intro header/);
  });

  it('encodes 3-byte big-endian lengths', () => {
    const f = encodeFrame(Buffer.alloc(70_000));
    expect([f[0], f[1], f[2]]).toEqual([0x01, 0x11, 0x70]);
  });
});
