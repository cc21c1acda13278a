// The replica sink: the target side of replication (see the interface).
#include "actors/replica_sink.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>

#include "actors/cluster/node_auth.hpp"
#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_name.hpp"
#include "core/bucket/bucket_ops.hpp"
#include "core/cluster/bucket_key.hpp"
#include "core/journal/journal.hpp"
#include "core/log.hpp"

namespace kura::actors {
namespace {

constexpr const char* component = "ReplicaSink";

/// A copy being received.
struct incoming_copy {
  std::string index;
  io::fs::path dir;  ///< coldPath/<localid>_<guid>
  io::append_file journal;
  uint64_t events = 0;  ///< events in the slices received
  bool searchable = false;
};

struct sink_state {
  replica_sink_args args;
  std::unique_ptr<cluster::session_book> sessions;
  std::map<std::string, incoming_copy> copies;  // by cluster id
  static inline const char* name = "replica_sink";
};

using self_ptr = replica_sink_actor::stateful_pointer<sink_state>;

/// The source's session, or unauthenticated.
error check_token(self_ptr self, const std::string& token) {
  if (self->state.sessions->check(token)) return {};
  return {errc::unauthenticated, "unknown session on the replication port: log in first"};
}

/// Opens (or resumes) the copy of `key`. Errors: invalid_argument (bad id,
/// unknown index, own bucket), already_exists (the copy is complete), io_error.
result<uint64_t> open_copy(self_ptr self, const std::string& id, bool searchable) {
  auto& st = self->state;
  if (st.args.view->offline())
    return error{errc::unavailable, "peer " + st.args.name + " is going offline: it takes no copies"};
  if (auto it = st.copies.find(id); it != st.copies.end()) {
    it->second.searchable = searchable;
    st.args.view->set_incoming(id, searchable);
    return it->second.journal.size();
  }
  auto key = cluster::bucket_key::parse(id);
  if (!key) return error{errc::invalid_argument, "not a bucket id: \"" + id + "\""};
  if (key->origin == st.args.guid)
    return error{errc::invalid_argument,
                 "bucket " + id + " was made here: a peer never holds two copies"};
  auto cold = st.args.cold_paths.find(key->index);
  if (cold == st.args.cold_paths.end())
    return error{errc::invalid_argument,
                 "bucket " + id + ": index '" + key->index + "' does not exist here"};
  bucket_name in_flight{bucket_kind::in_flight, key->local_id, 0, 0, key->origin};
  if (bucket_name::parse(in_flight.format()) != in_flight)
    return error{errc::invalid_argument, "bucket " + id + ": its origin is not a GUID"};
  auto dir = cold->second / in_flight.format();
  // A finished copy of the same bucket means the source started over: refuse.
  std::error_code ec;
  for (auto& entry : io::fs::directory_iterator(cold->second, ec)) {
    auto name = bucket_name::parse(entry.path().filename().string());
    if (name && name->kind == bucket_kind::replicated && name->id == key->local_id &&
        name->guid == key->origin)
      return error{errc::already_exists, "bucket " + id + " is already complete here"};
  }
  if (auto err = io::make_dirs(dir / bucket_files::rawdata_dir)) return err;
  auto path = dir / bucket_files::rawdata_dir / bucket_files::journal;
  auto file = io::append_file::open(path);
  if (!file) return file.err();
  incoming_copy c{key->index, dir, std::move(*file), 0, searchable};
  if (c.journal.size() > 0) {
    // Resuming after a restart: keep the valid slices, cut a torn tail.
    auto mapped = io::mapped_file::open(path);
    if (!mapped) return mapped.err();
    auto scan = scan_journal(mapped->bytes());
    uint64_t keep = scan ? scan->valid_end : 0;
    c.events = scan ? scan->events : 0;
    if (keep != c.journal.size()) {
      log::warn(component, "copy " + dir.string() + ": cut " +
                               std::to_string(c.journal.size() - keep) +
                               " bytes of torn tail before resuming");
      if (auto err = c.journal.truncate(keep)) return err;
    }
  }
  auto held = c.journal.size();
  st.copies.emplace(id, std::move(c));
  st.args.view->set_incoming(id, searchable);
  log::info(component, "receiving bucket " + id + " into " + dir.string() +
                           (held ? " from byte " + std::to_string(held) : std::string{}) +
                           (searchable ? " (searchable)" : ""));
  return held;
}

/// Appends a checked journal part. Errors: not_found (not open), bad_state
/// (a gap), corruption (the part does not check out), io_error.
result<uint64_t> append_part(self_ptr self, const std::string& id, uint64_t offset,
                             const std::string& bytes) {
  auto it = self->state.copies.find(id);
  if (it == self->state.copies.end())
    return error{errc::not_found, "bucket " + id + " is not open here"};
  auto& c = it->second;
  auto size = c.journal.size();
  if (offset + bytes.size() <= size) return size;  // a resend of what is here
  if (offset != size)
    return error{errc::bad_state, "bucket " + id + ": part at byte " + std::to_string(offset) +
                                      " but " + std::to_string(size) + " bytes are held"};
  auto events = check_journal_part(bytes, offset, c.events);
  if (!events) return error{errc::corruption, "bucket " + id + ": " + events.err().message()};
  if (auto err = c.journal.append(bytes)) return err;
  if (auto err = c.journal.sync()) return err;
  c.events += *events;
  return c.journal.size();
}

/// Completes a copy: index files when searchable, then the rb_ name.
result<io::fs::path> finish_copy(self_ptr self, const std::string& id, int64_t newest,
                                 int64_t oldest, uint64_t size) {
  auto it = self->state.copies.find(id);
  if (it == self->state.copies.end())
    return error{errc::not_found, "bucket " + id + " is not open here"};
  auto& c = it->second;
  if (c.journal.size() != size)
    return error{errc::bad_state, "bucket " + id + " rolled at " + std::to_string(size) +
                                      " bytes but " + std::to_string(c.journal.size()) +
                                      " are held"};
  c.journal.close();
  if (c.searchable)
    if (auto built = rebuild(c.dir, true); !built) return built.err();
  auto name = bucket_name::parse(c.dir.filename().string());
  if (!name)
    return error{errc::invalid_argument,
                 "bucket " + id + ": its origin does not make a bucket name"};
  bucket_name rb{bucket_kind::replicated, name->id, newest, oldest, name->guid};
  auto target = c.dir.parent_path() / rb.format();
  if (auto err = io::move_path(c.dir, target)) return err;
  self->state.copies.erase(it);
  return target;
}

/// Hands a finished copy to its index; it stays reported as incoming until
/// the index has it, so that no report of this peer misses the copy.
void adopt(self_ptr self, const std::string& id, const std::string& index, const io::fs::path& dir,
           std::function<void()> then = [] {}) {
  self->request(self->state.args.peer, caf::infinite, adopt_atom::value, index, dir.string())
      .then(
          [=](ok_atom) {
            self->state.args.view->remove_incoming(id);
            self->state.args.meter->end(replication_meter::direction::in, id);
            then();
          },
          [=](caf::error&) {
            self->state.args.view->remove_incoming(id);
            self->state.args.meter->end(replication_meter::direction::in, id);
            then();
          });
}

/// A copy rolled here, to be adopted.
struct finished_copy {
  std::string id, index;
  io::fs::path dir;
};

/// The time range of a journal, in epoch seconds (newest, oldest).
/// Errors: corruption (no valid slice), io_error.
result<std::pair<int64_t, int64_t>> journal_time_range(const io::fs::path& journal) {
  auto mapped = io::mapped_file::open(journal);
  if (!mapped) return mapped.err();
  auto scan = scan_journal(mapped->bytes());
  if (!scan) return scan.err();
  if (scan->slices.empty()) return error{errc::corruption, journal.string() + ": no events"};
  time_us lo = std::numeric_limits<time_us>::max(), hi = std::numeric_limits<time_us>::min();
  slice_scratch scratch;
  for (auto& slice : scan->slices) {
    if (auto err = decode_slice(mapped->bytes(), slice, scratch, [](uint64_t, const event_view&) {}))
      return err;
    lo = std::min(lo, slice.min_time);
    hi = std::max(hi, slice.max_time);
  }
  return std::pair<int64_t, int64_t>{to_epoch_seconds(hi), to_epoch_seconds(lo)};
}

/// The source ORIGIN is gone: its copies being received here become rb_
/// copies with what arrived (every acknowledged block did). Returns them.
std::vector<finished_copy> finalize_copies_of(self_ptr self, const std::string& origin) {
  std::vector<std::string> ids;
  for (auto& [id, c] : self->state.copies) {
    auto key = cluster::bucket_key::parse(id);
    if (key && key->origin == origin) ids.push_back(id);
  }
  std::vector<finished_copy> done;
  for (auto& id : ids) {
    auto& c = self->state.copies.at(id);
    auto index = c.index;
    auto dir = c.dir;
    auto journal = dir / bucket_files::rawdata_dir / bucket_files::journal;
    auto range = journal_time_range(journal);
    if (!range) {
      // Nothing arrived (or nothing usable): there is no copy to keep.
      log::warn(component, "copy " + dir.string() + " of a lost source is dropped: " +
                               range.err().render());
      self->state.copies.erase(id);
      self->state.args.view->remove_incoming(id);
      self->state.args.meter->end(replication_meter::direction::in, id);
      (void)io::remove_all(dir);
      continue;
    }
    auto finished = finish_copy(self, id, range->first, range->second, c.journal.size());
    if (!finished) {
      log::error(component, "copy " + dir.string() + " could not be rolled: " +
                                finished.err().render());
      continue;
    }
    log::info(component, "bucket " + id + " of a lost source rolled here: " + finished->string());
    done.push_back({id, index, *finished});
  }
  return done;
}

/// Copies whose receiving was cut by a restart of this node are open again
/// (so they are reported, resumed by their source or rolled by finalize).
void reopen_copies(self_ptr self) {
  for (auto& [index, cold] : self->state.args.cold_paths) {
    std::error_code ec;
    for (auto& entry : io::fs::directory_iterator(cold, ec)) {
      auto name = bucket_name::parse(entry.path().filename().string());
      if (!name || name->kind != bucket_kind::in_flight) continue;
      auto id = cluster::bucket_key{index, name->id, name->guid}.to_string();
      if (auto held = open_copy(self, id, false); !held)
        log::warn(component, "cannot reopen the copy being received " + entry.path().string() +
                                 ": " + held.err().render());
    }
  }
}

replica_sink_actor::behavior_type sink(self_ptr self, replica_sink_args args) {
  self->state.sessions = std::make_unique<cluster::session_book>(args.secret);
  self->state.args = std::move(args);
  self->set_default_handler(caf::drop);
  self->set_exit_handler([](caf::exit_msg&) {});  // only the node's own kill ends it
  reopen_copies(self);
  return {
      [=](add_atom, const std::string& index, const std::string& cold) -> caf::result<ok_atom> {
        auto sender = self->current_sender();
        if (!sender || sender->node() != self->node())
          return to_caf({errc::unauthenticated, "indexes are not added from other nodes"});
        self->state.args.cold_paths[index] = cold;
        return ok_atom::value;
      },
      [=](finalize_atom, const std::string& origin) -> caf::result<ok_atom> {
        auto sender = self->current_sender();
        if (!sender || sender->node() != self->node())
          return to_caf({errc::unauthenticated, "finalize is not taken from other nodes"});
        auto done = finalize_copies_of(self, origin);
        if (done.empty()) return ok_atom::value;
        // Answered once the index has every rolled copy (the peer reports them next).
        auto rp = self->make_response_promise<ok_atom>();
        auto left = std::make_shared<size_t>(done.size());
        for (auto& c : done)
          adopt(self, c.id, c.index, c.dir, [=]() mutable {
            if (--*left == 0) rp.deliver(ok_atom::value);
          });
        return rp;
      },
      [=](challenge_atom) { return self->state.sessions->challenge(); },
      [=](login_atom, const login_identity& who, const std::string& nonce,
          const std::string& proof) -> caf::result<std::string> {
        std::string why;
        auto token = self->state.sessions->login({who.role, who.name, who.guid}, nonce, proof, why);
        if (!token) {
          log::warn(component, "refused " + who.role + " '" + who.name + "' (" + who.guid +
                                   ") on the replication port: " + why);
          return to_caf(
              {errc::unauthenticated, "refused by peer " + self->state.args.name + ": " + why});
        }
        return *token;
      },
      [=](open_atom, const std::string& token, const std::string& id,
          bool searchable) -> caf::result<uint64_t> {
        if (auto err = check_token(self, token)) return to_caf(err);
        auto held = open_copy(self, id, searchable);
        if (!held) return to_caf(held.err());
        return *held;
      },
      [=](slice_atom, const std::string& token, const std::string& id, uint64_t offset,
          const std::string& bytes) -> caf::result<uint64_t> {
        if (auto err = check_token(self, token)) return to_caf(err);
        auto held = append_part(self, id, offset, bytes);
        if (!held) {
          log::warn(component, "refused a journal part: " + held.err().render());
          return to_caf(held.err());
        }
        if (auto* who = self->state.sessions->check(token))
          self->state.args.meter->progress(replication_meter::direction::in, id, who->name, *held);
        return *held;
      },
      [=](roll_atom, const std::string& token, const std::string& id, int64_t newest,
          int64_t oldest, uint64_t size) -> caf::result<ok_atom> {
        if (auto err = check_token(self, token)) return to_caf(err);
        auto index = self->state.copies.count(id) ? self->state.copies.at(id).index : std::string{};
        auto done = finish_copy(self, id, newest, oldest, size);
        if (!done) {
          log::error(component, "bucket " + id + " could not be completed: " + done.err().render());
          return to_caf(done.err());
        }
        log::info(component, "bucket " + id + " complete: " + done->string());
        adopt(self, id, index, *done);
        return ok_atom::value;
      },
      [=](drop_atom, const std::string& token, const std::string& id) -> caf::result<ok_atom> {
        if (auto err = check_token(self, token)) return to_caf(err);
        auto it = self->state.copies.find(id);
        if (it == self->state.copies.end()) return ok_atom::value;
        auto dir = it->second.dir;
        self->state.copies.erase(it);
        self->state.args.view->remove_incoming(id);
        self->state.args.meter->end(replication_meter::direction::in, id);
        if (auto err = io::remove_all(dir)) return to_caf(err);
        return ok_atom::value;
      },
  };
}

}  // namespace

replica_sink_actor spawn_replica_sink(caf::actor_system& sys, replica_sink_args args) {
  return sys.spawn(sink, std::move(args));
}

}  // namespace kura::actors
