// The node's actor system and the blocking client side of the peer actor.
#include "actors/node_runtime.hpp"

#include <atomic>
#include <deque>
#include <map>
#include <caf/io/all.hpp>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "actors/interfaces/peer_actor.hpp"
#include "core/search/parser.hpp"

namespace kura {

using namespace actors;

namespace {

time_us now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Sends one request and waits for its reply (caller: a thread that is not an actor's).
template <class T, class Handle, class... Ts>
result<T> ask(caf::scoped_actor& self, const Handle& to, Ts&&... message) {
  std::optional<result<T>> out;
  self->request(to, caf::infinite, std::forward<Ts>(message)...)
      .receive([&](T& value) { out.emplace(std::move(value)); },
               [&](caf::error& e) { out.emplace(from_caf(e)); });
  return std::move(*out);
}

template <class Handle, class... Ts>
error ask_ok(caf::actor_system& sys, const Handle& to, Ts&&... message) {
  caf::scoped_actor self{sys};
  auto r = ask<ok_atom>(self, to, std::forward<Ts>(message)...);
  return r ? error{} : r.err();
}

/// Lines queued for `_internal` beyond this are dropped (and counted).
constexpr size_t max_queued_log_lines = 10'000;
/// The status page's ingest chart: 30 intervals of 10 s; and its problem list.
constexpr int activity_interval_secs = 10;
constexpr size_t activity_intervals = 30;
constexpr size_t recent_problems = 20;

}  // namespace

struct node_runtime::impl {
  node_settings settings;
  std::unique_ptr<caf::actor_system_config> config;
  std::unique_ptr<caf::actor_system> sys;  // declared after config: destroyed first
  peer_actor peer;
  std::function<void()> on_stop;
  bool stopped = false;

  // Activity for the status page.
  std::mutex activity_mutex;
  std::map<int64_t, uint64_t> stored_per_interval;  // interval number -> events
  std::deque<std::string> problems;

  // Own log -> _internal.
  std::mutex log_mutex;
  std::condition_variable log_wake;
  std::vector<std::string> log_lines;
  uint64_t log_lines_dropped = 0;
  std::string log_source;
  bool log_stop = false;
  std::thread log_thread;

  /// Counts stored events for the status page's chart.
  void count_stored(size_t n) {
    std::lock_guard lock{activity_mutex};
    stored_per_interval[now_us() / 1'000'000 / activity_interval_secs] += n;
    while (stored_per_interval.size() > activity_intervals) stored_per_interval.erase(stored_per_interval.begin());
  }

  void flush_log() {
    std::vector<std::string> lines;
    {
      std::lock_guard lock{log_mutex};
      lines.swap(log_lines);
    }
    if (lines.empty()) return;
    auto events = std::make_shared<std::vector<ingest_event>>();
    auto now = now_us();
    for (auto& l : lines)
      events->push_back(
          {now, settings.name, log_source, "kura_node", "_internal", std::move(l), {}});
    caf::scoped_actor self{*sys};
    if (auto r = ask<ok_atom>(self, peer, ingest_atom::value, event_batch{events}); !r)
      std::fprintf(stderr, "kura: cannot index the node's log into _internal: %s\n",
                   r.err().render().c_str());
  }
};

node_runtime::node_runtime(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

node_runtime::~node_runtime() { (void)stop(); }

result<std::unique_ptr<node_runtime>> node_runtime::start(const node_settings& settings,
                                                          bool with_middleman,
                                                          std::vector<std::string>* notes) {
  auto i = std::make_unique<impl>();
  i->settings = settings;
  i->config = std::make_unique<caf::actor_system_config>();
  i->config->set("scheduler.max-threads", size_t{settings.workers});
  if (with_middleman) i->config->load<caf::io::middleman>();
  register_kura_types(*i->config);
  i->sys = std::make_unique<caf::actor_system>(*i->config);
  auto peer = spawn_peer_actor(*i->sys, settings, notes);
  if (!peer) return peer.err();
  i->peer = *peer;
  return std::unique_ptr<node_runtime>{new node_runtime(std::move(i))};
}

caf::actor_system& node_runtime::system() { return *impl_->sys; }

error node_runtime::ingest(std::vector<ingest_event> events) {
  if (events.empty()) return {};
  auto n = events.size();
  auto err = ask_ok(*impl_->sys, impl_->peer, ingest_atom::value,
                    event_batch{std::make_shared<std::vector<ingest_event>>(std::move(events))});
  if (!err) impl_->count_stored(n);
  return err;
}

activity node_runtime::recent_activity() {
  activity a;
  a.interval_secs = activity_interval_secs;
  int64_t current = now_us() / 1'000'000 / activity_interval_secs;
  std::lock_guard lock{impl_->activity_mutex};
  for (int64_t i = current - int64_t(activity_intervals) + 1; i <= current; ++i) {
    auto it = impl_->stored_per_interval.find(i);
    a.events.push_back(it == impl_->stored_per_interval.end() ? 0 : it->second);
  }
  a.problems.assign(impl_->problems.begin(), impl_->problems.end());
  return a;
}

namespace {

/// The pipeline of `meta.sourcetype` ([sourcetypes.NAME] or the defaults).
result<event_stream> open_stream(const node_settings& settings, const input_meta& meta) {
  auto rules = settings.sourcetypes.find(meta.sourcetype);
  return event_stream::open(rules == settings.sourcetypes.end() ? sourcetype_rules{} : rules->second, meta);
}

/// Parsed events with the stream's metadata; empties `parsed`.
std::vector<ingest_event> take_events(const input_meta& meta, std::vector<parsed_event>& parsed) {
  std::vector<ingest_event> events;
  events.reserve(parsed.size());
  for (auto& p : parsed)
    events.push_back({p.time, meta.host, meta.source, meta.sourcetype, std::move(p.index), std::move(p.raw), {}});
  parsed.clear();
  return events;
}

}  // namespace

namespace {

/// The events of raw inputs, each through the pipeline of its sourcetype.
result<std::vector<ingest_event>> parse_raw(const node_settings& settings, std::span<const raw_input> inputs,
                                            time_us now) {
  std::vector<ingest_event> events;
  std::vector<parsed_event> parsed;
  for (auto& in : inputs) {
    auto stream = open_stream(settings, in.meta);
    if (!stream) return stream.err();
    stream->feed(in.body, now, parsed);
    stream->finish(now, parsed);
    auto some = take_events(in.meta, parsed);
    if (events.empty()) events = std::move(some);
    else std::move(some.begin(), some.end(), std::back_inserter(events));
  }
  return events;
}

}  // namespace

error node_runtime::ingest_raw(std::span<const raw_input> inputs, time_us now) {
  auto events = parse_raw(impl_->settings, inputs, now);
  if (!events) return events.err();
  return ingest(std::move(*events));
}

void node_runtime::ingest_raw_async(std::span<const raw_input> inputs, time_us now, std::function<void(error)> done) {
  auto events = parse_raw(impl_->settings, inputs, now);
  if (!events) return done(events.err());
  if (events->empty()) return done({});
  auto n = events->size();
  event_batch batch{std::make_shared<std::vector<ingest_event>>(std::move(*events))};
  auto* i = impl_.get();
  // A short-lived actor waits for the peer's reply and reports it.
  i->sys->spawn([peer = i->peer, batch, done = std::move(done), i, n](caf::event_based_actor* self) {
    self->request(peer, caf::infinite, ingest_atom::value, batch)
        .then(
            [=](ok_atom) {
              i->count_stored(n);
              done({});
              self->quit();
            },
            [=](caf::error& e) {
              done(from_caf(e));
              self->quit();
            });
  });
}

result<uint64_t> node_runtime::ingest_file(const input_meta& meta, const io::fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in) return error{errc::not_found, "cannot open " + file.string() + " on the node"};
  auto stream = open_stream(impl_->settings, meta);
  if (!stream) return stream.err();
  uint64_t stored = 0;
  std::vector<parsed_event> parsed;
  auto store_parsed = [&] {
    stored += parsed.size();
    return ingest(take_events(meta, parsed));
  };
  std::string chunk(1 << 20, '\0');
  while (in) {
    in.read(chunk.data(), std::streamsize(chunk.size()));
    auto n = size_t(in.gcount());
    if (n == 0) break;
    stream->feed(std::string_view{chunk.data(), n}, now_us(), parsed);
    if (parsed.size() >= 10'000)
      if (auto err = store_parsed()) return err;
  }
  if (in.bad()) return error{errc::io_error, "reading " + file.string() + " failed"};
  stream->finish(now_us(), parsed);
  if (auto err = store_parsed()) return err;
  return stored;
}

result<search::search_summary> node_runtime::search(std::string_view text,
                                                    const search::search_options& options,
                                                    const search::row_sink& emit) {
  auto q = search::parse_query(text, options.now);
  if (!q) return q.err();
  caf::scoped_actor self{*impl_->sys};
  auto targets =
      ask<std::vector<search_target>>(self, impl_->peer, targets_atom::value, q->names_index);
  if (!targets) return targets.err();

  // Open a cursor on every owner at once (they run their parts in parallel), then collect.
  using open_handle =
      decltype(self->request(std::declval<cursor_actor>(), caf::infinite, open_atom::value,
                             std::declval<search::cursor_request>()));
  std::vector<open_handle> pending;
  size_t rank = 0;
  for (auto& t : *targets) {
    pending.push_back(self->request(t.owner, caf::infinite, open_atom::value,
                                    search::cursor_request{std::string{text}, options, rank}));
    rank += t.buckets;
  }
  struct open_cursor {
    cursor_actor owner;
    uint64_t id = 0;
    uint32_t batch = 64;  // grows: a `head 10` reads little, a full export reads in big batches
    bool done = false;
  };
  std::vector<std::shared_ptr<open_cursor>> cursors;
  std::vector<search::search_part> parts;
  error failed;
  for (size_t i = 0; i < pending.size(); ++i) {
    pending[i].receive(
        [&](opened_ptr& opened) {
          auto c = std::make_shared<open_cursor>(open_cursor{(*targets)[i].owner, opened->id});
          c->done = opened->id == 0;
          cursors.push_back(c);
          auto* me = &self;
          parts.push_back(search::remote_part(
              std::move(*opened),
              [c, me]() -> result<search::row_batch> {
                auto batch = ask<batch_ptr>(*me, c->owner, next_atom::value, c->id, c->batch);
                if (!batch) return batch.err();
                c->batch = std::min<uint32_t>(c->batch * 4, 4096);
                c->done = (*batch)->done;
                return std::move(**batch);
              },
              [c, me](const std::string& key, const Roaring& ordinals) {
                auto r = ask<ok_atom>(*me, c->owner, delete_atom::value, key,
                                      ordinals_ptr{std::make_shared<const Roaring>(ordinals)});
                return r ? error{} : r.err();
              }));
        },
        [&](caf::error& e) {
          if (!failed) failed = from_caf(e);
        });
  }
  auto close_all = [&] {
    for (auto& c : cursors)
      if (!c->done) self->send(c->owner, close_atom::value, c->id);
  };
  if (failed) {
    close_all();
    return failed;
  }
  auto summary = search::merge_parts(*q, std::move(parts), options, emit);
  close_all();
  return summary;
}

server_status node_runtime::server_info() {
  caf::scoped_actor self{*impl_->sys};
  auto r = ask<server_status>(self, impl_->peer, status_atom::value);
  if (!r) return {impl_->settings.name, impl_->settings.role, "0.1.0", 0, r.err().render(), 0};
  return std::move(*r);
}

std::vector<index_status> node_runtime::indexes() {
  caf::scoped_actor self{*impl_->sys};
  auto r = ask<std::vector<index_status>>(self, impl_->peer, indexes_atom::value);
  return r ? std::move(*r) : std::vector<index_status>{};
}

bool node_runtime::accepting() { return !server_info().detention.has_value(); }

error node_runtime::add_index(const std::string& name) {
  return ask_ok(*impl_->sys, impl_->peer, add_atom::value, name);
}

error node_runtime::remove_index(const std::string& name) {
  return ask_ok(*impl_->sys, impl_->peer, remove_atom::value, name);
}

error node_runtime::set_index_disabled(const std::string& name, bool disabled) {
  return ask_ok(*impl_->sys, impl_->peer, disable_atom::value, name, disabled);
}

error node_runtime::clean_eventdata(const std::string& name) {
  return ask_ok(*impl_->sys, impl_->peer, clean_atom::value, name);
}

error node_runtime::roll_hot_buckets(const std::string& name) {
  return ask_ok(*impl_->sys, impl_->peer, roll_atom::value, name);
}

result<std::vector<fsck_report>> node_runtime::fsck(const std::string& name, bool repair) {
  caf::scoped_actor self{*impl_->sys};
  return ask<std::vector<fsck_report>>(self, impl_->peer, fsck_atom::value, name, repair);
}

error node_runtime::rebuild(const std::string& bucket_dir) {
  std::error_code ec;
  if (!io::fs::is_directory(bucket_dir, ec))
    return {errc::not_found, "no bucket directory " + bucket_dir};
  return ask_ok(*impl_->sys, impl_->peer, rebuild_atom::value,
                io::fs::absolute(bucket_dir).string());
}

error node_runtime::enforce_retention() {
  return ask_ok(*impl_->sys, impl_->peer, retain_atom::value);
}

void node_runtime::audit(const std::string& user, const std::string& action,
                         const std::string& info) {
  std::string raw = "user=" + user + " action=" + action + " info=\"";
  for (char ch : info) {
    if (ch == '"' || ch == '\\') raw += '\\';
    raw += ch;
  }
  raw += '"';
  auto events = std::make_shared<std::vector<ingest_event>>();
  events->push_back(
      {now_us(), impl_->settings.name, "kura_audit", "audittrail", "_audit", std::move(raw), {}});
  caf::anon_send(impl_->peer, ingest_atom::value, event_batch{events});
}

void node_runtime::on_stop_request(std::function<void()> fn) { impl_->on_stop = std::move(fn); }

void node_runtime::request_stop() {
  if (impl_->on_stop) impl_->on_stop();
}

void node_runtime::index_own_log(std::string source) {
  auto* i = impl_.get();
  i->log_source = std::move(source);
  i->log_thread = std::thread{[i] {
    std::unique_lock lock{i->log_mutex};
    while (!i->log_stop) {
      i->log_wake.wait_for(lock, std::chrono::seconds(1));
      lock.unlock();
      i->flush_log();
      lock.lock();
    }
  }};
}

void node_runtime::queue_log_line(std::string line) {
  if (line.find(" WARN ") != std::string::npos || line.find(" ERROR ") != std::string::npos) {
    std::lock_guard lock{impl_->activity_mutex};
    impl_->problems.push_back(line);
    if (impl_->problems.size() > recent_problems) impl_->problems.pop_front();
  }
  std::lock_guard lock{impl_->log_mutex};
  if (impl_->log_source.empty()) return;
  if (impl_->log_lines.size() >= max_queued_log_lines) {
    ++impl_->log_lines_dropped;
    return;
  }
  impl_->log_lines.push_back(std::move(line));
}

error node_runtime::stop() {
  auto& i = *impl_;
  if (i.stopped) return {};
  i.stopped = true;
  if (i.log_thread.joinable()) {
    {
      std::lock_guard lock{i.log_mutex};
      i.log_stop = true;
    }
    i.log_wake.notify_all();
    i.log_thread.join();
    i.flush_log();
    std::lock_guard lock{i.log_mutex};
    i.log_source.clear();
  }
  auto err = ask_ok(*i.sys, i.peer, shutdown_atom::value);
  i.sys->await_all_actors_done();
  return err;
}

}  // namespace kura
