#!/usr/bin/env bash
# Configures and starts a single-node OpenStack Swift on 127.0.0.1 with the s3api middleware and
# tempauth (a real S3-compatible server that checks AWS signatures), plus memcached for it.
# Idempotent: when the proxy already answers, it only prints the environment again.
#
# Prints (stdout, eval-able):  SWIFT_S3_ENDPOINT, SWIFT_S3_PORT, SWIFT_S3_ACCESS_KEY,
# SWIFT_S3_SECRET_KEY, SWIFT_S3_REGION — the names test/support/swift/env.ts reads.
# Progress goes to stderr. Everything lives under $SWIFT_TEST_ROOT (default /var/lib/wa-test-swift).
set -euo pipefail

ROOT="${SWIFT_TEST_ROOT:-/var/lib/wa-test-swift}"
PROXY_PORT="${SWIFT_PROXY_PORT:-18080}"
OBJECT_PORT="${SWIFT_OBJECT_PORT:-16200}"
CONTAINER_PORT="${SWIFT_CONTAINER_PORT:-16201}"
ACCOUNT_PORT="${SWIFT_ACCOUNT_PORT:-16202}"
MEMCACHED_PORT="${SWIFT_MEMCACHED_PORT:-11211}"
ACCESS_KEY="test:tester"
SECRET_KEY="testing"

log() { echo "swift: $*" >&2; }

print_env() {
  cat <<ENV
export SWIFT_S3_ENDPOINT=127.0.0.1
export SWIFT_S3_PORT=${PROXY_PORT}
export SWIFT_S3_ACCESS_KEY=${ACCESS_KEY}
export SWIFT_S3_SECRET_KEY=${SECRET_KEY}
export SWIFT_S3_REGION=us-east-1
ENV
}

healthy() { curl -fsS -m 2 "http://127.0.0.1:${PROXY_PORT}/healthcheck" >/dev/null 2>&1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if healthy; then
  log "already running on 127.0.0.1:${PROXY_PORT}"
  print_env
  exit 0
fi

for bin in swift-proxy-server swift-object-server swift-container-server swift-account-server swift-ring-builder memcached; do
  command -v "$bin" >/dev/null || { log "$bin not found; run test/support/swift/install.sh first"; exit 1; }
done

RUN_USER=root
if id swift >/dev/null 2>&1; then RUN_USER=swift; fi

ETC="$ROOT/etc"
DEVICES="$ROOT/devices"
RUN="$ROOT/run"
LOGS="$ROOT/log"
mkdir -p "$ETC" "$DEVICES/d1" "$RUN" "$LOGS" /var/cache/swift
chown -R "$RUN_USER" "$ROOT" /var/cache/swift

# The hash path suffix is read from /etc/swift/swift.conf only. Set a fixed value once (never change
# it afterwards: objects already stored would become unreachable).
mkdir -p /etc/swift
if ! grep -qs 'swift_hash_path_suffix = wa-gateway-test' /etc/swift/swift.conf; then
  cat > /etc/swift/swift.conf <<CONF
[swift-hash]
swift_hash_path_suffix = wa-gateway-test
swift_hash_path_prefix = wa-gateway-test

[storage-policy:0]
name = Policy-0
default = yes
CONF
fi

common_server() { # $1 = port, $2 = egg name
  cat <<CONF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $1
workers = 1
user = ${RUN_USER}
swift_dir = ${ETC}
devices = ${DEVICES}
mount_check = false
log_facility = LOG_LOCAL2
log_level = WARNING

[pipeline:main]
pipeline = $2-server

[app:$2-server]
use = egg:swift#$2
CONF
}

common_server "$OBJECT_PORT" object > "$ETC/object-server.conf"
common_server "$CONTAINER_PORT" container > "$ETC/container-server.conf"
common_server "$ACCOUNT_PORT" account > "$ETC/account-server.conf"

cat > "$ETC/proxy-server.conf" <<CONF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${PROXY_PORT}
workers = 1
user = ${RUN_USER}
swift_dir = ${ETC}
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = ${SECRET_KEY} .admin

[filter:s3api]
use = egg:swift#s3api
location = us-east-1

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${MEMCACHED_PORT}

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
CONF

# One replica, one device: enough for a loopback test server. Rings are built once.
build_ring() { # $1 = ring name, $2 = port
  if [ ! -f "$ETC/$1.ring.gz" ]; then
    ( cd "$ETC"
      swift-ring-builder "$1.builder" create 10 1 1 >/dev/null
      swift-ring-builder "$1.builder" add "r1z1-127.0.0.1:$2/d1" 100 >/dev/null
      swift-ring-builder "$1.builder" rebalance >/dev/null || true )
  fi
}
build_ring object "$OBJECT_PORT"
build_ring container "$CONTAINER_PORT"
build_ring account "$ACCOUNT_PORT"
chown -R "$RUN_USER" "$ROOT"

if ! port_open "$MEMCACHED_PORT"; then
  MC_USER=nobody; id memcache >/dev/null 2>&1 && MC_USER=memcache
  memcached -d -u "$MC_USER" -l 127.0.0.1 -p "$MEMCACHED_PORT" -m 64 -P "$RUN/memcached.pid"
  log "memcached started on 127.0.0.1:${MEMCACHED_PORT}"
fi

start_server() { # $1 = server kind, $2 = port
  if port_open "$2"; then return; fi
  nohup "swift-$1-server" "$ETC/$1-server.conf" >"$LOGS/$1.log" 2>&1 &
  echo $! > "$RUN/$1.pid"
}
start_server account "$ACCOUNT_PORT"
start_server container "$CONTAINER_PORT"
start_server object "$OBJECT_PORT"
start_server proxy "$PROXY_PORT"

for _ in $(seq 1 100); do
  if healthy; then
    log "running: S3 endpoint http://127.0.0.1:${PROXY_PORT} (logs in $LOGS)"
    print_env
    exit 0
  fi
  sleep 0.2
done
log "proxy did not become healthy on 127.0.0.1:${PROXY_PORT}; logs:"
tail -n 20 "$LOGS"/*.log >&2 || true
exit 1
