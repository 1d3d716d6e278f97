#!/usr/bin/env bash
# Installs the Debian packages Swarm Scaler's local backend and tests use, when missing:
# dockerd (docker.io), Prometheus and Alertmanager, a static busybox for the nodes' image, the network tools,
# and Chromium for the status page test.
set -euo pipefail

need=()
command -v dockerd    >/dev/null 2>&1 || need+=(docker.io)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
command -v ip         >/dev/null 2>&1 || need+=(iproute2)
command -v iptables   >/dev/null 2>&1 || need+=(iptables)
command -v nsenter    >/dev/null 2>&1 || need+=(util-linux)
# Headless browser for the status page test.
command -v chromium   >/dev/null 2>&1 || need+=(chromium)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "swarm-scaler: missing packages ${need[*]}; run as root (the local Swarm needs root anyway)" >&2
  exit 1
fi
echo "Installing ${need[*]} ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# --no-install-recommends keeps docker.io from pulling in extras; its daemon is started by us, not by systemd.
apt-get install -y -q --no-install-recommends "${need[@]}"
