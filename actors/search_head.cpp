// The search head: generations from the masters, searches over their peers.
#include "actors/search_head.hpp"

#include <caf/io/all.hpp>
#include <cctype>
#include <mutex>

#include "actors/blocking_ask.hpp"
#include "actors/cluster/remote.hpp"
#include "config/bundle.hpp"
#include "core/log.hpp"
#include "core/search/parser.hpp"
#include "core/search/search_wire.hpp"

namespace kura::actors {
namespace {

constexpr const char* component = "SearchHead";
/// How often the search head asks each master for its generation.
constexpr std::chrono::seconds refresh_period{5};
/// Rank space of one peer: bucket ranks break ties between equal times.
constexpr uint64_t ranks_per_peer = uint64_t(1) << 40;

/// What the search head knows of the masters, shared by the watcher actor and
/// the threads that search.
struct masters_view {
  mutable std::mutex mutex;
  std::vector<searchhead_master_status> masters;
  /// Per master, in the same order: the directory of its bundle's lookup
  /// tables ("" until installed, or when its bundle has none).
  std::vector<std::string> lookup_dirs;
};

/// A logged-in connection to a peer's door, shared by searches.
struct peer_session {
  door_actor door;
  std::string token;
};

/// The sessions at peers' doors, shared by the searching threads and the
/// watcher (which forgets a session as soon as its peer's node goes away, so
/// that the next search reconnects — and fails at once — instead of waiting
/// for a request to time out).
struct peer_sessions {
  std::mutex mutex;
  std::map<std::string, peer_session> by_host_port;
};

using watcher_actor = caf::typed_actor<
    // INTERNAL: ask the masters again.
    caf::reacts_to<tick_atom>,
    /// A search opened a session: watch its node.
    caf::reacts_to<register_atom, door_actor>>;

struct master_link {
  door_actor door;
  std::string token;
  bool busy = false;
  std::string bundle;     ///< checksum of the bundle whose lookups are installed
  bool fetching = false;  ///< a bundle request is under way
};

struct watcher_state {
  search_head_args args;
  std::shared_ptr<masters_view> view;
  std::shared_ptr<peer_sessions> sessions;
  std::map<std::string, master_link> links;
  static inline const char* name = "searchhead_watcher";
};

using watcher_ptr = watcher_actor::stateful_pointer<watcher_state>;

void set_master(watcher_ptr self, const std::string& uri, const generation_info* g,
                const std::string& problem) {
  std::lock_guard lock{self->state.view->mutex};
  for (auto& m : self->state.view->masters) {
    if (m.master_uri != uri) continue;
    if (!g) {
      if (m.reachable) log::warn(component, "master " + uri + " does not answer: " + problem);
      m.reachable = false;  // its last generation stays in use (clustering.md §16.1)
      return;
    }
    if (g->generation != m.generation)
      log::info(component, "master " + uri + ": generation " + std::to_string(g->generation) +
                               " with " + std::to_string(g->peers.size()) + " peers");
    m.reachable = true;
    m.valid = g->valid;
    m.generation = g->generation;
    m.peers.clear();
    for (auto& p : g->peers) m.peers.push_back({p.name, p.guid, p.host_port});
  }
}

/// Where master `uri`'s bundle lookups go: ROOT/<uri with ':' and the like as '_'>.
io::fs::path master_lookups(const io::fs::path& root, const std::string& uri) {
  std::string name;
  for (unsigned char c : uri) name += std::isalnum(c) || c == '.' || c == '-' ? char(c) : '_';
  return root / name;
}

void set_lookups(watcher_ptr self, const std::string& uri, const std::string& dir) {
  auto& view = *self->state.view;
  std::lock_guard lock{view.mutex};
  for (size_t i = 0; i < view.masters.size(); ++i)
    if (view.masters[i].master_uri == uri) view.lookup_dirs[i] = dir;
}

/// When master `uri` applies another bundle than the one whose lookups are
/// installed, fetches it and installs its lookup tables (the previous ones
/// stay until the next install, for searches that are reading them). A
/// failure is logged and retried at the next generation answer.
void follow_bundle(watcher_ptr self, const std::string& uri, const std::string& active) {
  auto& st = self->state;
  auto& link = st.links[uri];
  if (st.args.lookups_root.empty() || link.fetching || !link.door || active == link.bundle) return;
  if (active.empty()) {
    link.bundle.clear();
    set_lookups(self, uri, "");
    return;
  }
  link.fetching = true;
  self->request(link.door, remote_timeout, bundle_atom::value, link.token)
      .then(
          [=](const config::config_bundle& b) {
            auto& l = self->state.links[uri];
            l.fetching = false;
            if (b.checksum.empty()) {
              l.bundle.clear();
              set_lookups(self, uri, "");
              return;
            }
            auto dir = config::install_bundle_lookups(
                b, master_lookups(self->state.args.lookups_root, uri), l.bundle);
            if (!dir) {
              log::error(component, "master " + uri + ": cannot install the lookups of bundle " +
                                        b.checksum + ": " + dir.err().message());
              return;
            }
            log::info(component, "master " + uri + ": lookups of bundle " + b.checksum + " in " +
                                     dir->string());
            l.bundle = b.checksum;
            set_lookups(self, uri, dir->string());
          },
          [=](caf::error& e) {
            self->state.links[uri].fetching = false;
            log::warn(component, "master " + uri + ": cannot fetch bundle " + active + ": " +
                                     from_caf(e).message());
          });
}

void ask_generation(watcher_ptr self, const std::string& uri) {
  auto& link = self->state.links[uri];
  if (link.busy) return;
  link.busy = true;
  auto fail = [=](const error& err) {
    auto& l = self->state.links[uri];
    l.busy = false;
    l.door = door_actor{};
    set_master(self, uri, nullptr, err.message());
  };
  auto ask = [=] {
    auto& l = self->state.links[uri];
    self->request(l.door, remote_timeout, generation_atom::value, l.token)
        .then(
            [=](const generation_info& g) {
              self->state.links[uri].busy = false;
              set_master(self, uri, &g, {});
              follow_bundle(self, uri, g.active_bundle);
            },
            [=](caf::error& e) { fail(from_caf(e)); });
  };
  if (link.door) return ask();
  auto& a = self->state.args;
  connect_to<door_actor>(self, uri, [=](result<door_actor> door) {
    if (!door) return fail(door.err());
    log_in(self, *door, login_identity{"search_head", a.name, a.guid}, a.secrets.at(uri),
           [=](result<std::string> token) {
             if (!token) {
               if (token.err().code() == errc::unauthenticated)
                 log::error(component, "the master " + uri + " refused this search head: " +
                                           token.err().message() + " (check its pass4SymmKey)");
               return fail(token.err());
             }
             auto& l = self->state.links[uri];
             l.door = *door;
             l.token = *token;
             self->monitor(*door);
             ask();
           });
  });
}

watcher_actor::behavior_type watcher(watcher_ptr self, search_head_args args,
                                     std::shared_ptr<masters_view> view,
                                     std::shared_ptr<peer_sessions> sessions) {
  self->state.args = std::move(args);
  self->state.view = std::move(view);
  self->state.sessions = std::move(sessions);
  self->set_down_handler([=](caf::down_msg& down) {
    // A master's node went away: it is unreachable now, not after a request's timeout.
    for (auto& [uri, link] : self->state.links)
      if (link.door && link.door.address() == down.source) {
        link.door = door_actor{};
        set_master(self, uri, nullptr, "the connection to the master was lost");
      }
    auto& s = *self->state.sessions;
    std::lock_guard lock{s.mutex};
    std::erase_if(s.by_host_port,
                  [&](auto& entry) { return entry.second.door.address() == down.source; });
  });
  self->send(self, tick_atom::value);
  return {
      [=](tick_atom) {
        bool unknown = false;
        for (auto& uri : self->state.args.master_uris) ask_generation(self, uri);
        {
          std::lock_guard lock{self->state.view->mutex};
          for (auto& m : self->state.view->masters) unknown |= m.generation == 0;
        }
        // Every second until each master has answered once, then every refresh_period.
        self->delayed_send(self, unknown ? std::chrono::seconds(1) : refresh_period,
                           tick_atom::value);
      },
      [=](register_atom, const door_actor& door) { self->monitor(door); },
  };
}

}  // namespace

struct search_head::impl {
  caf::actor_system* sys = nullptr;
  search_head_args args;
  std::shared_ptr<masters_view> view = std::make_shared<masters_view>();
  watcher_actor watcher;
  std::shared_ptr<peer_sessions> sessions = std::make_shared<peer_sessions>();

  /// The session at a peer's door: connects and logs in when there is none.
  /// Blocks (an HTTP thread). Errors: unavailable, unauthenticated.
  result<peer_session> session(const std::string& host_port, const std::string& secret) {
    {
      std::lock_guard lock{sessions->mutex};
      if (auto it = sessions->by_host_port.find(host_port); it != sessions->by_host_port.end())
        return it->second;
    }
    auto hp = split_host_port(host_port);
    if (!hp) return hp.err();
    caf::scoped_actor self{*sys};
    // Through the middleman actor, with a timeout: a host that drops connection
    // attempts silently must not hold a search for the kernel's connect timeout.
    std::optional<result<door_actor>> door;
    self->request(sys->middleman().actor_handle(), connect_timeout, caf::connect_atom::value,
                  hp->first, hp->second)
        .receive(
            [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
              if (ptr)
                door.emplace(caf::actor_cast<door_actor>(std::move(ptr)));
              else
                door.emplace(error{errc::unavailable, "cannot connect: no actor published there"});
            },
            [&](caf::error& e) {
              door.emplace(error{errc::unavailable, "cannot connect: " + from_caf(e).message()});
            });
    if (!*door) return door->err();
    std::optional<result<std::string>> token;
    self->request(**door, connect_timeout, challenge_atom::value)
        .receive(
            [&](const std::string& nonce) {
              login_identity who{"search_head", args.name, args.guid};
              auto proof = cluster::login_proof(secret, {who.role, who.name, who.guid}, nonce);
              self->request(**door, connect_timeout, login_atom::value, who, nonce, proof)
                  .receive([&](std::string& t) { token.emplace(std::move(t)); },
                           [&](caf::error& e) { token.emplace(from_caf(e)); });
            },
            [&](caf::error& e) { token.emplace(from_caf(e)); });
    if (!*token) return token->err();
    peer_session s{**door, **token};
    caf::anon_send(watcher, register_atom::value, **door);
    std::lock_guard lock{sessions->mutex};
    sessions->by_host_port[host_port] = s;
    return s;
  }

  void forget(const std::string& host_port) {
    std::lock_guard lock{sessions->mutex};
    sessions->by_host_port.erase(host_port);
  }
};

search_head::search_head(caf::actor_system& sys, search_head_args args)
    : impl_(std::make_unique<impl>()) {
  impl_->sys = &sys;
  impl_->args = args;
  for (auto& uri : args.master_uris) impl_->view->masters.push_back({uri, 0, false, false, {}});
  impl_->view->lookup_dirs.resize(args.master_uris.size());
  impl_->watcher = sys.spawn(watcher, std::move(args), impl_->view, impl_->sessions);
}

search_head::~search_head() {
  caf::anon_send_exit(impl_->watcher, caf::exit_reason::user_shutdown);
}

std::vector<searchhead_master_status> search_head::status() const {
  std::lock_guard lock{impl_->view->mutex};
  return impl_->view->masters;
}

result<search::search_summary> search_head::search(std::string_view text,
                                                   const search::search_options& given,
                                                   const search::row_sink& emit) {
  auto options = given;  // lookups: the node's own, then each master's bundle, in order
  if (options.bundle_lookup_dirs.empty()) {  // (a subsearch has them already)
    std::lock_guard lock{impl_->view->mutex};
    for (auto& dir : impl_->view->lookup_dirs)
      if (!dir.empty()) options.bundle_lookup_dirs.push_back(dir);
  }
  auto q = search::parse_query(text, options.now);
  if (!q) return q.err();
  auto masters = status();
  std::vector<std::string> warnings;
  struct target {
    std::string peer, host_port, secret, master;
    uint64_t generation;
  };
  std::vector<target> targets;
  for (auto& m : masters) {
    if (m.generation == 0) {
      warnings.push_back("master " + m.master_uri +
                         " has not answered yet: its peers are not searched");
      continue;
    }
    if (!m.reachable)
      warnings.push_back("master " + m.master_uri +
                         " does not answer: searching its last known generation " +
                         std::to_string(m.generation));
    else if (!m.valid)
      warnings.push_back(
          "the cluster of master " + m.master_uri +
          " is not valid: some buckets have no searchable copy on a peer that is up; "
          "the results miss them");
    for (auto& p : m.peers)
      targets.push_back(
          {p.name, p.host_port, impl_->args.secrets.at(m.master_uri), m.master_uri, m.generation});
  }
  if (targets.empty() && warnings.size() == masters.size())
    return error{errc::unavailable,
                 "no master has told this search head its peers yet; try again shortly"};

  caf::scoped_actor self{*impl_->sys};
  using open_handle = decltype(self->request(std::declval<door_actor>(), remote_timeout,
                                             search_atom::value, std::string{}, search_request{}));
  struct pending {
    size_t target;
    open_handle handle;
  };
  std::vector<pending> opens;
  auto peer_failed = [&](const target& t, const error& err) {
    warnings.push_back("peer " + t.peer + " (" + t.host_port + ") did not answer (" +
                       err.message() + "); the results miss its data");
    impl_->forget(t.host_port);
  };
  for (size_t i = 0; i < targets.size(); ++i) {
    auto& t = targets[i];
    auto s = impl_->session(t.host_port, t.secret);
    if (!s) {
      peer_failed(t, s.err());
      continue;
    }
    search_request req;
    req.text = std::string{text};
    req.now = options.now;
    req.has_earliest = options.earliest.has_value();
    req.earliest = options.earliest.value_or(0);
    req.has_latest = options.latest.has_value();
    req.latest = options.latest.value_or(0);
    req.generation = t.generation;
    req.first_rank = i * ranks_per_peer;
    opens.push_back({i, self->request(s->door, remote_timeout, search_atom::value, s->token, req)});
  }
  std::vector<search::search_part> parts;
  std::vector<remote_cursor_actor> cursors;
  for (auto& o : opens) {
    auto& t = targets[o.target];
    o.handle.receive(
        [&](remote_cursor_actor& cursor, std::string& bytes, std::string& first) {
          auto opened = search::decode_cursor_opened(bytes, *q, options);
          if (!opened) {
            self->send(cursor, close_atom::value);
            return peer_failed(t, opened.err());
          }
          // The first rows came with the answer; the cursor is read on only if they were not all.
          auto prefetched = std::make_shared<std::optional<search::row_batch>>();
          if (opened->id != 0) {
            auto b = search::decode_row_batch(first);
            if (!b) {
              self->send(cursor, close_atom::value);
              return peer_failed(t, b.err());
            }
            if (!b->done) cursors.push_back(cursor);
            *prefetched = std::move(*b);
          }
          auto* me = &self;
          auto peer = t.peer;
          parts.push_back(search::remote_part(
              std::move(*opened),
              [cursor, me, peer, prefetched,
               batch = std::make_shared<uint32_t>(1024)]() -> result<search::row_batch> {
                if (*prefetched) {
                  auto b = std::move(**prefetched);
                  prefetched->reset();
                  return b;
                }
                std::optional<result<search::row_batch>> out;
                (*me)
                    ->request(cursor, remote_timeout, next_atom::value, *batch)
                    .receive(
                        [&](std::string& bytes) {
                          auto b = search::decode_row_batch(bytes);
                          if (b)
                            out.emplace(std::move(*b));
                          else
                            out.emplace(b.err());
                        },
                        [&](caf::error& e) {
                          out.emplace(error{errc::unavailable,
                                            "peer " + peer + ": " + from_caf(e).message()});
                        });
                *batch = std::min<uint32_t>(*batch * 4, 8192);
                return std::move(*out);
              },
              // `| delete` marks every copy: the bucket's copies are on the peers
              // of the same cluster, so each of them is told (one without a copy
              // answers ok).
              [this, &targets, master = t.master](const std::string& key,
                                                  const Roaring& ordinals) -> error {
                std::string bytes(ordinals.getSizeInBytes(), '\0');
                ordinals.write(bytes.data());
                caf::scoped_actor asker{*impl_->sys};
                for (auto& other : targets) {
                  if (other.master != master) continue;
                  auto s = impl_->session(other.host_port, other.secret);
                  if (!s)
                    return error{errc::unavailable,
                                 "| delete: peer " + other.peer + ": " + s.err().message()};
                  auto done = ask_and_wait<ok_atom>(asker, s->door, remote_timeout,
                                                    delete_atom::value, s->token, key, bytes);
                  if (!done) {
                    impl_->forget(other.host_port);
                    return error{errc::unavailable, "| delete: peer " + other.peer +
                                                        " did not mark its copy of " + key + ": " +
                                                        done.err().message()};
                  }
                }
                return {};
              }));
        },
        [&](caf::error& e) { peer_failed(t, from_caf(e)); });
  }
  if (!warnings.empty())
    caf::anon_send(impl_->watcher, tick_atom::value);  // refresh the generations now
  auto summary = search::merge_parts(*q, std::move(parts), options, emit);
  for (auto& c : cursors) self->send(c, close_atom::value);
  if (!summary) return summary;
  for (auto& w : warnings) summary->warnings.push_back(w);
  return summary;
}

}  // namespace kura::actors
