#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, when missing:
# gcc for cgo, X11/GL headers for ebiten (the viewer), xvfb for viewer tests, OpenBLAS for
# fast model math. Idempotent; does nothing when all are present.
set -euo pipefail
pkgs=(gcc pkg-config libgl1-mesa-dev libxcursor-dev libxi-dev libxinerama-dev
      libxrandr-dev libxxf86vm-dev libasound2-dev xvfb xauth libopenblas-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
