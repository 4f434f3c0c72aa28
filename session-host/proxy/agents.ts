import type { ClientRequest } from 'node:http';
import type { Agent } from 'node:http';
import type { Socket } from 'node:net';
import type { AgentConnectOpts } from 'agent-base';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { parseProxyUrl, type ProxyUrl } from '../../src/proxy/proxy-url.js';
import { proxyFailure, socksRefusal } from './proxy-failure.js';

/**
 * The agents of one session's egress proxy (issue 19 §2), loaded only by a host that has one.
 * Tunnels are made by well-kept libraries (https-proxy-agent: HTTP CONNECT, TLS to an https
 * proxy; socks-proxy-agent: SOCKS5, socks5h resolving names at the proxy), never by hand.
 * One agent for the WhatsApp socket and one for media, so a media request never touches the
 * socket's tunnel. Every failure to get a tunnel is rethrown as a `ProxyFailure`
 * (`PROXY_UNREACHABLE`: no answer from the proxy; `PROXY_REFUSED`: it answered no), which the
 * connection turns into `reconnecting` with that reason instead of a bad-session count.
 */
export interface ProxyAgents {
  /** Baileys' `agent` (the WebSocket). */
  socket: Agent;
  /** Baileys' `fetchAgent` (media uploads) and the host's own media downloads. */
  media: Agent;
  /** `scheme://user:***@host:port`, for logs. */
  shown: string;
}

export function proxyAgents(url: string): ProxyAgents {
  const proxy = parseProxyUrl(url);
  return { socket: makeAgent(proxy), media: makeAgent(proxy), shown: proxy.redacted };
}

function makeAgent(proxy: ProxyUrl): Agent {
  return proxy.scheme === 'socks5' || proxy.scheme === 'socks5h' ? new CheckedSocksAgent(proxy) : new CheckedConnectAgent(proxy);
}

class CheckedConnectAgent extends HttpsProxyAgent<string> {
  constructor(private readonly target: ProxyUrl) {
    super(target.url);
  }

  override async connect(req: ClientRequest, opts: AgentConnectOpts): Promise<Socket> {
    let status: number | undefined;
    const onConnect = (answer: { statusCode: number }): void => {
      status = answer.statusCode;
    };
    req.once('proxyConnect', onConnect);
    let socket: Socket;
    try {
      socket = await super.connect(req, opts);
    } catch (err) {
      throw proxyFailure('PROXY_UNREACHABLE', this.target.redacted, err);
    } finally {
      req.off('proxyConnect', onConnect);
    }
    // https-proxy-agent hands a non-200 answer to the request as if the target had said it; a
    // WebSocket with an `unexpected-response` listener (Baileys has one) would then hang.
    if (status !== undefined && status !== 200) {
      socket.destroy();
      throw proxyFailure('PROXY_REFUSED', this.target.redacted, undefined, `answered CONNECT ${opts.host}:${opts.port} with HTTP ${status}`);
    }
    return socket;
  }
}

class CheckedSocksAgent extends SocksProxyAgent {
  constructor(private readonly target: ProxyUrl) {
    super(target.url);
  }

  override async connect(req: ClientRequest, opts: AgentConnectOpts): Promise<Socket> {
    try {
      return await super.connect(req, opts);
    } catch (err) {
      throw proxyFailure(socksRefusal(err) ? 'PROXY_REFUSED' : 'PROXY_UNREACHABLE', this.target.redacted, err);
    }
  }
}
