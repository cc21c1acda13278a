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
