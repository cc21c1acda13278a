#!/usr/bin/env bash
# kura-node --check: exit 0 and a summary for a valid file; exit 2 and an
# error naming file, line and key on stderr for an invalid one; exit 2 for a
# missing file. Runs the real program.
set -euo pipefail
node="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

cat > "$dir/good.toml" <<TOML
[node]
name = "standalone1"
home = "$dir/home"
[indexes.web]
maxDataSize = "auto"
TOML
out="$("$node" --config "$dir/good.toml" --check)"
echo "$out"
[[ "$out" == "config OK: $dir/good.toml (node standalone1, role standalone, home $dir/home, 1 indexes configured, 0 sourcetypes)" ]]

printf '[node]\nhome = "/k"\nrole = "boss"\n' > "$dir/bad.toml"
set +e
"$node" --config "$dir/bad.toml" --check 2> "$dir/err"
rc=$?
set -e
cat "$dir/err"
[[ $rc -eq 2 ]]
grep -qx "error: $dir/bad.toml:3:8: \[node\] role: expected one of standalone, master, peer, search_head" "$dir/err"

set +e
"$node" --config "$dir/missing.toml" --check 2> "$dir/err"
rc=$?
set -e
[[ $rc -eq 2 ]]
grep -q "no such file $dir/missing.toml" "$dir/err"
# Without --config the embedded default is checked.
"$node" --check | grep -q "^config OK: (embedded default) (node standalone, role standalone"
set +e
"$node" --bogus 2> /dev/null
rc=$?
set -e
[[ $rc -eq 2 ]]
echo "1 passed, 0 failed"
