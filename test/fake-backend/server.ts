/**
 * A real HTTP control-plane backend on 127.0.0.1 implementing one contract profile (design.md §8)
 * for tests. Every request body is validated strictly (see schemas.ts); every call is recorded;
 * routes can be told to fail (any status), hang (no answer until closed) or answer 404.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import { keyPaths, nullPaths, seedSchemas, whatsamSchemas } from './schemas.js';
import { FixedWindowLimiter, LIMITED_BODY, normalizeWorkerId, probeWorkerHealth, WHATSAM_LIMITS, type ProbeRecord, type Realism } from './whatsam-realism.js';

export type Profile = 'seed' | 'whatsam';
export type Route = 'register' | 'assigned' | 'recovery' | 'heartbeat' | 'session-status' | 'message-status' | 'messages' | 'unregister' | 'worker-heartbeat';

export interface RecordedCall {
  route: Route | null;
  method: string;
  path: string;
  authorization: string | undefined;
  workerIdHeader: string | undefined;
  /** `Idempotency-Key` header (webhooks must send one equal to the body's `idempotencyKey`). */
  idempotencyKey: string | undefined;
  body: unknown;
  valid: boolean;
  errors: string[];
  /** Fields the real backend would drop unread (`realism.stripUnknown`): JSON pointers. */
  stripped: string[];
  /** Refused by one of the real backend's rate limiters (`realism.rateLimits`). */
  limitedBy?: 'api' | 'webhooks';
  status: number;
  at: number;
}

export interface FakeAssignment {
  sessionId: string;
  userId?: string | null;
  name?: string | null;
}

interface Rule {
  status: number;
  times: number;
  /** A raw answer instead of the JSON error envelope (e.g. an HTML error page of a proxy). */
  page?: { contentType: string; body: string } | undefined;
  headers?: Record<string, string>;
}

const WEBHOOK_ROUTES: ReadonlySet<Route> = new Set(['session-status', 'message-status', 'messages']);
/** Behind whatsam's `sessionLimiter` (src/routes/webhook.routes.js). */
const LIMITED_WEBHOOKS: ReadonlySet<Route> = new Set(['session-status', 'message-status', 'worker-heartbeat']);

export interface FakeBackendOptions {
  profile: Profile;
  token?: string;
  port?: number;
  /** whatsam only: behaviours of the real backend a test opts into (whatsam-realism.ts). */
  realism?: Realism;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

const seedProfile = (p: Profile): boolean => p === 'seed';

function makeAjv(removeAdditional: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, removeAdditional });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => ISO.test(s) && !Number.isNaN(Date.parse(s)) });
  ajv.addFormat('uri', { type: 'string', validate: (s: string) => URL.canParse(s) });
  return ajv;
}

export class FakeBackend extends EventEmitter {
  readonly calls: RecordedCall[] = [];
  /** Registered worker ids (what the backend would have in its database). */
  readonly workers = new Map<string, { endpoint: string; registrations: number }>();
  /** Every id that ever registered: webhooks only check that the worker id is a real one. */
  private readonly everRegistered = new Set<string>();
  private readonly assignments = new Map<string, FakeAssignment[]>();
  private readonly rules = new Map<Route, Rule[]>();
  private readonly hanging = new Set<Route>();
  private readonly inFlight = new Map<Route, number>();
  readonly maxConcurrent = new Map<Route, number>();
  private readonly sockets = new Set<Socket>();
  private readonly validators: Partial<Record<Route, ValidateFunction>>;
  private readonly limiters: { api: FixedWindowLimiter; webhooks: FixedWindowLimiter } | null;
  private readonly realism: Realism;
  /** Message ids the backend stored (only these get a 200 on message-status with `realism.unknownMessages`). */
  readonly knownMessages = new Set<string>();
  /** Health probes of registering workers (`realism.probeHealth`). */
  readonly probes: ProbeRecord[] = [];
  private server: Server | null = null;
  url = '';

  constructor(readonly options: FakeBackendOptions) {
    super();
    this.realism = options.profile === 'whatsam' ? (options.realism ?? {}) : {};
    const limits = this.realism.rateLimits === true ? WHATSAM_LIMITS : this.realism.rateLimits;
    this.limiters = limits ? { api: new FixedWindowLimiter(limits.api, 'draft-6'), webhooks: new FixedWindowLimiter(limits.webhooks, 'legacy') } : null;
    // Joi's stripUnknown: ajv removes what `additionalProperties: false` would refuse.
    const ajv = makeAjv(this.realism.stripUnknown === true);
    const s = options.profile === 'seed' ? seedSchemas : whatsamSchemas;
    this.validators = {
      register: ajv.compile(s.register),
      recovery: ajv.compile(s.recovery),
      heartbeat: ajv.compile(s.heartbeat),
      'session-status': ajv.compile(s.sessionStatus),
      'message-status': ajv.compile(s.messageStatus),
      ...(options.profile === 'seed' ? { messages: ajv.compile(seedSchemas.messages) } : { unregister: ajv.compile(whatsamSchemas.unregister), 'worker-heartbeat': ajv.compile(whatsamSchemas.workerHeartbeat) }),
    };
  }

  static async start(options: FakeBackendOptions): Promise<FakeBackend> {
    const fake = new FakeBackend(options);
    await fake.listen(options.port ?? 0);
    return fake;
  }

  async listen(port: number): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ------------------------------------------------------------------ control

  setAssignments(workerId: string, sessions: FakeAssignment[]): void {
    this.assignments.set(workerId, sessions);
  }

  /** No assignments at all: the assigned route answers 404 (seed) or `200 []` (whatsam). */
  clearAssignments(workerId: string): void {
    this.assignments.delete(workerId);
  }

  /** The next `times` calls of `route` answer `status` (e.g. 503, 404) with the JSON error envelope, plus `headers` (e.g. Retry-After). */
  fail(route: Route, status: number, times = 1, headers?: Record<string, string>): void {
    const list = this.rules.get(route) ?? [];
    list.push({ status, times, ...(headers ? { headers } : {}) });
    this.rules.set(route, list);
  }

  /**
   * The next `times` calls of `route` answer `status` with a page that is not this backend's own
   * answer, as an ingress or load balancer in front of it would during a deploy.
   */
  failWithPage(route: Route, status: number, times = 1, page = { contentType: 'text/html', body: `<html><head><title>${status} Not Found</title></head><body><center><h1>${status} Not Found</h1></center><hr><center>nginx</center></body></html>` }): void {
    const list = this.rules.get(route) ?? [];
    list.push({ status, times, page });
    this.rules.set(route, list);
  }

  /** Forgets the injected failures of `route` (the backend recovered). */
  heal(route: Route): void {
    this.rules.delete(route);
  }

  /**
   * What a backend that de-duplicates by `Idempotency-Key` keeps: the first accepted (2xx) call of
   * each key on `route`, in arrival order. `duplicates` counts accepted calls whose key was seen.
   */
  deduplicated(route: Route): { unique: RecordedCall[]; duplicates: number } {
    const seen = new Set<string>();
    const unique: RecordedCall[] = [];
    let duplicates = 0;
    for (const c of this.calls) {
      if (c.route !== route || c.status < 200 || c.status >= 300 || c.idempotencyKey === undefined) continue;
      if (seen.has(c.idempotencyKey)) duplicates += 1;
      else {
        seen.add(c.idempotencyKey);
        unique.push(c);
      }
    }
    return { unique, duplicates };
  }

  hang(route: Route, on = true): void {
    if (on) this.hanging.add(route);
    else this.hanging.delete(route);
  }

  /** Forget a worker, as a backend whose database was reset would. */
  forget(workerId: string): void {
    this.workers.delete(workerId);
  }

  callsTo(route: Route): RecordedCall[] {
    return this.calls.filter((c) => c.route === route);
  }

  /** Calls the backend refused as invalid, or whose fields it would drop unread (so tests still catch a field the worker should not send). */
  invalidCalls(): RecordedCall[] {
    return this.calls.filter((c) => !c.valid || c.stripped.length > 0);
  }

  /** Resolves with the first recorded call (past or future) matching `pred`. */
  waitFor(pred: (c: RecordedCall) => boolean, timeoutMs = 10_000): Promise<RecordedCall> {
    const hit = this.calls.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('call', onCall);
        reject(new Error(`fake backend: no matching call within ${timeoutMs} ms; calls: ${this.calls.map((c) => `${c.method} ${c.path} ${c.status}`).join(', ')}`));
      }, timeoutMs);
      const onCall = (c: RecordedCall): void => {
        if (!pred(c)) return;
        clearTimeout(timer);
        this.off('call', onCall);
        resolve(c);
      };
      this.on('call', onCall);
    });
  }

  // ------------------------------------------------------------------ routing

  private route(method: string, path: string): { route: Route; workerId?: string } | null {
    const p = this.options.profile;
    if (method === 'POST' && path === '/api/webhooks/session-status') return { route: 'session-status' };
    if (method === 'POST' && path === '/api/webhooks/message-status') return { route: 'message-status' };
    if (p === 'seed') {
      if (method === 'POST' && path === '/api/webhooks/messages') return { route: 'messages' };
      if (method === 'POST' && path === '/api/admin/workers/register') return { route: 'register' };
      if (method === 'GET' && path === '/api/admin/workers/sessions/assigned') return { route: 'assigned' };
      if (method === 'POST' && path === '/api/admin/workers/sessions/recovery-status') return { route: 'recovery' };
      const hb = /^\/api\/admin\/workers\/([^/]+)\/heartbeat$/.exec(path);
      if (method === 'PUT' && hb) return { route: 'heartbeat', workerId: decodeURIComponent(hb[1]!) };
      return null;
    }
    if (method === 'POST' && path === '/api/workers/register') return { route: 'register' };
    if (method === 'DELETE' && path === '/api/workers/unregister') return { route: 'unregister' };
    if (method === 'POST' && path === '/api/webhooks/worker-heartbeat') return { route: 'worker-heartbeat' };
    const m = /^\/api\/workers\/([^/]+)\/(heartbeat|sessions\/assigned|sessions\/recovery-status)$/.exec(path);
    if (!m) return null;
    const workerId = decodeURIComponent(m[1]!);
    if (method === 'PUT' && m[2] === 'heartbeat') return { route: 'heartbeat', workerId };
    if (method === 'GET' && m[2] === 'sessions/assigned') return { route: 'assigned', workerId };
    if (method === 'POST' && m[2] === 'sessions/recovery-status') return { route: 'recovery', workerId };
    return null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const matched = this.route(method, path);
    const call: RecordedCall = {
      route: matched?.route ?? null,
      method,
      path,
      authorization: req.headers.authorization,
      workerIdHeader: typeof req.headers['x-worker-id'] === 'string' ? req.headers['x-worker-id'] : undefined,
      idempotencyKey: typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined,
      body: undefined,
      valid: true,
      errors: [],
      stripped: [],
      status: 0,
      at: Date.now(),
    };
    // Rate-limit headers go on every answer, as express-rate-limit sets them before the route runs.
    const limitHeaders: Record<string, string> = {};
    const answer = (status: number, payload: unknown, page?: Rule['page'], headers: Record<string, string> = {}): void => {
      call.status = status;
      this.calls.push(call);
      this.emit('call', call);
      if (matched) this.inFlight.set(matched.route, (this.inFlight.get(matched.route) ?? 1) - 1);
      if (!res.destroyed) {
        res.writeHead(status, { 'content-type': page?.contentType ?? 'application/json', ...limitHeaders, ...headers });
        res.end(page ? page.body : JSON.stringify(payload));
      }
    };
    const reject = (status: number, code: string, errors: string[]): void => {
      call.valid = status !== 400 ? call.valid : false;
      call.errors.push(...errors);
      answer(status, { success: false, timestamp: new Date().toISOString(), error: { code, message: errors.join('; ') } });
    };

    const ip = req.socket.remoteAddress ?? '?';
    const limited = (which: 'api' | 'webhooks'): boolean => {
      const r = this.limiters![which].hit(ip, Date.now());
      Object.assign(limitHeaders, r.headers);
      if (r.allowed) return false;
      call.limitedBy = which;
      answer(429, LIMITED_BODY[which]);
      return true;
    };
    if (!matched) {
      // app.js: `apiLimiter` before any route, the 404 handler included.
      if (this.limiters && limited('api')) return;
      call.valid = false;
      call.errors.push('no such route');
      return answer(404, { success: false, error: { code: 'NOT_FOUND', message: `${method} ${path}` } });
    }
    const n = (this.inFlight.get(matched.route) ?? 0) + 1;
    this.inFlight.set(matched.route, n);
    this.maxConcurrent.set(matched.route, Math.max(n, this.maxConcurrent.get(matched.route) ?? 0));
    if (this.limiters && limited('api')) return;

    if (raw.length > 0) {
      try {
        call.body = JSON.parse(raw);
      } catch {
        return reject(400, 'VALIDATION_ERROR', ['body is not JSON']);
      }
    }
    const webhook = this.options.profile === 'whatsam' && LIMITED_WEBHOOKS.has(matched.route);
    // webhook.routes.js: JSON content type and a non-empty body before anything else.
    if (webhook && this.limiters && (!String(req.headers['content-type'] ?? '').startsWith('application/json') || Object.keys((call.body ?? {}) as object).length === 0)) {
      return reject(400, 'VALIDATION_ERROR', ['Content-Type must be application/json and the body not empty']);
    }
    const expected = this.options.token === undefined ? undefined : `Bearer ${this.options.token}`;
    if (expected !== undefined && call.authorization !== expected) return reject(401, 'UNAUTHORIZED', ['bad or missing bearer token']);
    if (webhook && this.limiters && limited('webhooks')) return;

    if (this.hanging.has(matched.route)) {
      // Never answered; the socket is destroyed on close(). Recorded now so tests can see it arrived.
      call.status = -1;
      this.calls.push(call);
      this.emit('call', call);
      // Counted as in flight until the client gives up and closes: that is what overlap means.
      const route = matched.route;
      res.on('close', () => this.inFlight.set(route, (this.inFlight.get(route) ?? 1) - 1));
      return;
    }
    const rules = this.rules.get(matched.route);
    const rule = rules?.[0];
    if (rule) {
      rule.times -= 1;
      if (rule.times <= 0) rules!.shift();
      return answer(rule.status, { success: false, error: { code: 'INJECTED', message: `injected ${rule.status}` } }, rule.page, rule.headers);
    }

    const errors = [...this.validate(matched.route, call), ...this.validateKey(matched.route, call)];
    if (errors.length > 0) return reject(400, 'VALIDATION_ERROR', errors);
    if (matched.route === 'register' && !seedProfile(this.options.profile)) {
      const refusal = await this.registrationRefusal(call);
      if (refusal) return answer(refusal.status, { success: false, error: refusal.error, message: refusal.message });
    }
    this.respond(matched.route, matched.workerId, call, answer, reject);
  }

  /** Webhooks carry an idempotency key, the same in the header and the body. */
  private validateKey(route: Route, call: RecordedCall): string[] {
    if (!WEBHOOK_ROUTES.has(route)) return [];
    const key = call.idempotencyKey;
    if (key === undefined || key.length === 0 || key.length > 512) return ['Idempotency-Key header missing or longer than 512 characters'];
    const inBody = (call.body as { idempotencyKey?: unknown } | undefined)?.idempotencyKey;
    return inBody === key ? [] : [`body idempotencyKey ${JSON.stringify(inBody)} differs from the Idempotency-Key header`];
  }

  /**
   * whatsam's registerWorker before it writes anything: the health probe of the endpoint (503),
   * then the endpoint or id held by another registration (409). The id is normalised first.
   */
  private async registrationRefusal(call: RecordedCall): Promise<{ status: number; error: string; message: string } | null> {
    const body = call.body as { workerId: string; endpoint: string };
    if (this.realism.probeHealth) {
      const failed = await probeWorkerHealth(body.endpoint, (p) => this.probes.push(p));
      if (failed !== null) return { status: 503, error: 'Service Unavailable', message: failed };
    }
    if (!this.realism.conflicts) return null;
    const id = normalizeWorkerId(body.workerId);
    for (const [other, w] of this.workers) {
      if (other !== id && w.endpoint === body.endpoint) return { status: 409, error: 'Conflict', message: `Endpoint ${body.endpoint} is already registered by worker ${other}` };
    }
    const mine = this.workers.get(id);
    if (mine && mine.endpoint !== body.endpoint) return { status: 409, error: 'Conflict', message: `Worker ID ${id} is already registered with endpoint ${mine.endpoint}` };
    return null;
  }

  private validate(route: Route, call: RecordedCall): string[] {
    const body = call.body;
    const validator = this.validators[route];
    if (route === 'assigned') return body === undefined ? [] : ['GET with a body'];
    if (!validator) return [];
    const errors: string[] = [];
    const before = this.realism.stripUnknown ? keyPaths(body) : [];
    if (!validator(body)) errors.push(...(validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim()));
    if (this.realism.stripUnknown) {
      const after = new Set(keyPaths(body));
      call.stripped.push(...before.filter((p) => !after.has(p)));
    }
    if (this.options.profile === 'whatsam') errors.push(...nullPaths(body).map((p) => `${p} is null`));
    return errors;
  }

  private respond(route: Route, pathWorkerId: string | undefined, call: RecordedCall, answer: (s: number, p: unknown) => void, reject: (s: number, c: string, e: string[]) => void): void {
    const body = (call.body ?? {}) as Record<string, unknown>;
    const seed = this.options.profile === 'seed';
    const ok = (data: unknown, status = 200): void => answer(status, { success: true, timestamp: new Date().toISOString(), data });
    // The worker id the call claims, wherever this profile carries it.
    const claimed = pathWorkerId ?? (route === 'assigned' || route === 'recovery' ? call.workerIdHeader : (body.workerId as string | undefined));

    switch (route) {
      case 'register': {
        const id = seed || !this.realism.conflicts ? (body.workerId as string) : normalizeWorkerId(body.workerId as string);
        const before = this.workers.get(id);
        this.everRegistered.add(id);
        this.workers.set(id, { endpoint: body.endpoint as string, registrations: (before?.registrations ?? 0) + 1 });
        const assigned = this.assignments.get(id) ?? [];
        if (seed) return ok({ workerId: id, isRecovery: before !== undefined || assigned.length > 0, previousSessions: assigned.map((a) => a.sessionId) });
        return ok({ workerId: id, status: 'ONLINE', recoveryRequired: assigned.length > 0, assignedSessionCount: assigned.length }, 201);
      }
      case 'unregister': {
        const id = this.realism.conflicts ? normalizeWorkerId(body.workerId as string) : (body.workerId as string);
        if (!this.workers.delete(id)) return reject(404, 'WORKER_NOT_FOUND', [`worker ${id} not registered`]);
        return ok({ workerId: id, migratedSessions: (this.assignments.get(id) ?? []).length });
      }
      case 'assigned': {
        if (claimed === undefined) return reject(400, 'VALIDATION_ERROR', ['X-Worker-Id header missing']);
        if (!this.workers.has(claimed)) return reject(404, 'WORKER_NOT_FOUND', [`worker ${claimed} not registered`]);
        const list = this.assignments.get(claimed);
        // whatsam answers a known worker without sessions `200 []`; its 404 means "unknown worker".
        if (list === undefined) return seed ? reject(404, 'NO_SESSIONS', ['no sessions assigned']) : ok({ sessions: [], totalSessions: 0 });
        const now = new Date().toISOString();
        const sessions = list.map((a) =>
          seed
            ? { id: a.sessionId, userId: a.userId ?? null, name: a.name ?? null, status: 'connected', createdAt: now }
            : { sessionId: a.sessionId, userId: a.userId ?? 'user-1', sessionName: a.name ?? a.sessionId, status: 'CONNECTED', createdAt: now },
        );
        return ok({ sessions, totalSessions: sessions.length });
      }
      default: {
        // It updates the message by its own id: ours were never stored (Prisma P2025 → 404).
        if (route === 'message-status' && this.realism.unknownMessages && !this.knownMessages.has(body.messageId as string)) {
          return answer(404, { success: false, timestamp: new Date().toISOString(), error: { code: 'NOT_FOUND', message: `Message not found: ${String(body.messageId)}` } });
        }
        if (claimed === undefined) {
          if (seed || route === 'heartbeat' || route === 'recovery') return reject(400, 'VALIDATION_ERROR', ['worker id missing']);
          return ok({ received: true });
        }
        const isWebhook = route === 'session-status' || route === 'message-status' || route === 'messages';
        if (isWebhook ? !this.everRegistered.has(claimed) : !this.workers.has(claimed)) {
          return reject(isWebhook ? 400 : 404, 'WORKER_NOT_FOUND', [`worker ${claimed} not registered`]);
        }
        return ok({ received: true });
      }
    }
  }
}
