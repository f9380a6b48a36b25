#!/bin/sh
# Installs (as root) or lists (otherwise) the Debian packages needed to build
# and test tedge. Used by `make deps`, `make test` and .ci/run.
# Usage: scripts/deps.sh [--check]   --check: exit 1 if something is missing, install nothing.
set -eu
PKGS="build-essential pkg-config clang mosquitto mosquitto-clients libmosquitto-dev \
libjansson-dev libuv1-dev libssl-dev openssl libcmocka-dev libcurl4-openssl-dev \
libmicrohttpd-dev python3 python3-pytest python3-paho-mqtt"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "${1:-}" = "--check" ]; then
    echo "missing build packages:$missing" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    echo "installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends $missing
else
    echo "missing build packages:$missing" >&2
    echo "run as root:  apt-get install -y$missing" >&2
    exit 1
fi
