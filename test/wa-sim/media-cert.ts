/**
 * A throw-away TLS certificate for the simulator's media host on 127.0.0.1 (made with the openssl
 * command line, valid two days, self-signed, so it is its own CA). Processes under test trust it
 * through NODE_EXTRA_CA_CERTS (`childEnv()`); nothing else ever does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SimMediaCert {
  key: Buffer;
  cert: Buffer;
  /** PEM file of the certificate (for NODE_EXTRA_CA_CERTS). */
  certPath: string;
  remove(): void;
}

export function makeMediaCert(): SimMediaCert {
  const dir = mkdtempSync(join(tmpdir(), 'wa-sim-media-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2',
      '-subj', '/CN=wa-sim media', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'basicConstraints=critical,CA:TRUE'],
    { stdio: 'pipe' },
  );
  return { key: readFileSync(keyPath), cert: readFileSync(certPath), certPath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
