#!/usr/bin/env bash
# Install code-server 4.100.3 and playwright-core into ./node_modules (ignored by git), with the
# workarounds code-server's npm package needs when its install scripts cannot download anything:
# native modules rebuilt from source, Debian's ripgrep in place of the downloaded one, the built-in
# extensions' dependencies. Idempotent: a stamp file marks a finished install. Needs the Debian packages
# libkrb5-dev, ripgrep, g++ and make (scripts/setup installs them).
set -euo pipefail
cd "$(dirname "$0")"
STAMP=node_modules/.codetape-code-server-4.100.3
[ -f "$STAMP" ] && exit 0
npm ci --no-audit --no-fund --ignore-scripts
npm rebuild argon2
cd node_modules/code-server/lib/vscode
npm install --no-audit --no-fund --omit=dev --ignore-scripts
npm rebuild kerberos @vscode/spdlog native-watchdog @vscode/deviceid @parcel/watcher
npm rebuild node-pty || test -f node_modules/node-pty/build/Release/pty.node
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --no-audit --no-fund --omit=dev --ignore-scripts && node ./postinstall.mjs)
cd ../../../..
touch "$STAMP"
