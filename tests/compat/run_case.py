#!/usr/bin/env python3
"""run_case.py STATE_DIR NAME: one compatibility case against the fixture node of STATE_DIR (the
search head for a "compat-cluster: " case) (exit 1 on a wrong answer). What each ctest case runs, so it is kept lean: the cases saved by
the fixture (cases.pickle), one HTTP request on a plain socket (http.client and urllib cost more
start-up time than the search itself, times 270 cases).
"""
import json
import os
import pickle
import socket
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
TIMEOUT_SECS = 20


def http_post(port, path, headers, body, timeout=TIMEOUT_SECS):
    """(status, body text) of an HTTP/1.1 POST to 127.0.0.1 (chunked or sized answers)."""
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Length: {len(body)}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode() + body)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    raw = b"".join(chunks)
    top, _, rest = raw.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    if fields.get("transfer-encoding", "").lower() == "chunked":
        out, i = [], 0
        while True:
            j = rest.index(b"\r\n", i)
            size = int(rest[i:j].split(b";")[0], 16)
            if size == 0:
                break
            out.append(rest[j + 2:j + 2 + size])
            i = j + 2 + size + 2
        rest = b"".join(out)
    return status, rest.decode("utf-8", "replace")


def export(port, search, output_mode="json"):
    body = urllib.parse.urlencode({"search": search, "output_mode": output_mode}).encode()
    return http_post(port, "/services/search/jobs/export",
                     {"Authorization": "Bearer api-1", "Content-Type": "application/x-www-form-urlencoded"}, body)


def load_case(state_dir, name, cluster):
    try:
        with open(os.path.join(state_dir, "cases.pickle"), "rb") as f:
            stamp, cases = pickle.load(f)
        if stamp != [cluster] + [os.stat(os.path.join(HERE, f)).st_mtime_ns for f in ("data.py", "cases.py", "matching.py")]:
            cases = None
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError):
        cases = None
    if cases is None:  # the sources changed since the fixture started: compute them again
        import compat
        cases = compat.load_cases(state_dir, cluster)
    for c in cases:
        if c.name == name or c.search == name:
            return c
    sys.exit(f"compat: no case {name!r}")


def run(state_dir, name):
    """Runs the case; prints PASS or FAIL with the explanation; returns the exit code."""
    try:
        with open(os.path.join(state_dir, "state.json")) as f:
            state = json.load(f)
        port = state["http"]
    except (OSError, ValueError, KeyError):
        print(f"compat: no fixture node in {state_dir} (run the setup test first)")
        return 1
    case = load_case(state_dir, name, bool(state.get("cluster")))
    try:
        status, text = export(port, case.search, case.output_mode)
    except (OSError, ValueError) as e:
        print(f"FAIL: {case.search}\nno answer from the fixture node on port {port}: {e}")
        return 1
    ok, why = case.check(status, text)
    print(f"{'PASS' if ok else 'FAIL'}: {case.search}\n{why}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(run(sys.argv[1], sys.argv[2]))
