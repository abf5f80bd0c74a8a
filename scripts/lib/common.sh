# Shared bits for scripts/*: repo root, logging, Nx environment.
BERTH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export BERTH_ROOT
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

berth_log() { printf '[berth] %s\n' "$*" >&2; }
berth_die() { printf '[berth] error: %s\n' "$*" >&2; exit 1; }

# npm ci when node_modules is missing or older than the lockfile.
berth_npm_install() {
  local marker="$BERTH_ROOT/node_modules/.package-lock.json"
  if [[ ! -f "$marker" || "$BERTH_ROOT/package-lock.json" -nt "$marker" ]]; then
    berth_log "installing npm packages (npm ci)"
    (cd "$BERTH_ROOT" && npm ci --no-audit --no-fund --loglevel=error) || berth_die "npm ci failed"
  fi
}
