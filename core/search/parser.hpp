// The search language parser (a Splunk SPL subset). Errors name the position,
// the token and what was expected: `unknown command "statz" at 1:23`.
#pragma once

#include <string_view>

#include "core/error.hpp"
#include "core/search/ast.hpp"

namespace kura::search {

/// Parses a whole search ("base search | command | …"). Relative times in
/// earliest=/latest= are resolved against `now`. Errors: invalid_argument.
result<query> parse_query(std::string_view text, time_us now);

/// Parses an eval expression on its own. Errors: invalid_argument.
result<expr> parse_expression(std::string_view text);

/// Parses a time modifier: `now`, epoch seconds, `-15m`, `+2h`, `-1d@d`, `@h`,
/// `11/20/2026:10:00:00` or an ISO 8601 time. Units: s m h d w mon y (and
/// their long names). Snapping (@unit) rounds down in UTC. Errors: invalid_argument.
result<time_us> parse_time_modifier(std::string_view text, time_us now);

/// Parses a span such as `1h`, `30m`, `15s`, `1d`, `1w`. Errors: invalid_argument.
result<time_us> parse_span(std::string_view text);

}  // namespace kura::search
