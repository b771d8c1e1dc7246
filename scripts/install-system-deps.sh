#!/usr/bin/env bash
# Debian packages the tests need: chromium for the browser tests; for the deploy tests docker-compose,
# the Docker engine (docker.io: dockerd, containerd, runc) and debootstrap (the offline base image).
set -euo pipefail
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
apt_install() { DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@"; }
missing() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || return 0; done; return 1; }
if missing chromium docker-compose dockerd debootstrap; then
  $sudo_cmd apt-get update -qq
fi
command -v chromium >/dev/null 2>&1 || apt_install chromium
# without recommends: no apparmor, git, xz-utils or cgroupfs-mount beside the engine
command -v docker-compose >/dev/null 2>&1 || apt_install --no-install-recommends docker-compose
command -v dockerd >/dev/null 2>&1 || apt_install --no-install-recommends docker.io
command -v debootstrap >/dev/null 2>&1 || apt_install --no-install-recommends debootstrap
