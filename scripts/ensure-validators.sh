#!/usr/bin/env bash
# Installs Debian's jing (a RELAX NG validator, Java) when it is missing. The feed tests validate the
# rendered Atom and RSS documents against the RELAX NG Compact schemas in tests/fixtures/schemas/ with
# `jing -c`; without it they fail on purpose rather than skip, so this runs before `npm test`.
set -euo pipefail
if command -v jing >/dev/null 2>&1; then
  exit 0
fi
echo "Installing Debian's jing for the feed schema tests (one time)..." >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends jing >/dev/null
command -v jing >/dev/null 2>&1 || { echo "jing is still missing after apt-get install" >&2; exit 1; }
