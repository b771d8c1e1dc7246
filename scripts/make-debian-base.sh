#!/usr/bin/env bash
# Makes a local Debian bookworm image with Python 3.11, for hosts that cannot pull from an image registry:
# debootstrap fetches the packages from the Debian mirror apt already uses, `docker import` turns the root
# filesystem into an image. Build notecite on it with --build-arg BASE_IMAGE=<the name printed>.
#   usage: scripts/make-debian-base.sh [IMAGE_NAME]     (default notecite-base:bookworm; needs root)
set -euo pipefail
name=${1:-notecite-base:bookworm}
if docker image inspect "$name" >/dev/null 2>&1; then echo "$name"; exit 0; fi
command -v debootstrap >/dev/null || { echo "make-debian-base: apt-get install -y debootstrap" >&2; exit 1; }

# The first Debian mirror in apt's sources (deb822 or one-line format); NOTECITE_DEBIAN_MIRROR overrides it.
mirror=${NOTECITE_DEBIAN_MIRROR:-$(
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' || true
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' || true; } \
    | grep -v security | head -n1 || true
)}
mirror=${mirror:-http://deb.debian.org/debian}

# What the image needs at run time: Python with venv (ensurepip), libgomp1 and libstdc++6 for llama.cpp's
# libraries, passwd for useradd. No compiler: every Python package arrives as a wheel.
packages=python3,python3-venv,libgomp1,libstdc++6,passwd,ca-certificates

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" >&2
# Point apt at the same mirror for anyone extending the image, and drop what only debootstrap needed.
echo "deb $mirror bookworm main" >"$rootfs/etc/apt/sources.list"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log "$rootfs"/debootstrap
tar -C "$rootfs" --numeric-owner -c . \
  | docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' - "$name" >/dev/null
echo "$name"
