// The peer actor: routing, Detention, volume caps, retention timer, index
// administration.
#include "actors/interfaces/peer_actor.hpp"

#include <chrono>

#include "actors/gather.hpp"
#include "core/cluster/bucket_key.hpp"
#include "core/index/store.hpp"
#include "core/log.hpp"

namespace kura::actors {
namespace {

constexpr const char* component = "IndexAdminHandler";

struct peer_state {
  node_settings settings;
  replicator_actor replicator;  // set on cluster peers
  detention_guard detention{0};
  std::map<std::string, index_actor> indexes;
  std::map<std::string, index_config> configs;
  uint64_t discarded = 0;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  static inline const char* name = "peer";
};

using self_ptr = peer_actor::stateful_pointer<peer_state>;

int64_t now_secs() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The same request to each of `actors`.
template <class T, class... Ts>
void ask_all(self_ptr self, std::vector<index_actor> actors,
             std::function<void(result<std::vector<T>>)> done, Ts... message) {
  auto targets = std::make_shared<std::vector<index_actor>>(std::move(actors));
  gather<T>(
      targets->size(),
      [=](size_t i, auto on_value, auto on_error) {
        self->request((*targets)[i], caf::infinite, message...).then(on_value, on_error);
      },
      std::move(done));
}

std::vector<index_actor> all_indexes(self_ptr self) {
  std::vector<index_actor> out;
  for (auto& [_, a] : self->state.indexes) out.push_back(a);
  return out;
}

/// Index NAME, or every index when NAME is empty. Errors: not_found.
result<std::vector<index_actor>> named_or_all(self_ptr self, const std::string& name) {
  if (name.empty()) return all_indexes(self);
  auto it = self->state.indexes.find(name);
  if (it == self->state.indexes.end())
    return error{errc::not_found, "index '" + name + "' does not exist"};
  return std::vector<index_actor>{it->second};
}

/// Asks each of `actors` for a list and delivers the lists joined, in order.
template <class T, class... Ts>
caf::typed_response_promise<std::vector<T>> ask_all_joined(self_ptr self,
                                                           std::vector<index_actor> actors,
                                                           Ts... message) {
  auto rp = self->make_response_promise<std::vector<T>>();
  ask_all<std::vector<T>>(
      self, std::move(actors),
      [=](result<std::vector<std::vector<T>>> r) mutable {
        if (!r) {
          rp.deliver(to_caf(r.err()));
          return;
        }
        std::vector<T> all;
        for (auto& part : *r) all.insert(all.end(), part.begin(), part.end());
        rp.deliver(std::move(all));
      },
      message...);
  return rp;
}

/// Delivers ok or the error to a promise.
template <class T>
std::function<void(result<std::vector<T>>)> deliver_ok(caf::typed_response_promise<ok_atom> rp) {
  return [rp](result<std::vector<T>> r) mutable {
    if (!r)
      rp.deliver(to_caf(r.err()));
    else
      rp.deliver(ok_atom::value);
  };
}

/// Applies the volume caps across indexes (after rolls and on the retention timer).
void enforce_volumes(self_ptr self, std::function<void(error)> done) {
  auto caps = capped_volumes(self->state.settings.store);
  if (caps.empty()) return done({});
  auto actors = all_indexes(self);
  auto names = std::make_shared<std::vector<std::string>>();
  for (auto& [name, _] : self->state.indexes) names->push_back(name);
  ask_all<index_volume_facts>(
      self, actors,
      [=](result<std::vector<index_volume_facts>> facts) {
        if (!facts) return done(facts.err());
        auto plan = plan_volumes(caps, *facts);
        std::vector<index_actor> owners;
        for (auto& action : plan) owners.push_back(self->state.indexes.at(action.index));
        auto shared_plan = std::make_shared<std::vector<lifecycle_action>>(std::move(plan));
        gather<ok_atom>(
            owners.size(),
            [=](size_t i, auto on_value, auto on_error) {
              self->request(owners[i], caf::infinite, apply_atom::value, (*shared_plan)[i])
                  .then(on_value, on_error);
            },
            [done](result<std::vector<ok_atom>> r) { done(r ? error{} : r.err()); });
      },
      facts_atom::value);
}

void retain(self_ptr self, std::function<void(error)> done) {
  ask_all<ok_atom>(
      self, all_indexes(self),
      [=](result<std::vector<ok_atom>> r) {
        if (!r) return done(r.err());
        enforce_volumes(self, done);
      },
      retain_atom::value, now_secs());
}

caf::result<ok_atom> ingest(self_ptr self, const event_batch& events) {
  auto& st = self->state;
  // Split by index; a batch for one index (the usual case) is passed on as it is.
  std::vector<std::string> order;
  std::map<std::string, std::shared_ptr<std::vector<ingest_event>>> split;
  bool one_index = std::all_of(events->begin(), events->end(),
                               [&](auto& e) { return e.index == events->front().index; });
  if (!one_index)
    for (auto& e : *events) {
      auto& part = split[e.index];
      if (!part) {
        part = std::make_shared<std::vector<ingest_event>>();
        order.push_back(e.index);
      }
      part->push_back(e);
    }
  else if (!events->empty())
    order.push_back(events->front().index);
  // Nothing is written unless every index exists, is enabled and has room.
  for (auto& name : order) {
    auto it = st.configs.find(name);
    if (it == st.configs.end()) {
      st.discarded += events->size();
      return to_caf({errc::not_found, "index '" + name + "' does not exist; " +
                                          std::to_string(events->size()) + " events discarded"});
    }
    if (it->second.disabled)
      return to_caf({errc::index_disabled, "index '" + name + "' is disabled"});
    if (auto err = st.detention.check(it->second.home_path)) return to_caf(err);
  }
  auto rp = self->make_response_promise<ok_atom>();
  auto batches = std::make_shared<std::vector<std::pair<index_actor, event_batch>>>();
  for (auto& name : order)
    batches->emplace_back(st.indexes.at(name), one_index ? events : event_batch{split[name]});
  gather<bool>(
      batches->size(),
      [=](size_t i, auto on_value, auto on_error) {
        self->request((*batches)[i].first, caf::infinite, append_atom::value, (*batches)[i].second)
            .then(on_value, on_error);
      },
      [=](result<std::vector<bool>> rolled) mutable {
        if (!rolled) {
          rp.deliver(to_caf(rolled.err()));
          return;
        }
        rp.deliver(ok_atom::value);
        if (std::find(rolled->begin(), rolled->end(), true) != rolled->end())
          enforce_volumes(self, [](error err) {
            if (err) log::error(component, "volume caps: " + err.render());
          });
      });
  return rp;
}

void add_index_actor(self_ptr self, std::unique_ptr<index> idx) {
  auto cfg = idx->config();
  // Only replicated indexes stream to targets; a peer-local one (repFactor 0) stays here.
  self->state.indexes[cfg.name] = spawn_index_actor(
      self, std::move(idx), cfg.replicated ? self->state.replicator : replicator_actor{});
  self->state.configs[cfg.name] = cfg;
}

peer_actor::behavior_type peer(self_ptr self, node_settings settings,
                               std::shared_ptr<std::vector<std::unique_ptr<index>>> opened,
                               replicator_actor replicator) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.replicator = std::move(replicator);
  st.detention = detention_guard{st.settings.store.min_free_space_bytes};
  for (auto& idx : *opened) add_index_actor(self, std::move(idx));
  opened->clear();
  self->delayed_send(self, st.settings.retention_period, tick_atom::value);
  return {
      [=](ingest_atom, const event_batch& events) { return ingest(self, events); },
      [=](targets_atom, bool every_index,
          const primacy_filter_ptr& filter) -> caf::result<std::vector<search_target>> {
        std::vector<index_actor> actors;
        for (auto& [name, a] : self->state.indexes)
          if (every_index || name == "main") actors.push_back(a);
        return ask_all_joined<search_target>(self, actors, targets_atom::value, filter);
      },
      [=](delete_atom, const std::string& bucket,
          const ordinals_ptr& ordinals) -> caf::result<ok_atom> {
        auto key = cluster::bucket_key::parse(bucket);
        if (!key) return to_caf({errc::invalid_argument, "not a bucket id: \"" + bucket + "\""});
        auto it = self->state.indexes.find(key->index);
        if (it == self->state.indexes.end()) return ok_atom::value;  // no such index: no copy here
        return self->delegate(it->second, delete_atom::value, key->local_id.value, key->origin,
                              ordinals);
      },
      [=](adopt_atom, const std::string& index, const std::string& dir) -> caf::result<ok_atom> {
        auto it = self->state.indexes.find(index);
        if (it == self->state.indexes.end()) {
          log::warn(component,
                    "replicated copy " + dir + " arrived for index '" + index + "', which is gone");
          return to_caf({errc::not_found, "index '" + index + "' is gone"});
        }
        auto rp = self->make_response_promise<ok_atom>();
        self->request(it->second, caf::infinite, adopt_atom::value, dir)
            .then([=](ok_atom) mutable { rp.deliver(ok_atom::value); },
                  [=](caf::error& e) mutable {
                    log::error(component, "cannot add the replicated copy " + dir + ": " +
                                              from_caf(e).render());
                    rp.deliver(e);
                  });
        return rp;
      },
      [=](status_atom) {
        auto& st = self->state;
        auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::steady_clock::now() - st.started);
        return server_status{st.settings.name, st.settings.role,       "0.1.0",
                             uptime.count(),   st.detention.message(), st.discarded};
      },
      [=](indexes_atom) -> caf::result<std::vector<index_status>> {
        auto rp = self->make_response_promise<std::vector<index_status>>();
        ask_all<index_status>(
            self, all_indexes(self),
            [=](result<std::vector<index_status>> r) mutable {
              if (!r)
                rp.deliver(to_caf(r.err()));
              else
                rp.deliver(std::move(*r));
            },
            status_atom::value);
        return rp;
      },
      [=](add_atom, const std::string& name) -> caf::result<ok_atom> {
        auto& st = self->state;
        if (auto err = validate_index_name(name)) return to_caf(err);
        if (st.indexes.count(name))
          return to_caf({errc::already_exists, "index '" + name + "' already exists"});
        auto cfg = default_index_config(name, st.settings.store.db_root);
        cfg.peer_guid = st.settings.store.peer_guid;
        auto idx = index::open(cfg);
        if (!idx) return to_caf(idx.err());
        add_index_actor(self, std::move(*idx));
        log::info(component, "added index '" + name + "'");
        return ok_atom::value;
      },
      [=](add_atom, index_config cfg) -> caf::result<ok_atom> {
        auto& st = self->state;
        if (st.indexes.count(cfg.name)) return ok_atom::value;  // a bundle installed again
        cfg.peer_guid = st.settings.store.peer_guid;
        auto idx = index::open(cfg);
        if (!idx) return to_caf(idx.err());
        add_index_actor(self, std::move(*idx));
        log::info(component, "added index '" + cfg.name + "' (configuration bundle)");
        return ok_atom::value;
      },
      [=](remove_atom, const std::string& name) -> caf::result<ok_atom> {
        auto& st = self->state;
        auto it = st.indexes.find(name);
        if (it == st.indexes.end())
          return to_caf({errc::not_found, "index '" + name + "' does not exist"});
        if (auto err = check_removable(name)) return to_caf(err);
        auto actor = it->second;
        auto cfg = st.configs.at(name);
        st.indexes.erase(it);  // from now on its events are discarded
        st.configs.erase(name);
        auto rp = self->make_response_promise<ok_atom>();
        self->request(actor, caf::infinite, shutdown_atom::value)
            .then(
                [=](ok_atom) mutable {
                  if (auto err = remove_index_data(cfg)) {
                    rp.deliver(to_caf(err));
                    return;
                  }
                  log::warn(component,
                            "removed index '" + name +
                                "' and its data; events sent to it will now be discarded");
                  rp.deliver(ok_atom::value);
                },
                [=](caf::error& e) mutable { rp.deliver(e); });
        return rp;
      },
      [=](disable_atom, const std::string& name, bool disabled) -> caf::result<ok_atom> {
        if (name.empty()) return to_caf({errc::invalid_argument, "an index name is required"});
        auto actors = named_or_all(self, name);
        if (!actors) return to_caf(actors.err());
        self->state.configs.at(name).disabled = disabled;
        log::info(component,
                  std::string{disabled ? "disabled" : "enabled"} + " index '" + name + "'");
        auto rp = self->make_response_promise<ok_atom>();
        ask_all<ok_atom>(self, *actors, deliver_ok<ok_atom>(rp), disable_atom::value, disabled);
        return rp;
      },
      [=](clean_atom, const std::string& name) -> caf::result<ok_atom> {
        auto actors = named_or_all(self, name);
        if (!actors) return to_caf(actors.err());
        auto rp = self->make_response_promise<ok_atom>();
        ask_all<ok_atom>(self, *actors, deliver_ok<ok_atom>(rp), clean_atom::value);
        return rp;
      },
      [=](roll_atom, const std::string& name) -> caf::result<ok_atom> {
        auto actors = named_or_all(self, name);
        if (!actors) return to_caf(actors.err());
        auto rp = self->make_response_promise<ok_atom>();
        ask_all<ok_atom>(self, *actors, deliver_ok<ok_atom>(rp), roll_atom::value);
        return rp;
      },
      [=](fsck_atom, const std::string& name,
          bool repair) -> caf::result<std::vector<fsck_report>> {
        auto actors = named_or_all(self, name);
        if (!actors) return to_caf(actors.err());
        return ask_all_joined<fsck_report>(self, *actors, fsck_atom::value, repair);
      },
      [=](rebuild_atom, const std::string& dir) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        ask_all<bool>(
            self, all_indexes(self),
            [=](result<std::vector<bool>> r) mutable {
              if (!r) {
                rp.deliver(to_caf(r.err()));
                return;
              }
              if (std::find(r->begin(), r->end(), true) != r->end()) {
                rp.deliver(ok_atom::value);
                return;
              }
              // Not a bucket any index serves (a copied-in or damaged one): rebuild it where it is.
              auto built = rebuild(dir, true);
              if (!built) {
                rp.deliver(to_caf(built.err()));
                return;
              }
              rp.deliver(ok_atom::value);
            },
            rebuild_atom::value, dir);
        return rp;
      },
      [=](retain_atom) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        retain(self, [rp](error err) mutable {
          if (err)
            rp.deliver(to_caf(err));
          else
            rp.deliver(ok_atom::value);
        });
        return rp;
      },
      [=](tick_atom) {
        retain(self, [](error err) {
          if (err) log::error(component, "retention: " + err.render());
        });
        self->delayed_send(self, self->state.settings.retention_period, tick_atom::value);
      },
      [=](shutdown_atom) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        ask_all<ok_atom>(
            self, all_indexes(self),
            [=](result<std::vector<ok_atom>> r) mutable {
              if (!r)
                rp.deliver(to_caf(r.err()));
              else
                rp.deliver(ok_atom::value);
              self->quit();
            },
            shutdown_atom::value);
        return rp;
      },
  };
}

}  // namespace

result<peer_actor> spawn_peer_actor(caf::actor_system& sys, const node_settings& settings,
                                    std::vector<std::string>* notes, replicator_actor replicator) {
  auto opened = open_indexes(settings.store, settings.indexes, notes);
  if (!opened) return opened.err();
  auto shared = std::make_shared<std::vector<std::unique_ptr<index>>>(std::move(*opened));
  return sys.spawn(peer, settings, shared, std::move(replicator));
}

}  // namespace kura::actors
