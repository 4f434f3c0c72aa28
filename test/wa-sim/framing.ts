/**
 * WhatsApp Web transport framing, server side. The client's first bytes are an intro header
 * (`WA` + version + dict version, optionally preceded by an `ED` routing prefix); after it, and in
 * both directions, every frame is a 3-byte big-endian length followed by that many bytes.
 * Pure: no sockets, so it is unit-tested directly.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private introSeen = false;
  /** The 4-byte `WA…` noise header the client sent (the handshake hashes it). */
  noiseHeader: Buffer | undefined;

  /** Appends bytes, returns every complete frame now available, in order. */
  push(data: Uint8Array): Buffer[] {
    this.buf = this.buf.length === 0 ? Buffer.from(data) : Buffer.concat([this.buf, data]);
    if (!this.introSeen && !this.readIntro()) return [];
    const frames: Buffer[] = [];
    while (this.buf.length >= 3) {
      const size = (this.buf[0]! << 16) | (this.buf[1]! << 8) | this.buf[2]!;
      if (this.buf.length < size + 3) break;
      frames.push(Buffer.from(this.buf.subarray(3, size + 3)));
      this.buf = this.buf.subarray(size + 3);
    }
    return frames;
  }

  private readIntro(): boolean {
    let offset = 0;
    if (this.buf.length >= 2 && this.buf.toString('latin1', 0, 2) === 'ED') {
      if (this.buf.length < 7) return false;
      const routingLen = (this.buf[4]! << 16) | this.buf.readUInt16BE(5);
      offset = 7 + routingLen;
    }
    if (this.buf.length < offset + 4) return false;
    const header = this.buf.subarray(offset, offset + 4);
    if (header.toString('latin1', 0, 2) !== 'WA') throw new Error('client did not send a WA intro header');
    this.noiseHeader = Buffer.from(header);
    this.buf = this.buf.subarray(offset + 4);
    this.introSeen = true;
    return true;
  }
}

export function encodeFrame(data: Uint8Array): Buffer {
  if (data.byteLength >= 1 << 24) throw new Error('frame too large');
  const out = Buffer.allocUnsafe(3 + data.byteLength);
  out[0] = (data.byteLength >>> 16) & 0xff;
  out[1] = (data.byteLength >>> 8) & 0xff;
  out[2] = data.byteLength & 0xff;
  out.set(data, 3);
  return out;
}
