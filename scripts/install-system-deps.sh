#!/usr/bin/env bash
# Debian packages the tests need: chromium for the browser tests, docker-compose to check the compose file.
set -euo pipefail
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
apt_install() { DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@"; }
if ! command -v chromium >/dev/null 2>&1 || ! command -v docker-compose >/dev/null 2>&1; then
  $sudo_cmd apt-get update -qq
fi
command -v chromium >/dev/null 2>&1 || apt_install chromium
# without recommends: docker-compose would otherwise pull a whole Docker engine we cannot run here
command -v docker-compose >/dev/null 2>&1 || apt_install --no-install-recommends docker-compose
