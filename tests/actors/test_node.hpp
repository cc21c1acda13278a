// A node (node_runtime) for tests: its indexes under a temporary directory, no free-space floor.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "actors/node_runtime.hpp"
#include "core/testing.hpp"

namespace kura::testing {

inline std::unique_ptr<node_runtime> start_node(const temp_dir& dir, std::string name) {
  node_settings settings;
  settings.name = std::move(name);
  settings.store.db_root = dir / "db";
  settings.store.min_free_space_bytes = 0;
  auto started = node_runtime::start(settings, false);
  REQUIRE_MESSAGE(started.has_value(), started.err().render());
  return std::move(*started);
}

}  // namespace kura::testing
