#!/usr/bin/env python3
"""The compatibility suite's runner: everyday SPL searches against one real kura-node (or,
with --cluster, through the search head of a real cluster: cluster.py), each answer compared
with one computed from the generated data (cases.py), never from kura.

  compat.py --cmake FILE [--cluster]    write the ctest cases (one add_test per search) to FILE
  compat.py --list [--cluster]          every case: name, then "pending: FEATURE" when pending
  compat.py --setup [--cluster] --node PATH --state DIR   start the node (or the cluster), ingest
                                        the data, wait until every event is searchable (exactly
                                        once) (the ctest fixture's setup)
  compat.py --run SEARCH --state DIR    one case against the fixture node (exit 1 on a wrong answer)
  compat.py --cleanup --state DIR       stop the fixture's nodes, remove DIR
  compat.py --status [--cluster] [--node PATH] [--state DIR] [FILTER]   every case, pending ones
                                        too, against the fixture of DIR when it runs, else against
                                        a node (or cluster) of its own;
                                        prints PASS/FAIL per case and a summary per feature
"""
import argparse
import concurrent.futures
import copy
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import data  # noqa: E402
from matching import parse_json_export  # noqa: E402

LIB_SH = os.path.join(HERE, "..", "node", "lib.sh")
NODE_LIFETIME_SECS = 3600  # the node ends by itself after this, should the cleanup never run
# (an hour: in a full ctest -j run the cases may wait behind long cluster tests)
CASE_TIMEOUT_SECS = 20
CLUSTER_PREFIX = "compat-cluster: "  # the cluster run's case names


# ---------------------------------------------------------------- the node

def free_ports(n):
    """n free ports, booked as tests/node/lib.sh books them (so ctest -j never hands one out twice)."""
    out = subprocess.run(["bash", "-c", f'source "{LIB_SH}"; free_ports {n}'], check=True,
                         capture_output=True, text=True, timeout=30).stdout
    return [int(p) for p in out.split()]


def node_toml(name, home, http, admin, receiver):
    out = subprocess.run(["bash", "-c", f'source "{LIB_SH}"; node_toml "$@"', "-", name, home,
                          str(http), str(admin), str(receiver)],
                         check=True, capture_output=True, text=True, timeout=30).stdout
    return out


def request(port, path, body, headers, timeout=CASE_TIMEOUT_SECS):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers,
                                 method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def export(port, search, output_mode="json", timeout=CASE_TIMEOUT_SECS):
    """(HTTP status, body) of the export endpoint for this search."""
    body = urllib.parse.urlencode({"search": search, "output_mode": output_mode}).encode()
    return request(port, "/services/search/jobs/export", body,
                   {"Authorization": "Bearer api-1", "Content-Type": "application/x-www-form-urlencoded"},
                   timeout)


def count_of(port, search):
    try:
        status, text = export(port, search + " | stats count", timeout=10)
    except OSError:
        return None
    if status != 200:
        return None
    rows, _ = parse_json_export(text)
    try:
        return int(float(rows[0]["count"]))
    except (IndexError, KeyError, ValueError):
        return None


def tail(path, n=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return "(no log)"


def running(proc):
    """Whether proc ({"pid", "toml"}) still runs as the timeout(1) this runner started for its
    config (a pid in an old state.json may belong to another process by now). A child of this
    runner is asked directly: its /proc cmdline was seen not to match yet just after the start."""
    try:
        return os.waitpid(proc["pid"], os.WNOHANG)[0] == 0
    except ChildProcessError:  # not a child of this process: check what runs under that pid
        pass
    try:
        with open(f"/proc/{proc['pid']}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return False
    return proc["toml"].encode() in args


def stop_nodes(state):
    """SIGTERM to every node of the fixture (through the timeout(1) that bounds its life), at
    most 20 s, then SIGKILL to the process groups this runner started that still run."""
    procs = [p for p in state.get("procs", []) if running(p)]
    for p in procs:
        try:
            os.kill(p["pid"], signal.SIGTERM)
        except ProcessLookupError:
            pass
    end = time.time() + 20
    while procs and time.time() < end:
        for p in list(procs):
            try:
                if os.waitpid(p["pid"], os.WNOHANG)[0]:
                    procs.remove(p)
            except ChildProcessError:  # not our child (the cleanup runs in another process)
                if not running(p):
                    procs.remove(p)
        time.sleep(0.1)
    for p in procs:
        try:
            os.killpg(p["pid"], signal.SIGKILL)
        except ProcessLookupError:
            pass


def fresh_dir(state_dir):
    """An empty fixture directory; nodes left there by an earlier run of the fixture are stopped."""
    old = load_state(state_dir)
    if old:
        stop_nodes(old)
    shutil.rmtree(state_dir, ignore_errors=True)
    os.makedirs(state_dir)


def write_lookups(home):
    """The lookup file, where a node finds CSV lookups (its home's lookups directories)."""
    for sub in ("lookups", os.path.join("etc", "lookups")):
        os.makedirs(os.path.join(home, sub), exist_ok=True)
        with open(os.path.join(home, sub, "users.csv"), "w") as f:
            f.write(data.lookup_csv())


def start_node(node, toml, log_path):
    """The pid of a kura-node with this config, under timeout(1), in a session of its own."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(["timeout", "-s", "TERM", str(NODE_LIFETIME_SECS), node, "--config", toml],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True).pid


def save_state(state):
    with open(os.path.join(state["dir"], "state.json"), "w") as f:
        json.dump(state, f)


def wait_searchable(http, events, die):
    """Until the node on http counts exactly the events of each sourcetype (at most 60 s)."""
    want = {st: sum(e["sourcetype"] == st for e in events) for st in sorted({e["sourcetype"] for e in events})}
    end, got = time.time() + 60, None
    while time.time() < end:
        got = {st: count_of(http, f"index=main sourcetype={st}") for st in want}
        if got == want:
            return
        time.sleep(0.2)
    die(f"after 60 s the counts by sourcetype are {got}, not {want}")


def setup(node, state_dir):
    """Start the node, ingest every event, wait until each is searchable. Returns the state dict;
    on failure stops the node and raises SystemExit with the reason and the node's log."""
    fresh_dir(state_dir)
    home = os.path.join(state_dir, "home")
    http, admin, receiver = free_ports(3)
    toml = os.path.join(state_dir, "node.toml")
    with open(toml, "w") as f:
        f.write(node_toml("compat", home, http, admin, receiver))
    write_lookups(home)
    log_path = os.path.join(state_dir, "node.log")
    state = {"http": http, "dir": state_dir,
             "procs": [{"name": "compat", "pid": start_node(node, toml, log_path), "toml": toml}]}
    save_state(state)

    def die(why):
        stop_nodes(state)
        raise SystemExit(f"compat setup: {why}\n---- node log ({log_path}):\n{tail(log_path)}")

    end = time.time() + 30
    while True:
        try:
            if request(http, "/services/collector/health", None, {}, timeout=2)[0] == 200:
                break
        except OSError:
            pass
        if not running(state["procs"][0]):
            die("the node exited")
        if time.time() > end:
            die("the node did not answer health within 30 s")
        time.sleep(0.1)

    events = data.generate()
    t0 = time.time()
    for i in range(0, len(events), 500):
        body = "".join(hec_event_text(e) for e in events[i:i + 500]).encode()
        try:
            status, reply = request(http, "/services/collector/event", body, {"Authorization": "Splunk hec-1"}, 30)
        except OSError as e:
            status, reply = None, str(e)
        if status != 200:
            die(f"HEC answered {status}: {reply[:300]}")
    wait_searchable(http, events, die)
    print(f"compat setup: node on port {http}, {len(events)} events searchable after {time.time() - t0:.1f} s")
    return state


def start(node, state_dir, cluster, kura=None):
    """The fixture: one node, or a cluster (cluster.py; kura is the shell that rolls its buckets)."""
    if cluster:
        import cluster as cluster_fixture
        return cluster_fixture.setup(node, state_dir, kura)
    return setup(node, state_dir)


def hec_event_text(e):
    """One HEC event object; a JSON event's "event" is its _raw text verbatim (so _raw is known)."""
    meta = data.hec_event(e)
    event = meta.pop("event")
    head = json.dumps(meta, separators=(",", ":"))[:-1]
    return head + ',"event":' + (e["_raw"] if "json" in e else json.dumps(event)) + "}\n"


def load_state(state_dir):
    try:
        with open(os.path.join(state_dir, "state.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def node_alive(state):
    """Whether every node of the fixture runs and the one searched (state's http) answers health."""
    if not state or not all(running(p) for p in state.get("procs", [None])):
        return False
    try:
        return request(state["http"], "/services/collector/health", None, {}, timeout=2)[0] == 200
    except OSError:
        return False


# ---------------------------------------------------------------- the cases

def run_case(port, case):
    """(ok, explanation) of one case against the node on this port."""
    try:
        status, text = export(port, case.search, case.output_mode)
    except OSError as e:
        return False, f"no answer: {e}"
    return case.check(status, text)


def sources_stamp():
    return [os.stat(os.path.join(HERE, f)).st_mtime_ns for f in ("data.py", "cases.py", "matching.py")]


def load_cases(state_dir=None, cluster=False):
    """Every Case (of the cluster run when cluster). Computing the truth takes most of a second,
    so the fixture saves the cases (cases.pickle in its directory) and each ctest case loads
    them, unless the sources changed."""
    saved = os.path.join(state_dir, "cases.pickle") if state_dir else None
    if saved:
        try:
            with open(saved, "rb") as f:
                stamp, cases = pickle.load(f)
            if stamp == [cluster, *sources_stamp()]:
                return cases
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError):
            pass
    import cases as case_book
    cases = cluster_cases(case_book) if cluster else case_book.CASES
    if saved and os.path.isdir(state_dir):
        tmp = f"{saved}.{os.getpid()}"
        with open(tmp, "wb") as f:
            pickle.dump(([cluster, *sources_stamp()], cases), f)
        os.replace(tmp, saved)
    return cases


def cluster_cases(case_book):
    """The cases of the cluster run: every case but those of case_book.NOT_ON_A_CLUSTER, named
    "compat-cluster: SEARCH", pending also on the features of case_book.CLUSTER_PENDING."""
    out = []
    for c in case_book.CASES:
        if c.search in case_book.NOT_ON_A_CLUSTER:
            continue
        c = copy.copy(c)
        c.name = CLUSTER_PREFIX + c.name[len("compat: "):]
        c.pending = c.pending + tuple(case_book.CLUSTER_PENDING.get(c.search, ()))
        out.append(c)
    return out


def cmake_text(runner, cluster=False):
    """One add_test per case; pending ones DISABLED (ctest lists them as Not Run (Disabled))."""
    out = ["# Generated by tests/compat/compat.py --cmake: one test per compatibility search.\n"]
    state, fixture, label = (("KURA_COMPAT_CLUSTER_STATE", "compat_cluster", "compat-cluster") if cluster
                             else ("KURA_COMPAT_STATE", "compat_node", "compat"))
    for c in load_cases(cluster=cluster):
        name = c.name
        assert "]==]" not in name and "]==]" not in c.search
        out.append(f"add_test(NAME [==[{name}]==] COMMAND ${{KURA_PYTHON3}} -S {runner} ${{{state}}}"
                   f" [==[{c.name}]==])\n")
        props = f"FIXTURES_REQUIRED {fixture} TIMEOUT {CASE_TIMEOUT_SECS + 10} LABELS {label}"
        if c.pending:
            props += " DISABLED TRUE"
        out.append(f"set_tests_properties([==[{name}]==] PROPERTIES {props})\n")
    return "".join(out)


def status_report(port, filt, cluster):
    chosen = [c for c in load_cases(cluster=cluster) if not filt or filt in c.search]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda c: (c, *run_case(port, c)), chosen))
    by_feature = {}
    n_pass = 0
    for c, ok, why in results:
        n_pass += ok
        tag = f" [pending: {', '.join(c.pending)}]" if c.pending else ""
        print(f"{'PASS' if ok else 'FAIL'}  {c.search}{tag}")
        if not ok:
            print("      " + why.replace("\n", "\n      ")[:1500])
        for f in c.pending:
            by_feature.setdefault(f, [0, 0])
            by_feature[f][0] += ok
            by_feature[f][1] += 1
    active = [(c, ok) for c, ok, _ in results if not c.pending]
    print(f"\n{n_pass}/{len(results)} cases pass; of the {len(active)} not pending, "
          f"{sum(ok for _, ok in active)} pass")
    for f, (p, n) in sorted(by_feature.items()):
        note = "  <- all pass: flip pending off" if p == n else ""
        print(f"  pending feature {f}: {p}/{n} pass{note}")
    return all(ok for c, ok in active)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--node", help="the kura-node program")
    ap.add_argument("--kura", help="--cluster: the kura shell (default: next to --node)")
    ap.add_argument("--state", default=os.path.join(tempfile.gettempdir(), "kura-compat"),
                    help="the fixture's directory (node home, log, state.json)")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--cmake", metavar="FILE")
    g.add_argument("--list", action="store_true")
    g.add_argument("--setup", action="store_true")
    g.add_argument("--cleanup", action="store_true")
    g.add_argument("--run", metavar="SEARCH")
    g.add_argument("--status", action="store_true")
    ap.add_argument("--cluster", action="store_true",
                    help="a cluster (master, 3 peers, search head) instead of one node; its cases")
    ap.add_argument("filter", nargs="?", help="--status: only searches containing this text")
    a = ap.parse_args()

    if a.cmake:
        text = cmake_text(os.path.join(HERE, "run_case.py"), a.cluster)
        old = open(a.cmake).read() if os.path.exists(a.cmake) else None
        if text != old:
            with open(a.cmake, "w") as f:
                f.write(text)
        return 0
    if a.list:
        cases = load_cases(cluster=a.cluster)
        for c in cases:
            print(c.name + (f"    [pending: {', '.join(c.pending)}]" if c.pending else ""))
        n_pending = sum(bool(c.pending) for c in cases)
        print(f"{len(cases)} cases, {n_pending} pending")
        return 0
    if a.setup:
        if not a.node:
            ap.error("--setup needs --node")
        start(a.node, a.state, a.cluster, a.kura)
        load_cases(a.state, a.cluster)  # saved for the cases' processes
        return 0
    if a.cleanup:
        state = load_state(a.state)
        if state:
            stop_nodes(state)
        if os.environ.get("KURA_KEEP_TEST_DIR"):
            print(f"kept {a.state}")
        else:
            shutil.rmtree(a.state, ignore_errors=True)
        return 0
    if a.run:
        if not node_alive(load_state(a.state)):
            print(f"compat: the fixture node of {a.state} is not running (run the setup test first)")
            return 1
        import run_case as one
        return one.run(a.state, a.run)
    if a.status:
        state = load_state(a.state)
        own = None
        if not node_alive(state):
            if not a.node:
                ap.error("--status: no fixture node runs in --state; give --node to start one")
            own = tempfile.mkdtemp(prefix="kura-compat-")
            try:
                state = start(a.node, own, a.cluster, a.kura)
            except SystemExit:
                if not os.environ.get("KURA_KEEP_TEST_DIR"):
                    shutil.rmtree(own, ignore_errors=True)
                raise
        try:
            t0 = time.time()
            ok = status_report(state["http"], a.filter, bool(state.get("cluster")))
            print(f"ran in {time.time() - t0:.1f} s")
        finally:
            if own:
                stop_nodes(state)
                shutil.rmtree(own, ignore_errors=True)
        return 0 if ok else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
