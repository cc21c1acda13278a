#!/usr/bin/env python3
"""A HEC client written from Splunk's HTTP Event Collector documentation
("Format events for HTTP Event Collector", "About HTTP Event Collector Indexer
Acknowledgment", "HTTP Event Collector REST API endpoints"), with nothing but
the Python standard library, to check kura against what a Splunk user's own
code sends and expects:

- POST /services/collector/event with `Authorization: Splunk <token>`; the body
  is one or more JSON event objects one after another ("batching"), each with
  `event` and optional `time` (epoch seconds), `host`, `source`, `sourcetype`,
  `index`, `fields`.
- POST /services/collector/raw?channel=<GUID>&sourcetype=… with raw text.
- Indexer acknowledgment: requests name a channel (`X-Splunk-Request-Channel`,
  a GUID); the reply carries `ackId`; POST /services/collector/ack with
  {"acks": [ids]} answers {"acks": {"id": true|false}}.
- GET /services/collector/health.
- Errors come back as {"text": …, "code": N} with the documented codes.

Usage: hec_client.py HTTP_PORT TOKEN (runs the scenario; exit 0 when kura
answered everything as the documentation says).
"""
import json
import sys
import time
import urllib.error
import urllib.request
import uuid


class HecClient:
    def __init__(self, base, token, channel=None):
        self.base = base
        self.token = token
        self.channel = channel

    def _post(self, path, body, headers=None, token=True):
        h = {"Content-Type": "application/json"}
        if token:
            h["Authorization"] = "Splunk " + self.token
        if self.channel:
            h["X-Splunk-Request-Channel"] = self.channel
        h.update(headers or {})
        req = urllib.request.Request(self.base + path, data=body.encode(), headers=h, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def send(self, events):
        """Sends a batch of event dicts; returns (http status, reply)."""
        return self._post("/services/collector/event", "".join(json.dumps(e) for e in events))

    def send_raw(self, text, **params):
        query = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in params.items())
        return self._post("/services/collector/raw?" + query, text)

    def ack_status(self, ids):
        return self._post("/services/collector/ack", json.dumps({"acks": ids}))

    def wait_for_acks(self, ids, timeout=30):
        """Polls until every ack id is true (indexed), as the documentation advises. An id
        reported true is forgotten by the server, so only the others are asked again."""
        deadline = time.time() + timeout
        waiting = list(ids)
        while time.time() < deadline:
            status, reply = self.ack_status(waiting)
            assert status == 200, reply
            waiting = [i for i in waiting if reply["acks"].get(str(i)) is not True]
            if not waiting:
                return True
            time.sleep(0.05)
        return False

    def health(self):
        with urllib.request.urlopen(self.base + "/services/collector/health", timeout=10) as r:
            return r.status, json.loads(r.read())


def expect(cond, what):
    if not cond:
        print("FAILED:", what)
        sys.exit(1)


def main():
    port, token = sys.argv[1], sys.argv[2]
    base = f"http://127.0.0.1:{port}"
    hec = HecClient(base, token, channel=str(uuid.uuid4()))

    status, reply = hec.health()
    expect(status == 200 and reply["code"] == 17, f"health: {reply}")

    # A batch of events with metadata and time, acknowledged.
    ack_ids = []
    for batch in range(5):
        events = [{"time": 1795350000 + batch * 100 + i, "host": "doc-client", "source": "hec_client.py",
                   "sourcetype": "doc:event", "event": f"documented round={batch} entry={i}",
                   "fields": {"round": str(batch)}} for i in range(20)]
        status, reply = hec.send(events)
        expect(status == 200 and reply["code"] == 0 and reply["text"] == "Success", f"event batch: {reply}")
        expect("ackId" in reply, f"no ackId with a channel: {reply}")
        ack_ids.append(reply["ackId"])
    expect(len(set(ack_ids)) == 5, f"ack ids not distinct: {ack_ids}")
    expect(hec.wait_for_acks(ack_ids), "acks never became true")

    # A structured event (an object as "event") and raw text with a channel.
    status, reply = hec.send([{"event": {"user": "ana", "action": "login"}, "sourcetype": "doc:json"}])
    expect(status == 200 and reply["code"] == 0, f"object event: {reply}")
    status, reply = hec.send_raw("2026-11-22T10:00:00Z raw line one\n2026-11-22T10:00:01Z raw line two\n",
                                 sourcetype="doc:raw", host="doc-client")
    expect(status == 200 and reply["code"] == 0 and "ackId" in reply, f"raw: {reply}")
    expect(hec.wait_for_acks([reply["ackId"]]), "raw ack never became true")

    # The documented errors.
    status, reply = HecClient(base, token)._post("/services/collector/event", '{"event":"x"}', token=False)
    expect(status == 401 and reply["code"] == 2, f"no token: {status} {reply}")
    status, reply = HecClient(base, "wrong-token").send([{"event": "x"}])
    expect(status == 403 and reply["code"] == 4, f"wrong token: {status} {reply}")
    status, reply = hec._post("/services/collector/event", "")
    expect(status == 400 and reply["code"] == 5, f"no data: {status} {reply}")
    status, reply = hec._post("/services/collector/event", '{"event": "ok"}{"event": ')
    expect(status == 400 and reply["code"] == 6, f"invalid data format: {status} {reply}")
    status, reply = hec.send([{"event": "x", "index": "no-such-index"}])
    expect(status == 400 and reply["code"] == 7, f"incorrect index: {status} {reply}")
    status, reply = hec.send([{"time": 1795350000}])
    expect(status == 400 and reply["code"] == 12, f"event field required: {status} {reply}")
    status, reply = hec.send([{"event": ""}])
    expect(status == 400 and reply["code"] == 13, f"event field blank: {status} {reply}")
    status, reply = HecClient(base, token).ack_status([0])
    expect(status == 400 and reply["code"] == 10, f"ack without a channel: {status} {reply}")
    status, reply = HecClient(base, token, channel="not a guid").send([{"event": "x"}])
    expect(status == 400 and reply["code"] == 11, f"invalid channel: {status} {reply}")
    print("hec client: every documented exchange answered as documented")


if __name__ == "__main__":
    main()
