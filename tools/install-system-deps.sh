#!/usr/bin/env bash
# Installs the system libraries the platform needs on one machine (Debian/Ubuntu):
#   libgtk-3-0 — loaded by OpenCV's native library (OpenCvSharp4.official.runtime.linux-x64), which the local
#                image-analysis engine uses when no Azure AI Vision endpoint is configured.
# Does nothing when they are present; needs root (or sudo) and apt-get otherwise.
set -uo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q 'libgtk-3\.so\.0' || missing+=(libgtk-3-0)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "==> installing system packages: ${missing[*]}"
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
if command -v apt-get >/dev/null \
  && { run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
       || { run apt-get update -qq >/dev/null 2>&1 && run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }; }; then
  exit 0
fi
echo "warning: could not install ${missing[*]}; the local image-analysis engine will be unavailable" >&2
exit 1
