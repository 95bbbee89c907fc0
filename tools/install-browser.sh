#!/usr/bin/env bash
# Install Debian's headless Chromium and its WebDriver for the status-page browser test.
# Idempotent: does nothing when both are present. Needs root (CI runs as root) and apt.
#   tools/install-browser.sh              chromium + chromium-driver
#   tools/install-browser.sh --promtool   also Prometheus's promtool (validates deploy/monitoring)
set -euo pipefail

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v chromedriver >/dev/null 2>&1 || packages+=(chromium-driver)
if [[ "${1:-}" == "--promtool" ]] && ! command -v promtool >/dev/null 2>&1; then
  packages+=(prometheus)
fi

if [[ ${#packages[@]} -eq 0 ]]; then
  echo "install-browser: chromium, chromedriver${1:+ and promtool} already present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get here; install ${packages[*]} yourself" >&2
  exit 1
fi
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
echo "install-browser: installing ${packages[*]}"
"${sudo_cmd[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q \
  "${packages[@]}"
chromium --version
chromedriver --version
