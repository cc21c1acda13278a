// The master actor: peers, heartbeats, generations, bucket table, targets.
//
// Generations (clustering.md §6.2): one when the master starts (the first
// peer to register after a start begins it), one per peer that joins or
// rejoins, one per peer that goes Down. With each, every peer gets its primacy
// exceptions (bucket_table::primary_exceptions).
//
// Indexing (§10.1): on the master's first start ever, peers may not index
// until replication_factor peers have registered; from then on a marker in
// the state directory says the cluster was ready once, and after a restart
// peers keep indexing (they never stopped).
#include "actors/master/master.hpp"

#include <cinttypes>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "core/cluster/bucket_table.hpp"
#include "core/cluster/target_chooser.hpp"
#include "core/log.hpp"

namespace kura::actors {
namespace {

constexpr const char* component = "CMMaster";
/// A peer is Pending after this many heartbeat periods without one.
constexpr int pending_after_missed = 3;
constexpr const char* state_file = "master_state";

struct peer_entry {
  std::string name, guid, host_port, replication_uri;
  member_actor member;
  std::string status = "Up";
  std::chrono::steady_clock::time_point last_heartbeat;
};

struct master_state {
  master_args args;
  std::map<std::string, peer_entry> peers;  // by GUID
  cluster::bucket_table table;
  std::mt19937 rng{std::random_device{}()};
  bool indexing_ready = false;
  static inline const char* name = "master";
};

using self_ptr = master_actor::stateful_pointer<master_state>;

bool is_up(const peer_entry& p) { return p.status != "Down"; }

std::set<std::string> up_peers(self_ptr self) {
  std::set<std::string> out;
  for (auto& [guid, p] : self->state.peers)
    if (is_up(p)) out.insert(guid);
  return out;
}

/// "generation N\nready 0|1\n" in the state directory.
error save_state(self_ptr self) {
  auto& st = self->state;
  return io::write_file_atomic(st.args.state_dir / state_file,
                               "generation " + std::to_string(st.table.generation()) + "\nready " +
                                   (st.indexing_ready ? "1" : "0") + "\n");
}

/// Starts a new generation and tells every peer its primacy in it.
void next_generation(self_ptr self, const std::string& why) {
  auto& st = self->state;
  auto up = up_peers(self);
  auto gen = st.table.new_generation(up);
  if (auto err = save_state(self))
    log::error(component, "cannot save the master's state: " + err.render());
  log::info(component, "generation " + std::to_string(gen) + " (" + why +
                           "): " + std::to_string(up.size()) + " peers, cluster " +
                           (st.table.valid() ? "valid" : "not valid"));
  for (auto& [guid, p] : st.peers) {
    if (!is_up(p)) continue;
    auto ex = st.table.primary_exceptions(guid);
    primacy_update update{gen, {}, {}};
    for (auto& k : ex.demoted) update.demoted.push_back(k.to_string());
    for (auto& k : ex.promoted) update.promoted.push_back(k.to_string());
    self->send(p.member, primacy_atom::value, std::move(update));
  }
}

void check_ready(self_ptr self) {
  auto& st = self->state;
  if (st.indexing_ready || up_peers(self).size() < st.args.replication_factor) return;
  st.indexing_ready = true;
  if (auto err = save_state(self))
    log::error(component, "cannot save the master's state: " + err.render());
  log::info(component, std::to_string(st.args.replication_factor) +
                           " peers have registered: the cluster starts indexing");
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
  auto now = std::chrono::steady_clock::now();
  for (auto& [guid, p] : st.peers) {
    auto c = st.table.counts_of(guid);
    s.peers.push_back({p.name, guid, p.status, p.host_port, c.buckets, c.primaries, c.searchable,
                       std::chrono::duration<double>(now - p.last_heartbeat).count()});
    if (is_up(p)) {
      ++s.peers_up;
      s.generation_peers.push_back({p.name, guid, p.host_port});
    }
  }
  for (auto& b : st.table.snapshot()) {
    cluster_bucket_status out{b.key.to_string(), b.key.index, to_string(b.state), b.size_bytes,
                              b.events,          b.valid(),   b.complete(rf, sf), {}};
    for (auto& c : b.copies) {
      auto it = st.peers.find(c.peer);
      out.copies.push_back(
          {it == st.peers.end() ? c.peer : it->second.name, c.peer, c.searchable, c.primary});
    }
    s.buckets.push_back(std::move(out));
  }
  return s;
}

/// Marks peers Pending or Down by the time since their last heartbeat.
void check_heartbeats(self_ptr self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  for (auto& [guid, p] : st.peers) {
    if (!is_up(p)) continue;
    auto silent = now - p.last_heartbeat;
    if (silent > st.args.heartbeat_timeout) {
      p.status = "Down";
      log::warn(
          component,
          "peer " + p.name + " (" + guid + ") is Down: no heartbeat for " +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(silent).count()) +
              " s");
      st.table.remove_peer(guid);
      next_generation(self, "peer " + p.name + " down");
    } else if (silent > pending_after_missed * st.args.heartbeat_period && p.status == "Up") {
      p.status = "Pending";
      log::warn(component, "peer " + p.name + " is Pending: " +
                               std::to_string(pending_after_missed) + " heartbeats missed");
    }
  }
}

master_actor::behavior_type master(self_ptr self, master_args args, uint64_t last_generation,
                                   bool ready) {
  auto& st = self->state;
  st.args = std::move(args);
  st.table.set_generation(last_generation);
  st.indexing_ready = ready;
  log::info(component,
            std::string{"master started"} +
                (ready ? "" : " for the first time: peers index once ") +
                (ready ? "" : std::to_string(st.args.replication_factor) + " have registered"));
  self->delayed_send(self, st.args.heartbeat_period, tick_atom::value);
  return {
      [=](register_atom, const login_identity& who, const peer_hello& hello,
          member_actor member) -> uint64_t {
        auto& st = self->state;
        auto& p = st.peers[who.guid];
        bool rejoin = !p.guid.empty();
        p = peer_entry{who.name,
                       who.guid,
                       hello.host_port,
                       hello.replication_uri,
                       std::move(member),
                       "Up",
                       std::chrono::steady_clock::now()};
        log::info(component, "peer " + who.name + " (" + who.guid + ") " +
                                 (rejoin ? "rejoined" : "joined") + ", search at " +
                                 hello.host_port + ", replication at " + hello.replication_uri);
        check_ready(self);
        next_generation(self, "peer " + who.name + (rejoin ? " rejoined" : " joined"));
        return st.table.generation();
      },
      [=](heartbeat_atom, const std::string& guid,
          const peer_report& report) -> caf::result<heartbeat_reply> {
        auto& st = self->state;
        auto it = st.peers.find(guid);
        if (it == st.peers.end() || !is_up(it->second))
          return to_caf({errc::unauthenticated,
                         "this peer is not registered with the master: register again"});
        auto& p = it->second;
        if (p.status == "Pending") log::info(component, "peer " + p.name + " is Up again");
        p.last_heartbeat = std::chrono::steady_clock::now();
        p.status = report.status == "Detention" ? "Detention" : "Up";
        if (report.full) {
          std::vector<cluster::copy_report> copies;
          for (auto& c : report.copies) {
            auto key = cluster::bucket_key::parse(c.bucket);
            auto state = cluster::parse_bucket_state(c.state);
            if (!key || !state) continue;
            copies.push_back({*key, *state, c.searchable, c.size_bytes, c.events});
          }
          st.table.apply_report(guid, copies);
          // Buckets that had no searchable copy on an up peer may have one now
          // (a peer's report after a restart): a new generation gives them a primary.
          if (auto n = st.table.primaries_assignable(up_peers(self)); n > 0)
            next_generation(self, std::to_string(n) + " buckets can have a primary again");
        }
        return heartbeat_reply{st.table.generation(), st.indexing_ready, false};
      },
      [=](targets_atom, const std::string& guid, const std::string& index,
          uint64_t id) -> caf::result<std::vector<target_info>> {
        auto& st = self->state;
        auto it = st.peers.find(guid);
        if (it == st.peers.end())
          return to_caf({errc::unauthenticated, "this peer is not registered"});
        std::vector<std::string> candidates;
        for (auto& [g, p] : st.peers)
          if (p.status == "Up") candidates.push_back(g);
        auto chosen =
            cluster::choose_targets(guid, candidates, st.args.replication_factor,
                                    st.args.search_factor, st.table.copies_per_peer(), st.rng);
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
      [=](generation_atom) {
        generation_info g{self->state.table.generation(), self->state.table.valid(), {}};
        for (auto& [guid, p] : self->state.peers)
          if (is_up(p)) g.peers.push_back({p.name, guid, p.host_port});
        return g;
      },
      [=](status_atom) { return status_of(self); },
      [=](tick_atom) {
        check_heartbeats(self);
        self->delayed_send(self, self->state.args.heartbeat_period, tick_atom::value);
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
  return sys.spawn(master, std::move(args), generation, ready);
}

}  // namespace kura::actors
