import { connect } from 'node:net';

/**
 * Where the OpenStack Swift (s3api) test server is: the variables start.sh prints, with its
 * defaults. `REQUIRE_SWIFT=1` (CI) turns "not reachable" from a skip into a failure.
 */
export interface SwiftTarget {
  host: string;
  port: number;
  accessKey: string;
  secretKey: string;
  region: string;
}

export function swiftTarget(env: NodeJS.ProcessEnv = process.env): SwiftTarget {
  return {
    host: env.SWIFT_S3_ENDPOINT ?? '127.0.0.1',
    port: Number(env.SWIFT_S3_PORT ?? 18080),
    accessKey: env.SWIFT_S3_ACCESS_KEY ?? 'test:tester',
    secretKey: env.SWIFT_S3_SECRET_KEY ?? 'testing',
    region: env.SWIFT_S3_REGION ?? 'us-east-1',
  };
}

export const swiftRequired = process.env.REQUIRE_SWIFT === '1';

/** True when something answers HTTP /healthcheck on the Swift proxy port within the deadline. */
export async function swiftReachable(target: SwiftTarget, timeoutMs = 2_000): Promise<boolean> {
  if (!(await tcpOpen(target.host, target.port, timeoutMs))) return false;
  try {
    const res = await fetch(`http://${target.host}:${target.port}/healthcheck`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
