// Index-time parsing of raw input on a node: each raw text through the
// pipeline of its sourcetype ([sourcetypes.NAME] or the defaults), giving the
// events the peer actor stores. Runs on the caller's thread (HTTP, receiving
// port), before anything reaches an actor. No CAF.
#pragma once

#include <span>
#include <vector>

#include "actors/node_api.hpp"
#include "actors/node_settings.hpp"

namespace kura {

/// The pipeline of `meta.sourcetype`. Errors: invalid_argument (its rules).
result<event_stream> open_stream(const node_settings& settings, const input_meta& meta);

/// Parsed events with the stream's metadata; empties `parsed`.
std::vector<ingest_event> take_events(const input_meta& meta, std::vector<parsed_event>& parsed);

/// The events of raw inputs arriving at `now`, each through its pipeline.
/// Errors: as open_stream.
result<std::vector<ingest_event>> parse_raw(const node_settings& settings,
                                            std::span<const raw_input> inputs, time_us now);

}  // namespace kura
