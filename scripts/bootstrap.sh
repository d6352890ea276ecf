# Sourced by scripts/ft, scripts/test and .ci/run: everything a fresh machine needs, and nothing
# when it is already done.
#   1. Node >= 22.13 on PATH: the machine's own if new enough, else Node 24 from the npm
#      registry's `node` package, installed once into .tools/node.
#   2. node_modules matching package-lock.json (npm ci, re-run when the lock changes; a
#      node_modules that links elsewhere is replaced by a folder here, never emptied through).
#   3. dist/ built from src/ (tsc; fast, so always).
# Progress goes to stderr, so commands' stdout stays clean (`scripts/ft build --json`).
set -euo pipefail
FT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

node_is_recent() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 13) ? 0 : 1)'
}

if [ -x "$FT_ROOT/.tools/node/bin/node" ]; then
  export PATH="$FT_ROOT/.tools/node/bin:$PATH"
fi
if ! node_is_recent; then
  echo "bootstrap: Node $(node --version 2>/dev/null || echo missing) is too old; installing Node 24 into .tools/node" >&2
  npm install --global --prefix "$FT_ROOT/.tools/node" --no-fund --no-audit --loglevel=error node@24 >&2
  export PATH="$FT_ROOT/.tools/node/bin:$PATH"
  node_is_recent || { echo "bootstrap: could not provision Node >= 22.13" >&2; exit 1; }
fi

lock_stamp="$(node -e 'const c=require("crypto");process.stdout.write(c.createHash("sha256").update(require("fs").readFileSync(process.argv[1])).digest("hex"))' "$FT_ROOT/package-lock.json")"
if [ "$(cat "$FT_ROOT/node_modules/.ft-lock-stamp" 2>/dev/null)" != "$lock_stamp" ]; then
  # A node_modules that links to another checkout's (git worktrees sharing one): npm ci would
  # empty that folder through the link, under whatever runs there. Install a folder of our own.
  if [ -L "$FT_ROOT/node_modules" ]; then
    echo "bootstrap: node_modules links to $(readlink "$FT_ROOT/node_modules"), which does not match package-lock.json; replacing the link with this checkout's own node_modules" >&2
    rm "$FT_ROOT/node_modules"
  fi
  echo "bootstrap: npm ci" >&2
  (cd "$FT_ROOT" && npm ci --no-fund --no-audit --loglevel=error >&2)
  echo "$lock_stamp" >"$FT_ROOT/node_modules/.ft-lock-stamp"
fi

if [ "${FT_SKIP_BUILD:-}" != 1 ]; then
  (cd "$FT_ROOT" && npm run --silent build >&2)
fi
