// The index-time parsing pipeline for one input stream: bytes in, events out.
// Bytes are processed in chunks of 10,000 bytes (an event may span chunks);
// lines are cut by LINE_BREAKER, truncated at TRUNCATE, merged into multi-line
// events when SHOULD_LINEMERGE and BREAK_ONLY_BEFORE_DATE say so, timestamped,
// masked by SEDCMD rules and routed to an index by TRANSFORMS rules. The names
// are Splunk's props.conf / transforms.conf names.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/pipeline/timestamp.hpp"
#include "core/types.hpp"

namespace re2 {
class RE2;
}

namespace kura {

/// SEDCMD-<name> = s/<regex>/<replacement>/[g]: masks text in _raw at index time.
struct sed_rule {
  std::string name;
  std::string regex;
  std::string replacement;  ///< \1 … \9 refer to groups
  bool global = false;      ///< the g flag: every match, not only the first
  /// Parses "s/regex/replacement/flags" (any delimiter after the s). Errors: invalid_argument.
  static result<sed_rule> parse(std::string name, std::string_view text);
};

/// A TRANSFORMS rule with DEST_KEY = _MetaData:Index: events whose _raw matches
/// REGEX go to the index FORMAT.
struct route_rule {
  std::string name;
  std::string regex;  ///< REGEX
  std::string index;  ///< FORMAT
};

/// The rules of one sourcetype (`[sourcetypes.NAME]` in the config).
struct sourcetype_rules {
  std::string line_breaker = "([\\r\\n]+)";  ///< LINE_BREAKER: group 1 is the delimiter
  bool should_linemerge = true;               ///< SHOULD_LINEMERGE
  bool break_only_before_date = true;         ///< BREAK_ONLY_BEFORE_DATE: a new event starts at a line with a timestamp
  size_t max_events = 256;                    ///< MAX_EVENTS: lines merged into one event at most
  size_t truncate = 10000;                    ///< TRUNCATE: bytes kept of a line (0 = no limit)
  timestamp_rules timestamps;                 ///< TIME_PREFIX, TIME_FORMAT, MAX_TIMESTAMP_LOOKAHEAD, TZ
  std::vector<sed_rule> sedcmds;              ///< SEDCMD-*, applied in order
  std::vector<route_rule> routes;             ///< TRANSFORMS-* routing rules, first match wins
};

/// Where a stream's events come from and go by default.
struct input_meta {
  std::string host;
  std::string source;
  std::string sourcetype;
  std::string index = "main";
};

/// An event as the pipeline produces it; host, source and sourcetype are the
/// stream's (input_meta).
struct parsed_event {
  time_us time = 0;
  std::string raw;
  std::string index;
};

/// The pipeline for one input. Not thread-safe; one per input stream.
class event_stream {
 public:
  /// Chunk size of the parsing pipeline, as the manual says.
  static constexpr size_t chunk_size = 10000;

  /// Compiles the rules (regexes with RE2, linear time). Errors: invalid_argument
  /// naming the rule.
  static result<event_stream> open(const sourcetype_rules& rules, input_meta meta);
  event_stream();
  ~event_stream();
  event_stream(event_stream&&) noexcept;
  event_stream& operator=(event_stream&&) noexcept;

  /// Processes bytes arriving at `now`; appends every event completed so far.
  void feed(std::string_view bytes, time_us now, std::vector<parsed_event>& out);
  /// Ends the stream: flushes the last (partial) line and event.
  void finish(time_us now, std::vector<parsed_event>& out);

  const input_meta& meta() const { return meta_; }
  /// Lines cut at TRUNCATE so far.
  uint64_t truncated_lines() const { return truncated_; }

 private:
  void process_chunk(std::string_view chunk, time_us now, std::vector<parsed_event>& out, bool last);
  /// The first line delimiter in `buf` at or after `from`, as [begin, end); begin
  /// is npos when there is none (or, unless `last`, when it may continue in the
  /// next chunk).
  std::pair<size_t, size_t> next_break(std::string_view buf, size_t from, bool last) const;
  void take_line(std::string_view line, time_us now, std::vector<parsed_event>& out);
  void close_event(std::vector<parsed_event>& out);

  sourcetype_rules rules_;
  input_meta meta_;
  timestamp_recognizer timestamps_;
  std::unique_ptr<re2::RE2> breaker_;  // null for the default ([\r\n]+) fast path
  std::vector<std::unique_ptr<re2::RE2>> seds_, routes_;
  std::string pending_;                // bytes of an unfinished line
  bool dropping_ = false;              // discarding the rest of a line cut at TRUNCATE
  std::string event_;                  // the event being merged
  size_t event_lines_ = 0;
  time_us event_time_ = 0;
  bool event_has_time_ = false;
  bool have_last_time_ = false;
  time_us last_time_ = 0;
  uint64_t truncated_ = 0;
};

}  // namespace kura
