#!/usr/bin/env bash
# deploy/docker-compose.cluster.yml run for real (dependencies.md §7), as root on a
# machine where scripts/setup installed docker.io, debootstrap and docker-compose:
# 0. dockerd: started here when none answers, and then stopped at the end;
# 1. the base images debian:12-slim and debian:12, when missing: imported from a
#    debootstrap (minbase) tarball kept in /var/cache/kura-ci (made on the first
#    run, about 2 min; no registry is reachable);
# 2. a copy of deploy/ in a temporary folder (the compose file, Dockerfile.prebuilt,
#    compose/, logs/, and bin/ filled by deploy/stage-binaries.sh from BUILD_NET_DIR);
#    the image built by `docker-compose build` (Dockerfile.prebuilt's runtime stage
#    stays tagged kura-ci/runtime:bookworm, a cache for the next run);
# 3. `docker-compose up -d`: the master is indexing_ready with 3 peers Up;
# 4. N log lines (KURA_COMPOSE_LINES, 3000) with unique ids go into logs/: through the
#    search head, `search index=main | stats count` is exactly N, so is the count of
#    the run's token, and 5 of the ids are found once each (host compose-forwarder);
#    the master lists main's buckets with 3 copies each, 2 searchable;
# 5. `docker kill` of peer3: the master marks it Down (heartbeat_timeout 10 s in
#    compose/cluster-master.toml) and the cluster is valid again; the search head
#    still counts exactly N (replication_factor 3, search_factor 2).
# Teardown (trap): `down -v`, the image, dockerd when started here, and the host's
# networking as it was before (docker0, docker's iptables chains and rules, the
# FORWARD policy, ip_forward, bridge-nf-call-*), checked: later namespace tests
# must not find a DROP policy. Published ports: free ones on 127.0.0.1.
# Needs root and the tools (exit 77: skipped otherwise). Every wait is bounded and
# the test stops itself after KURA_COMPOSE_LIMIT seconds (default 600: a first run
# spends 2-4 min in debootstrap; later runs take about 1.5 min).
# KURA_KEEP_TEST_DIR=1 keeps the folder (container logs are printed on failure).
set -euo pipefail
net_dir="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lines="${KURA_COMPOSE_LINES:-3000}"
limit="${KURA_COMPOSE_LIMIT:-600}"
cache=/var/cache/kura-ci
token="change-me-api-token"   # compose/cluster-*.toml
skip() { echo "compose cluster test: $*; skipped"; exit 77; }

[[ $EUID -eq 0 ]] || skip "needs root (dockerd, iptables)"
for tool in dockerd docker-compose debootstrap iptables ip curl python3; do
  command -v "$tool" > /dev/null || skip "no $tool (scripts/setup installs it)"
done
# Debian's CLI (20.10, as dockerd): /usr/local/bin/docker may be a newer one without buildx.
docker_cli=/usr/bin/docker
[[ -x $docker_cli ]] || docker_cli="$(command -v docker)" || skip "no docker CLI"
docker() { timeout 120 "$docker_cli" "$@"; }

dir="$(mktemp -d)"
chmod 755 "$dir"
run="ct$$$RANDOM"
project="kuraci$$"
image="kura-ci:$$"
runtime_cache="kura-ci/runtime:bookworm"
dockerd_pid=""
started=$SECONDS
failures=()
watchdog_pid=""
declare -A net_before=()

pass() { echo "PASS: $* ($((SECONDS - started)) s)"; }
fail() { echo "FAIL: $*"; failures+=("$*"); }
die() { fail "$*"; exit 1; }
compose() {
  COMPOSE_PROJECT_NAME="$project" KURA_IMAGE="$image" KURA_MASTER_PORT="$master_port" \
    KURA_SEARCH_PORT="$search_port" timeout 300 docker-compose -f "$dir/deploy/docker-compose.cluster.yml" "$@"
}

# umount_under DIR: what debootstrap may have left mounted inside DIR (deepest
# first), before DIR is deleted.
umount_under() {
  awk -v d="$1" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" || true; done
}

# ---------------------------------------------------------------- networking
# What dockerd changes on the host, recorded before it starts.
net_snapshot() {
  net_before[ip_forward]="$(cat /proc/sys/net/ipv4/ip_forward)"
  net_before[forward_policy]="$(iptables -S FORWARD | awk '$1 == "-P" {print $3}')"
  net_before[filter]="$(iptables -t filter -S)"
  net_before[nat]="$(iptables -t nat -S)"
  local f
  for f in /proc/sys/net/bridge/bridge-nf-call-ip*tables; do
    if [[ -e $f ]]; then net_before[$f]="$(cat "$f")"; fi
  done
}

# net_restore: removes docker0, every rule that jumps to docker's chains or names
# its bridges (docker0, br-<id>) or our subnet, docker's chains, and puts back the
# FORWARD policy, ip_forward and bridge-nf-call-*; then compares with the snapshot.
net_restore() {
  local t rule chain f ok=0
  local -a words
  ip link show docker0 > /dev/null 2>&1 && ip link del docker0
  for t in filter nat; do
    while IFS= read -r rule; do
      read -r -a words <<< "$rule"
      words[0]="-D"
      iptables -t "$t" "${words[@]}" || true
    done < <(iptables -t "$t" -S | grep -E '^-A ' | grep -vE '^-A DOCKER' |
               grep -E 'DOCKER|docker0|br-[0-9a-f]{12}|10\.187\.0\.0/24' || true)
    for chain in $(iptables -t "$t" -S | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}'); do
      iptables -t "$t" -F "$chain"
    done
    for chain in $(iptables -t "$t" -S | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}'); do
      iptables -t "$t" -X "$chain"
    done
  done
  iptables -P FORWARD "${net_before[forward_policy]}"
  echo "${net_before[ip_forward]}" > /proc/sys/net/ipv4/ip_forward
  for f in /proc/sys/net/bridge/bridge-nf-call-ip*tables; do
    if [[ -n "${net_before[$f]:-}" ]]; then echo "${net_before[$f]}" > "$f"; fi
  done
  [[ "$(iptables -t filter -S)" == "${net_before[filter]}" ]] || { echo "filter rules differ:"; iptables -S; ok=1; }
  [[ "$(iptables -t nat -S)" == "${net_before[nat]}" ]] || { echo "nat rules differ:"; iptables -t nat -S; ok=1; }
  ! ip link show docker0 > /dev/null 2>&1 || { echo "docker0 is still there"; ok=1; }
  return $ok
}

# ---------------------------------------------------------------- teardown
show_containers() {
  echo "---- containers"
  compose ps 2>&1 || true
  local s
  for s in master peer1 peer2 peer3 search-head forwarder; do
    echo "---- last lines of $s"
    compose logs --no-color --tail 30 "$s" 2>&1 | tail -n 30 || true
  done
}

cleanup() {
  local rc=$? t0=$SECONDS
  trap - EXIT TERM INT
  if [[ -n "$watchdog_pid" ]]; then kill "$watchdog_pid" 2> /dev/null || true; fi
  if [[ -n "${master_port:-}" ]] && "$docker_cli" info > /dev/null 2>&1; then
    [[ $rc -ne 0 || ${#failures[@]} -gt 0 ]] && show_containers
    compose down -v --remove-orphans -t 10 > "$dir/down.log" 2>&1 || { cat "$dir/down.log"; rc=1; }
    echo "docker-compose down -v: $((SECONDS - t0)) s"
    # whatever down left (it stops at the first error)
    docker ps -aq --filter "label=com.docker.compose.project=$project" | xargs -r "$docker_cli" rm -f > /dev/null || true
    docker network ls -q --filter "label=com.docker.compose.project=$project" | xargs -r "$docker_cli" network rm > /dev/null || true
    docker volume ls -q --filter "label=com.docker.compose.project=$project" | xargs -r "$docker_cli" volume rm > /dev/null || true
    # the image; its runtime stage stays as $runtime_cache
    docker image inspect "$image" > /dev/null 2>&1 && { docker rmi "$image" > /dev/null || rc=1; }
  fi
  if [[ -n "$dockerd_pid" ]]; then
    kill -TERM "$dockerd_pid" 2> /dev/null || true
    for _ in $(seq 150); do kill -0 "$dockerd_pid" 2> /dev/null || break; sleep 0.2; done
    kill -0 "$dockerd_pid" 2> /dev/null && { echo "dockerd did not stop in 30 s: kill -9"; kill -9 "$dockerd_pid"; }
    wait "$dockerd_pid" 2> /dev/null || true
    echo "dockerd stopped: $((SECONDS - t0)) s"
    if net_restore; then echo "dockerd stopped, the host's networking is as before"
    else echo "FAIL: the host's networking differs from before dockerd started"; rc=1; fi
  fi
  echo "teardown: $((SECONDS - t0)) s"
  umount_under "$dir"
  if [[ -n "${KURA_KEEP_TEST_DIR:-}" ]]; then echo "kept $dir"; else rm -rf "$dir"; fi
  if ((${#failures[@]})); then
    echo "compose cluster test: ${#failures[@]} check(s) failed:"; printf '  - %s\n' "${failures[@]}"
    rc=1
  fi
  [[ $rc -eq 0 ]] && echo "compose cluster test passed in $SECONDS s"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "compose cluster test: stopped by a signal"; exit 124' TERM INT
me=$$
(
  end=$((SECONDS + limit))
  while ((SECONDS < end)); do sleep 1; kill -0 "$me" 2> /dev/null || exit 0; done
  echo "time limit of $limit s reached: stopping" >&2
  kill -TERM "$me"
) &
watchdog_pid=$!

# wait_for SECONDS WHAT COMMAND...: poll COMMAND every 0.5 s until it succeeds.
wait_for() {
  local secs="$1" what="$2"; shift 2
  local end=$((SECONDS + secs))
  while ((SECONDS < end)); do
    "$@" && return 0
    sleep 0.5
  done
  echo "timed out after $secs s waiting for: $what"
  return 1
}

# ---------------------------------------------------------------- 0. dockerd
echo "== 0. dockerd"
if "$docker_cli" info > /dev/null 2>&1; then
  echo "a Docker engine answers already: using it (and leaving it running)"
else
  net_snapshot
  dockerd > "$dir/dockerd.log" 2>&1 &
  dockerd_pid=$!
  wait_for 30 "dockerd to answer" "$docker_cli" info > /dev/null 2>&1 || { cat "$dir/dockerd.log"; die "dockerd did not start"; }
  pass "dockerd started (pid $dockerd_pid)"
fi

# The stacks of earlier runs whose shell is gone (killed before its teardown):
# their containers, networks, volumes and image; the fixed subnet allows one stack.
for p in $( (docker ps -a --format '{{.Label "com.docker.compose.project"}}'
             docker network ls --format '{{.Label "com.docker.compose.project"}}'
             docker volume ls --format '{{.Label "com.docker.compose.project"}}') | grep -E '^kuraci[0-9]+$' | sort -u); do
  grep -qs compose_cluster_test "/proc/${p#kuraci}/cmdline" &&
    die "another compose cluster test runs ($p): they would share the subnet"
  echo "removing the stack of an earlier run: $p"
  docker ps -aq --filter "label=com.docker.compose.project=$p" | xargs -r "$docker_cli" rm -f > /dev/null || true
  docker network ls -q --filter "label=com.docker.compose.project=$p" | xargs -r "$docker_cli" network rm > /dev/null || true
  docker volume ls -q --filter "label=com.docker.compose.project=$p" | xargs -r "$docker_cli" volume rm > /dev/null || true
  docker rmi "kura-ci:${p#kuraci}" > /dev/null 2>&1 || true
done

# ---------------------------------------------------------------- 1. base images
echo "== 1. base images debian:12-slim, debian:12"
tarball="$cache/debian-bookworm-minbase.tar"
if ! docker image inspect debian:12-slim > /dev/null 2>&1; then
  if [[ ! -s $tarball ]]; then
    mirror="$(awk '$1 == "URIs:" {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2> /dev/null || true)"
    mirror="${mirror:-http://deb.debian.org/debian}"
    echo "debootstrap --variant=minbase bookworm from $mirror (about 2 min, once)"
    mkdir -p "$cache"
    rootfs="$dir/rootfs"
    if ! timeout 420 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$dir/debootstrap.log" 2>&1; then
      umount_under "$rootfs"
      tail -n 30 "$dir/debootstrap.log"
      die "debootstrap failed"
    fi
    chroot "$rootfs" apt-get clean
    rm -rf "$rootfs"/var/lib/apt/lists/*
    umount_under "$rootfs"
    tar --numeric-owner -C "$rootfs" -cf "$tarball.part" .
    mv "$tarball.part" "$tarball"
    rm -rf "$rootfs"
  fi
  docker import "$tarball" debian:12-slim > /dev/null
  docker tag debian:12-slim debian:12
  pass "debian:12-slim and debian:12 imported from $tarball"
else
  echo "debian:12-slim is there"
fi

# ---------------------------------------------------------------- 2. the image
echo "== 2. the image, from $net_dir"
mkdir -p "$dir/deploy/logs"
cp -r "$root/deploy/docker-compose.cluster.yml" "$root/deploy/Dockerfile.prebuilt" "$root/deploy/.dockerignore" \
  "$root/deploy/compose" "$dir/deploy/"
chmod 755 "$dir/deploy/logs"
# A rebuild may be replacing the programs right now: retry for a while.
wait_for 120 "the programs in $net_dir" "$root/deploy/stage-binaries.sh" "$net_dir" "$dir/deploy/bin" ||
  die "the programs are missing from $net_dir"
read -r master_port search_port < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)
old_cache="$(docker image inspect -f '{{.Id}}' "$runtime_cache" 2> /dev/null || true)"
DOCKER_BUILDKIT=0 timeout 300 "$docker_cli" build -q --target runtime -t "$runtime_cache" -f "$dir/deploy/Dockerfile.prebuilt" \
  "$dir/deploy" > "$dir/build.log" 2>&1 || { cat "$dir/build.log"; die "the runtime stage did not build"; }
new_cache="$(docker image inspect -f '{{.Id}}' "$runtime_cache")"
[[ -n $old_cache && $old_cache != "$new_cache" ]] && { docker rmi "$old_cache" > /dev/null 2>&1 || true; }
compose build > "$dir/build.log" 2>&1 || { cat "$dir/build.log"; die "docker-compose build failed"; }
pass "image $image built (runtime stage ${new_cache:7:12}$([[ $old_cache == "$new_cache" ]] && echo ", cached"))"

# ---------------------------------------------------------------- 3. up
echo "== 3. docker-compose up -d (master on 127.0.0.1:$master_port, search head on 127.0.0.1:$search_port)"
get() { curl -s -m 10 -H "Authorization: Bearer $token" "http://127.0.0.1:$1$2"; }
# jcheck DOC PYTHON-EXPR [ARGS...]: exit 0 when the expression over d (DOC parsed) is true.
jcheck() { python3 -c 'import json,sys
try: d = json.loads(sys.argv[1])
except ValueError: sys.exit(1)
sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"; }
info() { get "$master_port" /services/cluster/master/info; }
peers() { get "$master_port" /services/cluster/master/peers; }
cluster_ready() {
  jcheck "$(info)" 'd.get("indexing_ready") is True and d.get("peers_up") == 3' &&
    jcheck "$(peers)" 'sorted(p["name"] for p in d if p["status"] == "Up") == ["peer1", "peer2", "peer3"]'
}
compose up -d > "$dir/up.log" 2>&1 || { cat "$dir/up.log"; die "docker-compose up -d failed"; }
pass "docker-compose up -d returned (the peers healthy, the forwarder started)"
wait_for 120 "the master: indexing_ready, 3 peers Up" cluster_ready || die "the cluster did not become ready"
pass "master: indexing_ready, peers_up 3, peer1..3 Up"
healthy() { [[ "$("$docker_cli" inspect -f '{{.State.Health.Status}}' "$(compose ps -q "$1")")" == healthy ]]; }
for s in master search-head; do
  wait_for 60 "$s healthy" healthy "$s" || fail "$s is not healthy"
done
if [[ "$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://127.0.0.1:$search_port/services/server/health")" == 200 ]]; then
  pass "master and search head healthy, /services/server/health 200 without a token"
else
  fail "the search head's /services/server/health is not 200"
fi

# ---------------------------------------------------------------- 4. logs
echo "== 4. $lines log lines through the forwarder"
python3 - "$dir/deploy/logs/compose-test.log" "$lines" "$run" <<'PY'
# Each line starts with its timestamp (an event of its own) and carries the run's
# token and a unique id: <run>x<seq>.
import sys, time
path, n, run = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t0 = time.time() - n / 1000
with open(path + ".part", "w") as out:
    for i in range(n):
        t = t0 + i / 1000
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}+00:00"
        out.write(f"{stamp} composetest run={run} id={run}x{i:06d} user=u{i % 17} status={200 + i % 3} bytes={i * 7 % 5000}\n")
import os
os.rename(path + ".part", path)
PY
t_write=$SECONDS
export_search() {  # export_search QUERY: the search head's export answer (JSON lines)
  curl -s -m 60 -H "Authorization: Bearer $token" --data-urlencode "search=$1" -d output_mode=json \
    "http://127.0.0.1:$search_port/services/search/jobs/export"
}
# count_is QUERY N: `QUERY | stats count` is N, with no message in the answer.
count_is() {
  export_search "$1 | stats count" > "$dir/count.out" || true
  python3 - "$dir/count.out" "$2" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
counts = [r["result"].get("count") for r in rows if "result" in r]
notes = [r for r in rows if "result" not in r]
got = counts[0] if len(counts) == 1 else counts
open(sys.argv[1] + ".got", "w").write(f"{got}" + (f", messages {json.dumps(notes)[:400]}" if notes else ""))
sys.exit(0 if str(got) == sys.argv[2] and not notes else 1)
PY
}
if wait_for 120 "the search head to count $lines events" count_is "search index=main" "$lines"; then
  pass "search head: search index=main | stats count = $lines, $((SECONDS - t_write)) s after the write"
else
  die "search head: search index=main | stats count = $(cat "$dir/count.out.got" 2> /dev/null) after 120 s, expected $lines"
fi
if count_is "index=main $run" "$lines"; then pass "search head: the run's token counts $lines"
else fail "search head: index=main $run | stats count = $(cat "$dir/count.out.got"), expected $lines"; fi
ids_ok=0
for i in 0 1 $((lines / 2)) $((lines - 2)) $((lines - 1)); do
  id="$(printf '%sx%06d' "$run" "$i")"
  export_search "index=main $id" > "$dir/id.out" || true
  if python3 - "$dir/id.out" "$id" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
res = [r["result"] for r in rows if "result" in r]
ok = (len(res) == 1 == len(rows) and f"id={sys.argv[2]} " in res[0].get("_raw", "")
      and res[0].get("host") == "compose-forwarder" and res[0].get("sourcetype") == "compose")
if not ok: print(f"id {sys.argv[2]}: {json.dumps(rows)[:600]}")
sys.exit(0 if ok else 1)
PY
  then ids_ok=$((ids_ok + 1)); fi
done
if [[ $ids_ok == 5 ]]; then pass "5 ids found once each (host compose-forwarder, sourcetype compose)"
else fail "$ids_ok of 5 ids found exactly once (above)"; fi

# Before a peer goes: the master knows main's buckets, each with a copy on every
# peer and two of them searchable.
replicated() {
  jcheck "$(get "$master_port" /services/cluster/master/buckets)" \
    'any(b["index"] == "main" for b in d) and all(len({c["guid"] for c in b["copies"]}) == 3 and
     sum(1 for c in b["copies"] if c["searchable"]) >= 2 for b in d if b["index"] == "main")'
}
if wait_for 60 "main's buckets with 3 copies, 2 searchable" replicated; then
  pass "master: main's buckets have 3 copies each, 2 searchable"
else
  die "master: main's buckets are not replicated: $(get "$master_port" /services/cluster/master/buckets | head -c 1500)"
fi

# ---------------------------------------------------------------- 5. a peer killed
echo "== 5. docker kill peer3"
peer3="$(compose ps -q peer3)"
t_kill=$SECONDS
docker kill "$peer3" > /dev/null
peer3_down() { jcheck "$(peers)" '[p["status"] for p in d if p["name"] == "peer3"] == ["Down"]'; }
wait_for 60 "the master to mark peer3 Down" peer3_down || die "peer3 is not Down: $(peers)"
pass "master: peer3 Down $((SECONDS - t_kill)) s after the kill"
valid_again() { jcheck "$(info)" 'd.get("valid") is True and d.get("peers_up") == 2'; }
wait_for 90 "the cluster to be valid again" valid_again || die "the cluster is not valid again: $(info)"
pass "master: valid with 2 peers Up, $((SECONDS - t_kill)) s after the kill"
[[ "$("$docker_cli" inspect -f '{{.State.Running}}' "$peer3")" == false ]] ||
  fail "peer3 runs again (the restart policy restarted it): the check above did not test a lost peer"
if wait_for 60 "the search head to count $lines events without peer3" count_is "search index=main" "$lines"; then
  pass "search head without peer3: search index=main | stats count = $lines"
else
  fail "search head without peer3: $(cat "$dir/count.out.got" 2> /dev/null), expected $lines"
fi
