// The standalone node's node_api before the actor layer: the store behind one
// mutex. Every request is serialized, which is correct but leaves the second
// core idle; the peer actor (with one actor per index and bucket) replaces it.
// No CAF here.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "actors/node_api.hpp"
#include "core/index/store.hpp"

namespace kura {

class local_node final : public node_api {
 public:
  /// `sourcetypes`: the [sourcetypes.*] rules used by ingest_raw.
  local_node(std::unique_ptr<store> s, std::map<std::string, sourcetype_rules> sourcetypes, std::string name,
             std::string role);

  error ingest(std::vector<ingest_event> events) override;
  error ingest_raw(const input_meta& meta, std::string_view body, time_us now) override;
  result<search::search_summary> search(std::string_view text, const search::search_options& options,
                                        const search::row_sink& emit) override;
  server_status server_info() override;
  std::vector<index_status> indexes() override;
  bool accepting() override;

  /// Applies retention (aging, sizes, volumes) at `now_secs`.
  error enforce_retention(int64_t now_secs);
  /// Rolls every hot bucket (graceful stop).
  error close();

 private:
  std::mutex mutex_;
  std::unique_ptr<store> store_;
  std::map<std::string, sourcetype_rules> sourcetypes_;
  std::string name_, role_;
  int64_t started_at_;
};

}  // namespace kura
