#!/usr/bin/env python3
"""HEC clients and the exactly-once check of the namespace cluster tests
(tests/node/partition_test.sh, scripts/chaos). Standard library only.

  chaos_client.py send   --peer H:P --prefix P --sourcetype ST --events N ...
      batches to one peer, each on the peer's channel; waits for their acks.
  chaos_client.py stream --peers H:P,H:P,... --prefix P --sourcetype ST ...
      streams batches for --duration seconds to random live peers while the
      cluster is being hurt, resends what is not acknowledged in time to
      another peer, then drains (resends) until everything is acknowledged or
      --drain seconds have passed.
  chaos_client.py check  --search H:P --query Q --ledger FILE...
      searches (export) and counts every event id of the ledgers.

Events. Every event of a batch is `kura-test id=<prefix>-<batch>-<i> attempt=<k>`
(its own id, and which send of the batch stored it), sent to
/services/collector/event with `Authorization: Splunk hec-1`.

Acknowledgment. A batch counts as acknowledged only when /services/collector/ack
answers true for its ackId. Ack ids live in the peer's memory and start again
at 0 when it restarts, so an id must never be asked about on a channel where it
could have been given out twice: a peer's channel is replaced (a new GUID) after
any error talking to it, and a send answered with an ackId not above the
channel's last one means the peer restarted: the older ids of that channel are
then dropped (their batches are resent).

Attempts. Each send of a batch is an attempt with an outcome: `refused` (the
peer answered with a client error or "busy" (503, HEC code 9), or the
connection was refused: nothing stored), `pending` (code 0 with an ackId, ack
not yet true), `acked`, `unknown` (the request may have reached the peer:
timeout, reset, no answer, or another server error such as 500 for a block
stored on the peer but not on its replication targets) or `dropped`
(its ack id became unusable). Every attempt but a refused one may have stored
the batch, so a batch with two or more such attempts may be found more than
once ("resent"); a batch with at most one must never be found twice.

Ledger (--ledger FILE, JSON lines, one per batch): {"batch", "prefix",
"sourcetype", "events", "acked", "attempts": [{"peer", "channel", "ack_id",
"outcome", "http", "code", "sent"}]}.
"""
import argparse
import collections
import http.client
import json
import random
import re
import sys
import time
import urllib.parse
import uuid

TOKEN = "hec-1"
API_TOKEN = "api-1"
STORED_MAYBE = ("pending", "acked", "unknown", "dropped")


def request(hostport, path, body, headers, timeout):
    """POSTs body; returns (http status, JSON document or None). Raises OSError or
    http.client.HTTPException when there is no answer; ConnectionRefusedError when
    nothing was sent."""
    host, port = hostport.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("POST", path, body=body.encode(), headers=headers)
        r = conn.getresponse()
        data = r.read()
        try:
            return r.status, json.loads(data)
        except ValueError:
            return r.status, None
    finally:
        conn.close()


class Peer:
    """A peer's HEC endpoint as the client sees it: its current channel, the
    highest ack id given on it, and until when it is avoided after an error."""

    def __init__(self, hostport):
        self.hostport = hostport
        self.avoid_until = 0.0
        self.rotate()

    def rotate(self):
        self.channel = str(uuid.uuid4())
        self.max_ack = -1


class Client:
    def __init__(self, peers, prefix, sourcetype, batch_events, ack_timeout, seed, log):
        self.peers = [Peer(p) for p in peers]
        self.prefix, self.sourcetype = prefix, sourcetype
        self.batch_events, self.ack_timeout = batch_events, ack_timeout
        self.rng = random.Random(seed)
        self.log = log
        self.batches = []
        self.next_batch = 0
        self.last_poll = 0.0

    # -- sending
    def new_batch(self):
        b = {"batch": self.next_batch, "prefix": self.prefix, "sourcetype": self.sourcetype,
             "events": self.batch_events, "acked": False, "acked_at": None, "attempts": []}
        self.next_batch += 1
        self.batches.append(b)
        return b

    def body(self, b, attempt):
        return "".join(json.dumps({"event": f"kura-test id={self.prefix}-{b['batch']}-{i} attempt={attempt}",
                                   "sourcetype": self.sourcetype, "host": "chaos-client"})
                       for i in range(b["events"]))

    def pick(self, avoid=()):
        """A random peer not avoided now, preferring ones not in `avoid`."""
        now = time.time()
        live = [p for p in self.peers if p.avoid_until <= now]
        fresh = [p for p in live if p.hostport not in avoid]
        pool = fresh or live or self.peers
        return self.rng.choice(pool)

    def trouble(self, peer, secs):
        peer.avoid_until = time.time() + secs
        peer.rotate()

    def send(self, b, peer, timeout=5.0):
        k = len(b["attempts"])
        a = {"peer": peer.hostport, "channel": peer.channel, "ack_id": None, "outcome": "unknown",
             "http": None, "code": None, "sent": round(time.time(), 3)}
        b["attempts"].append(a)
        try:
            status, doc = request(peer.hostport, "/services/collector/event", self.body(b, k),
                                  {"Authorization": "Splunk " + TOKEN, "Content-Type": "application/json",
                                   "X-Splunk-Request-Channel": peer.channel}, timeout)
        except ConnectionRefusedError:
            a["outcome"] = "refused"
            self.trouble(peer, 2)
            return a
        except (OSError, http.client.HTTPException) as e:
            a["outcome"] = "unknown"
            a["error"] = type(e).__name__
            self.trouble(peer, 5)
            self.log(f"batch {b['batch']} attempt {k} to {peer.hostport}: no answer ({type(e).__name__})")
            return a
        a["http"] = status
        a["code"] = doc.get("code") if isinstance(doc, dict) else None
        if status == 200 and a["code"] == 0 and isinstance(doc.get("ackId"), int):
            ack = doc["ackId"]
            if ack <= peer.max_ack:
                # The peer restarted: its ack ids began again. Ids of this channel
                # given before now are meaningless.
                for ob in self.batches:
                    for oa in ob["attempts"]:
                        if oa is not a and oa["channel"] == peer.channel and oa["outcome"] == "pending":
                            oa["outcome"] = "dropped"
                self.log(f"{peer.hostport}: ack id {ack} after {peer.max_ack} on one channel: it restarted")
            peer.max_ack = ack
            a["ack_id"] = ack
            a["outcome"] = "pending"
        elif status >= 500 and not (status == 503 and a["code"] == 9):
            # A server error other than "busy" (e.g. 500: stored on the peer but not on
            # every replication target): the batch may be stored; sent again, it may be
            # found twice, which is allowed for a resent batch.
            a["outcome"] = "unknown"
            a["text"] = doc.get("text") if isinstance(doc, dict) else None
            self.trouble(peer, 1)
        else:
            a["outcome"] = "refused"
            a["text"] = doc.get("text") if isinstance(doc, dict) else None
            self.trouble(peer, 1)
        return a

    # -- acknowledgments
    def poll_acks(self):
        groups = collections.defaultdict(list)
        for b in self.batches:
            for a in b["attempts"]:
                if a["outcome"] == "pending":
                    groups[(a["peer"], a["channel"])].append((b, a))
        now = time.time()
        by_host = {p.hostport: p for p in self.peers}
        for (hostport, channel), items in groups.items():
            peer = by_host.get(hostport)
            if peer and peer.avoid_until > now:
                continue
            try:
                status, doc = request(hostport, "/services/collector/ack",
                                      json.dumps({"acks": [a["ack_id"] for _, a in items]}),
                                      {"Authorization": "Splunk " + TOKEN, "Content-Type": "application/json",
                                       "X-Splunk-Request-Channel": channel}, 3.0)
            except (OSError, http.client.HTTPException):
                if peer:
                    self.trouble(peer, 5)
                continue
            if status != 200 or not isinstance(doc, dict) or not isinstance(doc.get("acks"), dict):
                continue
            for b, a in items:
                if doc["acks"].get(str(a["ack_id"])) is True:
                    a["outcome"] = "acked"
                    if not b["acked"]:
                        b["acked"], b["acked_at"] = True, round(time.time(), 3)

    def due_for_resend(self, b, now):
        if b["acked"]:
            return False
        if not b["attempts"]:
            return True
        last = b["attempts"][-1]
        if last["outcome"] == "refused":
            return now - last["sent"] >= 0.5
        return now - last["sent"] >= self.ack_timeout

    def unacked(self):
        return [b for b in self.batches if not b["acked"]]

    def write_ledger(self, path):
        with open(path, "w") as f:
            for b in self.batches:
                f.write(json.dumps(b) + "\n")

    def summary(self):
        sent = sum(b["events"] for b in self.batches)
        acked = sum(b["events"] for b in self.batches if b["acked"])
        resent = sum(1 for b in self.batches if sum(a["outcome"] in STORED_MAYBE for a in b["attempts"]) > 1)
        outcomes = collections.Counter(a["outcome"] for b in self.batches for a in b["attempts"])
        return {"batches": len(self.batches), "events": sent, "acked_events": acked,
                "acked_batches": sum(b["acked"] for b in self.batches),
                "resent_batches": resent, "attempts": dict(outcomes)}


def cmd_send(args):
    """Batches to one peer (no resend); waits up to --ack-timeout for their acks."""
    log = (lambda m: print("send:", m, file=sys.stderr)) if not args.quiet else (lambda m: None)
    c = Client([args.peer], args.prefix, args.sourcetype, args.batch, args.ack_timeout, 0, log)
    c.next_batch = args.first_batch
    n = (args.events + args.batch - 1) // args.batch
    for _ in range(n):
        b = c.new_batch()
        c.send(b, c.peers[0], timeout=args.timeout)
        c.peers[0].avoid_until = 0  # one peer only: ask it again whatever happened
    end = time.time() + args.ack_timeout
    while time.time() < end and any(a["outcome"] == "pending" for b in c.batches for a in b["attempts"]):
        c.poll_acks()
        c.peers[0].avoid_until = 0
        time.sleep(0.1)
    c.write_ledger(args.ledger)
    s = c.summary()
    s["http"] = dict(collections.Counter(str(a["http"]) for b in c.batches for a in b["attempts"]))
    print(json.dumps(s))
    return 0 if s["acked_batches"] == s["batches"] else 1


def cmd_stream(args):
    t0 = time.time()
    log = lambda m: print(f"stream +{time.time() - t0:5.1f}s: {m}", file=sys.stderr, flush=True)
    c = Client(args.peers.split(","), args.prefix, args.sourcetype, args.batch, args.ack_timeout, args.seed, log)
    stop_new = t0 + args.duration
    deadline = stop_new + args.drain
    next_new = t0
    while True:
        now = time.time()
        if now >= deadline or (now >= stop_new and not c.unacked()):
            break
        outstanding = len(c.unacked())
        if now < stop_new and now >= next_new and outstanding < args.max_outstanding:
            b = c.new_batch()
            c.send(b, c.pick())
            next_new = now + args.interval
        for b in c.unacked():
            if c.due_for_resend(b, time.time()) and b["attempts"] and len(b["attempts"]) < args.max_attempts:
                tried = {a["peer"] for a in b["attempts"]}
                why = "refused" if b["attempts"][-1]["outcome"] == "refused" else "not acknowledged in time"
                a = c.send(b, c.pick(avoid=tried))
                log(f"batch {b['batch']} ({why}) sent again to {a['peer']}: {a['outcome']}")
        if time.time() - c.last_poll >= 0.2:
            c.poll_acks()
            c.last_poll = time.time()
        time.sleep(0.02)
    c.poll_acks()
    c.write_ledger(args.ledger)
    s = c.summary()
    s["secs"] = round(time.time() - t0, 1)
    print(json.dumps(s))
    return 0


def search(hostport, query, timeout=120):
    """The export answer of `query`: (Counter id -> count, Counter (id, attempt), messages)."""
    host, port = hostport.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    body = urllib.parse.urlencode({"search": query, "output_mode": "json"})
    conn.request("POST", "/services/search/jobs/export", body=body.encode(),
                 headers={"Authorization": "Bearer " + API_TOKEN,
                          "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    ids, attempts, messages = collections.Counter(), collections.Counter(), []
    pat = re.compile(r"id=(\S+) attempt=(\d+)")
    for line in r.read().decode(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except ValueError:
            messages.append({"type": "BAD", "text": line[:200]})
            continue
        if "result" in d:
            m = pat.search(d["result"].get("_raw", ""))
            if m:
                ids[m.group(1)] += 1
                attempts[(m.group(1), int(m.group(2)))] += 1
        else:
            messages.extend(d.get("messages", [d]))
    if r.status != 200:
        messages.append({"type": "HTTP", "text": str(r.status)})
    conn.close()
    return ids, attempts, messages


def evaluate(ledgers, ids):
    """Compares the found ids with the ledgers' batches."""
    r = {"acked_events": 0, "found_acked": 0, "lost": 0, "bad_duplicates": 0, "resent_duplicates": 0,
         "unacked_events": 0, "unacked_found": 0, "stray": 0, "lost_ids": [], "bad_ids": []}
    known = set()
    for b in ledgers:
        maybe = sum(a["outcome"] in STORED_MAYBE for a in b["attempts"])
        for i in range(b["events"]):
            eid = f"{b['prefix']}-{b['batch']}-{i}"
            known.add(eid)
            n = ids.get(eid, 0)
            if b["acked"]:
                r["acked_events"] += 1
                if n:
                    r["found_acked"] += 1
                else:
                    r["lost"] += 1
                    r["lost_ids"].append(eid)
            else:
                r["unacked_events"] += 1
                r["unacked_found"] += n > 0
            if n > 1:
                if maybe > 1:
                    r["resent_duplicates"] += n - 1
                else:
                    r["bad_duplicates"] += n - 1
                    r["bad_ids"].append(f"{eid} x{n}")
    prefixes = {b["prefix"] for b in ledgers}
    r["stray"] = sum(n for eid, n in ids.items() if eid not in known and eid.rsplit("-", 2)[0] in prefixes)
    r["lost_ids"] = r["lost_ids"][:10]
    r["bad_ids"] = r["bad_ids"][:10]
    return r


def cmd_check(args):
    ledgers = [json.loads(l) for path in args.ledger for l in open(path) if l.strip()]
    end = time.time() + args.wait
    while True:
        try:
            ids, attempts, messages = search(args.search, args.query)
        except (OSError, http.client.HTTPException) as e:
            ids, attempts, messages = collections.Counter(), collections.Counter(), [{"type": "ERROR", "text": repr(e)}]
        r = evaluate(ledgers, ids)
        r["messages"] = messages[:5]
        ok = not r["lost"] and not r["bad_duplicates"] and not r["stray"] and not messages
        if ok or time.time() >= end:
            break
        time.sleep(2)
    r["ok"] = ok
    print(json.dumps(r))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--peer", required=True)
    s.add_argument("--events", type=int, required=True)
    s.add_argument("--first-batch", type=int, default=0)
    s.add_argument("--timeout", type=float, default=10.0, help="seconds per HTTP request")
    s.add_argument("--quiet", action="store_true")
    t = sub.add_parser("stream")
    t.add_argument("--peers", required=True, help="comma-separated host:port of the peers' HTTP")
    t.add_argument("--duration", type=float, default=20.0, help="seconds during which new batches start")
    t.add_argument("--drain", type=float, default=90.0, help="seconds after that to get everything acknowledged")
    t.add_argument("--interval", type=float, default=0.2, help="seconds between new batches")
    t.add_argument("--max-outstanding", type=int, default=20)
    t.add_argument("--max-attempts", type=int, default=8)
    t.add_argument("--seed", type=int, default=1)
    for p in (s, t):
        p.add_argument("--prefix", required=True)
        p.add_argument("--sourcetype", required=True)
        p.add_argument("--batch", type=int, default=30, help="events per batch")
        p.add_argument("--ack-timeout", type=float, default=10.0)
        p.add_argument("--ledger", required=True)
    c = sub.add_parser("check")
    c.add_argument("--search", required=True, help="host:port of the search head's HTTP")
    c.add_argument("--query", required=True)
    c.add_argument("--ledger", action="append", required=True)
    c.add_argument("--wait", type=float, default=0, help="seconds to search again until the check passes")
    args = ap.parse_args()
    return {"send": cmd_send, "stream": cmd_stream, "check": cmd_check}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
