import type { HostMediaSettings, OutgoingMessage } from '../../src/ipc/protocol.js';
import { fetchMedia, type FetchedMedia } from '../../src/media/fetch-media.js';

/**
 * Loaded only when a host sends its first medium (a host that never does so never pays for it).
 * The URL is fetched here, through the guarded fetcher, and Baileys gets the bytes: it never sees
 * a URL, so it never fetches one itself (issue 16 §3).
 */
export type MediaMessage = Extract<OutgoingMessage, { type: 'image' | 'video' | 'audio' | 'document' }>;

export async function fetchOutgoingMedia(message: MediaMessage, settings: HostMediaSettings): Promise<FetchedMedia> {
  return fetchMedia(message.url, { maxBytes: settings.maxBytes, timeoutMs: settings.fetchTimeoutMs, allowPrivate: settings.allowPrivateUrls });
}
