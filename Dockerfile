# syntax=docker/dockerfile:1
# wa-gateway-worker: the supervisor and its session hosts in one image.
#   docker build -t wa-gateway-worker .
#   docker run -p 3001:3001 -v wa-data:/data -e WORKER_AUTH_TOKEN=... --env-file .env wa-gateway-worker
# Debian (glibc) rather than Alpine: Baileys' dependencies ship prebuilt glibc binaries.

# Session hosts keep a V8 code cache of their bundle in DATA_DIR/compile-cache (HOST_COMPILE_CACHE;
# /app stays read-only), written by the first host to connect after an upgrade (bench/README.md).
#
# Base images, overridable where no image registry is reachable (`npm run test:image` builds FROM
# local bases made by test/support/podman/make-base.sh). NODE_IMAGE: Debian bookworm with Node.js
# 20 under /usr/local and a `node` user (uid 1000). BUILD_IMAGE (the build and deps stages): the
# same by default; better-sqlite3 downloads its prebuilt binary from GitHub and, where that fails,
# compiles from source, for which this base needs python3, make and g++. BUILD_IMAGE only builds:
# the runtime image is NODE_IMAGE plus tini, the compiled code and the production node_modules.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG BUILD_IMAGE=${NODE_IMAGE}

# --- build: dev dependencies, TypeScript compile to dist/, the session host bundled into dist/host/
FROM ${BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm's postinstall patches Baileys (the receipt waits for the outbox; scripts/patch-baileys.mjs).
COPY scripts/patch-baileys.mjs ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY supervisor ./supervisor
COPY session-host ./session-host
# scripts/build-host.mjs bundles the session host from its entry (esbuild; issue 15).
COPY scripts ./scripts
# tsconfig.build.json also compiles the test simulator and fixtures; they stay in this stage.
COPY test ./test
RUN npm run build

# --- production dependencies only: the build stage's node_modules with every dev dependency
# removed, so no dev tool reaches the runtime image. Pruned rather than installed again: the same
# lockfile, no second download and no second compile of better-sqlite3.
FROM build AS deps
RUN npm prune --omit=dev --no-audit --no-fund

# --- runtime
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM to the supervisor (which stops its session hosts without
# logging them out) and reaps any orphaned process. Without it, run with `docker run --init`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
# HOST=0.0.0.0: a container is reached from outside. Without WORKER_AUTH_TOKEN that would open the
# session API to the network, so start-up refuses it (exit 2) unless ALLOW_UNAUTHENTICATED_API=true:
# pass the token (or the explicit opt-in) with `docker run -e` / `--env-file`.
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3001 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
# Only the production code; dist/test (simulator, fixtures) is left in the build stage.
COPY --from=build --chown=root:root /app/dist/src ./dist/src
COPY --from=build --chown=root:root /app/dist/supervisor ./dist/supervisor
# The session host runs as one bundle (dist/host/session-host.mjs); a few optional native
# dependencies it leaves external (sharp) resolve from node_modules.
COPY --from=build --chown=root:root /app/dist/host ./dist/host
# Code is root-owned and read-only to the worker; only DATA_DIR is writable by it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3001
# /live answers while the process and its event loop are healthy. Probes loopback, so keep
# HOST at 0.0.0.0 (or a loopback address) in containers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3001)+'/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/supervisor/main.js"]
