// The shared fixture of the search tests: a store in a temporary directory,
// events added to it, searches run through search_store, and small helpers
// that read rows. Each test keeps its own data and assertions.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/index/store.hpp"
#include "core/search/store_search.hpp"
#include "core/testing.hpp"

namespace kura::testing {

/// A store under a fresh temporary directory (db_root `dir / "db"`, no free
/// space floor) with the index "main", and search options whose `now` is one
/// day after `t0`.
struct search_fixture {
  static constexpr time_us t0 = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z

  temp_dir dir;
  std::unique_ptr<store> st;
  search::search_options opt;

  /// `main_max_data_size_bytes`: main's maxDataSize, 0 for the default.
  explicit search_fixture(uint64_t main_max_data_size_bytes = 0);

  /// Appends `events` to `index` (received at `t0`); REQUIREs success.
  void add(const std::string& index, std::vector<event_view> events);

  /// The rows of search `q`, in order; REQUIREs success. `summary`, if given,
  /// receives the search's summary.
  std::vector<search::row> run(const std::string& q, search::search_summary* summary = nullptr);

  /// The message of the error search `q` fails with; REQUIREs that it fails.
  std::string error_of(const std::string& q);
};

/// Field `f` of `r` as text, "<none>" when missing.
std::string str(const search::row& r, const std::string& f);

/// Field `f` of every row, in order ("<none>" where missing).
std::vector<std::string> column(const std::vector<search::row>& rows, const std::string& f);

/// The names of the fields of `r`, in order.
std::vector<std::string> names(const search::row& r);

/// Field `f` of `r` as a number; REQUIREs that it is there and is one.
double num(const search::row& r, const std::string& f);

/// A row with these fields added in order.
search::row make_row(std::initializer_list<std::pair<const char*, search::value>> fields);

}  // namespace kura::testing
