/**
 * Postinstall: gives Baileys 7.0.0-rc14 the one hook the worker's message guarantee needs
 * (issues 13 §8 and 14). rc14's `handleMessage` (lib/Socket/messages-recv.js) sends WhatsApp the
 * delivery receipt *before* it emits `messages.upsert`; a host that hands the message to the
 * supervisor's durable outbox only on that upsert loses it when a process dies in between —
 * WhatsApp was already told it was delivered. The patch:
 *
 *   1. calls `config.onMessageDecrypted(msg, 'notify' | 'append')` (the host's inbox,
 *      session-host/inbox.ts) after a message is decrypted and before its receipt; the host
 *      resolves it once the supervisor's outbox committed the message. When it throws, Baileys'
 *      own catch answers WhatsApp with a NACK instead of the receipt, and WhatsApp keeps the
 *      message for redelivery;
 *   2. runs the decryption and that hook in one Signal-key transaction (the one the decryption
 *      already opens, keyed by the same jid, so sends to that contact still serialise with it):
 *      the advanced ratchet is written only after the outbox has the message. Otherwise a process
 *      killed after the key write but before the commit gets the message again and cannot decrypt
 *      it ("Key used already") — lost after all.
 *
 * Without the hook configured Baileys behaves exactly as before. Exact anchors, each found once;
 * anything else (another Baileys version, a changed file) stops the install with a message naming
 * what is missing — never a silently unpatched client. Idempotent: a patched file is left alone.
 * Plain Node, no dependency: it also runs in the Dockerfile's `npm ci --omit=dev` stage.
 *
 * Usage: `node scripts/patch-baileys.mjs` (npm's `postinstall`); `--check` only verifies.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PINNED_VERSION = '7.0.0-rc14';
/** Present in a patched file; the host bundle build checks for it too (scripts/build-host.mjs). */
export const MARKER = 'wa-gateway-worker:inbox-hook';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BAILEYS = join(ROOT, 'node_modules', '@whiskeysockets', 'baileys');
export const TARGET = join(BAILEYS, 'lib', 'Socket', 'messages-recv.js');

const EDITS = [
  {
    what: 'import of getDecryptionJid',
    anchor: "import { makeMutex } from '../Utils/make-mutex.js';\n",
    replacement:
      "import { makeMutex } from '../Utils/make-mutex.js';\n" +
      `// ${MARKER}: the jid the decryption's own key transaction is keyed by\n` +
      "import { getDecryptionJid as waGatewayDecryptionJid } from '../Utils/decode-wa-message.js';\n",
  },
  {
    what: 'handleMessage: decrypt() inside messageMutex',
    anchor: '            await messageMutex.mutex(async () => {\n                await decrypt();\n',
    replacement: [
      '            await messageMutex.mutex(async () => {',
      `                // ${MARKER}: the host's inbox takes the decrypted message before any receipt`,
      '                // (a throw here becomes a NACK below: WhatsApp keeps the message), and the',
      '                // ratchet the decryption advanced is committed only after it did.',
      '                await authState.keys.transaction(async () => {',
      '                    await decrypt();',
      '                    if (config.onMessageDecrypted && msg.messageStubType !== proto.WebMessageInfo.StubType.CIPHERTEXT) {',
      "                        await config.onMessageDecrypted(msg, node.attrs.offline ? 'append' : 'notify');",
      '                    }',
      "                }, author ? await waGatewayDecryptionJid(author, signalRepository) : 'wa-gateway-inbox');",
      '',
    ].join('\n'),
  },
];

/** Applies every edit to `source`; throws naming the first anchor that is not there exactly once. */
export function patchSource(source) {
  if (source.includes(MARKER)) return { source, changed: false };
  let out = source;
  for (const edit of EDITS) {
    const count = out.split(edit.anchor).length - 1;
    if (count !== 1) {
      throw new Error(`anchor "${edit.what}" found ${count} times in ${TARGET} (expected exactly 1)`);
    }
    out = out.replace(edit.anchor, () => edit.replacement);
  }
  return { source: out, changed: true };
}

function installedVersion() {
  return JSON.parse(readFileSync(join(BAILEYS, 'package.json'), 'utf8')).version;
}

function main() {
  const checkOnly = process.argv.includes('--check');
  const version = installedVersion();
  if (version !== PINNED_VERSION) {
    throw new Error(`@whiskeysockets/baileys is ${version}; this patch is written for ${PINNED_VERSION}. Re-read handleMessage in lib/Socket/messages-recv.js and update scripts/patch-baileys.mjs`);
  }
  const before = readFileSync(TARGET, 'utf8');
  if (checkOnly) {
    if (!before.includes(MARKER)) throw new Error(`${TARGET} is not patched: run node scripts/patch-baileys.mjs`);
    process.stdout.write(`baileys ${version}: inbox hook present\n`);
    return;
  }
  const { source, changed } = patchSource(before);
  if (changed) writeFileSync(TARGET, source);
  process.stdout.write(`baileys ${version}: inbox hook ${changed ? 'installed' : 'already present'} (${TARGET})\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`patch-baileys: FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
