// The mutex-guarded store as a node_api.
#include "actors/local_node.hpp"

#include <chrono>

#include "core/search/store_search.hpp"

namespace kura {
namespace {
int64_t now_secs() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

local_node::local_node(std::unique_ptr<store> s, std::map<std::string, sourcetype_rules> sourcetypes, std::string name,
                       std::string role)
    : store_(std::move(s)), sourcetypes_(std::move(sourcetypes)), name_(std::move(name)), role_(std::move(role)),
      started_at_(now_secs()) {}

error local_node::ingest(std::vector<ingest_event> events) {
  std::lock_guard lock{mutex_};
  // One append (one commit) per index, in the order the indexes first appear.
  std::vector<std::string> order;
  std::map<std::string, std::vector<event_view>> by_index;
  for (auto& e : events) {
    if (!by_index.count(e.index)) order.push_back(e.index);
    event_view v{e.time, e.host, e.source, e.sourcetype, e.raw, {}};
    for (auto& [k, val] : e.fields) v.fields.push_back({k, val});
    by_index[e.index].push_back(std::move(v));
  }
  for (auto& index : order)
    if (auto err = store_->append(index, by_index[index], now_secs())) return err;
  return {};
}

error local_node::ingest_raw(const input_meta& meta, std::string_view body, time_us now) {
  auto rules = sourcetypes_.find(meta.sourcetype);
  auto stream = event_stream::open(rules == sourcetypes_.end() ? sourcetype_rules{} : rules->second, meta);
  if (!stream) return stream.err();
  std::vector<parsed_event> parsed;
  stream->feed(body, now, parsed);
  stream->finish(now, parsed);
  std::vector<ingest_event> events;
  events.reserve(parsed.size());
  for (auto& p : parsed)
    events.push_back({p.time, meta.host, meta.source, meta.sourcetype, std::move(p.index), std::move(p.raw), {}});
  return ingest(std::move(events));
}

result<search::search_summary> local_node::search(std::string_view text, const search::search_options& options,
                                                  const search::row_sink& emit) {
  std::lock_guard lock{mutex_};
  return search::search_store(*store_, text, options, emit);
}

server_status local_node::server_info() {
  std::lock_guard lock{mutex_};
  return {name_, role_, "0.1.0", now_secs() - started_at_, store_->detention(), store_->discarded_events()};
}

std::vector<index_status> local_node::indexes() {
  std::lock_guard lock{mutex_};
  std::vector<index_status> out;
  for (auto& name : store_->index_names()) {
    auto* idx = store_->find(name);
    auto& c = idx->config();
    out.push_back({name, c.disabled, c.home_path.string(), c.cold_path.string(), c.thawed_path.string(), idx->buckets()});
  }
  return out;
}

bool local_node::accepting() {
  std::lock_guard lock{mutex_};
  return !store_->detention().has_value();
}

error local_node::enforce_retention(int64_t now) {
  std::lock_guard lock{mutex_};
  return store_->enforce_retention(now);
}

error local_node::close() {
  std::lock_guard lock{mutex_};
  return store_->close();
}

}  // namespace kura
