# shellcheck shell=bash
# Sourced by scripts/setup and scripts/test: finds or fetches nats-server >= 2.12.6.
#
#   source scripts/lib/nats.sh && berth_nats_install   # exports NATS_SERVER_BIN
#
# Order: $NATS_SERVER_BIN, `nats-server` on PATH (if new enough), the project copy in
# .tools/nats (if new enough), else the newest package Debian forky has, fetched with
# `apt-get download` through a private apt config (the system's apt state is untouched)
# and unpacked with `dpkg -x` into .tools/nats. Never installed system-wide: the package
# adds a user, a unit and a config. Forky's version moves, so only a minimum is required.
# Why >= 2.12.6: atomic batch publish (2.12, how a command's events across aggregates are
# written all or nothing), subject-wide expectations (2.11), and the March 2026 security
# fixes (2.11.15 / 2.12.6, e.g. CVE-2026-33223: a spoofable Nats-Request-Info header).
# Debian trixie ships 2.10.27: too old.

BERTH_NATS_MIN_VERSION="2.12.6"
BERTH_NATS_SUITE="${BERTH_NATS_SUITE:-forky}"
BERTH_REPO_ROOT="${BERTH_REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
BERTH_NATS_TOOLS_DIR="${BERTH_NATS_TOOLS_DIR:-$BERTH_REPO_ROOT/.tools/nats}"

berth_nats__log() { echo "[nats] $*" >&2; }

# Prints "2.10.27" for a given binary, nothing if it does not run.
berth_nats_version() {
  local out
  out="$("$1" --version 2>/dev/null)" || return 1
  # "nats-server: v2.10.27"
  out="${out##*v}"
  out="${out%%[!0-9.]*}"
  [[ -n "$out" ]] || return 1
  echo "$out"
}

# True when version $1 >= version $2 (numeric, dotted).
berth_nats_version_ge() {
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]
}

# True when binary $1 runs and is new enough.
berth_nats__usable() {
  local v
  [[ -x "$1" ]] || return 1
  v="$(berth_nats_version "$1")" || return 1
  berth_nats_version_ge "$v" "$BERTH_NATS_MIN_VERSION"
}

# The main Debian mirror URI of this system: the first `URIs:` of a deb822 stanza that
# is not the security archive, else the first plain `deb` line of sources.list.
berth_nats_debian_mirror() {
  local f=/etc/apt/sources.list.d/debian.sources uri
  if [[ -r "$f" ]]; then
    uri="$(awk '
      function flush() { if (uris != "" && suites !~ /-security/ && uris !~ /security/ && found == "") found = uris; uris = ""; suites = "" }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      tolower($1) == "uris:" { uris = $2 }
      tolower($1) == "suites:" { $1 = ""; suites = $0 }
      END { flush(); print found }
    ' "$f")"
  fi
  if [[ -z "$uri" && -r /etc/apt/sources.list ]]; then
    # deb [options] URI suite components...
    uri="$(awk '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i+1) !~ /-security/ && $i !~ /security/) { print $i; exit }
      }
    ' /etc/apt/sources.list)"
  fi
  [[ -n "$uri" ]] || return 1
  echo "$uri"
}

# Downloads the suite's newest nats-server .deb and unpacks it into $BERTH_NATS_TOOLS_DIR.
berth_nats__fetch_debian() (
  set -euo pipefail
  local mirror work deb
  mirror="$(berth_nats_debian_mirror)" || {
    berth_nats__log "cannot find a Debian mirror in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
    exit 1
  }
  work="$(mktemp -d "${TMPDIR:-/tmp}/berth-apt.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/download"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $BERTH_NATS_SUITE main" >"$work/sources.list"
  local -a opts=(
    -o "Dir::Etc::sourcelist=$work/sources.list"
    -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache"
    -o "APT::Sandbox::User=root"
  )
  berth_nats__log "fetching nats-server from Debian $BERTH_NATS_SUITE ($mirror) into $BERTH_NATS_TOOLS_DIR"
  apt-get "${opts[@]}" -qq update >&2
  (cd "$work/download" && apt-get "${opts[@]}" -qq download nats-server >&2)
  deb="$(ls "$work/download"/nats-server_*.deb | head -n1)"
  rm -rf "$BERTH_NATS_TOOLS_DIR.partial"
  mkdir -p "$BERTH_NATS_TOOLS_DIR.partial"
  dpkg -x "$deb" "$BERTH_NATS_TOOLS_DIR.partial"
  # swap in whole, so an interrupted fetch never leaves a half-unpacked tools dir
  rm -rf "$BERTH_NATS_TOOLS_DIR"
  mv "$BERTH_NATS_TOOLS_DIR.partial" "$BERTH_NATS_TOOLS_DIR"
)

berth_nats_install() {
  local bin="" v
  if [[ -n "${NATS_SERVER_BIN:-}" ]]; then
    bin="$NATS_SERVER_BIN"
    [[ -x "$bin" ]] || { berth_nats__log "NATS_SERVER_BIN=$bin is not an executable file"; return 1; }
  elif command -v nats-server >/dev/null 2>&1 && berth_nats__usable "$(command -v nats-server)"; then
    bin="$(command -v nats-server)"
  elif berth_nats__usable "$BERTH_NATS_TOOLS_DIR/usr/sbin/nats-server"; then
    bin="$BERTH_NATS_TOOLS_DIR/usr/sbin/nats-server"
  else
    # also replaces an older copy (e.g. trixie's 2.10 from before Berth required 2.12.6)
    berth_nats__fetch_debian || { berth_nats__log "could not fetch nats-server from Debian $BERTH_NATS_SUITE"; return 1; }
    bin="$BERTH_NATS_TOOLS_DIR/usr/sbin/nats-server"
  fi
  v="$(berth_nats_version "$bin")" || { berth_nats__log "$bin does not run (nats-server --version failed)"; return 1; }
  if ! berth_nats_version_ge "$v" "$BERTH_NATS_MIN_VERSION"; then
    berth_nats__log "$bin is nats-server $v; Berth needs >= $BERTH_NATS_MIN_VERSION (atomic batches, subject-wide expectations, the March 2026 security fixes). Unset NATS_SERVER_BIN or point it at a newer binary; \`bash scripts/setup\` fetches Debian $BERTH_NATS_SUITE's into .tools/nats."
    return 1
  fi
  export NATS_SERVER_BIN="$bin"
  berth_nats__log "using $NATS_SERVER_BIN (v$v)"
}
