# Shared by the live benchmarks (live-load, alarm-storm); sourced, not run.
# Everything started here is recorded and stopped by bench_cleanup (the EXIT
# trap): daemons by their pid, containers by their id; kernel audit is left
# disabled and rule-free.

bench_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench_build=${BUILD_DIR:-$bench_top/build}
bench_lock=/run/lock/cshield-test-audit.lock

# bench_under_lock SCRIPT ARGS...: re-runs the script under the audit lock
# (only one audit daemon can exist) unless the caller already holds it
# (CSHIELD_AUDIT_LOCK_HELD=1, as the CTest smoke registration does).
bench_under_lock() {
  if [ "${CSHIELD_AUDIT_LOCK_HELD:-}" != 1 ]; then
    exec env CSHIELD_AUDIT_LOCK_HELD=1 flock "$bench_lock" "$@"
  fi
}

bench_need() {
  [ "$(id -u)" = 0 ] || { echo "needs root (kernel audit, runc)" >&2; exit 2; }
  [ -x "$bench_build/src/programs/cshieldd" ] || { echo "build first: tools/dev build" >&2; exit 2; }
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if [ "$(auditctl -s | awk '/^pid/{print $2}')" != 0 ]; then
    echo "an audit daemon is already registered; stop it first" >&2; exit 2
  fi
}

bench_containers=()
bench_pids=()

# Runs under the scripts' set -e: no step may fail (a child killed by a
# signal makes `wait` fail), or the rest would be skipped.
bench_cleanup() {
  local c p
  for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${bench_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for c in "${bench_containers[@]}"; do
    runc kill "$c" KILL >/dev/null 2>&1 || true; runc delete -f "$c" >/dev/null 2>&1 || true
  done
  auditctl -D >/dev/null 2>&1 || true; auditctl -e 0 >/dev/null 2>&1 || true
  rm -rf "$bench_work"
}
# After bench_under_lock: the work directory and the cleanup trap.
bench_init() {
  bench_work=$(mktemp -d /tmp/cshield-bench-XXXXXX)
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# The load generator, static so it also runs in a busybox container.
bench_compile_loadgen() {
  cc -O2 -static -o "$bench_work/loadgen" "$bench_top/tools/bench/loadgen.c"
}

# bench_container ID INIT [HOST_DIR:CONTAINER_DIR[:rw]]...: a runc container
# from a busybox-static rootfs with the load generator at /loadgen.
bench_container() {
  local id=$1 init=$2; shift 2
  local b=$bench_work/bundle-$id
  mkdir -p "$b/rootfs"/{bin,etc,proc,dev,sys,tmp}
  cp "$(command -v busybox)" "$b/rootfs/bin/busybox"
  for c in sh cat true sleep; do ln -sf busybox "$b/rootfs/bin/$c"; done
  cp "$bench_work/loadgen" "$b/rootfs/loadgen"
  echo 'root:x:0:0:root:/:/bin/sh' >"$b/rootfs/etc/passwd"
  echo 'root:*:19000:0:99999:7:::' >"$b/rootfs/etc/shadow"
  (cd "$b" && runc spec)
  local mounts='[]' m src dst mode
  for m in "$@"; do
    IFS=: read -r src dst mode <<<"$m"
    mkdir -p "$b/rootfs$dst"
    mounts=$(jq -c --arg s "$src" --arg d "$dst" --arg o "${mode:-ro}" \
      '. + [{destination: $d, type: "bind", source: $s, options: ["rbind", $o]}]' <<<"$mounts")
  done
  jq --arg init "$init" --argjson m "$mounts" \
    '.process.terminal = false | .process.args = ["/bin/sh", "-c", $init] | .root.readonly = false |
     .mounts += $m' "$b/config.json" >"$b/config.json.new"
  mv "$b/config.json.new" "$b/config.json"
  runc delete -f "$id" >/dev/null 2>&1 || true
  runc run -d --bundle "$b" "$id" </dev/null >/dev/null
  bench_containers+=("$id")
}

# cshieldd in netlink mode with a configuration of its own; extra INI text
# (e.g. "[detect]\nfile_escape_paths = ...") from $1.
bench_cshieldd_config() {
  printf '[audit]\nmode = netlink\n[storage]\ndatabase = %s/alarms.db\n[api]\nsocket = %s/api.sock\nlisten =\n%b\n' \
    "$bench_work" "$bench_work" "${1:-}" >"$bench_work/cshield.conf"
}

bench_cshieldd_start() {
  "$bench_build/src/programs/cshieldd" --config "$bench_work/cshield.conf" >"$bench_work/cshieldd.log" 2>&1 &
  cshieldd_pid=$!
  bench_pids+=("$cshieldd_pid")
  local i
  for i in $(seq 150); do
    curl -sf --max-time 1 --unix-socket "$bench_work/api.sock" http://cshield/healthz 2>/dev/null | grep -q '"ok"' && return 0
    kill -0 "$cshieldd_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "cshieldd did not start:" >&2; cat "$bench_work/cshieldd.log" >&2; exit 1
}

# bench_stop PID: SIGTERM, wait.
bench_stop() {
  kill "$1" 2>/dev/null; wait "$1" 2>/dev/null || true
  local keep=() p
  for p in "${bench_pids[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
  bench_pids=("${keep[@]}")
}

bench_api() { curl -sf --max-time 5 --unix-socket "$bench_work/api.sock" "http://cshield$1"; }

# The rules cshieldd would load with its benchmark configuration.
bench_rules() {
  "$bench_build/src/programs/cshieldd" --print-rules --config "$bench_work/cshield.conf" | grep -v '^#'
}

# auditd writing RAW records to a file of its own, with the given plugin dir;
# kernel settings as cshieldd sets them (its default backlog and wait time).
bench_auditd_start() {
  local dir=$bench_work/auditd
  mkdir -p "$dir/plugins.d"
  cat >"$dir/auditd.conf" <<EOF
log_file = $dir/audit.log
log_format = RAW
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 100000
max_log_file_action = IGNORE
space_left = 2
admin_space_left = 1
space_left_action = IGNORE
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
plugin_dir = $dir/plugins.d
q_depth = 2000
EOF
  rm -f "$dir/audit.log"
  auditd -c "$dir" -n >"$dir/auditd.out" 2>&1 &
  auditd_pid=$!
  bench_pids+=("$auditd_pid")
  local i
  for i in $(seq 100); do [ "$(auditctl -s | awk '/^pid/{print $2}')" = "$auditd_pid" ] && break; sleep 0.1; done
  auditctl -b 8192 --backlog_wait_time 60000 >/dev/null
  auditctl -R "$bench_work/rules" >/dev/null
  auditctl -e 1 >/dev/null
}

bench_auditd_stop() {
  auditctl -D >/dev/null; auditctl -e 0 >/dev/null
  bench_stop "$auditd_pid"
}

# Laurel as auditd's plugin (Debian's package), its log in the work dir.
bench_laurel_plugin() {
  local dir=$bench_work/auditd
  mkdir -p "$dir/plugins.d" "$bench_work/laurel"
  cat >"$bench_work/laurel/config.toml" <<EOF
directory = "$bench_work/laurel"
user = "root"
statusreport-period = 0
[auditlog]
file = "audit.log"
size = 100000000000
generations = 1
[enrich]
pid = true
container = true
EOF
  cat >"$dir/plugins.d/laurel.conf" <<EOF
active = yes
direction = out
path = /usr/sbin/laurel
type = always
args = --config $bench_work/laurel/config.toml
format = string
EOF
}

# CPU ticks (user + system) and memory of a process.
bench_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# bench_api_ticks PID: CPU ticks of cshieldd's API threads so far: every thread
# but the main one and the named cs-* ones (reader, pipeline, store, exporters).
bench_api_ticks() {
  local t sum=0 comm
  for t in /proc/"$1"/task/*; do
    [ "${t##*/}" = "$1" ] && continue
    comm=$(cat "$t/comm" 2>/dev/null) || continue
    [[ $comm == cs-* ]] && continue
    sum=$((sum + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
bench_rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
bench_hwm_kb() { awk '/^VmHWM/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
bench_lost() { auditctl -s | awk '/^lost/{print $2}'; }

# p50 p99 max of the numbers on stdin ("-" when there are none).
bench_percentiles() {
  sort -n | awk '{v[NR]=$1} END{
    if (NR == 0) { print "- - -"; exit }
    i50 = int(0.50 * NR + 0.999999); i99 = int(0.99 * NR + 0.999999)
    printf "%.1f %.1f %.1f\n", v[i50], v[i99], v[NR] }'
}

# The latency probe: a watched host directory of probe files ($bench_work/watch,
# in cshieldd's file_escape_paths), mapped at /probe into the container
# csb-probe, whose init opens /probe/p-N for every N written to a FIFO.
bench_probe_files() {  # FIRST COUNT
  mkdir -p "$bench_work/watch"
  local n
  for n in $(seq "$1" $(($1 + $2 - 1))); do : >"$bench_work/watch/p-$n"; done
}

# [detect] with the default file_escape_paths plus the probe directory.
bench_detect_config() {
  printf '%s' "[detect]\nfile_escape_paths = /etc/shadow, /etc/gshadow, /etc/sudoers, /etc/sudoers.d/, /etc/crontab, /etc/cron.d/, /etc/cron.hourly/, /etc/cron.daily/, /etc/cron.weekly/, /etc/cron.monthly/, /var/spool/cron/, /root/.ssh/, /etc/ssh/, /etc/ld.so.preload, /etc/pam.d/, /etc/passwd:w, /etc/group:w, $bench_work/watch/"
}

bench_probe_container() {
  mkdir -p "$bench_work/ctl" "$bench_work/watch"
  [ -p "$bench_work/ctl/req" ] || mkfifo "$bench_work/ctl/req" "$bench_work/ctl/resp"
  bench_container csb-probe "while true; do /loadgen probe-target /probe </ctl/req >/ctl/resp; done" \
    "$bench_work/watch:/probe" "$bench_work/ctl:/ctl:rw"
}

# bench_probe SOCKET|- SECONDS FIRST: one probe every 100 ms; latency lines on stdout.
bench_probe() {
  "$bench_work/loadgen" probe "$1" "/api/v1/alarms?type=file_escape&container=csb-probe&limit=5" \
    "$bench_work/ctl/req" "$bench_work/ctl/resp" 100 "$2" "$3"
}

# cshieldd's losses: every *dropped counter (queues, exporters) and socket overruns.
bench_drops() {
  bench_api /api/v1/status |
    jq '[.counters | to_entries[] | select((.key | endswith("dropped")) or .key == "source.overruns") | .value] | add // 0'
}
bench_counter() { bench_api /api/v1/status | jq ".counters[\"$1\"] // 0"; }
