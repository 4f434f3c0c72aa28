/**
 * The demo's scenes, each a promise about the worker shown with real parts: the compiled
 * supervisor and session hosts, real Baileys sockets, the simulator acting as WhatsApp and as
 * the users' phones, and the worker's HTTP API (design.md §9).
 */
import QRCode from 'qrcode';
import type { WaSim } from '../test/wa-sim/index.js';
import type { SessionData, WorkerApi } from '../bench/lib/api.js';
import { scanSession, type PlannedSession } from '../bench/lib/pairing.js';
import { pollUntil } from '../bench/lib/wait.js';
import { block, dim, ms, ok, say } from './narrate.js';

export async function waitSession(api: WorkerApi, id: string, test: (s: SessionData) => boolean, timeoutMs: number, what: string): Promise<SessionData> {
  let last: SessionData | undefined;
  return pollUntil(
    async () => {
      last = await api.session(id);
      return test(last) ? last : undefined;
    },
    { timeoutMs, intervalMs: 50, what, last: () => JSON.stringify(last) },
  );
}

/** POST /api/sessions → show the QR the API returns → the simulated phone scans it → connected. */
export async function linkSession(api: WorkerApi, sim: WaSim, s: PlannedSession): Promise<void> {
  const started = Date.now();
  await api.createSession(s.sessionId, { name: `${s.sessionId}'s phone` });
  say(`POST /api/sessions {"sessionId":"${s.sessionId}"} → a session host is forked for it`);
  const qr = await pollUntil(() => api.qr(s.sessionId), { timeoutMs: 30_000, intervalMs: 100, what: `a QR for ${s.sessionId}` });
  say(`GET /api/sessions/${s.sessionId}/qr → the QR WhatsApp would show (${dim(qr.slice(0, 24) + '…')}):`);
  block(await QRCode.toString(qr, { type: 'terminal', small: true }));
  say(`the simulated phone +${s.phone} scans it…`);
  await scanSession(api, sim, s, 30_000);
  const v = await waitSession(api, s.sessionId, (x) => x.status === 'connected', 30_000, `${s.sessionId} connected`);
  ok(`${s.sessionId} connected as +${v.phoneNumber} (host pid ${v.pid}) ${dim(`in ${ms(Date.now() - started)} from create`)}`);
}

/**
 * POST /api/sessions → POST /api/sessions/:id/pairing-code {phoneNumber} → the user types the code
 * on the (simulated) phone → connected, with no QR ever scanned (issue 19 §1).
 */
export async function linkSessionByCode(api: WorkerApi, sim: WaSim, s: PlannedSession): Promise<void> {
  const started = Date.now();
  await api.createSession(s.sessionId, { name: `${s.sessionId}'s phone` });
  say(`POST /api/sessions {"sessionId":"${s.sessionId}"} → a session host is forked for it`);
  // The route waits for the new host's pairing round (up to 20 s): no polling needed.
  const offer = await api.call<{ pairingCode: string; expiresAt: string }>('POST', `/api/sessions/${s.sessionId}/pairing-code`, { phoneNumber: `+${s.phone}` }, 30_000);
  const code = `${offer.pairingCode.slice(0, 4)}-${offer.pairingCode.slice(4)}`;
  say(`POST /api/sessions/${s.sessionId}/pairing-code {"phoneNumber":"+${s.phone}"} → code ${code} (valid until ${offer.expiresAt})`);
  const view = await api.session(s.sessionId);
  say(`GET /api/sessions/${s.sessionId} → status ${view.status}`);
  say(`on the phone +${s.phone}: WhatsApp → Linked devices → Link with phone number → types ${code}…`);
  await sim.enterPairingCode(s.phone, offer.pairingCode);
  const v = await waitSession(api, s.sessionId, (x) => x.status === 'connected', 30_000, `${s.sessionId} connected`);
  ok(`${s.sessionId} connected as +${v.phoneNumber} (host pid ${v.pid}) without any QR ${dim(`in ${ms(Date.now() - started)} from create`)}`);
}

/** A text out through the API to a contact's phone, and a text in from that phone. */
export async function exchangeMessages(api: WorkerApi, sim: WaSim, from: PlannedSession, contactPhone: string): Promise<void> {
  const text = `Hello from the wa-gateway-worker demo (${new Date().toISOString()})`;
  const arrived = new Promise<{ from: string; to: string; text: string }>((resolve) => {
    const on = (m: { from: string; to: string; text: string }): void => {
      if (m.text !== text) return;
      sim.off('message', on);
      resolve(m);
    };
    sim.on('message', on);
  });
  const sent = await api.sendText(from.sessionId, contactPhone, text);
  say(`POST /api/sessions/${from.sessionId}/messages {"to":"${contactPhone}","type":"text"} → messageId ${sent.messageId}`);
  const m = await withTimeout(arrived, 20_000, 'the contact to receive the message');
  ok(`the contact's phone +${contactPhone} decrypted it: "${m.text}"`);

  const before = await incomingCount(api);
  await withTimeout(sim.deliverText(contactPhone, from.phone, 'Hi! Got it, thanks.'), 20_000, 'the delivery receipt of the incoming message');
  say(`the contact replies "Hi! Got it, thanks." → ${from.sessionId}'s host decrypts it and sends the delivery receipt`);
  const after = await pollUntil(async () => {
    const n = await incomingCount(api);
    return n > before ? n : undefined;
  }, { timeoutMs: 10_000, intervalMs: 100, what: 'wa_messages_total{direction="in"} to grow' });
  ok(`the worker counted it: wa_messages_total{direction="in"} ${before} → ${after} on GET /metrics`);
}

/** Sum of the worker's incoming-message counter, read from its own /metrics. */
async function incomingCount(api: WorkerApi): Promise<number> {
  const text = await api.metricsText();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('wa_messages_total{') && line.includes('direction="in"')) total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}

export function withTimeout<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    }),
  ]);
}
