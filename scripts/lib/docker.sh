# shellcheck shell=bash
# Docker for Berth's tests and local cluster. Source this file; it only defines
# functions and never changes the caller's shell options.
#
#   berth_docker_install            install docker.io + busybox-static if missing (root only)
#   berth_docker_start <workdir>    reuse a reachable $DOCKER_HOST or start a private dockerd;
#                                   exports DOCKER_HOST (and BERTH_DOCKERD_PID if we started it)
#   berth_docker_test_image         import local/busybox:1 if missing
#   berth_docker_stop <workdir>     stop the dockerd we started and remove its dirs
#
# The private dockerd never touches the host network: no bridge, no iptables.
# Tests run containers with `host` or `none` networking.

BERTH_TEST_IMAGE="${BERTH_TEST_IMAGE:-local/busybox:1}"

_berth_docker_log() { printf 'berth-docker: %s\n' "$*" >&2; }

# True when the engine at $1 (a DOCKER_HOST value) answers /_ping.
_berth_docker_reachable() {
  local host="$1"
  [ -n "$host" ] || return 1
  if command -v docker >/dev/null 2>&1; then
    DOCKER_HOST="$host" timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
    return $?
  fi
  case "$host" in
    unix://*)
      command -v curl >/dev/null 2>&1 &&
        timeout 10 curl -fsS --unix-socket "${host#unix://}" http://localhost/_ping >/dev/null 2>&1
      ;;
    *) return 1 ;;
  esac
}

berth_docker_install() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  # not Docker's, but installed with it: the TLS tests make their CA and certificates with openssl
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  [ "${#missing[@]}" -eq 0 ] && return 0

  # docker.io may be listed twice; dedupe for the message and apt.
  local pkgs
  pkgs="$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"
  if [ "$(id -u)" -ne 0 ]; then
    _berth_docker_log "missing: ${pkgs}(dockerd, docker CLI, static busybox at /bin/busybox)."
    _berth_docker_log "install them as root:  sudo apt-get update && sudo apt-get install -y docker.io busybox-static"
    return 1
  fi
  _berth_docker_log "installing ${pkgs}"
  if [ -z "${_BERTH_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || {
      _berth_docker_log "apt-get update failed"
      return 1
    }
    _BERTH_APT_UPDATED=1
  fi
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null || {
    _berth_docker_log "apt-get install -y ${pkgs}failed"
    return 1
  }
  command -v dockerd >/dev/null 2>&1 && [ -x /bin/busybox ] || {
    _berth_docker_log "installed ${pkgs}but dockerd or /bin/busybox is still missing"
    return 1
  }
}

berth_docker_start() {
  local workdir="${1:?usage: berth_docker_start <workdir>}"

  if [ -n "${DOCKER_HOST:-}" ] && _berth_docker_reachable "$DOCKER_HOST"; then
    _berth_docker_log "using the engine at DOCKER_HOST=$DOCKER_HOST"
    return 0
  fi
  [ -n "${DOCKER_HOST:-}" ] && _berth_docker_log "DOCKER_HOST=$DOCKER_HOST does not answer; starting a private dockerd"

  command -v dockerd >/dev/null 2>&1 || {
    _berth_docker_log "dockerd not found; run berth_docker_install (apt-get install -y docker.io busybox-static)"
    return 1
  }

  mkdir -p "$workdir" || return 1
  workdir="$(cd "$workdir" && pwd -P)" || return 1
  # The longest unix socket is dockerd's managed containerd:
  # <workdir>/exec/containerd/containerd-debug.sock, and the limit is 108 bytes.
  if [ "${#workdir}" -gt 64 ]; then
    _berth_docker_log "workdir path too long for unix sockets (${#workdir} > 64 chars): $workdir"
    return 1
  fi

  local sock="$workdir/docker.sock" pidfile="$workdir/docker.pid" log="$workdir/dockerd.log"

  if _berth_docker_reachable "unix://$sock"; then
    export DOCKER_HOST="unix://$sock"
    # Started by this shell already: still ours to stop.
    if [ -n "${BERTH_DOCKERD_PID:-}" ] && [ "$(cat "$pidfile" 2>/dev/null)" = "$BERTH_DOCKERD_PID" ]; then
      return 0
    fi
    # A private dockerd from an earlier run that is still alive: reuse it, not ours to stop.
    unset BERTH_DOCKERD_PID
    _berth_docker_log "reusing the dockerd already serving $sock (not stopped by berth_docker_stop)"
    return 0
  fi
  # Leftovers of a crashed run would make dockerd refuse to start.
  _berth_docker_umount_netns "$workdir/exec"
  rm -f "$sock" "$pidfile"

  # a session of its own: a terminal's Ctrl-C reaches the script that started it, which stops it
  # once, not dockerd directly as well. Not under job control, where setsid would fork and $! would
  # not be dockerd (a background job leads its own process group there anyway)
  local own_session=setsid
  case $- in *m*) own_session= ;; esac
  $own_session dockerd \
    --data-root "$workdir/data" \
    --exec-root "$workdir/exec" \
    -H "unix://$sock" \
    --pidfile "$pidfile" \
    --storage-driver vfs \
    --bridge=none --iptables=false --ip6tables=false \
    >"$log" 2>&1 </dev/null &
  local pid=$!

  local i
  for ((i = 0; i < 300; i++)); do # 300 x 0.1 s = 30 s
    if ! kill -0 "$pid" 2>/dev/null; then
      _berth_docker_log "dockerd exited during start; last lines of $log:"
      tail -n 30 "$log" >&2
      return 1
    fi
    if [ -S "$sock" ] && _berth_docker_reachable "unix://$sock"; then
      export DOCKER_HOST="unix://$sock"
      export BERTH_DOCKERD_PID="$pid"
      _berth_docker_log "dockerd pid $pid ready at $DOCKER_HOST"
      return 0
    fi
    sleep 0.1
  done
  _berth_docker_log "dockerd did not answer on $sock within 30 s; last lines of $log:"
  tail -n 30 "$log" >&2
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 1
}

_berth_docker_umount_netns() {
  local ns="$1/netns/default"
  if [ -e "$ns" ] && grep -qs " $ns " /proc/self/mounts; then
    umount "$ns" 2>/dev/null || umount -l "$ns" 2>/dev/null || true
  fi
}

berth_docker_stop() {
  local workdir="${1:?usage: berth_docker_stop <workdir>}"
  [ -d "$workdir" ] || return 0
  workdir="$(cd "$workdir" && pwd -P)" || return 1

  local pid="${BERTH_DOCKERD_PID:-}"
  if [ -z "$pid" ]; then
    _berth_docker_log "no dockerd started by us; leaving $workdir alone"
    return 0
  fi
  # Only the dockerd we started, and only if the pidfile still names it.
  if [ -f "$workdir/docker.pid" ] && [ "$(cat "$workdir/docker.pid")" != "$pid" ]; then
    _berth_docker_log "pidfile in $workdir does not name pid $pid; not touching it"
    return 1
  fi

  if kill -0 "$pid" 2>/dev/null; then
    # Leftover containers would hold dockerd's shutdown for their stop timeouts; the data goes anyway.
    local ids
    ids="$(DOCKER_HOST="unix://$workdir/docker.sock" timeout 20 docker ps -aq 2>/dev/null)"
    if [ -n "$ids" ]; then
      # shellcheck disable=SC2086 # one id per word
      DOCKER_HOST="unix://$workdir/docker.sock" timeout 30 docker rm -f $ids >/dev/null 2>&1
    fi
    kill -TERM "$pid" 2>/dev/null
    local i
    # dockerd stops its containers first (up to their stop timeouts): allow 40 s.
    for ((i = 0; i < 400; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      _berth_docker_log "dockerd pid $pid still alive after 40 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
  fi

  _berth_docker_umount_netns "$workdir/exec"
  rm -rf "$workdir/data" "$workdir/exec" "$workdir/docker.sock" "$workdir/docker.pid" "$workdir/dockerd.log"
  rmdir "$workdir" 2>/dev/null
  if [ "${DOCKER_HOST:-}" = "unix://$workdir/docker.sock" ]; then unset DOCKER_HOST; fi
  unset BERTH_DOCKERD_PID
  return 0
}

berth_docker_test_image() {
  local image="${1:-$BERTH_TEST_IMAGE}"
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  [ -x /bin/busybox ] || {
    _berth_docker_log "/bin/busybox missing; run berth_docker_install (apt-get install -y busybox-static)"
    return 1
  }

  local tmp rootfs rc=0
  tmp="$(mktemp -d)" || return 1
  rootfs="$tmp/rootfs"
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" &&
    chmod 1777 "$rootfs/tmp" &&
    cp /bin/busybox "$rootfs/bin/busybox" &&
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd" &&
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group" || rc=1

  if [ "$rc" -eq 0 ]; then
    # Every applet this busybox has (sh, sleep, nc, httpd, wget, ...), as symlinks in /bin.
    local applet
    for applet in $(/bin/busybox --list); do
      [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
    done
    tar -C "$rootfs" -c . |
      docker import \
        --change 'ENV PATH=/bin' \
        --change 'CMD ["/bin/sh"]' \
        - "$image" >/dev/null || rc=1
  fi
  rm -rf "$tmp"
  if [ "$rc" -ne 0 ]; then
    _berth_docker_log "could not import $image"
    return 1
  fi
  _berth_docker_log "imported $image"
}
