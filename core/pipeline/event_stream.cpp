// Line breaking, merging, timestamping, masking and routing of one stream.
#include "core/pipeline/event_stream.hpp"

#include <re2/re2.h>

#include <cstring>

namespace kura {
namespace {

constexpr std::string_view default_breaker = "([\\r\\n]+)";

bool blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

std::unique_ptr<re2::RE2> compile(const std::string& pattern, const std::string& what, error& err) {
  auto re = std::make_unique<re2::RE2>(pattern, re2::RE2::Quiet);
  if (!re->ok()) err = {errc::invalid_argument, what + ": invalid regex \"" + pattern + "\": " + re->error()};
  return re;
}

}  // namespace

result<sed_rule> sed_rule::parse(std::string name, std::string_view text) {
  auto bad = [&](const std::string& why) {
    return error{errc::invalid_argument, "SEDCMD-" + name + " = \"" + std::string{text} + "\": " + why};
  };
  if (text.size() < 4 || text[0] != 's') return bad("expected s/regex/replacement/[g]");
  char delim = text[1];
  std::vector<std::string> parts(1);
  for (size_t i = 2; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == delim) {
      parts.back() += delim;
      ++i;
    } else if (text[i] == delim) {
      parts.emplace_back();
    } else {
      parts.back() += text[i];
    }
  }
  if (parts.size() != 3) return bad("expected s/regex/replacement/[g]");
  if (parts[2] != "" && parts[2] != "g") return bad("unknown flags \"" + parts[2] + "\" (only g)");
  if (parts[0].empty()) return bad("empty regex");
  return sed_rule{std::move(name), parts[0], parts[1], parts[2] == "g"};
}

event_stream::event_stream() = default;
event_stream::~event_stream() = default;
event_stream::event_stream(event_stream&&) noexcept = default;
event_stream& event_stream::operator=(event_stream&&) noexcept = default;

result<event_stream> event_stream::open(const sourcetype_rules& rules, input_meta meta) {
  event_stream s;
  s.rules_ = rules;
  s.meta_ = std::move(meta);
  auto ts = timestamp_recognizer::make(rules.timestamps);
  if (!ts) return ts.err();
  s.timestamps_ = std::move(*ts);
  error err;
  if (rules.line_breaker != default_breaker) {
    s.breaker_ = compile(rules.line_breaker, "LINE_BREAKER", err);
    if (!err && s.breaker_->NumberOfCapturingGroups() < 1)
      err = {errc::invalid_argument, "LINE_BREAKER \"" + rules.line_breaker + "\" needs a capturing group"};
  }
  for (auto& sed : rules.sedcmds) s.seds_.push_back(compile(sed.regex, "SEDCMD-" + sed.name, err));
  for (auto& route : rules.routes) s.routes_.push_back(compile(route.regex, "TRANSFORMS-" + route.name, err));
  if (err) return err;
  return s;
}

void event_stream::feed(std::string_view bytes, time_us now, std::vector<parsed_event>& out) {
  for (size_t at = 0; at < bytes.size(); at += chunk_size)
    process_chunk(bytes.substr(at, chunk_size), now, out, false);
}

void event_stream::finish(time_us now, std::vector<parsed_event>& out) {
  process_chunk({}, now, out, true);
  close_event(out);
}

std::pair<size_t, size_t> event_stream::next_break(std::string_view buf, size_t from, bool last) const {
  constexpr auto none = std::pair{std::string_view::npos, std::string_view::npos};
  if (!breaker_) {
    // Two memchr passes (the \r one bounded by the first \n) instead of
    // find_first_of, which calls memchr on "\r\n" once per byte.
    if (from >= buf.size()) return none;
    const char* begin = buf.data() + from;
    const char* end = buf.data() + buf.size();
    auto* nl = static_cast<const char*>(std::memchr(begin, '\n', size_t(end - begin)));
    auto* cr = static_cast<const char*>(std::memchr(begin, '\r', size_t((nl ? nl : end) - begin)));
    const char* at = cr ? cr : nl;
    if (!at) return none;
    size_t i = size_t(at - buf.data());
    return {i, i + 1};
  }
  re2::StringPiece input{buf.data(), buf.size()}, group[2];
  if (!breaker_->Match(input, from, buf.size(), re2::RE2::UNANCHORED, group, 2) || !group[1].data()) return none;
  size_t begin = size_t(group[1].data() - buf.data()), end = begin + group[1].size();
  if ((end == buf.size() && !last) || end == from) return none;  // may continue, or would never advance
  return {begin, end};
}

void event_stream::process_chunk(std::string_view chunk, time_us now, std::vector<parsed_event>& out,
                                 bool last) {
  if (dropping_) {
    // The rest of a line already cut at TRUNCATE: skip it up to its delimiter.
    auto [begin, end] = next_break(chunk, 0, last);
    if (begin == std::string_view::npos) return;
    dropping_ = false;
    chunk.remove_prefix(end);
  }
  // With nothing pending, lines are cut from the chunk itself; only its
  // unfinished tail is copied.
  bool direct = pending_.empty();
  if (!direct) pending_.append(chunk);
  std::string_view buf = direct ? chunk : std::string_view{pending_};
  size_t start = 0;
  for (;;) {
    auto [begin, end] = next_break(buf, start, last);
    if (begin == std::string_view::npos) break;
    take_line(buf.substr(start, begin - start), now, out);  // blank lines between "\r\n" are skipped
    start = end;
  }
  if (last) {
    if (start < buf.size()) take_line(buf.substr(start), now, out);
    pending_.clear();
    return;
  }
  if (direct)
    pending_.assign(buf.substr(start));
  else
    pending_.erase(0, start);
  // A line with no end in sight: keep TRUNCATE bytes of it and drop the rest of
  // that line as it arrives, so memory stays bounded.
  if (rules_.truncate > 0 && pending_.size() > rules_.truncate + chunk_size) {
    take_line(std::string_view{pending_}.substr(0, rules_.truncate + 1), now, out);
    pending_.clear();
    dropping_ = true;
  }
}

void event_stream::take_line(std::string_view line, time_us now, std::vector<parsed_event>& out) {
  if (blank(line)) return;
  if (rules_.truncate > 0 && line.size() > rules_.truncate) {
    line = line.substr(0, rules_.truncate);
    ++truncated_;
  }
  auto ts = timestamps_.find(line, now);
  bool starts_event = !rules_.should_linemerge || event_.empty() || event_lines_ >= rules_.max_events ||
                      (rules_.break_only_before_date && ts.has_value());
  if (!starts_event) {
    event_ += '\n';
    event_.append(line);
    ++event_lines_;
    return;
  }
  close_event(out);
  event_.assign(line);
  event_lines_ = 1;
  event_has_time_ = ts.has_value();
  // No timestamp: the previous event's time, else the arrival time.
  event_time_ = ts ? *ts : (have_last_time_ ? last_time_ : now);
}

void event_stream::close_event(std::vector<parsed_event>& out) {
  if (event_.empty()) return;
  for (size_t i = 0; i < seds_.size(); ++i) {
    if (rules_.sedcmds[i].global)
      re2::RE2::GlobalReplace(&event_, *seds_[i], rules_.sedcmds[i].replacement);
    else
      re2::RE2::Replace(&event_, *seds_[i], rules_.sedcmds[i].replacement);
  }
  std::string index = meta_.index;
  for (size_t i = 0; i < routes_.size(); ++i)
    if (re2::RE2::PartialMatch(event_, *routes_[i])) {
      index = rules_.routes[i].index;
      break;
    }
  out.push_back({event_time_, std::move(event_), std::move(index)});
  last_time_ = event_time_;
  have_last_time_ = true;
  event_.clear();
  event_lines_ = 0;
}

}  // namespace kura
