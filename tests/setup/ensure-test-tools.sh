#!/usr/bin/env bash
# Installs the Debian packages the tests drive, when missing, in one apt-get run:
# - chromium: the browser tests (playwright cannot download its own browsers on these machines);
# - jing: the RELAX NG validator the feed tests check rendered Atom and RSS against
#   (tests/fixtures/schemas/). Without either, those tests fail on purpose rather than skip.
set -euo pipefail
declare -A package_for=([chromium]=chromium [jing]=jing)
missing=()
for tool in "${!package_for[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_for[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages for the tests (one time): ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for tool in "${!package_for[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is still missing after apt-get install" >&2; exit 1; }
done
