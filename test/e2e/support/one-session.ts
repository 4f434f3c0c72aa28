/**
 * The world of the single-session e2e files: one worker (seed backend) registered, one session
 * created through the backend and connected, and the contacts it talks to known to WhatsApp
 * (sends run a number check first, issue 19 §3).
 */
import { createThroughBackend, makeSessions, type E2ESession } from './sessions.js';
import { startWorld, type World } from './world.js';
import type { E2EWorker } from './worker.js';

export interface OneSessionWorld {
  world: World;
  session: E2ESession;
  worker: E2EWorker;
}

export async function startOneSessionWorld(name: string, options: { prefix: string; phone: number; contacts?: readonly string[]; env?: Record<string, string> }): Promise<OneSessionWorld> {
  const world = await startWorld(name);
  for (const contact of options.contacts ?? []) world.sim.registerContact(contact);
  const [session] = makeSessions(world, options.prefix, 1, options.phone) as [E2ESession];
  try {
    const worker = await world.startWorker({ env: options.env });
    await world.waitCall((c) => c.route === 'register' && c.status === 200, 30_000);
    await createThroughBackend(world, [], [session], 60_000);
    await worker.connected(1, 30_000);
    return { world, session, worker };
  } catch (err) {
    await world.close([session.sessionId]); // the caller never gets the world to close
    throw err;
  }
}
