/**
 * Malformed requests for the fuzz test, each with the answers it may get. Deterministic: the
 * "random" part comes from a seeded generator, so a failure names a case that can be replayed.
 */
import { TOKEN } from './api.js';

export interface FuzzCase {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  /** The Authorization header: undefined = the right bearer token; null = none. */
  auth?: string | null;
  /** Allowed `[status, error code]` answers. */
  expect: ReadonlyArray<readonly [number, string]>;
}

const BAD_REQUEST = [[400, 'VALIDATION_FAILED']] as const;
const NOT_FOUND = [[404, 'NOT_FOUND']] as const;
const UNAUTHORIZED = [[401, 'UNAUTHORIZED']] as const;

/** mulberry32: small, seeded, good enough to spread cases. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every route that takes a session id, canonical and alias, with a body that would be valid. */
const ID_ROUTES: ReadonlyArray<{ method: string; path: (id: string) => string; body?: unknown }> = [
  { method: 'GET', path: (id) => `/api/sessions/${id}` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/qr` },
  { method: 'POST', path: (id) => `/api/sessions/${id}/restart` },
  { method: 'POST', path: (id) => `/api/sessions/${id}/disconnect` },
  { method: 'POST', path: (id) => `/api/sessions/${id}/logout` },
  { method: 'DELETE', path: (id) => `/api/sessions/${id}` },
  { method: 'POST', path: (id) => `/api/sessions/${id}/messages`, body: { to: '15550001111', type: 'text', text: 'x' } },
  { method: 'GET', path: (id) => `/session/${id}/status` },
  { method: 'GET', path: (id) => `/api/session/${id}/status` },
  { method: 'GET', path: (id) => `/api/session/${id}/qr` },
  { method: 'POST', path: (id) => `/api/session/${id}/restart` },
  { method: 'POST', path: (id) => `/api/session/${id}/disconnect` },
  { method: 'POST', path: (id) => `/api/session/${id}/logout` },
  { method: 'DELETE', path: (id) => `/api/session/${id}` },
  { method: 'POST', path: (id) => `/api/${id}/send`, body: { to: '15550001111', message: 'x' } },
  // The whatsam backend's commands.
  { method: 'GET', path: (id) => `/api/sessions/${id}/status` },
  { method: 'POST', path: (id) => `/api/${id}/send`, body: { to: '15550001111@s.whatsapp.net', type: 'poll', poll: { question: 'q', options: ['a', 'b'], multipleAnswers: false } } },
  { method: 'POST', path: (id) => `/api/message/${id}/manage`, body: { action: 'star', messageId: 'M1', phone: '15550001111@s.whatsapp.net' } },
];

const CREATE_ROUTES = ['/api/sessions', '/session/create', '/api/session/start', '/api/sessions/start'];
const SEND_ROUTES = ['/api/sessions/fz1/messages', '/api/fz1/send'];

/**
 * Ids that are invalid but reach the id parameter (percent-encoded where needed): separators,
 * control characters, lone surrogates, more than 160 characters (src/session-id.ts).
 */
const BAD_IDS = [
  '..%2Fx', '..%2F..%2Fetc%2Fpasswd', '%2E%2E%2Fx', 'a%00b', '%00', 'x%0Ay', 'a%2Fb', 'a%5Cb', '%5C', '..%5C..%5Cx', 'a%09b', '%7F', 'a%C2%85b', '%1B%5B31m',
  'a'.repeat(161), encodeURIComponent('ä'.repeat(161)), 'x%2F',
];

/**
 * Ids round 1 refused that are valid now (the whatsam backend's names): they reach the handler and
 * name no session, so every id route answers 404 SESSION_NOT_FOUND and nothing is created.
 */
const ODD_VALID_IDS = [
  'a.b', 'a%20b', '%C3%A4', '%3Cscript%3E', 'a'.repeat(65), 'b'.repeat(160), "x'", 'x~y', 'x*', 'x!', '(x)', 'x%25', 'x..y', '..x',
  encodeURIComponent('😀'.repeat(160)), '3f2b8c1e-9d4a-4e7b-8a21-5c6d7e8f9a0b-customer-support-north-1764748800123',
];
const SESSION_NOT_FOUND = [[404, 'SESSION_NOT_FOUND']] as const;

export function fuzzCases(): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const random = rng(20261129);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

  // 1. Bad session ids on every id route.
  for (const r of ID_ROUTES) {
    for (const id of BAD_IDS) cases.push({ name: `bad id ${id}`, method: r.method, path: r.path(id), body: r.body, expect: BAD_REQUEST });
    // Too long for the router's parameter limit; undecodable; a literal traversal (the URL
    // parser folds it away, so it lands on another path: no route).
    for (const id of ODD_VALID_IDS) cases.push({ name: `odd valid id ${id.slice(0, 20)}`, method: r.method, path: r.path(id), body: r.body, expect: SESSION_NOT_FOUND });
    cases.push({ name: 'id past maxParamLength', method: r.method, path: r.path('c'.repeat(2100)), body: r.body, expect: [[414, 'FST_ERR_MAX_PARAM_LENGTH']] });
    cases.push({ name: 'undecodable id', method: r.method, path: r.path('%E0%A4%A'), body: r.body, expect: [[400, 'FST_ERR_BAD_URL']] });
    cases.push({ name: 'literal ../x', method: r.method, path: r.path('../x'), body: r.body, expect: [...NOT_FOUND, ...BAD_REQUEST] });
    // Random ids: printable characters around at least one separator or control character.
    for (let i = 0; i < 12; i++) {
      const chars = ". !$&'()*+,;=@~:\"<>[]{}|^`%äé";
      const forbidden = ['/', '\\', '\u0000', '\n', '\u001f', '\u007f', '\u009b'];
      let id = 'x';
      const n = 1 + Math.floor(random() * 12);
      for (let k = 0; k < n; k++) id += random() < 0.6 ? pick([...chars]) : pick([...'abc_-09']);
      const at = Math.floor(random() * id.length);
      id = id.slice(0, at) + pick(forbidden) + id.slice(at);
      cases.push({ name: `random id ${JSON.stringify(id)}`, method: r.method, path: r.path(encodeURIComponent(id)), body: r.body, expect: BAD_REQUEST });
    }
  }

  // 2. Create bodies of the wrong shape or type.
  const badCreates: unknown[] = [
    {}, [], 'fz1', 42, null, true, { sessionId: 5 }, { sessionId: null }, { sessionId: ['fz1'] }, { sessionId: { id: 'fz1' } }, { sessionId: true },
    { sessionId: '' }, { sessionId: '../x' }, { sessionId: 'a/b' }, { sessionId: 'a\\b' }, { sessionId: 'x'.repeat(161) }, { sessionId: '\ud800' }, { sessionId: 'fz1\n' },
    { sessionId: 'fz1', extra: 1 }, { sessionId: 'fz1', userId: 5 }, { sessionId: 'fz1', userId: '' }, { sessionId: 'fz1', name: 'n'.repeat(129) }, { sessionId: 'fz1', name: {} },
    { sessionId: 'fz1', userId: ['u'] }, { session_id: 'fz1' }, { id: 'fz1' }, { SessionId: 'fz1' }, { sessionId: 'fz1', toString: 'x' }, { sessionId: 'fz1', __proto__x: 1 },
  ];
  for (const path of CREATE_ROUTES) for (const body of badCreates) cases.push({ name: `create ${JSON.stringify(body).slice(0, 40)}`, method: 'POST', path, body, expect: BAD_REQUEST });

  // 3. Message bodies that are wrong before any session is looked up.
  const badSends: unknown[] = [
    {}, { to: '15550001111' }, { to: '15550001111', type: 'text' }, { to: '15550001111', type: 'text', text: '' }, { to: '15550001111', type: 'text', text: 5 },
    { to: 15550001111, type: 'text', text: 'x' }, { to: '1', type: 'text', text: 'x' }, { to: 'abc', type: 'text', text: 'x' }, { to: '15550001111@evil.com', type: 'text', text: 'x' },
    { to: '../x', type: 'text', text: 'x' }, { to: '15550001111', type: 'sticker', text: 'x' }, { to: '15550001111', type: 'text', text: 'x', extra: true },
    { to: '15550001111', type: 'text', text: 'x'.repeat(65_537) }, { to: '15550001111', type: 'image' }, { to: '15550001111', type: 'image', url: 'file:///etc/passwd' },
    { to: '15550001111', type: 'image', url: 'ftp://x/y' }, { to: '15550001111', type: 'image', url: 'https://x/y z' }, { to: '15550001111', type: 'video', url: 5 },
    { to: '15550001111', type: 'document', url: 'https://x/y', fileName: '../../etc/passwd' }, { to: '15550001111', type: 'audio', url: 'https://x/y', ptt: 'yes' },
    { to: '15550001111', type: 'image', url: 'https://x/y', caption: 'c'.repeat(4097) }, { to: '15550001111', type: 'image', url: 'https://x/y', mimetype: 'not a type' },
    [], 'text', null,
  ];
  for (const path of SEND_ROUTES) for (const body of badSends) cases.push({ name: `send ${JSON.stringify(body).slice(0, 40)}`, method: 'POST', path, body, expect: BAD_REQUEST });
  // whatsam bodies that are wrong in one field (its own validator would pass some of them on).
  const W = '15550001111@s.whatsapp.net';
  const badWhatsamSends: unknown[] = [
    { to: W, type: 'text', message: '' }, { to: W, type: 'text', message: 'x', caption: 'c' }, { to: W, type: 'image', mediaUrl: 'file:///etc/passwd' },
    { to: W, type: 'audio', mediaUrl: 'https://x/a.mp3', caption: 'c' }, { to: W, type: 'image', mediaUrl: 'https://x/a.png', filename: 'a.png' },
    { to: W, type: 'document', mediaUrl: 'https://x/a', filename: '../a' }, { to: W, type: 'location', location: { latitude: 'x', longitude: 0 } },
    { to: W, type: 'location', location: { latitude: 0 } }, { to: W, type: 'location', latitude: 0, longitude: 0 }, { to: W, type: 'contact', contact: { name: 'a' } },
    { to: W, type: 'contact', contact: { name: 'a', phone: 'abc' } }, { to: W, type: 'seen' }, { to: W, type: 'seen', messageId: 'a/b' }, { to: W, type: 'typing_start', message: 'x' },
    { to: W, type: 'link', link: { url: 'javascript:alert(1)' } }, { to: W, type: 'link', url: 'https://x' }, { to: W, type: 'poll', poll: { question: 'q', options: ['a', 'a'] } },
    { to: W, type: 'poll', poll: { question: 'q', options: Array.from({ length: 13 }, (_, i) => `o${i}`) } }, { to: W, type: 'poll', poll: { question: 'q', options: ['a', 'b'], multipleAnswers: 'yes' } },
  ];
  for (const body of badWhatsamSends) cases.push({ name: `whatsam send ${JSON.stringify(body).slice(30, 80)}`, method: 'POST', path: '/api/fz1/send', body, expect: BAD_REQUEST });
  const badManages: unknown[] = [
    {}, { action: 'star' }, { action: 'star', messageId: 'M1' }, { action: 'explode', messageId: 'M1', phone: W }, { action: 'reaction', messageId: 'M1', phone: W },
    { action: 'edit', messageId: 'M1', phone: W, newText: '' }, { action: 'delete', messageId: 'M1', phone: W, forEveryone: 'yes' }, { action: 'star', messageId: 'M1', phone: W, emoji: 'x' },
    { action: 'read', messageId: 'M1', phone: W, messageKey: { remoteJid: W, id: 'M1' } }, { action: 'star', messageId: '', phone: W }, { action: 'star', messageId: 'M1', phone: 'abc' },
  ];
  for (const body of badManages) cases.push({ name: `manage ${JSON.stringify(body).slice(0, 60)}`, method: 'POST', path: '/api/message/fz1/manage', body, expect: BAD_REQUEST });

  // Session settings (PATCH /api/sessions/:id, issue 19 §2): the wrong shape, or a proxy URL that
  // is not one, refused before any session is looked up.
  const badPatches: unknown[] = [{}, [], 'x', null, { proxy: 5 }, { proxy: {} }, { proxy: 'http://h:1', extra: 1 }, { name: 'n' }];
  for (const body of badPatches) cases.push({ name: `patch ${JSON.stringify(body).slice(0, 40)}`, method: 'PATCH', path: '/api/sessions/fz1', body, expect: BAD_REQUEST });
  for (const proxy of ['ftp://h:1', 'http://h', 'http://h:0', 'http://h:99999', 'socks4://h:1', 'http://h:1/path', 'not a url', '']) {
    cases.push({ name: `patch proxy ${proxy}`, method: 'PATCH', path: '/api/sessions/fz1', body: { proxy }, expect: [[400, 'PROXY_URL_INVALID'], ...BAD_REQUEST] });
  }

  // Well-formed but an impossible phone number: the recipient check answers.
  for (const path of SEND_ROUTES) for (const to of ['0123456', '1234567890123456', '+0 555']) cases.push({ name: `send to ${to}`, method: 'POST', path, body: { to, type: 'text', text: 'x' }, expect: [[400, 'INVALID_RECIPIENT']] });

  // 4. Bodies that are not JSON, or JSON with a poisoned prototype.
  const badJson = ['{', '{"sessionId":', '{"sessionId":"fz1"', "{'sessionId':'fz1'}", '{"sessionId":"fz1"}}', 'NaN', '{"sessionId":fz1}', '\u0000', '{"a":1,}', 'undefined', '{"sessionId":"fz1","__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}},"sessionId":"fz1"}'];
  for (const path of [...CREATE_ROUTES, ...SEND_ROUTES]) {
    for (const raw of badJson) cases.push({ name: `bad json ${raw.slice(0, 20)}`, method: 'POST', path, raw, expect: [[400, 'FST_ERR_CTP_INVALID_JSON_BODY'], ...BAD_REQUEST] });
    // An empty JSON body is no body (bodiless commands work); a route that needs one says so.
    cases.push({ name: 'empty json body', method: 'POST', path, raw: '', contentType: 'application/json', expect: BAD_REQUEST });
  }

  // 5. Content types the API does not take.
  for (const path of [...CREATE_ROUTES, ...SEND_ROUTES]) {
    for (const contentType of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'image/png', 'application/octet-stream']) {
      cases.push({ name: `content-type ${contentType}`, method: 'POST', path, raw: 'sessionId=fz1', contentType, expect: [[415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE']] });
    }
  }

  // 6. Bodies past the 1 MiB limit.
  const huge = JSON.stringify({ sessionId: 'fz1', name: 'n'.repeat(1_100_000) });
  for (const path of [...CREATE_ROUTES, ...SEND_ROUTES]) cases.push({ name: 'huge body', method: 'POST', path, raw: huge, expect: [[413, 'FST_ERR_CTP_BODY_TOO_LARGE']] });

  // 7. Missing or wrong tokens, on requests that would otherwise succeed (a create, a send).
  const badAuth: Array<string | null> = [
    null, '', 'Bearer', 'Bearer ', 'Bearer nope', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Bearer ${TOKEN.toUpperCase()}`, TOKEN, `Token ${TOKEN}`,
    `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, `Bearer ${TOKEN} ${TOKEN}`,
  ];
  const wouldSucceed: Array<{ method: string; path: string; body?: unknown }> = [
    ...CREATE_ROUTES.map((path) => ({ method: 'POST', path, body: { sessionId: 'fz1' } })),
    { method: 'GET', path: '/api/sessions' },
    { method: 'GET', path: '/api/session' },
    ...ID_ROUTES.map((r) => ({ method: r.method, path: r.path('fz1'), body: r.body })),
    { method: 'GET', path: '/api/nowhere' },
  ];
  for (const auth of badAuth) for (const r of wouldSucceed) cases.push({ name: `auth ${JSON.stringify(auth)?.slice(0, 16)}`, ...r, auth, expect: UNAUTHORIZED });

  // 8. Unknown routes and methods (answered 404 NOT_FOUND, also for a wrong method).
  const unknown: Array<[string, string]> = [
    ['GET', '/api'], ['GET', '/api/'], ['GET', '/api/v2/sessions'], ['GET', '/api/sessions/fz1/nope'], ['POST', '/api/sessions/fz1'], ['PUT', '/api/sessions'],
    ['PATCH', '/api/sessions/fz1/qr'], ['DELETE', '/api/sessions'], ['PUT', '/api/sessions/fz1/qr'], ['GET', '/api/sessions/fz1/messages'], ['GET', '/api/sessions/fz1/logout'],
    ['POST', '/api/sessions/fz1/qr'], ['GET', '/session/create'], ['DELETE', '/session/fz1/status'], ['GET', '/api/fz1/send'], ['POST', '/health'], ['DELETE', '/ready'],
    ['PUT', '/live'], ['GET', '/admin'], ['GET', '/.env'], ['GET', '/%2e%2e/%2e%2e/etc/passwd'], ['GET', '/api/sessions/fz1/qr/extra'], ['OPTIONS', '/api/sessions'], ['GET', '/docs/nope'],
  ];
  for (const [method, path] of unknown) cases.push({ name: `unknown ${method} ${path}`, method, path, expect: [...NOT_FOUND, [400, 'FST_ERR_CTP_EMPTY_JSON_BODY']] });

  // 9. Query strings the QR route does not take.
  for (const q of ['format=gif', 'format=', 'format=png&format=json', 'size=10', 'format[]=png', 'format=PNG']) {
    cases.push({ name: `qr ?${q}`, method: 'GET', path: `/api/sessions/fz1/qr?${q}`, expect: BAD_REQUEST });
  }
  return cases;
}
