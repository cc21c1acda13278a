// The shared fixture of the search tests.
#include "search/search_fixture.hpp"

#include <doctest/doctest.h>

namespace kura::testing {

search_fixture::search_fixture(uint64_t main_max_data_size_bytes) {
  store_config sc;
  sc.db_root = dir / "db";
  sc.min_free_space_bytes = 0;
  auto main_cfg = default_index_config("main", sc.db_root);
  if (main_max_data_size_bytes) main_cfg.max_data_size_bytes = main_max_data_size_bytes;
  auto s = store::open(sc, {main_cfg});
  REQUIRE(s.has_value());
  st = std::move(*s);
  opt.now = t0 + 86400 * us_per_sec;
}

void search_fixture::add(const std::string& index, std::vector<event_view> events) {
  REQUIRE(!st->append(index, events, t0 / us_per_sec));
}

std::vector<search::row> search_fixture::run(const std::string& q,
                                             search::search_summary* summary) {
  std::vector<search::row> rows;
  auto s = search::search_store(*st, q, opt, [&](const search::row& r) {
    rows.push_back(r);
    return true;
  });
  REQUIRE_MESSAGE(s.has_value(), q << ": " << s.err().render());
  if (summary) *summary = *s;
  return rows;
}

std::string search_fixture::error_of(const std::string& q) {
  auto s = search::search_store(*st, q, opt, [](const search::row&) { return true; });
  REQUIRE_MESSAGE(!s.has_value(), q);
  return s.err().message();
}

std::string str(const search::row& r, const std::string& f) {
  auto* v = r.get(f);
  return v ? v->as_string() : "<none>";
}

std::vector<std::string> column(const std::vector<search::row>& rows, const std::string& f) {
  std::vector<std::string> out;
  for (auto& r : rows) out.push_back(str(r, f));
  return out;
}

std::vector<std::string> names(const search::row& r) {
  std::vector<std::string> out;
  for (auto& [n, _] : r.fields()) out.push_back(n);
  return out;
}

double num(const search::row& r, const std::string& f) {
  auto* v = r.get(f);
  REQUIRE_MESSAGE(v, f);
  auto n = v->as_number();
  REQUIRE_MESSAGE(n, f << " = " << v->as_string());
  return *n;
}

search::row make_row(std::initializer_list<std::pair<const char*, search::value>> fields) {
  search::row r;
  for (auto& [k, v] : fields) r.add(k, v);
  return r;
}

}  // namespace kura::testing
