/** Small helpers for reading and answering binary-node stanzas. */
import { getBinaryNodeChild, type BinaryNode } from '@whiskeysockets/baileys';

export const S_WHATSAPP_NET = 's.whatsapp.net';

export function iqResult(req: BinaryNode, content?: BinaryNode[]): BinaryNode {
  const node: BinaryNode = { tag: 'iq', attrs: { from: S_WHATSAPP_NET, type: 'result', id: req.attrs.id ?? '' } };
  if (content) node.content = content;
  return node;
}

/** An iq error answer, e.g. `iqError(req, 404, 'item-not-found')`. */
export function iqError(req: BinaryNode, code: number, text: string): BinaryNode {
  return {
    tag: 'iq',
    attrs: { from: S_WHATSAPP_NET, type: 'error', id: req.attrs.id ?? '' },
    content: [{ tag: 'error', attrs: { code: String(code), text } }],
  };
}

export function firstChild(node: BinaryNode | undefined): BinaryNode | undefined {
  return Array.isArray(node?.content) ? node.content[0] : undefined;
}

export function children(node: BinaryNode | undefined, tag?: string): BinaryNode[] {
  if (!Array.isArray(node?.content)) return [];
  return tag ? node.content.filter((c) => c.tag === tag) : node.content;
}

export function childBytes(node: BinaryNode | undefined, tag: string): Buffer | undefined {
  const c = getBinaryNodeChild(node, tag)?.content;
  if (c instanceof Uint8Array) return Buffer.from(c);
  if (typeof c === 'string') return Buffer.from(c, 'latin1');
  return undefined;
}

export function readUIntBE(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

export function uintBE(n: number, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = n & 0xff;
    n = Math.floor(n / 256);
  }
  return out;
}

export function streamError(code: number, reason?: BinaryNode): BinaryNode {
  return { tag: 'stream:error', attrs: { code: String(code) }, ...(reason ? { content: [reason] } : {}) };
}

export const nowSeconds = (): string => String(Math.floor(Date.now() / 1000));
