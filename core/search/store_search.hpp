// Searching a node's store: which indexes and buckets a search covers.
#pragma once

#include <string_view>

#include "core/index/store.hpp"
#include "core/search/executor.hpp"

namespace kura::search {

/// The views of the buckets a query covers, in the order the search ranks them:
/// indexes by name, hot buckets first, then by bucket id. Buckets that cannot
/// be opened are skipped and named in `warnings`.
std::vector<std::unique_ptr<bucket_view>> collect_views(store& s, const query& q, std::vector<std::string>& warnings);

/// Parses and runs `text` over the store. A search that does not compare the
/// `index` field searches only `main` (the default index, indexing.md §3.6);
/// one that does searches every index and lets the comparison decide. Hot
/// buckets are searched up to their last commit; a bucket that cannot be
/// opened is skipped with a warning. Errors: invalid_argument (syntax, limits).
result<search_summary> search_store(store& s, std::string_view text, const search_options& options,
                                    const row_sink& emit);

}  // namespace kura::search
