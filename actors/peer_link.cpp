// The member actor: a peer's link to its master (see interfaces/member_actor.hpp).
//
// Every heartbeat_period it either (re)joins — connect to the master's door,
// log in, register with this actor's handle — or sends a heartbeat with the
// peer's status and, when they changed or the master asks, its whole set of
// clustered copies. The master's replies set the shared cluster_view: indexing
// ready or not, the generation, whether the master answers.
#include "actors/peer_link.hpp"

#include <algorithm>
#include <functional>
#include <optional>

#include "actors/cluster/remote.hpp"
#include "actors/gather.hpp"
#include "core/log.hpp"

namespace kura::actors {
namespace {

constexpr const char* component = "CMSlave";
/// After the master moved a leaving peer's primaries, how long the peer still
/// answers searches: a search head learns the new generation within its
/// refresh period (5 s), and a search it started before still reads here.
constexpr auto offline_drain = std::chrono::seconds{7};

struct link_state {
  peer_link_args args;
  door_actor door;          ///< the master's door, once connected
  std::string token;        ///< session token at the master
  bool busy = false;        ///< a join or heartbeat is under way
  uint64_t attempt = 0;     ///< numbers joins and heartbeats: answers to older ones are ignored
  bool want_report = true;  ///< send the full copy set next time
  size_t last_report_hash = 0;
  /// The peer's copies as last collected (in the background: index actors
  /// building index files answer late, heartbeats never wait for them).
  std::optional<std::vector<copy_report>> copies;
  size_t copies_hash = 0;
  bool collecting = false;
  std::string last_problem;  ///< logged once until it changes
  std::map<std::string, std::vector<target_info>>
      last_targets;  ///< per index (master down: reuse, §8.4)
  /// The master let this peer go (offline): no more heartbeats or joins, which
  /// would register it again while it drains searches before it stops.
  bool leaving = false;
  /// The node stops: the master is asked nothing more (member_actor's shutdown_atom).
  bool stopping = false;
  /// Callbacks scheduled with `later`, by number.
  std::map<uint64_t, std::function<void()>> scheduled;
  uint64_t next_scheduled = 0;
  static inline const char* name = "peer_link";
};

using self_ptr = member_actor::stateful_pointer<link_state>;

void problem(self_ptr self, const std::string& what) {
  self->state.args.view->set_master(false, 0);
  if (what == self->state.last_problem) return;
  self->state.last_problem = what;
  log::warn(component, what);
}

/// The peer's clustered copies, from its indexes.
std::vector<copy_report> copies_of(const std::vector<index_status>& indexes) {
  std::vector<copy_report> out;
  for (auto& idx : indexes)
    for (auto& b : idx.buckets) {
      if (!idx.replicated) break;  // a peer-local index: not the cluster's
      if (b.state == bucket_state::thawed || !b.problem.empty()) continue;
      if (b.origin.empty()) continue;  // made before the node was a peer: not clustered
      out.push_back({idx.name + "~" + std::to_string(b.id.value) + "~" + b.origin,
                     to_string(b.state), b.searchable, b.size_bytes, b.events});
    }
  return out;
}

/// This peer's settled copy of `key` (warm or cold; not one being received).
std::optional<bucket_info> find_copy(const std::vector<index_status>& indexes,
                                     const cluster::bucket_key& key) {
  for (auto& idx : indexes) {
    if (idx.name != key.index) continue;
    for (auto& b : idx.buckets)
      if (b.id == key.local_id && b.origin == key.origin && b.state != bucket_state::hot &&
          b.state != bucket_state::thawed && b.problem.empty())
        return b;
  }
  return std::nullopt;
}

/// Runs one fixup task: the copy's directory first, then the rebuild (the
/// index actor rebuilds its bucket) or the stream (the replicator).
void run_fixup(self_ptr self, const fixup_order& order, caf::typed_response_promise<ok_atom> rp) {
  auto key = cluster::bucket_key::parse(order.bucket);
  if (!key) {
    rp.deliver(to_caf({errc::invalid_argument, "not a bucket id: \"" + order.bucket + "\""}));
    return;
  }
  auto& a = self->state.args;
  self->request(a.peer, remote_timeout, indexes_atom::value)
      .then(
          [=](std::vector<index_status>& indexes) mutable {
            auto copy = find_copy(indexes, *key);
            if (!copy) {
              rp.deliver(to_caf({errc::not_found, "no complete copy of " + order.bucket + " here"}));
              return;
            }
            auto& a = self->state.args;
            auto deliver = [=](ok_atom) mutable { rp.deliver(ok_atom::value); };
            auto failed = [=](caf::error& e) mutable { rp.deliver(e); };
            if (order.kind == "searchable") {
              log::info(component, "fixup: building index files of " + order.bucket);
              self->request(a.peer, caf::infinite, rebuild_atom::value, copy->dir.string())
                  .then(deliver, failed);
            } else if (order.kind == "replicate") {
              self->request(a.replicator, caf::infinite, send_atom::value, order.bucket,
                            copy->dir.string(), order.target)
                  .then(deliver, failed);
            } else {
              rp.deliver(to_caf({errc::invalid_argument, "unknown fixup task '" + order.kind + "'"}));
            }
          },
          [=](caf::error& e) mutable { rp.deliver(e); });
}

size_t hash_of(const std::vector<copy_report>& copies) {
  size_t h = copies.size();
  for (auto& c : copies)
    h = h * 1000003u ^ std::hash<std::string>{}(c.bucket + c.state + (c.searchable ? "s" : "n"));
  return h;
}

void join(self_ptr self) {
  auto& a = self->state.args;
  self->state.busy = true;
  auto attempt = ++self->state.attempt;
  auto fail = [=](const std::string& what) {
    if (attempt != self->state.attempt) return;
    self->state.busy = false;
    problem(self, what);
  };
  connect_to<door_actor>(self, a.master_uri, [=](result<door_actor> door) {
    if (!door)
      return fail("cannot reach the master at " + a.master_uri + ": " + door.err().message());
    log_in(self, *door, login_identity{"peer", a.name, a.guid}, a.secret,
           [=](result<std::string> token) {
             if (!token) {
               if (token.err().code() == errc::unauthenticated)
                 return fail("the master at " + a.master_uri + " refused this peer: " +
                             token.err().message() + " (check [clustering] pass4SymmKey)");
               return fail("cannot log in at the master " + a.master_uri + ": " +
                           token.err().message());
             }
             auto hello = a.hello;
             hello.last_generation = a.view->generation();
             hello.indexing_ready = a.view->indexing_ready();
             self->request(*door, remote_timeout, register_atom::value, *token, hello,
                           member_actor{self})
                 .then(
                     [=](uint64_t generation) {
                       if (attempt != self->state.attempt) return;
                       self->state.door = *door;
                       self->monitor(*door);
                       self->state.token = *token;
                       self->state.busy = false;
                       self->state.want_report = true;
                       self->state.last_problem.clear();
                       self->state.args.view->set_master(true, generation);
                       log::info(component, "registered with the master at " + a.master_uri +
                                                "; generation " + std::to_string(generation));
                     },
                     [=](caf::error& e) {
                       fail("the master did not register this peer: " + from_caf(e).message());
                     });
           });
  });
}

void heartbeat(self_ptr self);

/// Collects the peer's copies (its indexes, and the copies being received)
/// for the next heartbeat; with `report_now`, sends that heartbeat as soon as
/// they are collected (a change the master should learn at once).
void collect_copies(self_ptr self, bool report_now = false) {
  if (self->state.collecting && !report_now) return;
  self->state.collecting = true;
  self->request(self->state.args.peer, caf::infinite, indexes_atom::value)
      .then(
          [=](std::vector<index_status>& indexes) {
            auto& st = self->state;
            st.collecting = false;
            auto copies = copies_of(indexes);
            for (auto& [bucket, searchable] : st.args.view->incoming())
              copies.push_back({bucket, "hot", searchable, 0, 0});
            st.copies_hash = hash_of(copies);
            st.copies = std::move(copies);
            if (report_now && !st.busy && st.door) heartbeat(self);
          },
          [=](caf::error&) { self->state.collecting = false; });
}

/// Runs `fn` in this actor after `delay`.
void later(self_ptr self, std::chrono::milliseconds delay, std::function<void()> fn) {
  auto id = self->state.next_scheduled++;
  self->state.scheduled.emplace(id, std::move(fn));
  self->delayed_send(self, delay, tick_atom::value, id);
}

/// Partial shutdown (clustering.md §13.3 step 1): no input, no replicated
/// data; the hot buckets roll so that their copies complete on the targets;
/// then the master moves the primaries (and, with enforce_counts, completes
/// the cluster without this peer). `done` gets the outcome.
void go_offline(self_ptr self, bool enforce_counts, std::function<void(error)> done) {
  auto& a = self->state.args;
  if (!self->state.door) {
    done(error{errc::unavailable,
               "the master at " + a.master_uri + " is not reachable: offline needs it"});
    return;
  }
  a.view->set_offline();
  log::info(component, std::string{"going offline"} +
                           (enforce_counts ? " with --enforce-counts" : "") +
                           ": no more input; rolling hot buckets");
  self->request(a.peer, caf::infinite, roll_atom::value, std::string{})
      .then(
          [=](ok_atom) {
            if (!self->state.door) {
              done(error{errc::unavailable, "the master went away"});
              return;
            }
            self->request(self->state.door, caf::infinite, offline_atom::value, self->state.token,
                          enforce_counts)
                .then(
                    [=](ok_atom) {
                      self->state.leaving = true;
                      log::info(component,
                                "the master moved this peer's primaries; answering "
                                "searches of the previous generation for " +
                                    std::to_string(offline_drain.count()) + " s");
                      later(self, offline_drain, [=] {
                        log::info(component, "the master let this peer go offline");
                        done({});
                      });
                    },
                    [=](caf::error& e) { done(from_caf(e)); });
          },
          [=](caf::error& e) { done(from_caf(e)); });
}

/// A bundle from the master: validated against this peer's own file; when
/// `install`, written to slave-apps and applied: new indexes open at once
/// (the index and the replica sink learn them), any other change waits for
/// the restart the master orders.
caf::result<std::string> take_bundle(self_ptr self, const config::config_bundle& bundle,
                                     bool install) {
  auto& a = self->state.args;
  if (config::bundle_checksum(bundle.files) != bundle.checksum)
    return to_caf({errc::corruption, "the bundle's files do not match its checksum"});
  auto parsed = config::parse_bundle(bundle, *a.local_config);
  if (!parsed) return to_caf({errc::invalid_argument, parsed.err().message()});
  if (!install) return std::string{"valid"};
  auto change = config::compare_bundles(a.bundle, *parsed);
  if (auto err = config::write_bundle(bundle, a.slave_apps)) return to_caf(err);
  std::vector<index_config> added;
  for (auto& c : parsed->indexes)
    if (std::none_of(a.bundle.indexes.begin(), a.bundle.indexes.end(),
                     [&](auto& old) { return old.name == c.name; }))
      added.push_back(c);
  a.bundle = std::move(*parsed);
  a.hello.active_bundle = bundle.checksum;
  a.view->set_active_bundle(bundle.checksum);
  log::info(component, "installed bundle " + bundle.checksum + " in " + a.slave_apps.string() +
                           ": " + config::to_string(change));
  if (change != config::bundle_change::live) return std::string{config::to_string(change)};
  auto rp = self->make_response_promise<std::string>();
  gather<ok_atom>(
      added.size() * 2,
      [=](size_t i, auto on_value, auto on_error) {
        auto& c = added[i / 2];
        if (i % 2 == 0)
          self->request(self->state.args.peer, remote_timeout, add_atom::value, c)
              .then(on_value, on_error);
        else
          self->request(self->state.args.sink, remote_timeout, add_atom::value, c.name,
                        c.cold_path.string())
              .then(on_value, on_error);
      },
      [=](result<std::vector<ok_atom>> opened) mutable {
        if (!opened) {
          rp.deliver(
              to_caf({opened.err().code(), "the bundle's new indexes: " + opened.err().message()}));
          return;
        }
        for (auto& c : added)
          log::info(component, "index '" + c.name + "' from the bundle takes data");
        rp.deliver(std::string{"live"});
      });
  return rp;
}

void heartbeat(self_ptr self) {
  self->state.busy = true;
  auto attempt = ++self->state.attempt;
  auto fail = [=](const error& err) {
    if (attempt != self->state.attempt) return;
    self->state.busy = false;
    // Whatever failed (a master that restarted forgot our session; one that
    // went away never answers), the next tick joins again from the start.
    self->state.door = door_actor{};
    self->state.token.clear();
    problem(self, "heartbeat to the master failed: " + err.render());
  };
  collect_copies(self);
  auto& a = self->state.args;
  self->request(a.peer, remote_timeout, status_atom::value)
      .then(
          [=](server_status& status) {
            auto& st = self->state;
            if (attempt != st.attempt || !st.door) return;
            peer_report report;
            report.status = status.detention ? "Detention" : "Up";
            auto h = st.copies_hash;
            if (st.copies && (st.want_report || h != st.last_report_hash)) {
              report.full = true;
              report.copies = *st.copies;
            }
            self->request(st.door, remote_timeout, heartbeat_atom::value, st.token, report)
                .then(
                    [=](const heartbeat_reply& reply) {
                      auto& st = self->state;
                      if (attempt != st.attempt) return;
                      st.busy = false;
                      if (report.full) st.last_report_hash = h;
                      st.want_report = reply.want_report || (st.want_report && !report.full);
                      st.last_problem.clear();
                      st.args.view->set_master(true, reply.generation);
                      st.args.view->set_indexing_ready(reply.indexing_ready);
                    },
                    [=](caf::error& e) { fail(from_caf(e)); });
          },
          [=](caf::error& e) { fail(from_caf(e)); });
}

member_actor::behavior_type link(self_ptr self, peer_link_args args) {
  self->state.args = std::move(args);
  // The master's node went away: join again (a restarted master gets our
  // registration at once, not after a heartbeat's timeout).
  self->set_down_handler([=](caf::down_msg& down) {
    if (self->state.door && self->state.door.address() == down.source) {
      self->state.door = door_actor{};
      self->state.token.clear();
      self->state.busy = false;
      ++self->state.attempt;  // what was under way is answered by nobody
      problem(self, "the connection to the master was lost");
    }
  });
  self->send(self, tick_atom::value);
  return {
      [=](primacy_atom, const primacy_update& update) {
        cluster::primacy_exceptions ex;
        for (auto& k : update.demoted)
          if (auto key = cluster::bucket_key::parse(k)) ex.demoted.push_back(*key);
        for (auto& k : update.promoted)
          if (auto key = cluster::bucket_key::parse(k)) ex.promoted.push_back(*key);
        self->state.args.view->record_primacy(update.generation, ex);
        log::info(component, "generation " + std::to_string(update.generation) + ": " +
                                 std::to_string(ex.promoted.size()) + " copies primary here, " +
                                 std::to_string(ex.demoted.size()) +
                                 " own buckets primary elsewhere");
      },
      [=](fixup_atom, const fixup_order& order) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        run_fixup(self, order, rp);
        return rp;
      },
      [=](finalize_atom, const std::string& origin) -> caf::result<ok_atom> {
        log::info(component, "peer " + origin +
                                 " is gone: rolling the copies of its hot buckets held here");
        // A request, not a delegation: the sink takes finalize only from its own node.
        auto rp = self->make_response_promise<ok_atom>();
        self->request(self->state.args.sink, caf::infinite, finalize_atom::value, origin)
            .then(
                [=](ok_atom) mutable {
                  collect_copies(self, true);  // the master counts the rolled copies at once
                  rp.deliver(ok_atom::value);
                },
                [=](caf::error& e) mutable { rp.deliver(e); });
        return rp;
      },
      [=](roll_atom, const std::string& index) {
        log::info(component, "rolling index '" + index + "' so that its data gets live replication targets");
        self->request(self->state.args.peer, caf::infinite, roll_atom::value, index)
            .then([](ok_atom) {},
                  [=](caf::error& e) {
                    log::warn(component, "cannot roll index '" + index + "': " + from_caf(e).render());
                  });
      },
      [=](offline_atom, bool enforce_counts) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        go_offline(self, enforce_counts, [=](const error& err) mutable {
          if (err)
            rp.deliver(to_caf(err));
          else
            rp.deliver(ok_atom::value);
        });
        return rp;
      },
      [=](bundle_atom, const config::config_bundle& bundle,
          bool install) -> caf::result<std::string> { return take_bundle(self, bundle, install); },
      [=](restart_atom) {
        log::info(component, "the master restarts this peer (rolling restart): going offline");
        go_offline(self, false, [=](const error& err) {
          if (err)
            log::warn(component, "restart: the master did not confirm the offline (" +
                                     err.render() + "); restarting anyway");
          if (self->state.args.restart) self->state.args.restart();
        });
      },
      [=](shutdown_atom) { self->state.stopping = true; },
      [=](targets_atom, const std::string& index, uint64_t id,
          const std::vector<std::string>& avoid) -> caf::result<std::vector<target_info>> {
        auto rp = self->make_response_promise<std::vector<target_info>>();
        auto fallback = [=](const error& why) mutable {
          auto it = self->state.last_targets.find(index);
          if (it == self->state.last_targets.end()) {
            rp.deliver(to_caf(why));
            return;
          }
          log::warn(component, "index '" + index + "' bucket " + std::to_string(id) +
                                   ": the master does not answer (" + why.message() +
                                   "); streaming to the previous bucket's targets");
          auto targets = it->second;
          std::erase_if(targets, [&](const target_info& t) {
            return std::find(avoid.begin(), avoid.end(), t.guid) != avoid.end();
          });
          // Data it cannot replicate is not acknowledged: with no master and no
          // reachable target (a partition), the bucket gets none.
          if (targets.empty() && !it->second.empty()) {
            rp.deliver(to_caf({errc::unavailable, "the master does not answer (" + why.message() +
                                                      ") and the previous targets are lost"}));
            return;
          }
          rp.deliver(std::move(targets));
        };
        if (self->state.stopping) {
          fallback(error{errc::unavailable, "this node is stopping"});
          return rp;
        }
        if (!self->state.door) {
          fallback(error{errc::unavailable, "not registered with the master"});
          return rp;
        }
        self->request(self->state.door, remote_timeout, targets_atom::value, self->state.token,
                      index, id, avoid)
            .then(
                [=](std::vector<target_info>& targets) mutable {
                  self->state.last_targets[index] = targets;
                  rp.deliver(std::move(targets));
                },
                [=](caf::error& e) mutable { fallback(from_caf(e)); });
        return rp;
      },
      [=](tick_atom, uint64_t id) {
        auto it = self->state.scheduled.find(id);
        if (it == self->state.scheduled.end()) return;
        auto fn = std::move(it->second);
        self->state.scheduled.erase(it);
        fn();
      },
      [=](tick_atom) {
        if (!self->state.busy && !self->state.leaving && !self->state.stopping) {
          if (!self->state.door)
            join(self);
          else
            heartbeat(self);
        }
        self->delayed_send(self, self->state.args.heartbeat_period, tick_atom::value);
      },
  };
}

}  // namespace

member_actor spawn_peer_link(caf::actor_system& sys, peer_link_args args) {
  return sys.spawn(link, std::move(args));
}

}  // namespace kura::actors
