#!/usr/bin/env bash
# kura-forward with real processes: two receiving nodes, a log file written
# and rotated (by rename) while the forwarder follows it, one node killed
# with kill -9 and restarted meanwhile. Afterwards every line of every
# rotated file is searchable on one node or the other (at-least-once:
# duplicates are counted and reported; none on the node that was never
# killed, where every resend is recognized). Then, with both nodes down,
# maxQueueSize holds (inputs wait, memory stays bounded) and the forwarder
# catches up when a node returns. A forwarder restart neither skips nor
# repeats lines; rotation by truncation loses nothing; standard input is
# forwarded to its end.
set -euo pipefail
node="$1"
forward="$2"
dir="$(mktemp -d)"
pids=()
cleanup() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then  # say what the forwarder did
    echo "forwarder test failed (exit $rc); the end of the forwarder's log:"
    tail -20 "$dir/fwd.log" 2>/dev/null || true
  fi
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [[ -n "${fpid:-}" ]] && kill -9 "$fpid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

source "$(dirname "$0")/lib.sh"
read -r httpA adminA recvA httpB adminB recvB < <(free_ports 6)
for n in A B; do
  eval "http=\$http$n admin=\$admin$n recv=\$recv$n"
  node_toml "node$n" "$dir/home$n" "$http" "$admin" "$recv" > "$dir/$n.toml"
done
declare -A pid
start() {  # start A|B
  local http; eval "http=\$http$1"
  "$node" --config "$dir/$1.toml" 2>> "$dir/$1.log" &
  pid[$1]=$!
  pids+=("${pid[$1]}")
  wait_healthy "$http" "${pid[$1]}" "$dir/$1.log"
}
stop() { kill -TERM "${pid[$1]}"; wait "${pid[$1]}" || true; }
# line numbers stored on node A|B, one per line (duplicates repeat)
lines_on() {
  local http; eval "http=\$http$1"
  curl -sf -H 'Authorization: Bearer api-1' --data-urlencode 'search=sourcetype=app | table line' \
    -d output_mode=csv "http://127.0.0.1:$http/services/search/jobs/export" | tail -n +2 | tr -d '"\r' | cut -d, -f1 | grep -v '^$' || true
}

mkdir -p "$dir/logs"
cat > "$dir/fwd.toml" <<TOML
[forwarder]
name = "fwd-test"
home = "$dir/fwdhome"
[tcpout]
server = ["127.0.0.1:$recvA", "127.0.0.1:$recvB"]
autoLBFrequency = 1
useACK = true
maxQueueSize = "256KB"
ackTimeout = 10
[monitor.app]
path = "$dir/logs/app.log"
sourcetype = "app"
TOML
"$forward" --config "$dir/fwd.toml" --check

start A; start B
"$forward" --config "$dir/fwd.toml" 2>> "$dir/fwd.log" &
fpid=$!

echo "== 1. write and rotate 30000 lines while node A is killed and restarted"
python3 - "$dir/logs" 1 30000 <<'PY' &
import os, sys, time
logs, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
path = os.path.join(logs, "app.log")
f = open(path, "a")
for i in range(first, last + 1):
    f.write(f"2026-11-22T10:00:00Z line={i} payload={'x' * 60}\n")
    if i % 500 == 0:  # about 6 s in all: rotations 1.4 s apart
        f.flush(); time.sleep(0.1)
    if i % 7000 == 0:  # rotate by rename, like logrotate
        f.close(); os.rename(path, f"{path}.{i}"); f = open(path, "a")
f.close()
PY
writer=$!
sleep 1
kill -9 "${pid[A]}"; wait "${pid[A]}" 2>/dev/null || true
echo "killed node A"
sleep 1
start A
wait "$writer"

expect_all() {  # expect_all N: wait until lines 1..N are all stored somewhere, then report
  python3 - "$1" "$dir" <<'PY'
import subprocess, sys, time, collections
n, d = int(sys.argv[1]), sys.argv[2]
deadline = time.time() + 180
while True:
    per_node = {}
    for node in "AB":
        out = subprocess.run(["bash", "-c", f"source {d}/lib.sh; lines_on {node}"], capture_output=True, text=True).stdout
        per_node[node] = collections.Counter(int(x) for x in out.split() if x.isdigit())
    total = per_node["A"] + per_node["B"]
    missing = [i for i in range(1, n + 1) if total[i] == 0]
    if not missing or time.time() > deadline:
        break
    time.sleep(0.5)
dups = {k: sum(c - 1 for c in per_node[k].values() if c > 1) for k in "AB"}
cross = sum(1 for i in range(1, n + 1) if per_node["A"][i] and per_node["B"][i])
print(f"lines 1..{n}: {len(missing)} missing; on A {sum(per_node['A'].values())}, on B {sum(per_node['B'].values())}; "
      f"duplicates within A {dups['A']}, within B {dups['B']}, on both nodes {cross}")
if missing:
    sys.exit(f"missing lines, first ones: {missing[:10]}")
if dups["B"]:
    sys.exit("node B (never killed) stored a resent block twice")
PY
}
declare -f lines_on > "$dir/lib.sh"
{ echo "http""A=$httpA"; echo "http""B=$httpB"; } >> "$dir/lib.sh"
expect_all 30000
grep -q "connected to" "$dir/fwd.log"

echo "== 2. both nodes down: maxQueueSize holds, then the forwarder catches up"
stop A; stop B
python3 - "$dir/logs" 30001 60000 <<'PY'
import os, sys
logs, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(os.path.join(logs, "app.log"), "a") as f:
    for i in range(first, last + 1):
        f.write(f"2026-11-22T10:00:00Z line={i} payload={'x' * 60}\n")
PY
for _ in $(seq 100); do grep -q "queue full" "$dir/fwd.log" && break; sleep 0.1; done
grep -q "queue full" "$dir/fwd.log"
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$fpid/status")
echo "forwarder RSS with both receivers down and 2.4 MB waiting: ${rss_kb} kB"
[[ $rss_kb -lt 40000 ]]
start B
for _ in $(seq 600); do  # the 30000 waiting lines reach B alone (at most 60 s)
  [[ $(lines_on B | awk '$1 > 30000' | sort -u | wc -l) -ge 30000 ]] && break
  sleep 0.1
done
[[ $(lines_on B | awk '$1 > 30000' | sort -u | wc -l) -eq 30000 ]]
start A
expect_all 60000

echo "== 3. a forwarder restart neither skips nor repeats lines"
kill -TERM "$fpid"; wait "$fpid"; fpid=""
total() { echo $(( $(lines_on A | wc -l) + $(lines_on B | wc -l) )); }
before=$(total)
python3 - "$dir/logs" 60001 61000 <<'PY'
import os, sys
logs, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(os.path.join(logs, "app.log"), "a") as f:
    for i in range(first, last + 1):
        f.write(f"2026-11-22T10:00:00Z line={i} payload={'x' * 60}\n")
PY
"$forward" --config "$dir/fwd.toml" 2>> "$dir/fwd.log" &
fpid=$!
for _ in $(seq 300); do [[ $(total) -ge $((before + 1000)) ]] && break; sleep 0.2; done
kill -TERM "$fpid"; wait "$fpid"; fpid=""  # a graceful stop waits for every ack
after=$(total)
echo "both nodes: $before lines before the restart, $after after (1000 written meanwhile)"
[[ $after -eq $((before + 1000)) ]]

echo "== 4. rotation by truncation (copytruncate) loses nothing"
"$forward" --config "$dir/fwd.toml" 2>> "$dir/fwd.log" &
fpid=$!
for _ in $(seq 100); do grep -q "following $dir/logs/app.log from offset" "$dir/fwd.log" && break; sleep 0.1; done
cp "$dir/logs/app.log" "$dir/logs/app.log.copied"
: > "$dir/logs/app.log"
python3 - "$dir/logs" 61001 62000 <<'PY'
import os, sys, time
logs, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
time.sleep(0.5)  # the forwarder notices the truncation before the file grows again
with open(os.path.join(logs, "app.log"), "a") as f:
    for i in range(first, last + 1):
        f.write(f"2026-11-22T10:00:00Z line={i} payload={'x' * 60}\n")
PY
expect_all 62000
grep -q "was truncated" "$dir/fwd.log"
kill -TERM "$fpid"; wait "$fpid"; fpid=""

echo "== 5. standard input"
cat > "$dir/stdin.toml" <<TOML
[forwarder]
name = "fwd-stdin"
home = "$dir/stdinhome"
[tcpout]
server = ["127.0.0.1:$recvB"]
[stdin]
sourcetype = "piped"
TOML
seq 1 5000 | sed 's/^/2026-11-22T10:00:00Z piped=/' | "$forward" --config "$dir/stdin.toml" 2>> "$dir/fwd.log"
[[ "$(curl -sf -H 'Authorization: Bearer api-1' --data-urlencode 'search=sourcetype=piped | stats dc(piped) as n, count' \
  -d output_mode=csv "http://127.0.0.1:$httpB/services/search/jobs/export" | tail -1 | tr -d '\r"')" == "5000,5000" ]]
echo "forwarder test passed"
