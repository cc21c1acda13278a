// Collecting the bucket views of a search.
#include "core/search/store_search.hpp"

#include "core/search/parser.hpp"

namespace kura::search {

std::vector<std::unique_ptr<bucket_view>> collect_views(store& s, const query& q, std::vector<std::string>& warnings) {
  std::vector<std::unique_ptr<bucket_view>> views;
  for (auto& name : s.index_names()) {
    if (!q.names_index && name != "main") continue;
    auto* idx = s.find(name);
    for (auto& hot : idx->hot_buckets()) {
      auto v = hot_bucket_view(*hot, name);
      if (!v) warnings.push_back("skipped " + hot->dir().string() + ": " + v.err().render());
      else views.push_back(std::move(*v));
    }
    for (auto& b : idx->buckets()) {
      if (b.state == bucket_state::hot || !b.searchable || !b.problem.empty()) continue;
      auto v = open_bucket_view(b.dir, name);
      if (!v) warnings.push_back("skipped " + b.dir.string() + ": " + v.err().render());
      else views.push_back(std::move(*v));
    }
  }
  return views;
}

result<search_summary> search_store(store& s, std::string_view text, const search_options& options,
                                    const row_sink& emit) {
  auto q = parse_query(text, options.now);
  if (!q) return q.err();
  std::vector<std::string> warnings;
  auto views = collect_views(s, *q, warnings);
  std::vector<const bucket_view*> ptrs;
  for (auto& v : views) ptrs.push_back(v.get());
  search_options with_subsearches = options;
  if (!with_subsearches.run_subsearch)  // a subsearch picks its own indexes, as a search does
    with_subsearches.run_subsearch = [&s](std::string_view sub, const search_options& o,
                                          const row_sink& sink) {
      auto done = search_store(s, sub, o, sink);
      return done ? error{} : done.err();
    };
  auto summary = execute(*q, ptrs, with_subsearches, emit);
  if (summary) summary->warnings.insert(summary->warnings.end(), warnings.begin(), warnings.end());
  return summary;
}

}  // namespace kura::search
