#!/usr/bin/env bash
# The deployment files, checked without a container engine or systemd running
# (tests/deploy/compose_cluster_test.sh runs the cluster stack for real):
# - deploy/docker-compose.yml and deploy/docker-compose.cluster.yml with
#   `docker-compose config` (Debian's docker-compose); in the cluster file every
#   service has init: true and publishes ports on 127.0.0.1 only, the health
#   checks ask /services/server/health, and each peer's fixed address is the
#   bind of its config and the address its health check asks;
# - deploy/systemd/*.service with `systemd-analyze verify` (the built programs in
#   place of /usr/local/bin), failing on any warning;
# - deploy/Dockerfile builds with the packages scripts/setup installs, and what
#   it copies exists; deploy/Dockerfile.prebuilt installs the same runtime
#   packages, and its context (deploy/, filtered by deploy/.dockerignore) holds
#   what it copies (bin/ is filled by deploy/stage-binaries.sh);
# - the example configs pass kura-node --check and kura-forward --check.
set -euo pipefail
root="$1"
bin="$2"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

echo "== docker-compose config"
if command -v docker-compose > /dev/null; then
  (cd "$root/deploy" && docker-compose -f docker-compose.yml config -q)
  (cd "$root/deploy" && docker-compose -f docker-compose.yml config --services) | sort | tr '\n' ' ' | grep -qx "forwarder kura "
  (cd "$root/deploy" && docker-compose -f docker-compose.cluster.yml config -q)
  (cd "$root/deploy" && docker-compose -f docker-compose.cluster.yml config --services) | sort | tr '\n' ' ' |
    grep -qx "forwarder master peer1 peer2 peer3 search-head "
  (cd "$root/deploy" && docker-compose -f docker-compose.cluster.yml config) | python3 -c '
import re, sys, yaml
services = yaml.safe_load(sys.stdin)["services"]
bad = []
for name, s in services.items():
    if s.get("init") is not True: bad.append(f"{name}: no init: true")
    for p in s.get("ports", []):
        if not (p.get("host_ip") if isinstance(p, dict) else str(p).split(":")[0]) == "127.0.0.1":
            bad.append(f"{name}: port {p} not published on 127.0.0.1 only")
    if not name.startswith("peer"): continue
    addr = s["networks"]["kura"]["ipv4_address"]
    conf = [v.split(":")[0] for v in s["volumes"] if str(v).endswith(":/etc/kura/peer.toml:ro")]
    bind = re.search(r"^bind = \"([^\"]+)\"", open(conf[0]).read(), re.M).group(1) if conf else None
    if bind != addr: bad.append(f"{name}: bind {bind} in its config, ipv4_address {addr}")
    if f"http://{addr}:8088/services/server/health" not in s["healthcheck"]["test"]:
        bad.append(f"{name}: its health check does not ask {addr}:8088/services/server/health")
for name in ("master", "search-head"):
    if "http://127.0.0.1:8088/services/server/health" not in services[name]["healthcheck"]["test"]:
        bad.append(f"{name}: its health check does not ask /services/server/health")
if bad: sys.exit("docker-compose.cluster.yml: " + "; ".join(bad))
'
else
  echo "docker-compose is not installed: not checked"
fi

echo "== systemd-analyze verify"
if command -v systemd-analyze > /dev/null; then
  for unit in "$root"/deploy/systemd/*.service; do
    sed "s|/usr/local/bin/|$bin/|g" "$unit" > "$dir/$(basename "$unit")"
  done
  out="$(systemd-analyze verify "$dir"/*.service 2>&1)" || { echo "$out"; exit 1; }
  [[ -z "$out" ]] || { echo "systemd-analyze verify warned:"; echo "$out"; exit 1; }
else
  echo "systemd-analyze is not installed: not checked"
fi

echo "== Dockerfile"
# The build packages of scripts/setup (not the tools only tests and checks use).
setup_packages="$(sed -n '/^packages=(/,/^)/p' "$root/scripts/setup" | sed 's/#.*//' | tr ' ' '\n' | grep -E '^[a-z0-9.+-]+$' |
  grep -vE '^(ccache|curl|python3|docker-compose|docker.io|debootstrap|chromium|iproute2|procps)$' | sort -u)"
docker_packages="$(sed -n '/^FROM debian:12 AS build/,/^WORKDIR/p' "$root/deploy/Dockerfile" | tr ' \\' '\n\n' |
  grep -E '^[a-z0-9.+-]+$' | grep -vE '^(apt-get|update|install|y|rm|rf|debian:12|as|build|run|from)$' | sort -u)"
missing="$(comm -23 <(echo "$setup_packages") <(echo "$docker_packages"))"
[[ -z "$missing" ]] || { echo "packages of scripts/setup missing from the Dockerfile's build stage: $missing"; exit 1; }
grep -E '^COPY [a-z]' "$root/deploy/Dockerfile" | grep -v -- '--from' | while read -r _ src _; do
  [[ -e "$root/$src" ]] || { echo "Dockerfile copies $src, which does not exist"; exit 1; }
done
# runtime_packages FILE: what the stage FROM debian:12-slim installs.
runtime_packages() {
  sed -n '/^FROM debian:12-slim/,/^ && rm -rf/p' "$1" | tr ' \\' '\n\n' | grep -E '^[a-z0-9][a-z0-9.+-]*$' |
    grep -vE '^(apt-get|update|install|rm|as|runtime|run|from)$' | sort -u
}
[[ "$(runtime_packages "$root/deploy/Dockerfile")" == "$(runtime_packages "$root/deploy/Dockerfile.prebuilt")" ]] || {
  echo "the runtime packages of deploy/Dockerfile and deploy/Dockerfile.prebuilt differ:"
  diff <(runtime_packages "$root/deploy/Dockerfile") <(runtime_packages "$root/deploy/Dockerfile.prebuilt"); exit 1; }
[[ -n "$(runtime_packages "$root/deploy/Dockerfile.prebuilt")" ]] || { echo "Dockerfile.prebuilt: no runtime packages found"; exit 1; }
grep -E '^COPY [a-z]' "$root/deploy/Dockerfile.prebuilt" | while read -r _ line; do
  for src in ${line% *}; do
    grep -qx "!$src" "$root/deploy/.dockerignore" || { echo "Dockerfile.prebuilt copies $src, which deploy/.dockerignore leaves out"; exit 1; }
    [[ $src == bin/* || -e "$root/deploy/$src" ]] || { echo "Dockerfile.prebuilt copies $src, which does not exist"; exit 1; }
  done
done

echo "== example configs"
KURA_HOME="$dir/home" "$bin/kura-node" --config "$root/deploy/compose/node.toml" --check
KURA_HOME="$dir/home" "$bin/kura-forward" --config "$root/deploy/compose/forwarder.toml" --check
# The cluster examples name /etc/kura/pass4SymmKey: check them with a secret file of their own.
echo "example-cluster-secret" > "$dir/secret"
for role in master peer search_head; do
  sed "s|/etc/kura/pass4SymmKey|$dir/secret|" "$root/deploy/cluster/$role.toml" > "$dir/$role.toml"
  KURA_HOME="$dir/home" "$bin/kura-node" --config "$dir/$role.toml" --check
done
# The compose cluster's configs, with the secret they mount.
for conf in "$root"/deploy/compose/cluster-{master,peer1,peer2,peer3,search-head}.toml; do
  sed "s|/etc/kura/pass4SymmKey|$root/deploy/compose/cluster-pass4SymmKey|" "$conf" > "$dir/$(basename "$conf")"
  KURA_HOME="$dir/home" "$bin/kura-node" --config "$dir/$(basename "$conf")" --check
done
KURA_HOME="$dir/home" "$bin/kura-forward" --config "$root/deploy/compose/cluster-forwarder.toml" --check
echo "deployment files checked"
