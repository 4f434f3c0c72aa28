import { describe, expect, it } from 'vitest';
import { proxyFailure, proxyReasonOf, socksRefusal } from '../../session-host/proxy/proxy-failure.js';

describe('proxy failures (issue 19 §2): what the proxy said, as a session reason', () => {
  it('finds the failure inside Baileys\' Boom (data) or a cause chain', () => {
    const refused = proxyFailure('PROXY_REFUSED', 'http://u:***@127.0.0.1:1', undefined, 'answered CONNECT h:1 with HTTP 407');
    expect(refused.message).toBe('proxy http://u:***@127.0.0.1:1 refused the tunnel: answered CONNECT h:1 with HTTP 407');
    const boom = Object.assign(new Error('WebSocket Error (…)'), { output: { statusCode: 500 }, data: refused });
    expect(proxyReasonOf(boom)).toBe('proxy_refused');
    const down = proxyFailure('PROXY_UNREACHABLE', 'socks5://127.0.0.1:9', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));
    expect(down.message).toBe('proxy socks5://127.0.0.1:9 unreachable: connect ECONNREFUSED 127.0.0.1:9');
    expect(proxyReasonOf({ cause: { data: down } })).toBe('proxy_unreachable');
    expect(proxyReasonOf(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(proxyReasonOf(undefined)).toBeUndefined();
  });

  it('tells a SOCKS refusal from a SOCKS proxy that did not answer', () => {
    expect(socksRefusal(new Error('Socks5 Authentication failed'))).toBe(true);
    expect(socksRefusal(new Error('Socks5 proxy rejected connection - ConnectionRefused'))).toBe(true);
    expect(socksRefusal(new Error('Received invalid Socks5 initial handshake (no accepted authentication type)'))).toBe(true);
    expect(socksRefusal(new Error('Socket closed'))).toBe(false);
    expect(socksRefusal(new Error('connect ECONNREFUSED 127.0.0.1:9'))).toBe(false);
  });
});
