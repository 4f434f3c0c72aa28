/** Types of scripts/build-host.mjs (the session host bundle build), for the test setup and the bench. */
export function hostBundleStale(): boolean;
export function buildHostBundle(): Promise<string>;
