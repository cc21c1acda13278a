// The commands that need the whole merged row stream, so they run where the
// parts are merged (merge_parts: one node, or the cluster's search head):
// eventstats, streamstats, transaction, join, append, lookup, inputlookup,
// outputlookup. (chart is an aggregation: its partials merge like stats and
// partial_aggregate::finish_chart, defined here, pivots them.)
//
// Subsearches (`join f [search …]`, `append [...]`) run through
// search_options::run_subsearch, i.e. the same way as the main search: over
// the same buckets on one node, through the same search head on a cluster.
// Lookups read $KURA_HOME/etc/lookups of the node that merges.
#pragma once

#include <vector>

#include "core/error.hpp"
#include "core/search/ast.hpp"
#include "core/search/executor.hpp"
#include "core/search/value.hpp"

namespace kura::search {

/// Whether `k` is one of the commands above (chart excluded: an aggregation).
bool is_coordinator_command(command::kind k);

/// Whether `k` makes its rows instead of reading events (inputlookup): the
/// search then reads no bucket.
bool is_generating_command(command::kind k);

/// Checks what only the whole search shows: inputlookup must be the first
/// command after an empty base search. Errors: invalid_argument with the position.
error validate_coordinator_commands(const query& q);

/// Runs coordinator command `c` on the merged rows, in result order.
/// - eventstats: each row gets the aggregations of its `by` group over all rows.
/// - streamstats: each row gets the aggregations over the rows before it (and
///   itself unless current=f), in its group, limited to the last `window`
///   rows (global=t: the last `window` rows of any group); no fields when the
///   window holds no row of its group.
/// - transaction: groups rows by `fields` (newest first, as events arrive):
///   see the .cpp for the exact rules.
/// - join/append: run the subsearch with `options` and join or append its rows.
/// - lookup/inputlookup: read NAME.csv from options.lookup_dir, else from the first of
///   options.bundle_lookup_dirs that has it; outputlookup writes options.lookup_dir/NAME.csv.
/// Errors: invalid_argument (limits, a missing lookup, a subsearch that cannot
/// run here, transaction rows with only some of the fields), io_error.
result<std::vector<row>> apply_coordinator_command(const command& c, std::vector<row> rows,
                                                   const search_options& options);

}  // namespace kura::search
