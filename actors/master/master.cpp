// The master actor: peers, heartbeats, generations, bucket table, targets,
// and bucket fixup as supervision (clustering.md §§11-16).
//
// Peer statuses (§12): Up, Pending (3 heartbeats missed), Detention (the peer
// says so), Down (no heartbeat for heartbeat_timeout, or an offline peer that
// did not come back within restart_timeout); `kura offline` moves a peer through
// ReassigningPrimaries to Restarting (fast) or Decommissioning and
// GracefulShutdown (--enforce-counts).
//
// Generations (§6.2): one when the master starts (the first peer to register
// after a start begins it), one per peer that joins or rejoins, one per peer
// that stops serving (Down, offline), and one whenever buckets without a
// primary can have one (a report after a restart, a finished conversion).
// With each, every peer gets its primacy exceptions.
//
// Fixup (§14): after quiet_period from the master's start, on each tick where
// something changed, cluster::plan_fixup says which tasks to start; each goes
// to the peer that does it (member actor) and, when it reports success, the
// table gets the new copy at once (the peer's next report confirms it). A task
// whose peer or target goes away is dropped and planned again. Heartbeats are
// answered from the table alone (a map lookup): planning runs at most once per
// heartbeat period, so a busy master never misses a peer's heartbeat.
//
// Indexing (§10.1): on the master's first start ever, peers may not index
// until replication_factor peers have registered; from then on a marker in
// the state directory says the cluster was ready once (a standby master
// learns it from the peers), and after a restart peers keep indexing.
#include "actors/master/master.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "actors/gather.hpp"
#include "core/cluster/bucket_table.hpp"
#include "core/cluster/fixup_planner.hpp"
#include "core/cluster/rolling_restart.hpp"
#include "core/cluster/target_chooser.hpp"
#include "core/log.hpp"

namespace kura::actors {
namespace {

using clock = std::chrono::steady_clock;

constexpr const char* component = "CMMaster";
/// A peer is Pending after this many heartbeat periods without one.
constexpr int pending_after_missed = 3;
constexpr const char* state_file = "master_state";
/// The longest a fast offline waits for its primaries to move (§13.3: 5-10 min).
constexpr auto offline_wait = std::chrono::minutes{5};
/// The longest a fixup task may run before the master plans it again.
constexpr auto task_timeout = std::chrono::seconds{2 * 3600};  // caf::duration knows no hours
/// The applied bundle, below the state directory.
constexpr const char* bundle_dir = "bundle";
/// How long a peer may take to validate or install a bundle.
constexpr auto bundle_timeout = std::chrono::seconds{60};

struct peer_entry {
  std::string name, guid, host_port, replication_uri;
  member_actor member;
  std::string status = "Up";
  clock::time_point last_heartbeat;
  /// When the status last changed (Restarting: restart_timeout counts from here).
  clock::time_point since;
  /// Offline --enforce-counts: answered once the cluster is complete without it.
  std::optional<caf::typed_response_promise<ok_atom>> decommission;
  /// Fast offline: answered once the cluster is valid without it.
  std::optional<caf::typed_response_promise<ok_atom>> reassigning;
  /// The checksum of the bundle it runs.
  std::string active_bundle;
  /// It registered with another bundle than the master's: no data until installed.
  bool bundle_needed = false;
};

struct master_state {
  master_args args;
  std::map<std::string, peer_entry> peers;  // by GUID
  cluster::bucket_table table;
  std::mt19937 rng{std::random_device{}()};
  bool indexing_ready = false;
  clock::time_point started = clock::now();
  /// Something changed since the last fixup plan.
  bool dirty = true;
  /// A fixup_atom is on its way (plan_soon).
  bool plan_scheduled = false;
  uint64_t next_task = 1;
  std::map<uint64_t, cluster::fixup_task> running;  // by task id
  /// Buckets with a copy whose stream was cut (hot there, rolled at the
  /// origin), since when: a task waits settle_time for the copy to finish by itself.
  std::map<cluster::bucket_key, clock::time_point> unsettled_since;
  /// Hot buckets with too few copies, since when (a report may miss a copy
  /// that was just opened: only a lasting shortage counts).
  std::map<cluster::bucket_key, clock::time_point> short_since;
  /// Hot buckets whose origin was asked to roll them (too few copies), when.
  std::map<cluster::bucket_key, clock::time_point> roll_asked;
  cluster::fixup_counts left;                        // of the last plan
  /// The bundle applied last (kept in state_dir/bundle); its checksum is "" before the first.
  config::config_bundle bundle;
  bool applying = false;  ///< an apply cluster-bundle is under way
  std::optional<cluster::rolling_restart> restart;
  static inline const char* name = "master";
};

using self_ptr = master_actor::stateful_pointer<master_state>;

/// Serving peers take part in generations: they hold primaries and get searches.
bool is_serving(const peer_entry& p) {
  return p.status == "Up" || p.status == "Pending" || p.status == "Detention";
}
/// Peers the master talks to (heartbeats accepted).
bool is_member(const peer_entry& p) {
  return p.status != "Down" && p.status != "GracefulShutdown";
}

std::set<std::string> serving_peers(self_ptr self) {
  std::set<std::string> out;
  for (auto& [guid, p] : self->state.peers)
    if (is_serving(p)) out.insert(guid);
  return out;
}

/// Something changed that may allow fixup work or primaries: plan shortly
/// (not on every message: one plan covers what arrives within 20 ms).
void plan_soon(self_ptr self) {
  self->state.dirty = true;
  if (self->state.plan_scheduled) return;
  self->state.plan_scheduled = true;
  self->delayed_send(self, std::chrono::milliseconds{20}, fixup_atom::value);
}

void set_status(peer_entry& p, const std::string& status) {
  if (p.status == status) return;
  log::info(component, "peer " + p.name + ": " + p.status + " -> " + status);
  p.status = status;
  p.since = clock::now();
}

/// "generation N\nready 0|1\n" in the state directory.
error save_state(self_ptr self) {
  auto& st = self->state;
  return io::write_file_atomic(st.args.state_dir / state_file,
                               "generation " + std::to_string(st.table.generation()) + "\nready " +
                                   (st.indexing_ready ? "1" : "0") + "\n");
}

/// Starts a new generation and tells every serving peer its primacy in it.
void next_generation(self_ptr self, const std::string& why) {
  auto& st = self->state;
  auto up = serving_peers(self);
  auto gen = st.table.new_generation(up);
  if (auto err = save_state(self))
    log::error(component, "cannot save the master's state: " + err.render());
  log::info(component, "generation " + std::to_string(gen) + " (" + why +
                           "): " + std::to_string(up.size()) + " peers, cluster " +
                           (st.table.valid() ? "valid" : "not valid"));
  for (auto& [guid, p] : st.peers) {
    if (!is_member(p)) continue;
    auto ex = st.table.primary_exceptions(guid);
    primacy_update update{gen, {}, {}};
    for (auto& k : ex.demoted) update.demoted.push_back(k.to_string());
    for (auto& k : ex.promoted) update.promoted.push_back(k.to_string());
    self->send(p.member, primacy_atom::value, std::move(update));
  }
  st.dirty = true;
}

void set_ready(self_ptr self, const std::string& why) {
  auto& st = self->state;
  if (st.indexing_ready) return;
  st.indexing_ready = true;
  if (auto err = save_state(self))
    log::error(component, "cannot save the master's state: " + err.render());
  log::info(component, why + ": the cluster starts indexing");
}

void check_ready(self_ptr self) {
  auto& st = self->state;
  if (serving_peers(self).size() >= st.args.replication_factor)
    set_ready(self, std::to_string(st.args.replication_factor) + " peers have registered");
}

/// Running tasks that involve `guid` are forgotten (planned again).
void drop_tasks_of(self_ptr self, const std::string& guid) {
  auto& running = self->state.running;
  for (auto it = running.begin(); it != running.end();) {
    if (it->second.peer == guid || it->second.target == guid) {
      log::info(component, std::string{"fixup task "} + to_string(it->second.kind) + " of " +
                               it->second.key.to_string() + " dropped: a peer of it left");
      it = running.erase(it);
    } else {
      ++it;
    }
  }
}

/// `guid` stops holding copies (Down, offline): the peers holding copies of
/// its hot buckets roll them to warm (one becomes primary once they report
/// them, §13.1), and the sources of hot buckets streaming to it roll those,
/// so that their new data gets live targets (§8.3). Call before remove_peer.
void roll_hot_buckets_around(self_ptr self, const std::string& guid) {
  auto& table = self->state.table;
  auto me = table.peer_number(guid);
  if (!me) return;
  std::set<uint32_t> holders;                          // of copies of its hot buckets
  std::set<std::pair<uint32_t, std::string>> sources;  // (origin, index) streaming to it
  table.for_each_bucket([&](const cluster::bucket_view& b) {
    if (b.state != cluster::bucket_state_kind::hot) return;
    bool held_there = std::any_of(b.copies.begin(), b.copies.end(),
                                  [&](auto& c) { return c.peer == *me; });
    if (b.origin == *me) {
      for (auto& c : b.copies)
        if (c.peer != *me) holders.insert(c.peer);
    } else if (held_there) {
      sources.emplace(b.origin, table.key_of(b.handle).index);
    }
  });
  for (auto number : holders) {
    auto it = self->state.peers.find(table.peer_guid(number));
    if (it == self->state.peers.end() || !is_member(it->second)) continue;
    auto name = it->second.name;
    self->request(it->second.member, task_timeout, finalize_atom::value, guid)
        .then([=](ok_atom) { plan_soon(self); },
              [=](caf::error& e) {
                log::warn(component, "peer " + name + " could not roll its copies of hot buckets of " +
                                         guid + ": " + from_caf(e).render());
              });
  }
  for (auto& [number, index] : sources) {
    auto it = self->state.peers.find(table.peer_guid(number));
    if (it == self->state.peers.end() || !is_member(it->second)) continue;
    self->send(it->second.member, roll_atom::value, index);
  }
}

/// The peer's copies leave the counts (Down, or decommissioned).
void lose_peer(self_ptr self, peer_entry& p, const std::string& status, const std::string& why) {
  set_status(p, status);
  if (self->state.restart) self->state.restart->lost(p.guid);
  log::warn(component, "peer " + p.name + " (" + p.guid + ") is " + status + ": " + why);
  roll_hot_buckets_around(self, p.guid);
  self->state.table.remove_peer(p.guid);
  drop_tasks_of(self, p.guid);
  if (p.decommission) {
    p.decommission->deliver(to_caf({errc::unavailable, "the peer left before it was decommissioned"}));
    p.decommission.reset();
  }
  if (p.reassigning) {
    p.reassigning->deliver(to_caf({errc::unavailable, "the peer left before its primaries moved"}));
    p.reassigning.reset();
  }
  next_generation(self, "peer " + p.name + " " + status);
}

master_status status_of(self_ptr self) {
  auto& st = self->state;
  auto rf = st.args.replication_factor, sf = st.args.search_factor;
  master_status s;
  s.generation = st.table.generation();
  s.valid = st.table.valid();
  s.complete = st.table.complete(rf, sf);
  s.indexing_ready = st.indexing_ready;
  s.replication_factor = rf;
  s.search_factor = sf;
  auto counts = st.table.counts(rf, sf);
  s.buckets_total = counts.total;
  s.buckets_valid = counts.valid;
  s.buckets_complete = counts.complete;
  s.fixup_primary = st.left.primary;
  s.fixup_searchable = st.left.searchable;
  s.fixup_replicate = st.left.replicate;
  s.fixup_bytes_to_go = st.left.bytes_to_go;
  auto name_of = [&](const std::string& guid) {
    auto it = st.peers.find(guid);
    return it == st.peers.end() ? guid : it->second.name;
  };
  for (auto& [id, t] : st.running)
    s.fixup_running.push_back(std::string{to_string(t.kind)} + " " + t.key.to_string() + " on " +
                              name_of(t.peer) + (t.target.empty() ? "" : " to " + name_of(t.target)));
  auto now = clock::now();
  for (auto& [guid, p] : st.peers) {
    auto c = st.table.counts_of(guid);
    s.peers.push_back({p.name, guid, p.status, p.host_port, p.active_bundle, c.buckets, c.primaries,
                       c.searchable,
                       std::chrono::duration<double>(now - p.last_heartbeat).count()});
    if (is_serving(p)) {
      ++s.peers_up;
      s.generation_peers.push_back({p.name, guid, p.host_port});
    }
  }
  s.active_bundle = st.bundle.checksum;
  if (st.restart)
    s.rolling_restart = st.restart->progress([&](const std::string& g) { return name_of(g); });
  for (auto& b : st.table.snapshot()) {
    cluster_bucket_status out{b.key.to_string(), b.key.index, to_string(b.state), b.size_bytes,
                              b.events,          b.valid(),   b.complete(rf, sf), {}};
    for (auto& c : b.copies)
      out.copies.push_back({name_of(c.peer), c.peer, c.searchable, c.primary});
    s.buckets.push_back(std::move(out));
  }
  return s;
}

/// Marks peers Pending or Down by the time since their last heartbeat, and
/// offline peers Down once restart_timeout has passed.
void check_heartbeats(self_ptr self) {
  auto& st = self->state;
  auto now = clock::now();
  for (auto& [guid, p] : st.peers) {
    auto silent = now - p.last_heartbeat;
    auto secs = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(silent).count());
    if (p.status == "Restarting" && now - p.since > st.args.restart_timeout) {
      lose_peer(self, p, "Down", "it did not come back within restart_timeout");
    } else if (is_serving(p) || p.status == "Decommissioning" ||
               p.status == "ReassigningPrimaries") {
      if (silent > st.args.heartbeat_timeout) {
        lose_peer(self, p, "Down", "no heartbeat for " + secs + " s");
      } else if (silent > pending_after_missed * st.args.heartbeat_period && p.status == "Up") {
        set_status(p, "Pending");
      }
    }
  }
}

/// Whether the cluster would be complete without the peer `leaving`.
bool complete_without(self_ptr self, const std::string& leaving) {
  auto& table = self->state.table;
  auto gone = table.peer_number(leaving);
  auto rf = self->state.args.replication_factor, sf = self->state.args.search_factor;
  bool complete = true;
  table.for_each_bucket([&](const cluster::bucket_view& b) {
    uint32_t copies = 0, searchable = 0, primaries = 0;
    for (auto& c : b.copies) {
      if ((gone && c.peer == *gone) || !b.settled(c)) continue;
      ++copies;
      searchable += c.searchable;
      primaries += c.primary;
    }
    if (copies < rf || searchable < sf || primaries != 1) complete = false;
  });
  return complete;
}

/// How long a bucket's copies may take to finish a roll on their own (the
/// source reports the roll before its targets do, and a searchable target
/// builds index files first) before fixup works on it.
clock::duration settle_time(const master_args& args) {
  return std::max<clock::duration>(std::chrono::seconds{15}, 10 * args.heartbeat_period);
}


/// Whether a task on `key` must wait: the bucket rolled lately and a copy of it
/// on a serving peer has not reported the roll yet.
bool settling(self_ptr self, const cluster::bucket_key& key) {
  auto& st = self->state;
  auto rec = st.table.find(key);
  if (!rec || rec->state == cluster::bucket_state_kind::hot) return false;
  bool cut = std::any_of(rec->copies.begin(), rec->copies.end(), [&](auto& c) {
    auto p = st.peers.find(c.peer);
    return c.state == cluster::bucket_state_kind::hot && p != st.peers.end() && is_serving(p->second);
  });
  if (!cut) {
    st.unsettled_since.erase(key);
    return false;
  }
  auto [it, fresh] = st.unsettled_since.try_emplace(key, clock::now());
  return clock::now() - it->second < settle_time(st.args);
}

/// Starts one fixup task at its peer.
void start_task(self_ptr self, const cluster::fixup_task& task) {
  auto& st = self->state;
  auto& doer = st.peers.at(task.peer);
  fixup_order order{to_string(task.kind), task.key.to_string(), {}};
  if (task.kind == cluster::fixup_kind::replicate) {
    auto& t = st.peers.at(task.target);
    order.target = {t.guid, t.name, t.replication_uri, task.searchable};
  }
  auto id = st.next_task++;
  st.running.emplace(id, task);
  auto what = std::string{to_string(task.kind)} + " " + task.key.to_string() + " on " + doer.name +
              (order.target.name.empty() ? "" : " to " + order.target.name);
  log::info(component, "fixup: " + what + " (" + std::to_string(task.bytes) + " bytes)");
  self->request(doer.member, task_timeout, fixup_atom::value, order)
      .then(
          [=](ok_atom) {
            auto& st = self->state;
            auto it = st.running.find(id);
            if (it == st.running.end()) return;
            auto t = it->second;
            st.running.erase(it);
            plan_soon(self);
            auto rec = st.table.find(t.key);
            if (!rec) return;
            if (t.kind == cluster::fixup_kind::searchable)
              st.table.add_copy(t.key, t.peer, true, rec->state);
            else
              st.table.add_copy(t.key, t.target, t.searchable, rec->state);
            log::info(component, "fixup done: " + what);
          },
          [=](caf::error& e) {
            auto& st = self->state;
            if (!st.running.erase(id)) return;
            plan_soon(self);
            auto err = from_caf(e);
            if (err.code() == errc::already_exists)  // the copy finished meanwhile; its report follows
              log::info(component, "fixup not needed: " + what + ": " + err.message());
            else
              log::warn(component, "fixup failed: " + what + ": " + err.render());
          });
}

/// Hot buckets get no fixup (their copies stream). One with fewer than
/// replication_factor copies while enough peers are up (it started while
/// peers were missing) is rolled by its origin, so that fixup completes it.
void roll_short_hot_buckets(self_ptr self, const std::set<std::string>& serving) {
  auto& st = self->state;
  auto rf = st.args.replication_factor;
  if (serving.size() < rf) return;
  auto now = clock::now();
  std::erase_if(st.roll_asked, [&](auto& e) { return now - e.second > std::chrono::seconds{30}; });
  std::set<uint32_t> up;
  for (auto& guid : serving)
    if (auto n = st.table.peer_number(guid)) up.insert(*n);
  std::vector<std::pair<uint32_t, uint32_t>> short_ones;  // (handle, origin)
  st.table.for_each_bucket([&](const cluster::bucket_view& b) {
    if (b.state != cluster::bucket_state_kind::hot || !up.count(b.origin)) return;
    auto copies = std::count_if(b.copies.begin(), b.copies.end(),
                                [&](auto& c) { return up.count(c.peer) > 0; });
    if (copies < rf) short_ones.emplace_back(b.handle, b.origin);
  });
  std::map<cluster::bucket_key, clock::time_point> still_short;
  for (auto [handle, origin] : short_ones) {
    auto key = st.table.key_of(handle);
    auto before = st.short_since.find(key);
    auto since = before == st.short_since.end() ? now : before->second;
    still_short.emplace(key, since);
    if (now - since < settle_time(st.args)) continue;
    if (!st.roll_asked.emplace(key, now).second) continue;
    auto it = st.peers.find(st.table.peer_guid(origin));
    if (it == st.peers.end()) continue;
    log::info(component, "hot bucket " + key.to_string() + " has fewer than " + std::to_string(rf) +
                             " copies: " + it->second.name + " rolls it");
    self->send(it->second.member, roll_atom::value, key.index);
  }
  st.short_since = std::move(still_short);
}

/// Peers going offline (fast) may stop once their primaries have moved: the
/// cluster is valid without them (or offline_wait passed).
void release_offline_peers(self_ptr self) {
  auto& st = self->state;
  for (auto& [guid, p] : st.peers) {
    if (p.status != "ReassigningPrimaries" || !p.reassigning) continue;
    if (!st.table.valid() && clock::now() - p.since < offline_wait) continue;
    log::info(component, "peer " + p.name + "'s primaries have moved: it may stop");
    p.reassigning->deliver(ok_atom::value);
    p.reassigning.reset();
    set_status(p, "Restarting");
  }
}

/// When something changed: a new generation if buckets can have a primary
/// again; after quiet_period, plans fixup and starts what can start.
void run_fixup(self_ptr self) {
  auto& st = self->state;
  if (!st.dirty) return;
  auto serving = serving_peers(self);
  // Primacy is not fixup work: buckets get a primary as soon as they can.
  if (auto n = st.table.primaries_assignable(serving); n > 0)
    next_generation(self, std::to_string(n) + " buckets can have a primary again");
  if (clock::now() - st.started < st.args.quiet_period) return;
  st.dirty = false;
  cluster::fixup_peers peers;
  peers.up = serving;
  for (auto& [guid, p] : st.peers) {
    // A peer going offline fast keeps its copies counted (it comes back, §13.2).
    if (p.status == "Restarting" || p.status == "ReassigningPrimaries") peers.restarting.insert(guid);
    if (p.status == "Decommissioning") peers.leaving.insert(guid);
  }
  std::vector<cluster::fixup_task> running;
  for (auto& [id, t] : st.running) running.push_back(t);
  auto plan = cluster::plan_fixup(
      st.table, peers,
      {st.args.replication_factor, st.args.search_factor, st.args.tasks_per_peer}, running);
  if (plan.left != st.left)
    log::info(component, "fixup: " + std::to_string(plan.left.pending()) + " tasks to do (primary " +
                             std::to_string(plan.left.primary) + ", searchable " +
                             std::to_string(plan.left.searchable) + ", replicate " +
                             std::to_string(plan.left.replicate) + "), " +
                             std::to_string(plan.left.bytes_to_go) + " bytes to go");
  st.left = plan.left;
  for (auto& t : plan.start) {
    if (settling(self, t.key)) {
      st.dirty = true;  // plan again next tick
      continue;
    }
    st.unsettled_since.erase(t.key);
    start_task(self, t);
  }
  // Decommissioning peers leave once the cluster is complete without them.
  for (auto& [guid, p] : st.peers) {
    if (p.status != "Decommissioning" || !p.decommission || !st.running.empty() ||
        plan.left.pending() > 0 || !complete_without(self, guid))
      continue;
    log::info(component, "peer " + p.name + " is decommissioned: the cluster is complete without it");
    p.decommission->deliver(ok_atom::value);
    p.decommission.reset();
    set_status(p, "GracefulShutdown");
    st.table.remove_peer(guid);
    st.dirty = true;
  }
}

/// Orders the next wave of a rolling restart when the current one is over;
/// ends it when every peer is back (or lost).
void advance_restart(self_ptr self) {
  auto& st = self->state;
  if (!st.restart) return;
  // Peers of one wave never hold every searchable copy of a bucket between them.
  auto fits = [&](const std::vector<std::string>& wave) {
    std::set<uint32_t> away;
    for (auto& g : wave)
      if (auto n = st.table.peer_number(g)) away.insert(*n);
    bool ok = true;
    st.table.for_each_bucket([&](const cluster::bucket_view& b) {
      if (!ok) return;
      ok = std::any_of(b.copies.begin(), b.copies.end(), [&](auto& c) {
        return c.searchable && b.settled(c) && !away.count(c.peer);
      });
    });
    return ok;
  };
  for (auto& guid : st.restart->next_orders(fits)) {
    auto it = st.peers.find(guid);
    if (it == st.peers.end() || !is_serving(it->second)) {
      st.restart->lost(guid);
      continue;
    }
    log::info(component, "rolling restart: peer " + it->second.name + " restarts");
    self->send(it->second.member, restart_atom::value);
  }
  if (st.restart->done()) {
    log::info(component, "rolling restart: done, " + std::to_string(st.restart->restarted()) +
                             " of " + std::to_string(st.restart->total()) + " peers restarted");
    st.restart.reset();
  }
}

/// Starts a rolling restart of `guids` (in name order), `percent` % per wave.
void start_restart(self_ptr self, std::vector<std::string> guids, uint32_t percent,
                   const std::string& why) {
  auto& st = self->state;
  std::sort(guids.begin(), guids.end(),
            [&](auto& a, auto& b) { return st.peers.at(a).name < st.peers.at(b).name; });
  st.restart.emplace(std::move(guids), percent);
  log::info(component, "rolling restart (" + why + "): " + std::to_string(st.restart->total()) +
                           " peers, " + std::to_string(st.restart->wave_size()) + " at a time");
  advance_restart(self);
}

/// Sends the current bundle to a peer that registered with another one; it
/// takes data once it has installed it (a change that needs a restart
/// restarts it first).
void send_bundle(self_ptr self, const std::string& guid) {
  auto& st = self->state;
  auto& p = st.peers.at(guid);
  p.bundle_needed = true;
  auto checksum = st.bundle.checksum;
  auto member = p.member;
  log::info(component,
            "peer " + p.name + " runs bundle '" + p.active_bundle + "': sending " + checksum);
  self->request(member, bundle_timeout, bundle_atom::value, st.bundle, true)
      .then(
          [=](const std::string& change) {
            auto it = self->state.peers.find(guid);
            if (it == self->state.peers.end() || it->second.member != member) return;
            it->second.active_bundle = checksum;
            it->second.bundle_needed = false;
            log::info(component, "peer " + it->second.name + " installed bundle " + checksum +
                                     " (" + change + ")");
            if (change == "restart") self->send(member, restart_atom::value);
          },
          [=](caf::error& e) {
            auto it = self->state.peers.find(guid);
            if (it == self->state.peers.end()) return;
            log::error(component, "peer " + it->second.name + " cannot install bundle " + checksum +
                                      ": " + from_caf(e).render() +
                                      "; it takes no data until it can");
          });
}

/// `kura apply cluster-bundle [--dry-run]`: validation on every serving peer
/// first; only when all accept, installation everywhere (clustering.md §17.4).
caf::result<std::string> apply_bundle(self_ptr self, bool dry_run) {
  auto& st = self->state;
  if (st.applying) return to_caf({errc::bad_state, "another apply cluster-bundle is under way"});
  auto bundle = config::read_bundle(st.args.master_apps);
  if (!bundle) return to_caf(bundle.err());
  std::vector<std::string> guids;
  std::vector<member_actor> members;
  for (auto& [guid, p] : st.peers)
    if (is_serving(p)) {
      guids.push_back(guid);
      members.push_back(p.member);
    }
  if (guids.empty()) return to_caf({errc::unavailable, "no peer is up to validate the bundle"});
  st.applying = true;
  auto rp = self->make_response_promise<std::string>();
  auto b = std::make_shared<config::config_bundle>(std::move(*bundle));
  auto names = std::make_shared<std::vector<std::string>>();
  for (auto& g : guids) names->push_back(st.peers.at(g).name);
  auto ask_all = [=](bool install, std::function<void(result<std::vector<std::string>>)> done) {
    // Each reply keeps its peer's name: an error says which peer refused.
    gather<std::string>(
        members.size(),
        [=](size_t i, auto on_value, auto on_error) {
          self->request(members[i], bundle_timeout, bundle_atom::value, *b, install)
              .then(on_value, [=](caf::error& e) mutable {
                auto err = from_caf(e);
                caf::error named =
                    to_caf({err.code(), "peer " + (*names)[i] + ": " + err.message()});
                on_error(named);
              });
        },
        std::move(done));
  };
  ask_all(false, [=](result<std::vector<std::string>> checked) mutable {
    auto& st = self->state;
    if (!checked) {
      st.applying = false;
      log::warn(component, "bundle " + b->checksum + " refused: " + checked.err().message());
      rp.deliver(to_caf({errc::invalid_argument, checked.err().message()}));
      return;
    }
    if (dry_run) {
      st.applying = false;
      rp.deliver("bundle " + b->checksum + " (" + std::to_string(b->files.size()) +
                 " files) is valid on " + std::to_string(members.size()) +
                 " peers; dry run: nothing installed");
      return;
    }
    if (auto err = config::write_bundle(*b, st.args.state_dir / bundle_dir)) {
      st.applying = false;
      rp.deliver(to_caf(err));
      return;
    }
    st.bundle = *b;
    log::info(component, "bundle " + b->checksum + " validated on every peer: installing");
    ask_all(true, [=](result<std::vector<std::string>> changes) mutable {
      auto& st = self->state;
      st.applying = false;
      if (!changes) {
        rp.deliver(
            to_caf({changes.err().code(), "bundle " + b->checksum +
                                              " was validated but not installed everywhere: " +
                                              changes.err().message() + " (apply it again)"}));
        return;
      }
      std::vector<std::string> to_restart;
      size_t live = 0;
      for (size_t i = 0; i < guids.size(); ++i) {
        auto it = st.peers.find(guids[i]);
        if (it == st.peers.end()) continue;
        it->second.active_bundle = b->checksum;
        if ((*changes)[i] == "restart") to_restart.push_back(guids[i]);
        live += (*changes)[i] == "live";
      }
      std::string summary =
          "bundle " + b->checksum + " applied on " + std::to_string(guids.size()) + " peers";
      if (!to_restart.empty()) {
        if (st.restart) {
          summary += "; " + std::to_string(to_restart.size()) +
                     " need a restart, but a rolling restart is under way: run "
                     "rolling-restart cluster-peers when it ends";
        } else {
          start_restart(self, to_restart, 10, "bundle " + b->checksum);
          summary += "; " + std::to_string(to_restart.size()) +
                     " peers restart in waves (show cluster-bundle-status)";
        }
      } else if (live > 0) {
        summary += "; applied live, no restart";
      } else {
        summary += "; nothing changed";
      }
      log::info(component, summary);
      rp.deliver(summary);
    });
  });
  return rp;
}

master_actor::behavior_type master(self_ptr self, master_args args, uint64_t last_generation,
                                   bool ready, config::config_bundle bundle) {
  auto& st = self->state;
  st.args = std::move(args);
  st.table.set_generation(last_generation);
  st.indexing_ready = ready;
  st.bundle = std::move(bundle);
  log::info(component,
            std::string{"master started"} +
                (ready ? "" : " for the first time: peers index once ") +
                (ready ? "" : std::to_string(st.args.replication_factor) + " have registered") +
                "; fixup starts after the quiet period of " +
                std::to_string(st.args.quiet_period.count() / 1000.0) + " s");
  self->delayed_send(self, st.args.heartbeat_period, tick_atom::value);
  return {
      [=](register_atom, const login_identity& who, const peer_hello& hello,
          member_actor member) -> uint64_t {
        auto& st = self->state;
        auto& p = st.peers[who.guid];
        bool rejoin = !p.guid.empty();
        auto was = p.status;
        if (p.decommission)
          p.decommission->deliver(to_caf({errc::unavailable, "the peer registered again"}));
        if (p.reassigning)
          p.reassigning->deliver(to_caf({errc::unavailable, "the peer registered again"}));
        // Tasks given to its previous run are lost with it: plan them again.
        if (rejoin) drop_tasks_of(self, who.guid);
        p = peer_entry{who.name,        who.guid,        hello.host_port, hello.replication_uri,
                       std::move(member), "Up",          clock::now(),    clock::now(),
                       std::nullopt,      std::nullopt};
        // A restarted or standby master goes on from the newest generation its peers know.
        if (hello.last_generation > st.table.generation())
          st.table.set_generation(hello.last_generation);
        log::info(component, "peer " + who.name + " (" + who.guid + ") " +
                                 (rejoin ? "rejoined (was " + was + ")" : "joined") +
                                 ", search at " + hello.host_port + ", replication at " +
                                 hello.replication_uri);
        p.active_bundle = hello.active_bundle;
        if (hello.indexing_ready) set_ready(self, "peer " + who.name + " indexed before");
        check_ready(self);
        next_generation(self, "peer " + who.name + (rejoin ? " rejoined" : " joined"));
        if (!st.bundle.checksum.empty() && hello.active_bundle != st.bundle.checksum)
          send_bundle(self, who.guid);
        if (st.restart) {
          st.restart->registered(who.guid);
          advance_restart(self);
        }
        return st.table.generation();
      },
      [=](heartbeat_atom, const std::string& guid,
          const peer_report& report) -> caf::result<heartbeat_reply> {
        auto& st = self->state;
        auto it = st.peers.find(guid);
        if (it == st.peers.end() || !is_member(it->second))
          return to_caf({errc::unauthenticated,
                         "this peer is not registered with the master: register again"});
        auto& p = it->second;
        p.last_heartbeat = clock::now();
        if (is_serving(p)) set_status(p, report.status == "Detention" ? "Detention" : "Up");
        if (report.full) {
          std::vector<cluster::copy_report> copies;
          for (auto& c : report.copies) {
            auto key = cluster::bucket_key::parse(c.bucket);
            auto state = cluster::parse_bucket_state(c.state);
            if (!key || !state) continue;
            copies.push_back({*key, *state, c.searchable, c.size_bytes, c.events});
          }
          st.table.apply_report(guid, copies);
          plan_soon(self);
        }
        return heartbeat_reply{st.table.generation(), st.indexing_ready && !p.bundle_needed, false};
      },
      [=](targets_atom, const std::string& guid, const std::string& index, uint64_t id,
          const std::vector<std::string>& avoid) -> caf::result<std::vector<target_info>> {
        auto& st = self->state;
        auto it = st.peers.find(guid);
        if (it == st.peers.end() || !is_member(it->second))
          return to_caf({errc::unauthenticated, "this peer is not registered"});
        // Peers the source lost lately are left out while enough others are up
        // (it may have lost them before the master did); else they are tried again.
        std::vector<std::string> preferred, all;
        for (auto& [g, p] : st.peers) {
          if (p.status != "Up") continue;
          all.push_back(g);
          if (std::find(avoid.begin(), avoid.end(), g) == avoid.end()) preferred.push_back(g);
        }
        auto copies = st.table.copies_per_peer();
        auto chosen = cluster::choose_targets(guid, preferred, st.args.replication_factor,
                                              st.args.search_factor, copies, st.rng);
        if (chosen.size() + 1 < st.args.replication_factor && preferred.size() < all.size())
          chosen = cluster::choose_targets(guid, all, st.args.replication_factor,
                                           st.args.search_factor, copies, st.rng);
        cluster::bucket_key key{index, bucket_id{id}, guid};
        st.table.add_copy(key, guid, true, cluster::bucket_state_kind::hot);
        std::vector<target_info> out;
        std::string names;
        for (auto& t : chosen) {
          auto& p = st.peers.at(t.peer);
          st.table.add_copy(key, t.peer, t.searchable, cluster::bucket_state_kind::hot);
          out.push_back({t.peer, p.name, p.replication_uri, t.searchable});
          names += (names.empty() ? "" : ", ") + p.name + (t.searchable ? " (searchable)" : "");
        }
        if (chosen.size() + 1 < st.args.replication_factor)
          log::warn(component, "bucket " + key.to_string() + ": only " +
                                   std::to_string(chosen.size()) +
                                   " targets up for replication_factor " +
                                   std::to_string(st.args.replication_factor));
        log::info(component, "bucket " + key.to_string() + " of " + it->second.name +
                                 " replicates to " + (names.empty() ? "no peer" : names));
        return out;
      },
      [=](offline_atom, const std::string& guid, bool enforce_counts) -> caf::result<ok_atom> {
        auto& st = self->state;
        auto it = st.peers.find(guid);
        if (it == st.peers.end() || !is_member(it->second))
          return to_caf({errc::unauthenticated, "this peer is not registered"});
        auto& p = it->second;
        log::info(component, "peer " + p.name + " goes offline" +
                                 (enforce_counts ? " with --enforce-counts" : ""));
        set_status(p, "ReassigningPrimaries");
        if (st.restart) st.restart->went_away(guid);
        next_generation(self, "peer " + p.name + " goes offline");
        if (!enforce_counts) {
          // Answered once the cluster is valid without it (its last hot buckets'
          // copies report their roll), or after offline_wait: §13.3 steps 2-4.
          p.reassigning = self->make_response_promise<ok_atom>();
          plan_soon(self);
          return *p.reassigning;
        }
        set_status(p, "Decommissioning");
        roll_hot_buckets_around(self, guid);
        p.decommission = self->make_response_promise<ok_atom>();
        st.dirty = true;
        return *p.decommission;
      },
      [=](setting_atom, const std::string& key, double secs) -> caf::result<ok_atom> {
        auto& a = self->state.args;
        auto ms = std::chrono::milliseconds{static_cast<int64_t>(secs * 1000)};
        if (!(secs >= 0) || secs > 86400 * 365)
          return to_caf({errc::invalid_argument, key + ": expected seconds from 0 to 31536000"});
        if (key == "restart_timeout")
          a.restart_timeout = ms;
        else if (key == "quiet_period")
          a.quiet_period = ms;
        else if (key == "heartbeat_timeout") {
          if (ms <= a.heartbeat_period)
            return to_caf({errc::invalid_argument, "heartbeat_timeout must be more than heartbeat_period (" +
                                                       std::to_string(a.heartbeat_period.count() / 1000.0) + " s)"});
          a.heartbeat_timeout = ms;
        } else
          return to_caf({errc::invalid_argument,
                         "unknown setting '" + key +
                             "': expected restart_timeout, heartbeat_timeout or quiet_period"});
        log::info(component, "cluster setting " + key + " = " + std::to_string(secs) + " s");
        return ok_atom::value;
      },
      [=](setting_atom, const std::string& key, uint32_t n) -> caf::result<ok_atom> {
        auto& a = self->state.args;
        auto rf = a.replication_factor, sf = a.search_factor;
        if (key == "replication_factor")
          rf = n;
        else if (key == "search_factor")
          sf = n;
        else
          return to_caf(
              {errc::invalid_argument,
               "unknown setting '" + key + "': expected replication_factor or search_factor"});
        if (rf < 1 || rf > 64 || sf < 1 || sf > rf)
          return to_caf({errc::invalid_argument,
                         key + " " + std::to_string(n) +
                             ": expected 1 <= search_factor <= replication_factor <= 64 (now " +
                             std::to_string(a.replication_factor) + " and " +
                             std::to_string(a.search_factor) + ")"});
        a.replication_factor = rf;
        a.search_factor = sf;
        log::info(component, "cluster setting " + key + " = " + std::to_string(n) +
                                 ": fixup brings every bucket to it");
        next_generation(self, key + " changed");
        plan_soon(self);
        return ok_atom::value;
      },
      [=](bundle_atom, bool dry_run) { return apply_bundle(self, dry_run); },
      [=](restart_atom, uint32_t percent) -> caf::result<ok_atom> {
        auto& st = self->state;
        if (st.restart)
          return to_caf({errc::bad_state, "a rolling restart is under way: " +
                                              st.restart->progress([&](const std::string& g) {
                                                return st.peers.at(g).name;
                                              })});
        if (percent < 1 || percent > 100)
          return to_caf({errc::invalid_argument, "percent_peers_to_restart: expected 1 to 100"});
        std::vector<std::string> guids;
        for (auto& [guid, p] : st.peers)
          if (is_serving(p)) guids.push_back(guid);
        if (guids.empty()) return to_caf({errc::unavailable, "no peer is up"});
        start_restart(self, std::move(guids), percent, "rolling-restart cluster-peers");
        return ok_atom::value;
      },
      [=](generation_atom) {
        generation_info g{self->state.table.generation(),
                          self->state.table.valid(),
                          {},
                          self->state.bundle.checksum};
        for (auto& [guid, p] : self->state.peers)
          if (is_serving(p)) g.peers.push_back({p.name, guid, p.host_port});
        return g;
      },
      [=](bundle_atom) { return self->state.bundle; },
      [=](status_atom) { return status_of(self); },
      [=](tick_atom) {
        check_heartbeats(self);
        run_fixup(self);
        release_offline_peers(self);
        if (clock::now() - self->state.started >= self->state.args.quiet_period)
          roll_short_hot_buckets(self, serving_peers(self));
        advance_restart(self);
        self->delayed_send(self, self->state.args.heartbeat_period, tick_atom::value);
      },
      [=](fixup_atom) {
        self->state.plan_scheduled = false;
        run_fixup(self);
        release_offline_peers(self);
      },
  };
}

}  // namespace

result<master_actor> spawn_master(caf::actor_system& sys, master_args args) {
  if (auto err = io::make_dirs(args.state_dir)) return err;
  uint64_t generation = 0;
  bool ready = false;
  auto path = args.state_dir / state_file;
  std::error_code ec;
  if (io::fs::exists(path, ec)) {
    auto text = io::read_file(path);
    if (!text) return text.err();
    int was_ready = 0;
    if (std::sscanf(text->c_str(), "generation %" SCNu64 "\nready %d", &generation, &was_ready) !=
        2)
      return error{errc::corruption,
                   path.string() + ": expected \"generation N\" and \"ready 0|1\""};
    ready = was_ready != 0;
  }
  auto bundle = config::read_bundle(args.state_dir / bundle_dir);
  if (!bundle) return bundle.err();
  return sys.spawn(master, std::move(args), generation, ready, std::move(*bundle));
}

}  // namespace kura::actors
