# shellcheck shell=bash
# Sourced by scripts/setup: Debian's chromium for the console's browser tests
# (playwright-core drives it with executablePath; Playwright's own browser
# download is not reachable from here).
#
#   berth_chromium_install    apt-get install chromium if /usr/bin/chromium is missing (root only)

BERTH_CHROMIUM_BIN="${BERTH_CHROMIUM_BIN:-/usr/bin/chromium}"

_berth_chromium_log() { printf 'berth-chromium: %s\n' "$*" >&2; }

berth_chromium_install() {
  [ -x "$BERTH_CHROMIUM_BIN" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    _berth_chromium_log "missing $BERTH_CHROMIUM_BIN (browser tests need it); install as root: sudo apt-get install -y chromium"
    return 1
  fi
  _berth_chromium_log "installing chromium"
  if [ -z "${_BERTH_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || {
      _berth_chromium_log "apt-get update failed"
      return 1
    }
    _BERTH_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null || {
    _berth_chromium_log "apt-get install -y chromium failed"
    return 1
  }
  [ -x "$BERTH_CHROMIUM_BIN" ] || { _berth_chromium_log "chromium installed but $BERTH_CHROMIUM_BIN is missing"; return 1; }
}
