// Raw input through the sourcetype pipelines.
#include "actors/raw_parsing.hpp"

#include <iterator>

namespace kura {

result<event_stream> open_stream(const node_settings& settings, const input_meta& meta) {
  auto rules = settings.sourcetypes.find(meta.sourcetype);
  return event_stream::open(
      rules == settings.sourcetypes.end() ? sourcetype_rules{} : rules->second, meta);
}

std::vector<ingest_event> take_events(const input_meta& meta, std::vector<parsed_event>& parsed) {
  std::vector<ingest_event> events;
  events.reserve(parsed.size());
  for (auto& p : parsed)
    events.push_back({p.time,
                      meta.host,
                      meta.source,
                      meta.sourcetype,
                      std::move(p.index),
                      std::move(p.raw),
                      {}});
  parsed.clear();
  return events;
}

result<std::vector<ingest_event>> parse_raw(const node_settings& settings,
                                            std::span<const raw_input> inputs, time_us now) {
  std::vector<ingest_event> events;
  std::vector<parsed_event> parsed;
  for (auto& in : inputs) {
    auto stream = open_stream(settings, in.meta);
    if (!stream) return stream.err();
    stream->feed(in.body, now, parsed);
    stream->finish(now, parsed);
    auto some = take_events(in.meta, parsed);
    if (events.empty())
      events = std::move(some);
    else
      std::move(some.begin(), some.end(), std::back_inserter(events));
  }
  return events;
}

}  // namespace kura
