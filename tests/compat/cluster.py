"""The compatibility suite's cluster fixture: a master, three peers (replication_factor 3,
search_factor 2) and a search head, each a kura-node process of its own on 127.0.0.1. The
generated events go over HEC to the peers, event i to peer i mod 3 (so the peers' events
interleave in time, and a search head that merges out of time order shows it), in requests of
200 events to one peer each, acknowledged. Half-way, every peer rolls its hot buckets
(`kura roll-hot-buckets`), so the first half lies in warm buckets with two searchable copies
(a search head counting a copy that is not the primary counts twice) and the second half in hot
ones. The fixture is ready when the search head counts every event exactly once and the peers'
direct searches see the rolled events twice. The cases then run through the search head (its
HTTP port is the state's "http", as the single node's is).

The configs are those of tests/node/lib.sh's cluster_toml; the lookup file users.csv is in the
search head's own lookups directories only (the peers have none).
"""
import json
import os
import subprocess
import time
import uuid

import compat
import data

PEERS = ("peer1", "peer2", "peer3")
HEC_BATCH = 200  # events a HEC request
ACK_TIMEOUT_SECS = 30
SECRET = "compat-cluster-secret"


def cluster_toml(name, home, role, http, admin, receiver, secret, master_admin=None, replication=None):
    args = [name, home, role, str(http), str(admin), str(receiver), secret]
    args += [str(a) for a in (master_admin, replication) if a is not None]
    return subprocess.run(["bash", "-c", f'source "{compat.LIB_SH}"; cluster_toml "$@"', "-", *args],
                          check=True, capture_output=True, text=True, timeout=30).stdout


def get_json(port, path):
    """The JSON document at path, or None."""
    try:
        status, text = compat.request(port, path, None, {"Authorization": "Bearer api-1"}, timeout=5)
        return json.loads(text) if status == 200 else None
    except (OSError, ValueError):
        return None


def ready(state):
    """The master can index with 3 peers Up, and the search head sees its generation with them."""
    info = get_json(state["master_http"], "/services/cluster/master/info")
    gen = get_json(state["http"], "/services/cluster/searchhead/generation")
    if not info or not gen:
        return False
    return (info.get("indexing_ready") is True and info.get("peers_up") == 3 and len(gen) == 1
            and gen[0].get("reachable") is True and gen[0].get("generation") == info.get("generation")
            and sorted(p.get("name") for p in gen[0].get("peers", [])) == list(PEERS))


def send_acknowledged(port, body, die):
    """One HEC request to the peer on port, on a channel of its own, polled on /ack until true.
    A peer that is busy (503, code 9: the cluster cannot index yet) is asked again."""
    headers = {"Authorization": "Splunk hec-1", "X-Splunk-Request-Channel": str(uuid.uuid4())}
    end = time.time() + ACK_TIMEOUT_SECS
    while True:
        try:
            status, text = compat.request(port, "/services/collector/event", body, headers, 30)
        except OSError as e:
            status, text = None, str(e)
        if status == 200:
            break
        if status != 503 or time.time() > end:
            die(f"HEC to port {port} answered {status}: {text[:300]}")
        time.sleep(0.2)
    try:
        ack = json.loads(text)["ackId"]
    except (ValueError, KeyError):
        die(f"HEC to port {port} gave no ackId on a channel: {text[:300]}")
    while time.time() < end:
        try:
            status, text = compat.request(port, "/services/collector/ack", json.dumps({"acks": [ack]}).encode(),
                                          headers, 10)
            if status == 200 and json.loads(text)["acks"].get(str(ack)) is True:
                return
        except (OSError, ValueError, KeyError, AttributeError):
            pass
        time.sleep(0.05)
    die(f"ack {ack} of port {port} not true after {ACK_TIMEOUT_SECS} s")


def batches(events):
    """[(peer index, events of one request)]: event i goes to peer i mod 3, in requests of
    HEC_BATCH events, the peers in turn."""
    per_peer = [events[p::len(PEERS)] for p in range(len(PEERS))]
    out = []
    for i in range(0, max(map(len, per_peer)), HEC_BATCH):
        out += [(p, evs[i:i + HEC_BATCH]) for p, evs in enumerate(per_peer) if evs[i:i + HEC_BATCH]]
    return out


def roll_hot_buckets(kura, state, die):
    """`kura roll-hot-buckets` on every peer."""
    for name, admin in zip(PEERS, state["peer_admin"]):
        try:
            r = subprocess.run([kura, "--uri", f"127.0.0.1:{admin}", "--secret-file", state["secret_file"],
                                "--timeout", "30", "roll-hot-buckets"], capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            die(f"kura roll-hot-buckets on {name} did not end within 60 s")
        if r.returncode != 0:
            die(f"kura roll-hot-buckets on {name}: exit {r.returncode}: {(r.stdout + r.stderr)[:300]}")


def settled(info):
    """master/info: valid and complete, no fixup task left."""
    return bool(info) and info.get("valid") is True and info.get("complete") is True \
        and info.get("fixup", {}).get("pending") == 0


def wait_two_copies(state, events, rolled, die):
    """Until the peers' direct searches (each covers all of its searchable copies) together count
    at least every event once and the rolled ones twice (search factor 2), and the master says
    the cluster is settled (so no search warns of a bucket between copies), at most 60 s."""
    want = len(events) + rolled
    end, got, info = time.time() + 60, None, None
    while time.time() < end:
        got = [compat.count_of(h, "index=main") for h in state["peer_http"]]
        info = get_json(state["master_http"], "/services/cluster/master/info")
        if None not in got and sum(got) >= want and settled(info):
            return
        time.sleep(0.2)
    die(f"after 60 s the peers' direct counts are {got} (at least {want} together expected: {rolled} rolled "
        f"events with two searchable copies), master/info {info}")


def wait_search_head_clean(state, die):
    """Until a search through the search head answers with no message at all, at most 60 s: the
    search head polls the master, so it may still hold the view from before the last fixup (and
    warn that a bucket has no searchable copy) after the master itself says the cluster is
    settled."""
    end, last = time.time() + 60, None
    while time.time() < end:
        try:
            status, text = compat.export(state["http"], "index=main | stats count", timeout=10)
        except OSError as e:
            status, text = None, str(e)
        if status == 200:
            _, messages = compat.parse_json_export(text)
            if not messages:
                return
            last = messages
        else:
            last = (status, text[:200])
        time.sleep(0.2)
    die(f"after 60 s a search through the search head still answers {last}")


def setup(node, state_dir, kura=None):
    """Start the cluster, ingest every event, wait until the search head counts each exactly once.
    Returns the state dict; on failure stops every node and raises SystemExit with the reason and
    the nodes' logs."""
    kura = kura or os.path.join(os.path.dirname(os.path.abspath(node)), "kura")
    if not os.access(kura, os.X_OK):
        raise SystemExit(f"compat cluster setup: no kura shell at {kura} (give --kura)")
    compat.fresh_dir(state_dir)
    ports = compat.free_ports(3 + 4 * len(PEERS) + 3)
    secret = SECRET
    mh, ma, mr = ports[:3]
    sh, sa, sr = ports[-3:]
    tomls = {"master": cluster_toml("master", os.path.join(state_dir, "master"), "master", mh, ma, mr, secret)}
    peer_http, peer_admin = [], []
    for i, name in enumerate(PEERS):
        h, a, r, rep = ports[3 + 4 * i:7 + 4 * i]
        tomls[name] = cluster_toml(name, os.path.join(state_dir, name), "peer", h, a, r, secret, ma, rep)
        peer_http.append(h)
        peer_admin.append(a)
    tomls["sh"] = cluster_toml("sh", os.path.join(state_dir, "sh"), "search_head", sh, sa, sr, secret, ma)
    compat.write_lookups(os.path.join(state_dir, "sh"))
    secret_file = os.path.join(state_dir, "secret")
    with open(secret_file, "w") as f:
        f.write(secret + "\n")
    state = {"cluster": True, "dir": state_dir, "http": sh, "master_http": mh, "peer_http": peer_http,
             "peer_admin": peer_admin, "secret_file": secret_file, "procs": []}
    for name in ("master", *PEERS, "sh"):
        toml = os.path.join(state_dir, f"{name}.toml")
        with open(toml, "w") as f:
            f.write(tomls[name])
        state["procs"].append({"name": name, "pid": compat.start_node(node, toml, os.path.join(state_dir, f"{name}.log")),
                               "toml": toml})
        compat.save_state(state)

    def die(why):
        compat.stop_nodes(state)
        logs = "".join(f"---- {p['name']} log:\n{compat.tail(os.path.join(state_dir, p['name'] + '.log'), 12)}"
                       for p in state["procs"])
        raise SystemExit(f"compat cluster setup: {why}\n{logs}")

    t0 = time.time()
    end = t0 + 60
    while not ready(state):
        dead = [p["name"] for p in state["procs"] if not compat.running(p)]
        if dead:
            die(f"{', '.join(dead)} exited")
        if time.time() > end:
            die("the cluster was not ready within 60 s (master: indexing_ready with 3 peers Up; "
                f"search head: the master's generation): master/info {get_json(mh, '/services/cluster/master/info')}")
        time.sleep(0.2)
    events = data.generate()
    requests = batches(events)
    rolled = 0
    for n, (p, evs) in enumerate(requests):
        if n == len(requests) // 2:
            roll_hot_buckets(kura, state, die)
        body = "".join(compat.hec_event_text(e) for e in evs).encode()
        send_acknowledged(peer_http[p], body, die)
        rolled += len(evs) if n < len(requests) // 2 else 0
    compat.wait_searchable(sh, events, die)
    wait_two_copies(state, events, rolled, die)
    wait_search_head_clean(state, die)
    print(f"compat cluster setup: search head on port {sh}, {len(events)} events over HEC to {len(PEERS)} peers "
          f"({rolled} in rolled buckets, searchable twice), each counted once by the search head "
          f"{time.time() - t0:.1f} s after the start")
    return state
