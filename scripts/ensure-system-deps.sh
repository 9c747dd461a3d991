#!/usr/bin/env bash
# Makes sure the Debian packages the suite needs are present. In CI (CI=true) they are
# installed with apt-get; on a developer machine we only say what is missing.
# `ensure-system-deps.sh bench-hosts`: what the benchmark's several hosts need instead
# (nginx in front, socat relays; bench/hosts.py).
set -euo pipefail
missing=()
if [ "${1:-}" = "bench-hosts" ]; then
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  command -v socat >/dev/null 2>&1 || missing+=(socat)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
else
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
