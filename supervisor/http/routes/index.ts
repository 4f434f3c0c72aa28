import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps.js';
import { healthRoutes } from './health.js';

/** A route file: registers its routes on the server with the dependencies it needs. */
export type RouteModule = (app: FastifyInstance, deps: HttpDeps) => void | Promise<void>;

/** Every route file of the worker API. Add a new file here; nothing else changes. */
export const ROUTES: readonly RouteModule[] = [healthRoutes];
