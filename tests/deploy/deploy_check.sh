#!/usr/bin/env bash
# The deployment files, checked without a container engine or systemd running:
# - deploy/docker-compose.yml with `docker-compose config` (Debian's docker-compose);
# - deploy/systemd/*.service with `systemd-analyze verify` (the built programs in
#   place of /usr/local/bin), failing on any warning;
# - deploy/Dockerfile builds with the packages scripts/setup installs, and what
#   it copies exists;
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
  grep -vE '^(ccache|curl|python3|docker-compose|chromium|iproute2|procps)$' | sort -u)"
docker_packages="$(sed -n '/^FROM debian:12 AS build/,/^WORKDIR/p' "$root/deploy/Dockerfile" | tr ' \\' '\n\n' |
  grep -E '^[a-z0-9.+-]+$' | grep -vE '^(apt-get|update|install|y|rm|rf|debian:12|as|build|run|from)$' | sort -u)"
missing="$(comm -23 <(echo "$setup_packages") <(echo "$docker_packages"))"
[[ -z "$missing" ]] || { echo "packages of scripts/setup missing from the Dockerfile's build stage: $missing"; exit 1; }
grep -E '^COPY [a-z]' "$root/deploy/Dockerfile" | grep -v -- '--from' | while read -r _ src _; do
  [[ -e "$root/$src" ]] || { echo "Dockerfile copies $src, which does not exist"; exit 1; }
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
echo "deployment files checked"
