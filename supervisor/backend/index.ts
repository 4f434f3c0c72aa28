export { createBackendIntegration, BackendIntegration, type BackendStatus, type BackendTiming, type BackendIntegrationDeps, type BackendObserver } from './integration.js';
export type { SessionDirectory } from './contract.js';
export { defaultEndpoint } from './identity.js';
export { BackendError, type BackendErrorCode } from './errors.js';
