// What a node's actors are started with (from config::node_config). No CAF.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/index/index_config.hpp"
#include "core/pipeline/event_stream.hpp"

namespace kura {

struct node_settings {
  std::string name;  ///< [node] name
  std::string role = "standalone";
  uint32_t workers = 2;  ///< CAF scheduler threads
  store_config store;
  std::vector<index_config> indexes;  ///< configured ones; main, _internal, _audit are added
  std::map<std::string, sourcetype_rules> sourcetypes;
  std::chrono::seconds retention_period{30};
};

}  // namespace kura
