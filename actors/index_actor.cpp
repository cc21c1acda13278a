// The actor of one index: writes, hot-bucket searches, retention, and the
// supervision of its bucket actors.
#include "actors/interfaces/index_actor.hpp"

#include <chrono>
#include <deque>

#include "core/bucket/bucket_name.hpp"
#include "core/log.hpp"

namespace kura::actors {
namespace {

constexpr const char* component = "IndexActor";
/// A bucket actor that fails more often than this within restart_window is
/// given up on (logged; the bucket is left out of searches until fsck --repair).
constexpr size_t max_restarts = 3;
constexpr std::chrono::seconds restart_window{60};

struct child {
  bucket_actor handle;
  io::fs::path dir;
  std::deque<std::chrono::steady_clock::time_point> restarts;
};

/// A bucket of the index: its local id and origin guid (copies of other
/// peers' buckets may share an id).
using child_key = std::pair<uint64_t, std::string>;

struct index_actor_state {
  std::shared_ptr<index> idx;
  replicator_actor replicator;  // set on cluster peers
  search::cursor_table hot_cursors;
  std::map<child_key, child> children;
  std::map<child_key, std::string> left_out;  // buckets given up on, with why, until fsck --repair
  static inline const char* name = "index";
};

using self_ptr = index_actor::stateful_pointer<index_actor_state>;

/// Opens a bucket's view; damaged or missing index files are rebuilt from the
/// journal first (Splunk's automatic fsck).
result<std::shared_ptr<search::bucket_view>> open_from_disk(const index& idx,
                                                            const io::fs::path& dir) {
  auto view = search::open_bucket_view(dir, idx.config().name);
  if (!view) {
    log::warn(component, "bucket " + dir.string() + " cannot be opened (" + view.err().render() +
                             "); rebuilding its index files from the journal");
    if (auto built = rebuild(dir, idx.config().create_bloomfilter); !built) return built.err();
    view = search::open_bucket_view(dir, idx.config().name);
    if (!view) return view.err();
  }
  return std::shared_ptr<search::bucket_view>{std::move(*view)};
}

void spawn_child(self_ptr self, const child_key& id, const io::fs::path& dir,
                 std::deque<std::chrono::steady_clock::time_point> restarts) {
  auto view = open_from_disk(*self->state.idx, dir);
  if (!view) {
    log::error(component, "bucket " + dir.string() + " is left out of searches: " +
                              view.err().render() + " (run fsck --repair)");
    self->state.left_out[id] = "left out of searches: " + view.err().render();
    return;
  }
  auto handle = spawn_bucket_actor(self, std::move(*view));
  self->monitor(handle);
  self->state.children[id] = child{handle, dir, std::move(restarts)};
}

void stop_child(self_ptr self, std::map<child_key, child>::iterator it) {
  self->demonitor(it->second.handle.address());
  self->send_exit(it->second.handle, caf::exit_reason::user_shutdown);
  self->state.children.erase(it);
}

/// Makes the bucket actors match the index's warm, cold and thawed buckets:
/// new ones get an actor, gone or moved ones lose theirs.
void sync_children(self_ptr self) {
  std::map<child_key, io::fs::path> wanted;
  for (auto& b : self->state.idx->buckets())
    if (b.state != bucket_state::hot && b.searchable && b.problem.empty())
      wanted.emplace(child_key{b.id.value, b.origin}, b.dir);
  auto& children = self->state.children;
  for (auto it = children.begin(); it != children.end();) {
    auto w = wanted.find(it->first);
    if (w == wanted.end() || w->second != it->second.dir)
      stop_child(self, it++);
    else
      ++it;
  }
  std::erase_if(self->state.left_out, [&](auto& entry) { return !wanted.count(entry.first); });
  for (auto& [id, dir] : wanted)
    if (!children.count(id) && !self->state.left_out.count(id)) spawn_child(self, id, dir, {});
}

/// Before anything that may roll or delete hot buckets, open hot-bucket
/// cursors read their remaining rows into memory.
void detach_hot_cursors(self_ptr self) { (void)self->state.hot_cursors.detach_all(); }

void restart_all_children(self_ptr self) {
  while (!self->state.children.empty()) stop_child(self, self->state.children.begin());
  self->state.left_out.clear();
  sync_children(self);
}

/// A bucket actor ended: restart it from disk unless it was stopped on purpose
/// or keeps failing.
void on_child_down(self_ptr self, const caf::down_msg& down) {
  auto& children = self->state.children;
  auto it = std::find_if(children.begin(), children.end(),
                         [&](auto& c) { return c.second.handle.address() == down.source; });
  if (it == children.end()) return;
  auto id = it->first;
  auto dir = it->second.dir;
  auto restarts = std::move(it->second.restarts);
  children.erase(it);
  auto now = std::chrono::steady_clock::now();
  while (!restarts.empty() && now - restarts.front() > restart_window) restarts.pop_front();
  if (restarts.size() >= max_restarts) {
    log::error(
        component,
        "bucket actor of " + dir.string() + " failed " + std::to_string(restarts.size() + 1) +
            " times within " + std::to_string(restart_window.count()) +
            " s; left out of searches until fsck --repair: " + from_caf(down.reason).render());
    self->state.left_out[id] =
        "left out of searches after repeated failures: " + from_caf(down.reason).render();
    return;
  }
  log::warn(component, "bucket actor of " + dir.string() + " failed (" +
                           from_caf(down.reason).render() + "); restarting it from disk");
  restarts.push_back(now);
  spawn_child(self, id, dir, std::move(restarts));
}

/// Whether a replication failure fails the request: an append's blocks are
/// acknowledged only once on every live target; a roll (or the rolls of a
/// stop) happened whatever a lost target missed: those blocks were never
/// acknowledged, and fixup copies the rolled bucket.
enum class replication_failure { fails, warns };

/// Hands the journal progress of the last commit or roll to the replicator
/// and delivers `reply` once the copies are durable (at once without one).
template <class T>
caf::result<T> after_replication(self_ptr self, T reply,
                                 replication_failure failure = replication_failure::fails) {
  auto progress = self->state.idx->take_progress();
  if (!self->state.replicator || progress.empty()) return reply;
  auto rp = self->make_response_promise<T>();
  self->request(
          self->state.replicator, caf::infinite, replicate_atom::value,
          self->state.idx->config().name,
          progress_ptr{std::make_shared<const std::vector<journal_progress>>(std::move(progress))})
      .then([rp, reply](ok_atom) mutable { rp.deliver(reply); },
            [rp, reply, failure](caf::error& e) mutable {
              auto err = from_caf(e);
              if (failure == replication_failure::warns && err.code() == errc::not_replicated) {
                log::warn(component, "rolled; " + err.render());
                rp.deliver(reply);
              } else {
                rp.deliver(e);
              }
            });
  return rp;
}

index_actor::behavior_type index_behavior(self_ptr self, std::shared_ptr<index> idx,
                                          replicator_actor replicator) {
  self->state.idx = std::move(idx);
  self->state.replicator = std::move(replicator);
  self->set_down_handler([=](caf::down_msg& down) { on_child_down(self, down); });
  sync_children(self);
  auto& st = self->state;
  return {
      // Cursors over the hot buckets (the views live as long as the cursor).
      [=, &st](open_atom, const search::cursor_request& request) -> caf::result<opened_ptr> {
        auto views = std::make_shared<std::vector<std::unique_ptr<search::bucket_view>>>();
        std::vector<const search::bucket_view*> ptrs;
        for (auto& hot : st.idx->hot_buckets()) {
          if (std::find(request.skip_hot.begin(), request.skip_hot.end(), hot->id().value) !=
              request.skip_hot.end())
            continue;
          auto v = search::hot_bucket_view(*hot, st.idx->config().name, st.idx->config().peer_guid);
          if (!v) return to_caf(v.err());
          ptrs.push_back(v->get());
          views->push_back(std::move(*v));
        }
        auto opened = st.hot_cursors.open(request, ptrs, views);
        if (!opened) return to_caf(opened.err());
        return std::make_shared<search::cursor_opened>(std::move(*opened));
      },
      [=, &st](next_atom, uint64_t id, uint32_t max_rows) -> caf::result<batch_ptr> {
        auto batch = st.hot_cursors.next(id, max_rows);
        if (!batch) return to_caf(batch.err());
        return std::make_shared<search::row_batch>(std::move(*batch));
      },
      [=, &st](close_atom, uint64_t id) { st.hot_cursors.close(id); },
      [=, &st](delete_atom, const std::string& key,
               const ordinals_ptr& ordinals) -> caf::result<ok_atom> {
        for (auto& hot : st.idx->hot_buckets()) {
          auto v = search::hot_bucket_view(*hot, st.idx->config().name, st.idx->config().peer_guid);
          if (v && (*v)->key() == key) {
            if (auto err = add_deletes(hot->dir(), *ordinals)) return to_caf(err);
            return ok_atom::value;
          }
        }
        return to_caf(
            {errc::not_found, "bucket " + key + " is not a hot bucket of this index any more"});
      },
      // Writes and lifecycle.
      [=, &st](append_atom, const event_batch& events) -> caf::result<bool> {
        detach_hot_cursors(self);
        std::vector<event_view> views;
        views.reserve(events->size());
        for (auto& e : *events) {
          auto& v =
              views.emplace_back(event_view{e.time, e.host, e.source, e.sourcetype, e.raw, {}});
          for (auto& [k, val] : e.fields) v.fields.push_back({k, val});
        }
        if (auto err = st.idx->append(views)) return to_caf(err);
        if (auto err = st.idx->commit()) return to_caf(err);
        bool rolled = st.idx->take_roll_count() > 0;
        if (rolled) sync_children(self);
        return after_replication(self, rolled);
      },
      [=, &st](roll_atom) -> caf::result<ok_atom> {
        detach_hot_cursors(self);
        auto err = st.idx->roll_hot_buckets();
        sync_children(self);
        if (err) return to_caf(err);
        return after_replication(self, ok_atom::value, replication_failure::warns);
      },
      [=, &st](retain_atom, int64_t now) -> caf::result<ok_atom> {
        detach_hot_cursors(self);
        auto done = st.idx->enforce_retention(now);
        sync_children(self);
        if (!done) return to_caf(done.err());
        return ok_atom::value;
      },
      [=, &st](facts_atom) {
        return index_volume_facts{st.idx->config().home_volume, st.idx->config().cold_volume,
                                  st.idx->facts()};
      },
      [=, &st](apply_atom, const lifecycle_action& action) -> caf::result<ok_atom> {
        auto err = st.idx->apply(action);
        sync_children(self);
        if (err) return to_caf(err);
        return ok_atom::value;
      },
      [=, &st](fsck_atom, bool repair) {
        auto reports = st.idx->fsck(repair);
        if (repair) restart_all_children(self);  // repaired buckets have new index files
        return reports;
      },
      [=, &st](clean_atom) -> caf::result<ok_atom> {
        detach_hot_cursors(self);
        while (!st.children.empty()) stop_child(self, st.children.begin());
        if (auto err = st.idx->clean()) return to_caf(err);
        return ok_atom::value;
      },
      [=, &st](disable_atom, bool disabled) -> caf::result<ok_atom> {
        st.idx->set_disabled(disabled);
        if (auto err = st.idx->commit()) return to_caf(err);
        return ok_atom::value;
      },
      [=, &st](status_atom) {
        auto& c = st.idx->config();
        auto buckets = st.idx->buckets();
        for (auto& b : buckets)
          if (auto it = st.left_out.find(child_key{b.id.value, b.origin});
              it != st.left_out.end() && b.problem.empty())
            b.problem = it->second;
        return index_status{c.name,
                            c.disabled,
                            c.replicated,
                            c.home_path.string(),
                            c.cold_path.string(),
                            c.thawed_path.string(),
                            std::move(buckets)};
      },
      [=, &st](targets_atom, const primacy_filter_ptr& filter) {
        std::vector<search_target> targets{{cursor_actor{self}, st.idx->hot_buckets().size(), {}}};
        if (filter)
          for (auto& hot : st.idx->hot_buckets())
            if (!(*filter)(st.idx->config().name, hot->id(), st.idx->config().peer_guid))
              targets.front().skip_hot.push_back(hot->id().value);
        for (auto& [key, c] : st.children)
          if (!filter || (*filter)(st.idx->config().name, bucket_id{key.first}, key.second))
            targets.push_back({c.handle, 1});
        return targets;
      },
      [=, &st](delete_atom, uint64_t id, const std::string& origin,
               const ordinals_ptr& ordinals) -> caf::result<ok_atom> {
        auto& cfg = st.idx->config();
        if (origin == cfg.peer_guid)
          for (auto& hot : st.idx->hot_buckets())
            if (hot->id().value == id) {
              if (auto err = add_deletes(hot->dir(), *ordinals)) return to_caf(err);
              return ok_atom::value;
            }
        if (auto it = st.children.find(child_key{id, origin}); it != st.children.end()) {
          auto key = cfg.name + "~" + std::to_string(id) + (origin.empty() ? "" : "~" + origin);
          return self->delegate(it->second.handle, delete_atom::value, key, ordinals);
        }
        for (auto& b : st.idx->buckets())
          if (b.id.value == id && b.origin == origin && b.state != bucket_state::hot) {
            if (auto err = add_deletes(b.dir, *ordinals)) return to_caf(err);
            return ok_atom::value;
          }
        // A copy still being received keeps its marks when it is renamed at the roll.
        if (!origin.empty()) {
          auto incoming = cfg.cold_path /
                          bucket_name{bucket_kind::in_flight, bucket_id{id}, 0, 0, origin}.format();
          std::error_code ec;
          if (io::fs::exists(incoming, ec))
            if (auto err = add_deletes(incoming, *ordinals)) return to_caf(err);
        }
        return ok_atom::value;
      },
      [=, &st](adopt_atom, const std::string& dir) -> caf::result<ok_atom> {
        auto adopted = st.idx->adopt_replica(dir);
        if (!adopted) return to_caf(adopted.err());
        sync_children(self);
        return ok_atom::value;
      },
      [=, &st](rebuild_atom, const std::string& dir) -> caf::result<bool> {
        // Any warm or cold bucket of this index: searchable ones (a child
        // serves them) and journal-only replicated copies (fixup makes them searchable).
        std::error_code ec;
        auto all = st.idx->buckets();
        auto owned = std::find_if(all.begin(), all.end(), [&](const bucket_info& b) {
          return b.state != bucket_state::hot && io::fs::equivalent(b.dir, dir, ec);
        });
        if (owned == all.end()) return false;
        auto path = owned->dir;
        auto child = std::find_if(st.children.begin(), st.children.end(),
                                  [&](auto& c) { return io::fs::equivalent(c.second.dir, path, ec); });
        if (child != st.children.end()) stop_child(self, child);
        auto built = rebuild(path, st.idx->config().create_bloomfilter);
        auto refreshed = built ? st.idx->refresh(path) : error{};
        sync_children(self);
        if (!built) return to_caf(built.err());
        if (refreshed) return to_caf(refreshed);
        return true;
      },
      [=, &st](shutdown_atom) -> caf::result<ok_atom> {
        detach_hot_cursors(self);
        while (!st.children.empty()) stop_child(self, st.children.begin());
        auto err = st.idx->close();
        if (err) {
          self->quit();
          return to_caf(err);
        }
        // The rolls of the last hot buckets reach their targets before the actor ends.
        auto progress = st.idx->take_progress();
        if (!st.replicator || progress.empty()) {
          self->quit();
          return ok_atom::value;
        }
        auto rp = self->make_response_promise<ok_atom>();
        self->request(st.replicator, caf::infinite, replicate_atom::value, st.idx->config().name,
                      progress_ptr{std::make_shared<const std::vector<journal_progress>>(
                          std::move(progress))})
            .then(
                [=](ok_atom) mutable {
                  rp.deliver(ok_atom::value);
                  self->quit();
                },
                [=](caf::error& e) mutable {
                  auto err = from_caf(e);
                  if (err.code() == errc::not_replicated) {  // as a roll: see replication_failure
                    log::warn(component, "stopped; " + err.render());
                    rp.deliver(ok_atom::value);
                  } else {
                    rp.deliver(e);
                  }
                  self->quit();
                });
        return rp;
      },
  };
}

}  // namespace

index_actor spawn_index_actor(caf::local_actor* parent, std::unique_ptr<index> idx,
                              replicator_actor replicator) {
  return parent->spawn(index_behavior, std::shared_ptr<index>{std::move(idx)},
                       std::move(replicator));
}

}  // namespace kura::actors
