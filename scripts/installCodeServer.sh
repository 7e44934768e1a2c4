#!/usr/bin/env bash
# Installs code-server (a real VS Code: same extension host as the desktop app, installable
# from the npm registry) into .vscode-test/ for the extension tests. Idempotent: a second
# run with everything in place returns at once.
# See ../shared/notes/vscode-in-ci.md for why each step is here.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}" # bundles VS Code 1.100.3; later versions need Node 22+
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/.vscode-test/code-server-$VERSION"
BIN="$DEST/node_modules/.bin/code-server"

if [ -x "$BIN" ] && [ -x /usr/bin/chromium ] && command -v rg >/dev/null; then
  echo "code-server $VERSION already installed in $DEST"
  exit 0
fi

# System packages: compilers and headers for node-pty/kerberos, ripgrep, a browser to drive.
# shellcheck source=aptEnsure.sh
source "$(dirname "$0")/aptEnsure.sh"
apt_ensure build-essential python3 pkg-config libkrb5-dev ripgrep chromium

# Snag 1: @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache holds the archive.
RG_CACHE="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
RG_ARCHIVE="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$RG_ARCHIVE" ]; then
  mkdir -p "$RG_CACHE"
  tar czf "$RG_ARCHIVE" -C "$(dirname "$(command -v rg)")" rg
fi

# Snag 2: node-pty's install runs `npx node-gyp`, which refuses to prompt without a terminal.
export npm_config_yes=true
# Snag 3: build native modules against the installed Node's headers instead of downloading them.
export npm_config_nodedir=/usr

mkdir -p "$DEST"
[ -f "$DEST/package.json" ] || echo '{ "name": "code-server-cache", "private": true }' >"$DEST/package.json"
# --unsafe-perm: code-server's postinstall refuses to run as root without it.
(cd "$DEST" && npm install --unsafe-perm --no-audit --no-fund "code-server@$VERSION")
# --config keeps code-server from writing a default config into the home folder.
"$BIN" --config "$DEST/config.yaml" --version
