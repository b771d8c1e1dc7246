#!/usr/bin/env bash
# Starts a Docker engine when none answers: dockerd as root, overlay2 (vfs where overlay2 cannot mount).
# Prints the pid of the dockerd it started (nothing when one was already running); exits 1 with a reason
# on stderr when it cannot start one. The deploy tests call it and stop what it started.
#   usage: scripts/start-dockerd.sh [LOG_FILE]
set -euo pipefail
log=${1:-/tmp/notecite-dockerd.log}
docker info >/dev/null 2>&1 && exit 0
command -v dockerd >/dev/null || { echo "no dockerd (apt-get install -y --no-install-recommends docker.io)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "dockerd needs root (this is uid $(id -u))" >&2; exit 1; }
for driver in overlay2 vfs; do
  dockerd --storage-driver="$driver" >>"$log" 2>&1 &
  pid=$!
  for _ in $(seq 60); do
    if docker info >/dev/null 2>&1; then echo "$pid"; exit 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
echo "dockerd did not start (overlay2 nor vfs); its log: $log" >&2
tail -n 5 "$log" >&2
exit 1
