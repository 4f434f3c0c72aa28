import type { Logger } from '../../src/logger.js';
import type { HealthReport } from '../health.js';

/**
 * What route modules may use. Later routes (sessions, metrics, QR) add their dependencies here,
 * so each route file receives the supervisor's parts explicitly instead of importing globals.
 */
export interface HttpDeps {
  readonly logger: Logger;
  /** The supervisor's true state at this instant. */
  readonly health: () => HealthReport;
}
