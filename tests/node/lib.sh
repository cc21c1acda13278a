# Shared by the node process tests (source it).

# free_ports N: N TCP ports on 127.0.0.1 that are free now, on one line.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
}

# node_toml NAME HOME HTTP ADMIN RECEIVER: a standalone node's config on
# 127.0.0.1 with HEC token hec-1 and API token api-1 (more sections may follow).
node_toml() {
  cat <<TOML
[node]
name = "$1"
home = "$2"
bind = "127.0.0.1"
admin_port = $4
[http]
port = $3
hec_tokens = ["hec-1"]
api_tokens = ["api-1"]
[receiver]
port = $5
TOML
}

# wait_healthy HTTP_PORT PID LOG: until the node answers health (at most 30 s).
wait_healthy() {
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$1/services/collector/health" > /dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "node died"; cat "$3"; return 1; }
    sleep 0.1
  done
  echo "node never became healthy"; cat "$3"; return 1
}

# cluster_toml NAME HOME ROLE HTTP ADMIN RECEIVER SECRET [MASTER_ADMIN [REPLICATION_PORT]]:
# a cluster node's config on 127.0.0.1 (tokens as node_toml). ROLE master gets
# replication_factor 3, search_factor 2 and fast heartbeats; peer and search_head
# get master_uri 127.0.0.1:MASTER_ADMIN; a peer also its REPLICATION_PORT.
cluster_toml() {
  node_toml "$1" "$2" "$4" "$5" "$6" | sed "/^\[node\]/a role = \"$3\""
  echo "[clustering]"
  echo "pass4SymmKey = \"$7\""
  case "$3" in
    master)
      echo "replication_factor = 3"
      echo "search_factor = 2"
      echo "heartbeat_period = 0.5"
      echo "heartbeat_timeout = 10" ;;
    peer)
      echo "master_uri = \"127.0.0.1:$8\""
      echo "replication_port = $9"
      echo "heartbeat_period = 0.5" ;;
    search_head)
      echo "master_uri = \"127.0.0.1:$8\"" ;;
  esac
}

# ---- Cluster process tests (cluster_test.sh, multicluster_test.sh). They use
# the caller's globals: dir (the test's directory, logs in $dir/NAME.log), node
# (kura-node), pid and http (per node name), failures, and die.

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures+=("$*"); }
show_logs() {  # show_logs NAME...: the end of these nodes' logs
  for n in "$@"; do
    echo "---- last lines of $n's log ($dir/$n.log)"
    tail -n 25 "$dir/$n.log" 2>/dev/null || true
  done
}
# wait_until SECONDS "WHAT" "NODES" COMMAND...: poll COMMAND every 0.2 s; on
# timeout say what was awaited, show the nodes' logs and return 1.
wait_until() {
  local secs="$1" what="$2" nodes="$3"; shift 3
  local end=$((SECONDS + secs))
  while ((SECONDS < end)); do
    "$@" && return 0
    sleep 0.2
  done
  echo "timed out after $secs s waiting for: $what"
  # shellcheck disable=SC2086
  show_logs $nodes
  return 1
}
get() { curl -s -H 'Authorization: Bearer api-1' "http://127.0.0.1:$1$2"; }
export_search() {  # export_search HTTP_PORT QUERY: the export answer in JSON lines
  curl -s -H 'Authorization: Bearer api-1' --data-urlencode "search=$2" -d output_mode=json \
    "http://127.0.0.1:$1/services/search/jobs/export"
}
http_up() { [[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer api-1' \
  "http://127.0.0.1:${http[$1]}/services/server/info")" == 200 ]]; }
start() {  # start NAME: the node's process, until its HTTP server answers
  "$node" --config "$dir/$1.toml" >> "$dir/$1.log" 2>&1 &
  pid[$1]=$!
  wait_until 30 "$1 to answer HTTP" "$1" http_up "$1" || die "$1 never answered HTTP"
}
declare -A stop_rc=() stop_secs=()
stop() {  # stop NAME...: SIGTERM to all of them at once, then wait for each to exit (at most
          # 60 s, then kill -9); sets stop_rc[NAME] (exit code) and stop_secs[NAME]
  local n p t0=$SECONDS
  for n in "$@"; do kill -TERM "${pid[$n]}" 2>/dev/null || true; done
  for n in "$@"; do
    p="${pid[$n]}"
    wait_until 60 "$n to exit after SIGTERM" "$n" bash -c "! kill -0 $p 2>/dev/null" || kill -9 "$p" 2>/dev/null || true
    stop_rc[$n]=0
    wait "$p" || stop_rc[$n]=$?
    stop_secs[$n]=$((SECONDS - t0))
    unset "pid[$n]"
  done
}
