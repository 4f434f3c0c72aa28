import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an `Authorization` header carries the expected bearer token. Both sides are hashed first
 * so the constant-time compare also hides the token's length. Pure; no token ever leaves here.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (typeof header !== 'string') return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  const given = match?.[1] ?? '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  // Evaluate the compare even when the header had no token, so timing does not tell either case apart.
  return timingSafeEqual(a, b) && given.length > 0;
}
