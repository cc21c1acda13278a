// A node_api over a core store guarded by one mutex: the test double of the
// actor layer, so that the HTTP server can be tested with real requests and
// real storage.
#pragma once

#include <mutex>

#include "actors/node_api.hpp"
#include "core/index/store.hpp"
#include "core/search/store_search.hpp"
#include "net/status/status_json.hpp"

namespace kura::testing {

class store_node final : public node_api {
 public:
  explicit store_node(store& s) : store_(s) {}

  error ingest(std::vector<ingest_event> events) override {
    std::lock_guard lock{mutex_};
    std::map<std::string, std::vector<event_view>> by_index;
    for (auto& e : events) {
      event_view v{e.time, e.host, e.source, e.sourcetype, e.raw, {}};
      for (auto& [k, val] : e.fields) v.fields.push_back({k, val});
      by_index[e.index].push_back(std::move(v));
    }
    for (auto& [index, views] : by_index)
      if (auto err = store_.append(index, views, 0)) return err;
    return {};
  }

  error ingest_raw(const input_meta& meta, std::string_view body, time_us now) override {
    auto stream = event_stream::open(sourcetype_rules{}, meta);
    if (!stream) return stream.err();
    std::vector<parsed_event> parsed;
    stream->feed(body, now, parsed);
    stream->finish(now, parsed);
    std::vector<ingest_event> events;
    for (auto& p : parsed) events.push_back({p.time, meta.host, meta.source, meta.sourcetype, p.index, p.raw, {}});
    return ingest(std::move(events));
  }

  result<search::search_summary> search(std::string_view text, const search::search_options& options,
                                        const search::row_sink& emit) override {
    std::lock_guard lock{mutex_};
    return search::search_store(store_, text, options, emit);
  }

  std::string server_info() override {
    std::lock_guard lock{mutex_};
    return status::server_info({"test-node", "standalone", "test", 0, 0}, store_);
  }
  std::string index_list() override {
    std::lock_guard lock{mutex_};
    return status::index_list(store_);
  }
  result<std::string> bucket_list(const std::string& index) override {
    std::lock_guard lock{mutex_};
    return status::bucket_list(store_, index);
  }
  bool accepting() override { return true; }

 private:
  store& store_;
  std::mutex mutex_;
};

}  // namespace kura::testing
