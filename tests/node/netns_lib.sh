# A network namespace lab for cluster tests (source it; run as root).
# dependencies.md §7: hosts h1..hN with 10.200.0.1..N/24, each in its own
# namespace, plugged into one bridge that lives in a namespace of its own, so
# nothing is added to the root namespace and nothing is routed anywhere else.
#
#   lab_use PREFIX       name the lab's namespaces PREFIX-{br,h1,…} instead of
#                        the default kuralab-<pid>-… (scripts/netns-cluster: a
#                        fixed prefix that later invocations find again)
#   lab_up N             create the lab (the default prefix first removes stale
#                        labs and a lab of this shell; a lab_use prefix refuses
#                        when one of its namespaces exists already)
#   lab_exists           some namespace of this lab exists
#   lab_ip I             the address of host I (10.200.0.I)
#   on_host I CMD...     run CMD inside host I's namespace
#   lab_cut I / lab_heal I
#                        down / up host I's port on the bridge: a full cut of
#                        host I (its own address still answers inside its namespace)
#   lab_link_state I     UP or DOWN: host I's port on the bridge
#   lab_isolate I J / lab_rejoin I J
#                        drop the traffic between hosts I and J only (iptables
#                        DROP when iptables exists, else blackhole routes: then
#                        a sender gets an error at once instead of silence)
#   lab_down             kill what still runs in the lab's namespaces, delete them
#
# By default namespaces are named kuralab-<pid of the shell that sourced this>-{br,h1,…};
# interfaces are created inside those namespaces (bridge br0, ports pI, each
# host's eth0), never in the root namespace. Several labs (parallel tests) can
# exist at once: their addresses live in different namespaces. A lab whose
# shell is gone is stale; lab_up removes it (and the processes left inside it).
# Every function works on the lab named by lab_prefix, and touches only the
# namespaces PREFIX-br and PREFIX-hI.

lab_prefix="kuralab-$$"

# lab_use PREFIX: work on the lab PREFIX-{br,h1,…} from now on.
lab_use() {
  [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$ ]] || { echo "lab_use: a bad prefix: '$1'" >&2; return 1; }
  lab_prefix="$1"
}
lab_ns() { echo "$lab_prefix-h$1"; }
lab_br() { echo "$lab_prefix-br"; }
lab_ip() { echo "10.200.0.$1"; }
on_host() { local i="$1"; shift; ip netns exec "$(lab_ns "$i")" "$@"; }

# lab_kill_ns NS: kill -9 every process still inside namespace NS (only ever
# called on this harness's own namespaces), then delete it.
lab_kill_ns() {
  local p
  for p in $(ip netns pids "$1" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  ip netns del "$1" 2>/dev/null || true
}

# lab_clean_stale: delete labs whose creating shell no longer runs.
lab_clean_stale() {
  local ns owner
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^kuralab-[0-9]+-' || true); do
    owner="${ns#kuralab-}"; owner="${owner%%-*}"
    if [[ "$owner" != "$$" ]] && ! kill -0 "$owner" 2>/dev/null; then
      echo "netns lab: removing stale namespace $ns"
      lab_kill_ns "$ns"
    fi
  done
}

lab_up() {
  local n="$1" i br
  ((n >= 1 && n <= 250)) || { echo "lab_up: 1..250 hosts" >&2; return 1; }
  [[ $EUID -eq 0 ]] || { echo "lab_up: needs root (ip netns)" >&2; return 1; }
  if [[ "$lab_prefix" == "kuralab-$$" ]]; then
    lab_clean_stale
    lab_down  # a lab of this very shell from an earlier lab_up
  elif lab_exists; then
    echo "lab_up: namespaces of $lab_prefix exist already: $(lab_namespaces | paste -sd' ')" >&2
    return 1
  fi
  br="$(lab_br)"
  ip netns add "$br" || return 1
  ip -n "$br" link set lo up || return 1
  ip -n "$br" link add br0 type bridge || return 1
  ip -n "$br" link set br0 up || return 1
  for ((i = 1; i <= n; i++)); do
    ip netns add "$(lab_ns "$i")" || return 1
    ip -n "$(lab_ns "$i")" link set lo up || return 1
    ip -n "$br" link add "p$i" type veth peer name eth0 netns "$(lab_ns "$i")" || return 1
    ip -n "$br" link set "p$i" master br0 || return 1
    ip -n "$br" link set "p$i" up || return 1
    ip -n "$(lab_ns "$i")" addr add "$(lab_ip "$i")/24" dev eth0 || return 1
    ip -n "$(lab_ns "$i")" link set eth0 up || return 1
  done
  # Every host reaches every other one before the lab is handed over.
  for ((i = 2; i <= n; i++)); do
    lab_wait_reach 1 "$i" || { echo "lab_up: h1 cannot reach h$i" >&2; return 1; }
  done
}

# lab_wait_reach I J: host I can open a TCP connection towards host J (a refused
# connection counts: it proves the path), within 5 s.
lab_wait_reach() {
  on_host "$1" python3 - "$(lab_ip "$2")" <<'PY'
import socket, sys, time
end = time.time() + 5
while time.time() < end:
    try:
        socket.create_connection((sys.argv[1], 9), timeout=0.5).close()
        sys.exit(0)
    except ConnectionRefusedError:
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

lab_cut() { ip -n "$(lab_br)" link set "p$1" down; }
lab_heal() { ip -n "$(lab_br)" link set "p$1" up; }
lab_link_state() {
  if ip -n "$(lab_br)" -o link show "p$1" 2>/dev/null | grep -q '<[^>]*[<,]UP[,>]'; then echo UP; else echo DOWN; fi
}

lab_isolate() {
  local i="$1" j="$2"
  if command -v iptables > /dev/null; then
    on_host "$i" iptables -A INPUT -s "$(lab_ip "$j")" -j DROP
    on_host "$i" iptables -A OUTPUT -d "$(lab_ip "$j")" -j DROP
    on_host "$j" iptables -A INPUT -s "$(lab_ip "$i")" -j DROP
    on_host "$j" iptables -A OUTPUT -d "$(lab_ip "$i")" -j DROP
  else
    on_host "$i" ip route add blackhole "$(lab_ip "$j")/32"
    on_host "$j" ip route add blackhole "$(lab_ip "$i")/32"
  fi
}

lab_rejoin() {
  local i="$1" j="$2"
  if command -v iptables > /dev/null; then
    on_host "$i" iptables -D INPUT -s "$(lab_ip "$j")" -j DROP || true
    on_host "$i" iptables -D OUTPUT -d "$(lab_ip "$j")" -j DROP || true
    on_host "$j" iptables -D INPUT -s "$(lab_ip "$i")" -j DROP || true
    on_host "$j" iptables -D OUTPUT -d "$(lab_ip "$i")" -j DROP || true
  else
    on_host "$i" ip route del blackhole "$(lab_ip "$j")/32" || true
    on_host "$j" ip route del blackhole "$(lab_ip "$i")/32" || true
  fi
}

# lab_namespaces: the lab's namespaces that exist (PREFIX-br, PREFIX-hI; nothing else).
lab_namespaces() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${lab_prefix//./\\.}-(br|h[0-9]+)\$" || true
}
lab_exists() { [[ -n "$(lab_namespaces)" ]]; }

lab_down() {
  local ns
  for ns in $(lab_namespaces); do lab_kill_ns "$ns"; done
}

# ---- kura nodes in the lab. Every node listens on its host's address with the
# same ports (HTTP 8088, admin 8089, receiver 9997, replication 9887), tokens
# hec-1 and api-1 as lib.sh's node_toml. These helpers use the caller's globals:
# dir (homes, configs NAME.toml and logs NAME.log), node (kura-node), kura (the
# shell), pid and host (per node name: its process and host number), lab_client
# (the host the clients run on), lab_master and lab_sh (the master's and the
# search head's hosts); lib.sh's wait_until, and die.

lab_http=8088
lab_admin=8089
lab_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# lab_toml NAME HOME ROLE HOST SECRET [MASTER_HOST [MASTER SETTINGS...]]: a cluster
# node's config bound to 10.200.0.HOST. A master takes the settings as
# `key = value` lines ([clustering]); peers and search heads name
# 10.200.0.MASTER_HOST:8089.
lab_toml() {
  local name="$1" home="$2" role="$3" host="$4" secret="$5" master="${6:-}"
  shift 6 2>/dev/null || shift $#
  cat <<TOML
[node]
name = "$name"
home = "$home"
role = "$role"
bind = "$(lab_ip "$host")"
admin_port = $lab_admin
[http]
port = $lab_http
hec_tokens = ["hec-1"]
api_tokens = ["api-1"]
[receiver]
port = 9997
[clustering]
pass4SymmKey = "$secret"
TOML
  case "$role" in
    master) local kv; for kv in "$@"; do echo "$kv"; done ;;
    peer)
      echo "master_uri = \"$(lab_ip "$master"):$lab_admin\""
      echo "replication_port = 9887"
      echo "heartbeat_period = 0.5" ;;
    search_head) echo "master_uri = \"$(lab_ip "$master"):$lab_admin\"" ;;
  esac
}

# lab_get FROM HOST PATH [CURL ARGS...]: GET http://10.200.0.HOST:8088/PATH with the
# API token, run on host FROM (at most 10 s).
lab_get() {
  local from="$1" to="$2" path="$3"; shift 3
  on_host "$from" curl -s -m 10 -H 'Authorization: Bearer api-1' "$@" "http://$(lab_ip "$to"):$lab_http$path"
}

lab_addr() { echo "$(lab_ip "${host[$1]}"):$lab_http"; }  # lab_addr NAME: its HTTP host:port
lab_http_up() { [[ "$(lab_get "$lab_client" "${host[$1]}" /services/server/info -o /dev/null -w '%{http_code}')" == 200 ]]; }
# lab_start NAME: the node's process in its host's namespace (pid[NAME] is the
# node itself: ip netns exec execs it), until its HTTP server answers (30 s).
lab_start() {
  ip netns exec "$(lab_ns "${host[$1]}")" "$node" --config "$dir/$1.toml" >> "$dir/$1.log" 2>&1 &
  pid[$1]=$!
  wait_until 30 "$1 to answer HTTP" "$1" lab_http_up "$1" || die "$1 never answered HTTP"
}
# lab_stop_all: SIGCONT and SIGTERM to every node in pid, at most 10 s to exit, then kill -9.
lab_stop_all() {
  local all=("${pid[@]}") p alive
  for p in "${all[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 100); do
    alive=0
    for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for p in "${all[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}
# lab_watchdog SECONDS: SIGTERM to this shell after SECONDS (its TERM trap should
# exit, and its EXIT trap clean up); lab_watchdog_pid is the watchdog, to be
# killed when done (it also ends by itself within 1 s of this shell's end).
lab_watchdog_pid=""
lab_watchdog() {
  local limit="$1" me=$$
  (
    end=$((SECONDS + limit))
    while ((SECONDS < end)); do sleep 1; kill -0 "$me" 2>/dev/null || exit 0; done
    echo "time limit of $limit s reached: stopping" >&2
    kill -TERM "$me"
  ) &
  lab_watchdog_pid=$!
}

lab_info() { lab_get "$lab_client" "$lab_master" /services/cluster/master/info; }
lab_peers_doc() { lab_get "$lab_client" "$lab_master" /services/cluster/master/peers; }
# lab_jcheck DOC PYTHON-EXPR [ARGS...]: exit 0 when the expression over d (DOC parsed;
# ARGS are sys.argv[3:]) is true.
lab_jcheck() { python3 -c 'import json,sys
try: d = json.loads(sys.argv[1])
except ValueError: sys.exit(1)
sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"; }
# lab_peer_status NAME: its status in master/peers ("Up" when any entry of that
# name is Up: a peer that lost its disk comes back under a new GUID).
lab_peer_status() {
  lab_peers_doc | python3 -c 'import json,sys
try: st = [p["status"] for p in json.load(sys.stdin) if p["name"] == sys.argv[1]]
except ValueError: st = ["no answer"]
print("Up" if "Up" in st else (st[-1] if st else "absent"))' "$1"
}
lab_status_is() { [[ "$(lab_peer_status "$1")" == "$2" ]]; }
lab_valid() { lab_jcheck "$(lab_info)" 'd.get("valid") is True'; }
lab_complete() { lab_jcheck "$(lab_info)" 'd.get("valid") is True and d.get("complete") is True and d.get("fixup", {}).get("pending") == 0'; }
# lab_peers_up NAME...: each of these peers has an Up entry in master/peers.
lab_peers_up() {
  lab_jcheck "$(lab_peers_doc)" "{p['name'] for p in d if p['status'] == 'Up'} >= set(sys.argv[3:])" "$@"
}
# lab_kura NAME ARGS...: the kura shell against NAME's admin port, from the client host.
lab_kura() {
  local n="$1"; shift
  on_host "$lab_client" "$kura" --uri "$(lab_ip "${host[$n]}"):$lab_admin" --secret-file "$dir/secret" --timeout 30 "$@"
}
# lab_client_py ARGS...: chaos_client.py on the client host.
lab_client_py() { on_host "$lab_client" python3 "$lab_here/chaos_client.py" "$@"; }
# lab_check_summary CHECK_JSON: one line out of `chaos_client.py check`'s answer.
lab_check_summary() {
  python3 - "$1" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    sys.exit(print(f"no check result ({e})"))
line = (f"{r['found_acked']}/{r['acked_events']} acknowledged events found, {r['lost']} missing, "
        f"{r['bad_duplicates']} repeated, {r['resent_duplicates']} repeats of resent batches, "
        f"unacknowledged found {r['unacked_found']}/{r['unacked_events']}")
if r["lost"]: line += f"; missing e.g. {r['lost_ids'][:3]}"
if r["bad_duplicates"]: line += f"; repeated e.g. {r['bad_ids'][:3]}"
if r["stray"]: line += f"; {r['stray']} events of unknown batches"
if r["messages"]: line += "; messages " + json.dumps(r["messages"])[:400]
print(line)
PY
}
