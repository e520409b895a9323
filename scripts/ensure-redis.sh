#!/usr/bin/env bash
# Tests of the Redis-backed rate limiter need a Redis server on 127.0.0.1:6379. The project's
# machines start one before a session; on a bare machine, install Debian's and start it.
set -euo pipefail
if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then exit 0; fi
if ! command -v redis-server >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq redis-server >/dev/null
fi
mkdir -p /tmp/govshare-redis
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
  --dir /tmp/govshare-redis --logfile /tmp/govshare-redis/redis.log
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && exit 0; sleep 0.5; done
echo "Redis did not start" >&2; exit 1
