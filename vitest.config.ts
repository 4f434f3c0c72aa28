import { defineConfig } from 'vitest/config';

// Forked pools: tests spawn real processes and send real signals; a worker thread pool would
// share a process with them. `--openssl-legacy-provider` is needed by s3rver for listings over
// 1,000 keys (it hashes with MD5 through an API OpenSSL 3 hides without it).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Compiles dist/ once before all files: tests fork the compiled supervisor and hosts.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    execArgv: ['--openssl-legacy-provider'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
