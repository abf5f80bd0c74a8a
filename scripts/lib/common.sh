# Shared bits for scripts/*: repo root, logging, Nx environment.
BERTH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export BERTH_ROOT
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

berth_log() { printf '[berth] %s\n' "$*" >&2; }
berth_die() { printf '[berth] error: %s\n' "$*" >&2; exit 1; }

# npm ci when node_modules is missing or was installed from another lockfile.
berth_npm_install() {
  # A git worktree may share another checkout's node_modules through a
  # symlink: installing there would wipe it under everyone using it.
  if [[ -L "$BERTH_ROOT/node_modules" ]]; then return 0; fi
  # Install when package-lock.json differs from the one last installed (by
  # content: checkouts and rebases touch mtimes without changing anything).
  local marker="$BERTH_ROOT/node_modules/.berth-package-lock.sha256"
  local want
  want="$(sha256sum "$BERTH_ROOT/package-lock.json" | cut -d' ' -f1)"
  if [[ ! -f "$marker" || "$(cat "$marker")" != "$want" ]]; then
    berth_log "installing npm packages (npm ci)"
    (cd "$BERTH_ROOT" && npm ci --no-audit --no-fund --loglevel=error) || berth_die "npm ci failed"
    printf '%s\n' "$want" > "$marker"
  fi
}
