// The replicator: streams hot buckets' journals to their targets.
//
// Worked example (RF 3, SF 2). Index `main` on peer A commits a batch into its
// new hot bucket 7: the index actor sends progress {id 7, 20480 durable
// bytes}. Bucket 7 is new, so the replicator asks the member actor for
// targets (B searchable, C not), connects and logs in to B's and C's
// replication ports, opens `main~7~A` on both (each answers how many bytes it
// already holds: 0, or more after a restart), then sends bytes [0, 20480) to
// both and replies to the index actor when both answered 20480. The next
// commit sends [20480, 41000) and so on. When bucket 7 rolls, the rest of the
// journal goes out, then roll(newest, oldest, size): B builds index files and
// both rename their copy to rb_…_7_A.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <map>

#include "actors/cluster/remote.hpp"
#include "actors/interfaces/replica_sink_actor.hpp"
#include "actors/interfaces/replicator_actor.hpp"
#include "core/bucket/bucket_files.hpp"
#include "core/bucket/bucket_name.hpp"
#include "core/io/file.hpp"
#include "core/journal/journal.hpp"
#include "core/log.hpp"

namespace kura::actors {
namespace {

constexpr const char* component = "Replicator";

/// The journal a progress record names, or — when its hot bucket has rolled
/// since (the index actor goes on while the replicator streams) — the same
/// journal under the bucket's warm name in the same homePath.
io::fs::path locate_journal(const io::fs::path& journal, bucket_id id, const std::string& guid) {
  std::error_code ec;
  if (io::fs::exists(journal, ec)) return journal;
  auto home = journal.parent_path().parent_path().parent_path();
  for (auto& entry : io::fs::directory_iterator(home, ec)) {
    auto name = bucket_name::parse(entry.path().filename().string());
    if (name && name->kind == bucket_kind::original && name->id == id && name->guid == guid)
      return entry.path() / bucket_files::rawdata_dir / bucket_files::journal;
  }
  return journal;
}

/// A bucket's journal, open for reading while the bucket streams: an open
/// file survives the renames of rolling and moving to cold.
class journal_reader {
 public:
  journal_reader() = default;
  journal_reader(const journal_reader&) = delete;
  journal_reader& operator=(const journal_reader&) = delete;
  ~journal_reader() {
    if (fd_ >= 0) ::close(fd_);
  }

  /// Bytes [from, to) of the journal of `p`. Errors: io_error.
  result<std::string> read(const journal_progress& p, const std::string& guid, uint64_t from,
                           uint64_t to) {
    if (fd_ < 0) {
      auto path = locate_journal(p.journal, p.id, guid);
      fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd_ < 0) return error{errc::io_error, "open " + path.string() + " for replication"};
    }
    std::string out(to - from, '\0');
    size_t done = 0;
    while (done < out.size()) {
      auto n = ::pread(fd_, out.data() + done, out.size() - done, off_t(from + done));
      if (n <= 0)
        return error{errc::io_error, "read the journal of bucket " + std::to_string(p.id.value) +
                                         " at byte " + std::to_string(from + done) +
                                         " for replication"};
      done += size_t(n);
    }
    return out;
  }

 private:
  int fd_ = -1;
};

/// Counts the replies one replicate request waits for. The request fails
/// (its blocks are not acknowledged) when a target of its bucket missed them.
struct countdown {
  caf::typed_response_promise<ok_atom> rp;
  size_t left = 1;  // the request itself, released once every item is issued
  error failed;
  void fail(error why) {
    if (!failed) failed = std::move(why);
  }
  void release() {
    if (--left > 0) return;
    if (failed)
      rp.deliver(to_caf(failed));
    else
      rp.deliver(ok_atom::value);
  }
};
using countdown_ptr = std::shared_ptr<countdown>;

/// Called once with the outcome of a request to a target: by its reply, or
/// earlier when the target's node goes away (a request to a node that is
/// gone only ends with its timeout; the monitor knows within seconds).
using settle_fn = std::function<void(error)>;

/// A logged-in connection to one target's replication port.
struct sink_link {
  replica_sink_actor sink;
  std::string token;
  bool ready = false;
  std::vector<std::function<void(error)>> waiting;  // callers until ready
  uint64_t incarnation = 0;                         // which connection attempt this entry is
  std::map<uint64_t, settle_fn> pending;  // requests not answered yet, by replicator-wide id
};

/// One target of one bucket.
struct target_stream {
  target_info target;
  uint64_t queued = 0;  ///< bytes sent (or being sent)
  bool lost = false;
};

/// One hot bucket being streamed.
struct bucket_stream {
  std::string index;
  bool roll_asked = false;  ///< a target was lost: the index was asked to roll
  /// Why the bucket has no targets at all (no master, none reachable): every
  /// block of it fails and it rolls, so that the next bucket tries again.
  error unreplicable;
  std::shared_ptr<journal_reader> journal = std::make_shared<journal_reader>();
  bool ready = false;  ///< targets known and opened
  std::vector<target_stream> targets;
  std::deque<std::pair<journal_progress, countdown_ptr>> waiting;  // until ready
};

struct replicator_state {
  replicator_args args;
  uint64_t next_id = 1;                          // request ids and link incarnations, never reused
  std::map<std::string, sink_link> links;        // by replication uri
  std::map<std::string, bucket_stream> buckets;  // by cluster id
  /// Targets lost lately (GUID -> when): new buckets avoid them until the
  /// master has noticed (it may still think them up for heartbeat_timeout).
  std::map<std::string, std::chrono::steady_clock::time_point> lost;
  static inline const char* name = "replicator";
};

using self_ptr = replicator_actor::stateful_pointer<replicator_state>;

std::string cluster_id(const std::string& index, bucket_id id, const std::string& guid) {
  return index + "~" + std::to_string(id.value) + "~" + guid;
}

/// Calls `then` once the link to `uri` is logged in (or with why not).
void with_link(self_ptr self, const std::string& uri, std::function<void(error)> then) {
  auto& st = self->state;
  auto it = st.links.find(uri);
  if (it != st.links.end()) {
    if (it->second.ready) return then({});
    it->second.waiting.push_back(std::move(then));
    return;
  }
  auto incarnation = st.next_id++;
  auto& fresh = st.links[uri];
  fresh.incarnation = incarnation;
  fresh.waiting.push_back(std::move(then));
  // Only this attempt's entry is finished (the node may have gone away and
  // another attempt started meanwhile: on_sink_down answered our waiters).
  auto finish = [=](error err) {
    auto it = self->state.links.find(uri);
    if (it == self->state.links.end() || it->second.incarnation != incarnation) return;
    auto waiting = std::move(it->second.waiting);
    if (err)
      self->state.links.erase(it);  // try again with the next bucket
    else
      it->second.ready = true;
    for (auto& w : waiting) w(err);
  };
  login_identity who{"peer", st.args.name, st.args.guid};
  auto secret = st.args.secret;
  connect_to<replica_sink_actor>(self, uri, [=](result<replica_sink_actor> sink) {
    if (!sink) return finish(sink.err());
    auto it = self->state.links.find(uri);
    if (it == self->state.links.end() || it->second.incarnation != incarnation) return;
    it->second.sink = *sink;
    self->monitor(*sink);
    log_in(self, *sink, who, secret, [=](result<std::string> token) {
      if (!token) return finish(token.err());
      auto it = self->state.links.find(uri);
      if (it == self->state.links.end() || it->second.incarnation != incarnation) return;
      it->second.token = *token;
      finish({});
    });
  });
}

/// How long a lost target is avoided by new buckets (the master may still
/// count it up for heartbeat_timeout; a returning one is taken again after this).
constexpr auto avoid_lost_for = std::chrono::seconds{30};

/// A target failed for a bucket: it gets nothing more of it, and the bucket
/// rolls so that new data goes to a bucket with live targets.
void lose_target(self_ptr self, const std::string& key, target_stream& t, const error& why) {
  if (t.lost) return;
  t.lost = true;
  self->state.args.meter->end(replication_meter::direction::out, key, t.target.name);
  self->state.lost[t.target.guid] = std::chrono::steady_clock::now();
  log::warn(component, "bucket " + key + ": target " + t.target.name + " (" +
                           t.target.replication_uri + ") dropped: " + why.render());
  auto it = self->state.buckets.find(key);
  if (it == self->state.buckets.end() || it->second.roll_asked) return;
  it->second.roll_asked = true;
  self->send(self->state.args.member, roll_atom::value, it->second.index);
}

/// GUIDs of targets lost lately.
std::vector<std::string> avoided(self_ptr self) {
  auto now = std::chrono::steady_clock::now();
  std::vector<std::string> out;
  for (auto it = self->state.lost.begin(); it != self->state.lost.end();) {
    if (now - it->second > avoid_lost_for) {
      it = self->state.lost.erase(it);
    } else {
      out.push_back(it->first);
      ++it;
    }
  }
  return out;
}

/// Sends a request to the sink of `uri` and calls `settle` once: with its
/// reply's outcome, or unavailable when the target's node goes away first.
template <class Reply, class... Ts>
void send_to(self_ptr self, const std::string& uri, settle_fn settle, Ts&&... message) {
  auto& link = self->state.links.at(uri);
  auto id = self->state.next_id++;
  link.pending.emplace(id, std::move(settle));
  auto done = [=](error err) {
    auto it = self->state.links.find(uri);
    if (it == self->state.links.end()) return;  // already settled when the link went down
    auto p = it->second.pending.find(id);
    if (p == it->second.pending.end()) return;
    auto fn = std::move(p->second);
    it->second.pending.erase(p);
    fn(std::move(err));
  };
  self->request(link.sink, remote_timeout, std::forward<Ts>(message)...)
      .then([done](Reply) { done({}); }, [done](caf::error& e) { done(from_caf(e)); });
}

/// A target's node went away: every request to it fails now, and the next
/// bucket connects anew.
void on_sink_down(self_ptr self, const caf::down_msg& down) {
  for (auto it = self->state.links.begin(); it != self->state.links.end(); ++it) {
    if (it->second.sink.address() != down.source) continue;
    auto pending = std::move(it->second.pending);
    auto waiting = std::move(it->second.waiting);
    auto uri = it->first;
    self->state.links.erase(it);
    log::warn(component,
              "replication target " + uri + " went away: " + from_caf(down.reason).render());
    error gone{errc::unavailable, "the target went away"};
    for (auto& [_, fn] : pending) fn(gone);
    for (auto& w : waiting) w(gone);
    // Its hot buckets roll now, so that new data gets live targets at once.
    for (auto& [key, b] : self->state.buckets)
      for (auto& t : b.targets)
        if (t.target.replication_uri == uri && b.ready) lose_target(self, key, t, gone);
    return;
  }
}

/// Sends one progress record of a ready bucket to each live target.
void send_progress(self_ptr self, const std::string& key, const journal_progress& p,
                   const countdown_ptr& cd) {
  auto& b = self->state.buckets.at(key);
  if (b.unreplicable) {
    if (!p.empty && !p.rolled) cd->fail(b.unreplicable);
    if (!b.roll_asked) {
      b.roll_asked = true;
      self->send(self->state.args.member, roll_atom::value, b.index);
    }
    if (p.rolled) self->state.buckets.erase(key);
    return;
  }
  auto missed = [&](const target_stream& t) {
    return error{errc::not_replicated, "bucket " + key + " lost its replication target " +
                                        t.target.name + ": the block is not acknowledged (resend it)"};
  };
  for (size_t i = 0; i < b.targets.size(); ++i) {
    auto& t = b.targets[i];
    if (t.lost) {
      if (!p.empty && t.queued < p.durable_bytes) cd->fail(missed(t));
      continue;
    }
    auto uri = t.target.replication_uri;
    auto link_it = self->state.links.find(uri);
    if (link_it == self->state.links.end() || !link_it->second.ready) {
      lose_target(self, key, t, error{errc::unavailable, "connection lost"});
      if (!p.empty && t.queued < p.durable_bytes) cd->fail(missed(t));
      continue;
    }
    auto token = link_it->second.token;
    // A failed request drops the target for this bucket (the others go on).
    auto settle = [=](error err) {
      if (err) {
        cd->fail(error{errc::not_replicated, "bucket " + key + ": replication target " + uri +
                                              " failed: " + err.message() +
                                              "; the block is not acknowledged (resend it)"});
        auto it = self->state.buckets.find(key);
        if (it != self->state.buckets.end() && i < it->second.targets.size())
          lose_target(self, key, it->second.targets[i], err);
        else
          log::warn(component, "bucket " + key + ": target " + uri +
                                   " did not finish its copy: " + err.render());
      }
      cd->release();
    };
    // Journal bytes not sent yet: what commits made durable, so whole slices
    // (the sink accepts nothing else).
    if (!p.empty && t.queued < p.durable_bytes) {
      uint64_t to = p.durable_bytes;
      auto bytes = b.journal->read(p, self->state.args.guid, t.queued, to);
      if (!bytes) {
        lose_target(self, key, t, bytes.err());
        cd->fail(bytes.err());
      } else {
        ++cd->left;
        send_to<uint64_t>(self, uri, settle, slice_atom::value, token, key, t.queued,
                          std::move(*bytes));
        t.queued = to;
        self->state.args.meter->progress(replication_meter::direction::out, key, t.target.name, to);
      }
    }
    if (t.lost || !p.rolled) continue;
    ++cd->left;
    if (p.empty)
      send_to<ok_atom>(self, uri, settle, drop_atom::value, token, key);
    else
      send_to<ok_atom>(self, uri, settle, roll_atom::value, token, key, p.newest, p.oldest,
                       p.durable_bytes);
  }
  if (p.rolled) {
    self->state.buckets.erase(key);
    self->state.args.meter->end(replication_meter::direction::out, key);
  }
}

/// The bucket's targets are known and opened: send what waited.
void on_ready(self_ptr self, const std::string& key) {
  auto& b = self->state.buckets.at(key);
  b.ready = true;
  auto waiting = std::move(b.waiting);
  for (auto& [p, cd] : waiting) {
    if (self->state.buckets.count(key)) send_progress(self, key, p, cd);  // a roll is always last
    cd->release();
  }
}

/// Asks for the targets of a new bucket, connects to them and opens the copies.
void set_up(self_ptr self, const std::string& key, const std::string& index, bucket_id id) {
  self->request(self->state.args.member, remote_timeout + connect_timeout, targets_atom::value,
                index, id.value, avoided(self))
      .then(
          [=](std::vector<target_info>& targets) {
            auto& b = self->state.buckets.at(key);
            for (auto& t : targets) b.targets.push_back({t, 0, false});
            if (targets.empty()) return on_ready(self, key);
            auto left = std::make_shared<size_t>(targets.size());
            auto settle = [=] {
              if (--*left == 0) on_ready(self, key);
            };
            for (size_t i = 0; i < targets.size(); ++i) {
              auto uri = targets[i].replication_uri;
              bool searchable = targets[i].searchable;
              with_link(self, uri, [=](error err) {
                auto& t = self->state.buckets.at(key).targets[i];
                if (err) {
                  lose_target(self, key, t, err);
                  return settle();
                }
                auto& link = self->state.links.at(uri);
                self->request(link.sink, remote_timeout, open_atom::value, link.token, key,
                              searchable)
                    .then(
                        [=](uint64_t held) {
                          self->state.buckets.at(key).targets[i].queued = held;
                          settle();
                        },
                        [=](caf::error& e) {
                          lose_target(self, key, self->state.buckets.at(key).targets[i],
                                      from_caf(e));
                          settle();
                        });
              });
            }
          },
          [=](caf::error& e) {
            auto why = from_caf(e);
            log::warn(component, "bucket " + key + ": no replication targets (" + why.render() +
                                     "): its blocks are not acknowledged and it rolls");
            self->state.buckets.at(key).unreplicable =
                error{errc::not_replicated, "bucket " + key + " cannot be replicated: " +
                                             why.message() + " (resend the block)"};
            on_ready(self, key);
          });
}

/// The most bytes of one part of a whole-bucket stream (fixup); whole slices.
constexpr uint64_t send_part_bytes = 4 << 20;

/// A whole warm or cold bucket on its way to one target (fixup, §14.1 #3).
struct bucket_send {
  std::string key;
  target_info target;
  io::mapped_file journal;     ///< mapped once: survives the bucket's moves
  std::vector<uint64_t> ends;  ///< where each slice ends (the file header before the first)
  int64_t newest = 0, oldest = 0;
  caf::typed_response_promise<ok_atom> rp;
};
using send_ptr = std::shared_ptr<bucket_send>;

void send_failed(self_ptr self, const send_ptr& s, const error& err) {
  self->state.args.meter->end(replication_meter::direction::out, s->key, s->target.name);
  log::warn(component, "bucket " + s->key + ": streaming it to " + s->target.name +
                           " failed: " + err.render());
  s->rp.deliver(to_caf(err));
}

/// Sends the part of the journal after `held`, or the roll once all is there.
void send_next(self_ptr self, const send_ptr& s, uint64_t held) {
  auto size = s->ends.back();
  auto uri = s->target.replication_uri;
  auto link = self->state.links.find(uri);
  if (link == self->state.links.end() || !link->second.ready)
    return send_failed(self, s, error{errc::unavailable, "the connection to the target was lost"});
  auto token = link->second.token;
  if (held >= size) {
    send_to<ok_atom>(
        self, uri,
        [=](error err) {
          if (err) return send_failed(self, s, err);
          log::info(component, "bucket " + s->key + " streamed whole to " + s->target.name + " (" +
                                   std::to_string(size) + " bytes)");
          self->state.args.meter->end(replication_meter::direction::out, s->key, s->target.name);
          s->rp.deliver(ok_atom::value);
        },
        roll_atom::value, token, s->key, s->newest, s->oldest, size);
    return;
  }
  // Whole slices from `held`, at most send_part_bytes (at least one slice).
  auto first = std::upper_bound(s->ends.begin(), s->ends.end(), held);
  if (first == s->ends.end() || (held != 0 && !std::binary_search(s->ends.begin(), s->ends.end(), held)))
    return send_failed(self, s,
                       error{errc::bad_state, "the target holds " + std::to_string(held) +
                                                  " bytes, which is not the end of a slice"});
  auto last = first;
  while (std::next(last) != s->ends.end() && *std::next(last) - held <= send_part_bytes) ++last;
  auto to = *last;
  std::string bytes{s->journal.bytes().substr(held, to - held)};
  send_to<uint64_t>(
      self, uri,
      [=](error err) {
        if (err) return send_failed(self, s, err);
        self->state.args.meter->progress(replication_meter::direction::out, s->key, s->target.name,
                                         to);
        send_next(self, s, to);
      },
      slice_atom::value, token, s->key, held, std::move(bytes));
}

/// Streams the whole bucket in `dir` to the target (see the interface).
void send_bucket(self_ptr self, const send_ptr& s, const io::fs::path& dir) {
  auto name = bucket_name::parse(dir.filename().string());
  if (!name || (name->kind != bucket_kind::original && name->kind != bucket_kind::replicated))
    return send_failed(
        self, s, error{errc::invalid_argument, dir.string() + " is not a warm or cold bucket"});
  s->newest = name->newest;
  s->oldest = name->oldest;
  auto mapped = io::mapped_file::open(dir / bucket_files::rawdata_dir / bucket_files::journal);
  if (!mapped) return send_failed(self, s, mapped.err());
  s->journal = std::move(*mapped);
  auto scan = scan_journal(s->journal.bytes());
  if (!scan) return send_failed(self, s, scan.err());
  if (!scan->clean() || scan->slices.empty())
    return send_failed(self, s,
                       error{errc::corruption,
                             dir.string() + ": the journal does not scan clean: " + scan->problem});
  s->ends.push_back(scan->slices.front().offset);
  for (auto& sl : scan->slices) s->ends.push_back(sl.offset + sl.size);
  auto uri = s->target.replication_uri;
  with_link(self, uri, [=](error err) {
    if (err) return send_failed(self, s, err);
    auto& link = self->state.links.at(uri);
    log::info(component, "streaming bucket " + s->key + " whole to " + s->target.name + " (" +
                             std::to_string(s->ends.back()) + " bytes)");
    self->request(link.sink, remote_timeout, open_atom::value, link.token, s->key,
                  s->target.searchable)
        .then([=](uint64_t held) { send_next(self, s, held); },
              [=](caf::error& e) { send_failed(self, s, from_caf(e)); });
  });
}

replicator_actor::behavior_type replicator(self_ptr self, replicator_args args) {
  self->state.args = std::move(args);
  self->set_down_handler([=](caf::down_msg& down) { on_sink_down(self, down); });
  return {
      [=](register_atom, member_actor member) { self->state.args.member = std::move(member); },
      [=](send_atom, const std::string& key, const std::string& dir,
          const target_info& target) -> caf::result<ok_atom> {
        auto s = std::make_shared<bucket_send>();
        s->key = key;
        s->target = target;
        s->rp = self->make_response_promise<ok_atom>();
        send_bucket(self, s, dir);
        return s->rp;
      },
      [=](replicate_atom, const std::string& index,
          const progress_ptr& progress) -> caf::result<ok_atom> {
        auto cd = std::make_shared<countdown>();
        cd->rp = self->make_response_promise<ok_atom>();
        for (auto& p : *progress) {
          auto key = cluster_id(index, p.id, self->state.args.guid);
          auto [it, fresh] = self->state.buckets.try_emplace(key);
          if (fresh) {
            it->second.index = index;
            if (p.rolled && p.empty) {  // never streamed: nothing to tell anyone
              self->state.buckets.erase(it);
              continue;
            }
            set_up(self, key, index, p.id);
          }
          if (!it->second.ready) {
            ++cd->left;
            it->second.waiting.emplace_back(p, cd);
            continue;
          }
          send_progress(self, key, p, cd);
        }
        auto rp = cd->rp;
        cd->release();
        return rp;
      },
  };
}

}  // namespace

replicator_actor spawn_replicator(caf::actor_system& sys, replicator_args args) {
  return sys.spawn(replicator, std::move(args));
}

}  // namespace kura::actors
