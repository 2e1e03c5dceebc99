#!/usr/bin/env bash
# Prepares this host for the kind provider (`npm run setup:kind` runs it, then builds the node image). Each change
# it makes to the host is listed in the README ("What setup:kind changes on the host"):
#   1. installs Debian's docker.io, debootstrap and libc6-dev when missing (apt-get; needs root);
#   2. starts the Docker engine when none answers (systemctl where systemd runs, else dockerd in the background,
#      logging to $REBOUND_HOME/dockerd.log);
#   3. only where a privileged container cannot start because the host's capability bounding set lacks
#      CAP_SYS_RESOURCE: installs /usr/local/sbin/rebound-runc (a runc wrapper that drops that capability) as the
#      engine's default runtime in /etc/docker/daemon.json, and restarts the engine.
#   tools/setup-kind.sh --undo    removes the runtime of step 3 and restarts the engine (nothing else is undone).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="${REBOUND_HOME:-$HOME/.rebound}"
wrapper=/usr/local/sbin/rebound-runc
daemon_json=/etc/docker/daemon.json
mkdir -p "$home"

say() { echo "setup:kind: $*"; }
fail() {
  echo "setup:kind: $*" >&2
  exit 1
}
is_root() { [[ $(id -u) -eq 0 ]]; }

engine_answers() { docker info >/dev/null 2>&1; }

start_engine() {
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    say "starting the Docker engine (systemctl start docker)"
    systemctl start docker
  else
    command -v dockerd >/dev/null 2>&1 || fail "dockerd is not installed; install Docker (Debian: apt-get install docker.io)."
    say "starting the Docker engine in the background (log: $home/dockerd.log)"
    nohup dockerd > "$home/dockerd.log" 2>&1 &
  fi
  for _ in $(seq 1 60); do
    engine_answers && return 0
    sleep 0.5
  done
  tail -n 20 "$home/dockerd.log" >&2 2>/dev/null || true
  fail "the Docker engine did not answer within 30 s (its log above)."
}

stop_engine() {
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker; then
    systemctl stop docker
    return
  fi
  local pid
  pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    pgrep -x dockerd >/dev/null || return 0
    sleep 0.5
  done
  fail "dockerd did not stop within 30 s."
}

# daemon.json edits go through node (present wherever rebound runs), keeping every other setting as it was.
edit_daemon_json() {
  local mode="$1"
  mkdir -p "$(dirname "$daemon_json")"
  node - "$daemon_json" "$wrapper" "$mode" <<'EOF'
const [file, wrapper, mode] = process.argv.slice(2);
const fs = require('node:fs');
const config = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8') || '{}') : {};
config.runtimes = config.runtimes ?? {};
if (mode === 'install') {
  config.runtimes['rebound-runc'] = { path: wrapper };
  config['default-runtime'] = 'rebound-runc';
} else {
  delete config.runtimes['rebound-runc'];
  if (Object.keys(config.runtimes).length === 0) delete config.runtimes;
  if (config['default-runtime'] === 'rebound-runc') delete config['default-runtime'];
}
fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
fs.renameSync(`${file}.tmp`, file);
EOF
}

if [[ "${1:-}" == "--undo" ]]; then
  is_root || fail "run as root to change the Docker engine's settings."
  edit_daemon_json remove
  rm -f "$wrapper"
  if engine_answers; then
    stop_engine
    start_engine
  fi
  say "removed $wrapper and its entry in $daemon_json"
  exit 0
fi

# 1. packages
missing=()
command -v docker >/dev/null 2>&1 && command -v dockerd >/dev/null 2>&1 || engine_answers || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
[[ -f /usr/lib/x86_64-linux-gnu/libc.a || -f /usr/lib/aarch64-linux-gnu/libc.a ]] || missing+=(libc6-dev)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
if [[ ${#missing[@]} -gt 0 ]]; then
  is_root && command -v apt-get >/dev/null 2>&1 ||
    fail "missing: ${missing[*]}; install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run again."
  say "installing ${missing[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. the engine
engine_answers || start_engine
say "Docker engine $(docker info --format '{{.ServerVersion}}') answers"

# 3. can a privileged container start? (kind's nodes are privileged containers)
probe_dir="$(mktemp -d)"
trap 'rm -rf "$probe_dir"' EXIT
gcc -static -O2 -o "$probe_dir/pause" "$here/node-image/pause/pause.c"
printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' > "$probe_dir/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t rebound.local/probe:1 "$probe_dir" >/dev/null 2>&1
probe() { docker run --rm --privileged rebound.local/probe:1 -v > "$probe_dir/out" 2>&1; }
if probe; then
  say "privileged containers start here"
else
  if ! grep -q 'unable to apply caps' "$probe_dir/out"; then
    cat "$probe_dir/out" >&2
    fail "a privileged container does not start here (above), and not for the known reason; kind cannot run."
  fi
  is_root || fail "privileged containers fail here (CAP_SYS_RESOURCE is missing from the host's capability bounding set); run this as root to install rebound's runc wrapper."
  say "privileged containers fail here (the host lacks CAP_SYS_RESOURCE): installing $wrapper as the engine's default runtime"
  install -m 0755 "$here/kind-host/runc-drop-sys-resource" "$wrapper"
  edit_daemon_json install
  stop_engine
  start_engine
  probe || { cat "$probe_dir/out" >&2; fail "privileged containers still fail with $wrapper (above)."; }
  say "privileged containers start with $wrapper"
fi
docker rmi rebound.local/probe:1 >/dev/null 2>&1 || true
