// The search wire format (see search_wire.hpp for the layout) and combine_parts.
#include "core/search/search_wire.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <utility>

#include "core/util/coding.hpp"

namespace kura::search {

/// The friend of partial_aggregate that lets this file read and fill its groups.
struct aggregate_wire {
  using groups_type = std::map<std::vector<std::string>, std::vector<agg_state>>;
  static const command& cmd(const partial_aggregate& p) { return *p.cmd_; }
  static time_us span(const partial_aggregate& p) { return p.span_; }
  static const search_limits& limits(const partial_aggregate& p) { return p.limits_; }
  static const groups_type& groups(const partial_aggregate& p) { return p.groups_; }
  static groups_type& groups(partial_aggregate& p) { return p.groups_; }
};

namespace {

enum class wire_tag : uint8_t {
  value = 1,
  row,
  rank_key,
  ranked_row,
  row_batch,
  summary,
  cursor_opened
};

enum state_flags : uint8_t {
  has_min = 1,
  has_max = 2,
  has_first = 4,
  has_last = 8,
  is_truncated = 16
};
constexpr uint8_t known_state_flags = 31;

// Bins of a decoded timechart stay within ±2^61 µs (±73,000 years), so that
// finish() can subtract and step through them without overflowing.
constexpr time_us max_bin = time_us(1) << 61;

// Vectors grow as their items are read; a count alone reserves at most this
// many, so a count that lies costs little before the bytes run out.
constexpr size_t reserve_cap = 256;

// -- encoding ---------------------------------------------------------------------

std::string header(wire_tag tag) {
  std::string out;
  out.push_back(char(search_wire_version));
  out.push_back(char(tag));
  return out;
}

void put_double(std::string& out, double d) {
  coding::put_fixed64(out, std::bit_cast<uint64_t>(d));
}
void put_time(std::string& out, time_us t) { coding::put_varint(out, coding::zigzag(t)); }

void put_value(std::string& out, const value& v) {
  out.push_back(char(v.type()));
  switch (v.type()) {
    case value::kind::null:
      break;
    case value::kind::number:
      put_double(out, *v.as_number());
      break;
    case value::kind::string:
      coding::put_string(out, *v.text());
      break;
    case value::kind::multi: {
      auto items = v.items();
      coding::put_varint(out, items.size());
      for (auto& s : items) coding::put_string(out, s);
      break;
    }
  }
}

void put_row(std::string& out, const row& r) {
  coding::put_varint(out, r.fields().size());
  for (auto& [name, v] : r.fields()) {
    coding::put_string(out, name);
    put_value(out, v);
  }
}

void put_rank_key(std::string& out, const rank_key& k) {
  put_time(out, k.time);
  coding::put_varint(out, k.rank);
  coding::put_varint(out, k.ordinal);
}

void put_ranked_row(std::string& out, const ranked_row& r) {
  put_rank_key(out, r.key);
  put_row(out, r.fields);
}

void put_summary(std::string& out, const search_summary& s) {
  for (uint64_t n : {s.buckets_searched, s.buckets_skipped, s.events_read, s.results, s.deleted})
    coding::put_varint(out, n);
  coding::put_varint(out, s.warnings.size());
  for (auto& w : s.warnings) coding::put_string(out, w);
}

/// The shape of a partial's group keys and states, from its command.
struct group_shape {
  size_t key_width;
  size_t states;
};

group_shape shape_of(const command& c) {
  switch (c.type) {
    case command::kind::stats:
    case command::kind::chart:
      return {c.by.size(), c.aggregations.size()};
    case command::kind::timechart:
      return {1 + c.by.size(), c.aggregations.size()};
    default:
      return {c.by.size() + c.fields.size(), 1};  // top, rare
  }
}

void put_optional_value(std::string& out, const std::optional<value>& v) {
  if (v) put_value(out, *v);
}

void put_position(std::string& out, const row_position& p) {
  put_time(out, p.time);
  coding::put_varint(out, p.rank);
  coding::put_varint(out, p.ordinal);
}

/// What version 2 added to a state: stdev/var, median/perc, mode, list,
/// first/last and estdc (see search_wire.hpp).
void put_state_extension(std::string& out, const agg_state& s) {
  put_double(out, s.sumsq);
  coding::put_varint(out, s.numbers.size());
  for (auto& [n, c] : s.numbers) {
    put_double(out, n);
    coding::put_varint(out, c);
  }
  coding::put_varint(out, s.modes.size());
  for (auto& [text, e] : s.modes) {
    coding::put_string(out, text);
    coding::put_varint(out, e.count);
    put_position(out, e.first);
  }
  coding::put_varint(out, s.listed.size());
  for (auto& l : s.listed) {
    put_position(out, l.at);
    coding::put_varint(out, l.item);
    coding::put_string(out, l.text);
  }
  out.push_back(char((s.first_seen ? 1 : 0) | (s.last_seen ? 2 : 0)));
  if (s.first_seen) {
    put_position(out, s.first_seen_at);
    put_value(out, *s.first_seen);
  }
  if (s.last_seen) {
    put_position(out, s.last_seen_at);
    put_value(out, *s.last_seen);
  }
  s.sketch.encode(out);
}

void put_state(std::string& out, const agg_state& s) {
  coding::put_varint(out, s.count);
  put_double(out, s.sum);
  coding::put_varint(out, s.numeric);
  uint8_t flags =
      uint8_t((s.min ? has_min : 0) | (s.max ? has_max : 0) | (s.first ? has_first : 0) |
              (s.last ? has_last : 0) | (s.truncated ? is_truncated : 0));
  out.push_back(char(flags));
  put_optional_value(out, s.min);
  put_optional_value(out, s.max);
  coding::put_varint(out, s.distinct.size());
  for (auto& d : s.distinct) coding::put_string(out, d);
  put_time(out, s.first_time);
  put_time(out, s.last_time);
  put_optional_value(out, s.first);
  put_optional_value(out, s.last);
  put_state_extension(out, s);
}

void put_aggregate(std::string& out, const partial_aggregate& p) {
  const command& c = aggregate_wire::cmd(p);
  auto shape = shape_of(c);
  out.push_back(char(c.type));
  put_time(out, aggregate_wire::span(p));
  coding::put_varint(out, shape.key_width);
  coding::put_varint(out, shape.states);
  auto& groups = aggregate_wire::groups(p);
  coding::put_varint(out, groups.size());
  for (auto& [key, states] : groups) {
    for (auto& k : key) coding::put_string(out, k);
    for (auto& s : states) put_state(out, s);
  }
}

// -- decoding ---------------------------------------------------------------------

/// A bounds-checked reader that turns every failure into a corruption error
/// naming what was being read and where it started.
class decoder {
 public:
  explicit decoder(std::string_view bytes) : r_(bytes), size_(bytes.size()), bytes_(bytes) {}

  /// The bytes not read yet (for a part with its own decoder, such as a sketch).
  std::string_view rest() const { return bytes_.substr(offset()); }
  /// Steps over `n` bytes that were read through rest().
  error skip(size_t n, const char* what) {
    size_t at = offset();
    std::string_view ignored;
    return r_.bytes(n, ignored) ? error{} : truncated(what, at);
  }

  size_t offset() const { return size_ - r_.remaining(); }
  size_t remaining() const { return r_.remaining(); }

  error corrupt(const std::string& what, size_t at) const {
    return error{errc::corruption, "search wire: " + what + " at byte " + std::to_string(at)};
  }
  error truncated(const char* what, size_t at) const {
    return corrupt(std::string{"truncated "} + what, at);
  }

  error varint(uint64_t& v, const char* what) {
    size_t at = offset();
    return r_.varint(v) ? error{} : truncated(what, at);
  }
  error time(time_us& t, const char* what) {
    uint64_t v = 0;
    if (auto err = varint(v, what)) return err;
    t = coding::unzigzag(v);
    return {};
  }
  error byte(uint8_t& b, const char* what) {
    size_t at = offset();
    return r_.byte(b) ? error{} : truncated(what, at);
  }
  /// A byte that must be 0 or 1.
  error flag(bool& b, const char* what) {
    size_t at = offset();
    uint8_t v = 0;
    if (auto err = byte(v, what)) return err;
    if (v > 1) return corrupt(std::string{"bad "} + what + " " + std::to_string(v), at);
    b = v == 1;
    return {};
  }
  error number(double& d, const char* what) {
    size_t at = offset();
    uint64_t bits = 0;
    if (!r_.fixed64(bits)) return truncated(what, at);
    d = std::bit_cast<double>(bits);
    return {};
  }
  error string(std::string& s, const char* what) {
    size_t at = offset();
    std::string_view v;
    if (!r_.string(v)) return truncated(what, at);
    s.assign(v);
    return {};
  }
  /// A count of items that each take at least `min_bytes` (≥ 1) of what is
  /// left, and at most `cap` of them: a count the bytes cannot hold is corrupt
  /// before anything is allocated for it.
  error count(size_t& n, size_t min_bytes, const char* what, size_t cap = SIZE_MAX) {
    size_t at = offset();
    uint64_t v = 0;
    if (auto err = varint(v, what)) return err;
    if (v > remaining() / std::max<size_t>(min_bytes, 1) || v > cap)
      return corrupt(std::string{"impossible "} + what + " " + std::to_string(v), at);
    n = size_t(v);
    return {};
  }

 private:
  coding::reader r_;
  size_t size_;
  std::string_view bytes_;
};

error get_value(decoder& d, value& out) {
  size_t at = d.offset();
  uint8_t k = 0;
  if (auto err = d.byte(k, "value kind")) return err;
  switch (value::kind(k)) {
    case value::kind::null:
      out = value{};
      return {};
    case value::kind::number: {
      double n = 0;
      if (auto err = d.number(n, "number")) return err;
      out = value{n};
      return {};
    }
    case value::kind::string: {
      std::string s;
      if (auto err = d.string(s, "string value")) return err;
      out = value{std::move(s)};
      return {};
    }
    case value::kind::multi: {
      size_t n = 0;
      if (auto err = d.count(n, 1, "multi-value count")) return err;
      std::vector<std::string> items;
      items.reserve(std::min(n, reserve_cap));
      for (size_t i = 0; i < n; ++i)
        if (auto err = d.string(items.emplace_back(), "multi-value item")) return err;
      out = value::multi(std::move(items));
      return {};
    }
  }
  return d.corrupt("unknown value kind " + std::to_string(k), at);
}

error get_row(decoder& d, row& out) {
  size_t at = d.offset();
  size_t n = 0;
  if (auto err = d.count(n, 2, "field count")) return err;  // a name length and a kind at least
  out = row{};
  out.reserve(std::min(n, reserve_cap));
  for (size_t i = 0; i < n; ++i) {
    std::string name;
    value v;
    if (auto err = d.string(name, "field name")) return err;
    if (auto err = get_value(d, v)) return err;
    out.add(name, std::move(v));
  }
  // Rows hold each name once (row::add requires it); a repeated one is corrupt.
  std::vector<std::string_view> names;
  names.reserve(out.fields().size());
  for (auto& [name, _] : out.fields()) names.push_back(name);
  std::sort(names.begin(), names.end());
  auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup != names.end())
    return d.corrupt("repeated field name \"" + std::string{*dup} + "\" in the row", at);
  return {};
}

error get_rank_key(decoder& d, rank_key& k) {
  uint64_t rank = 0;
  if (auto err = d.time(k.time, "rank time")) return err;
  size_t at = d.offset();
  if (auto err = d.varint(rank, "rank")) return err;
  if (uint64_t(size_t(rank)) != rank) return d.corrupt("rank out of range", at);
  k.rank = size_t(rank);
  return d.varint(k.ordinal, "ordinal");
}

error get_ranked_row(decoder& d, ranked_row& r) {
  if (auto err = get_rank_key(d, r.key)) return err;
  return get_row(d, r.fields);
}

error get_row_batch(decoder& d, row_batch& b) {
  size_t n = 0;
  if (auto err = d.count(n, 4, "row count"))
    return err;  // a rank key (3) and a field count at least
  b.rows.reserve(std::min(n, reserve_cap));
  for (size_t i = 0; i < n; ++i)
    if (auto err = get_ranked_row(d, b.rows.emplace_back())) return err;
  if (auto err = d.flag(b.done, "done flag")) return err;
  return d.varint(b.events_read, "events read");
}

error get_summary(decoder& d, search_summary& s) {
  for (uint64_t* n :
       {&s.buckets_searched, &s.buckets_skipped, &s.events_read, &s.results, &s.deleted})
    if (auto err = d.varint(*n, "summary count")) return err;
  size_t n = 0;
  if (auto err = d.count(n, 1, "warning count")) return err;
  s.warnings.reserve(std::min(n, reserve_cap));
  for (size_t i = 0; i < n; ++i)
    if (auto err = d.string(s.warnings.emplace_back(), "warning")) return err;
  return {};
}

error get_optional_value(decoder& d, bool present, std::optional<value>& out) {
  if (!present) return {};
  value v;
  if (auto err = get_value(d, v)) return err;
  out = std::move(v);
  return {};
}

error get_position(decoder& d, row_position& p) {
  if (auto err = d.time(p.time, "position time")) return err;
  if (auto err = d.varint(p.rank, "position rank")) return err;
  return d.varint(p.ordinal, "position ordinal");
}

error get_state_extension(decoder& d, agg_state& s, const search_limits& limits) {
  if (auto err = d.number(s.sumsq, "state sum of squares")) return err;
  size_t n = 0;
  if (auto err = d.count(n, 9, "number count", limits.max_values)) return err;
  for (size_t i = 0; i < n; ++i) {
    size_t at = d.offset();
    double v = 0;
    uint64_t c = 0;
    if (auto err = d.number(v, "number")) return err;
    if (auto err = d.varint(c, "number count")) return err;
    if (c == 0 || std::isnan(v) || (!s.numbers.empty() && !(s.numbers.rbegin()->first < v)))
      return d.corrupt("numbers out of order or counted 0", at);
    s.numbers.emplace_hint(s.numbers.end(), v, c);
  }
  if (auto err = d.count(n, 5, "mode value count", limits.max_values)) return err;
  for (size_t i = 0; i < n; ++i) {
    size_t at = d.offset();
    std::string text;
    mode_entry e;
    if (auto err = d.string(text, "mode value")) return err;
    if (auto err = d.varint(e.count, "mode count")) return err;
    if (auto err = get_position(d, e.first)) return err;
    if (e.count == 0 || (!s.modes.empty() && !(s.modes.rbegin()->first < text)))
      return d.corrupt("mode values out of order or counted 0", at);
    s.modes.emplace_hint(s.modes.end(), std::move(text), e);
  }
  if (auto err = d.count(n, 5, "list count", list_limit)) return err;
  for (size_t i = 0; i < n; ++i) {
    size_t at = d.offset();
    listed_value l;
    uint64_t item = 0;
    if (auto err = get_position(d, l.at)) return err;
    if (auto err = d.varint(item, "list item")) return err;
    if (auto err = d.string(l.text, "list value")) return err;
    if (item > UINT32_MAX) return d.corrupt("list item out of range", at);
    l.item = uint32_t(item);
    // merge() interleaves lists by position: they must be in result order.
    if (!s.listed.empty() && !s.listed.back().before(l)) return d.corrupt("list out of order", at);
    s.listed.push_back(std::move(l));
  }
  size_t at = d.offset();
  uint8_t seen = 0;
  if (auto err = d.byte(seen, "first/last flags")) return err;
  if (seen & ~3) return d.corrupt("unknown first/last flags " + std::to_string(seen), at);
  if (seen & 1) {
    if (auto err = get_position(d, s.first_seen_at)) return err;
    if (auto err = get_optional_value(d, true, s.first_seen)) return err;
  }
  if (seen & 2) {
    if (auto err = get_position(d, s.last_seen_at)) return err;
    if (auto err = get_optional_value(d, true, s.last_seen)) return err;
  }
  at = d.offset();
  std::string_view rest = d.rest();
  auto sketch = hyperloglog::decode(rest);
  if (!sketch) return d.corrupt(sketch.err().message(), at);
  s.sketch = std::move(*sketch);
  return d.skip(d.remaining() - rest.size(), "estdc sketch");
}

error get_state(decoder& d, agg_state& s, const search_limits& limits) {
  if (auto err = d.varint(s.count, "state count")) return err;
  if (auto err = d.number(s.sum, "state sum")) return err;
  if (auto err = d.varint(s.numeric, "state numeric count")) return err;
  size_t at = d.offset();
  uint8_t flags = 0;
  if (auto err = d.byte(flags, "state flags")) return err;
  if (flags & ~known_state_flags)
    return d.corrupt("unknown state flags " + std::to_string(flags), at);
  s.truncated = flags & is_truncated;
  if (auto err = get_optional_value(d, flags & has_min, s.min)) return err;
  if (auto err = get_optional_value(d, flags & has_max, s.max)) return err;
  size_t n = 0;
  if (auto err = d.count(n, 1, "distinct value count", limits.max_values)) return err;
  s.distinct.reserve(std::min(n, reserve_cap));
  for (size_t i = 0; i < n; ++i) {
    at = d.offset();
    if (auto err = d.string(s.distinct.emplace_back(), "distinct value")) return err;
    // merge() inserts into the list by binary search: it must be sorted and unique.
    if (i > 0 && !(s.distinct[i - 1] < s.distinct[i]))
      return d.corrupt("distinct values out of order", at);
  }
  if (auto err = d.time(s.first_time, "first time")) return err;
  if (auto err = d.time(s.last_time, "last time")) return err;
  if (auto err = get_optional_value(d, flags & has_first, s.first)) return err;
  if (auto err = get_optional_value(d, flags & has_last, s.last)) return err;
  return get_state_extension(d, s, limits);
}

/// A timechart bin as partial_aggregate writes it: std::to_string of a multiple
/// of the span, within ±max_bin.
bool valid_bin(const std::string& s, time_us span) {
  time_us v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || std::to_string(v) != s) return false;
  return span > 0 && v >= -max_bin && v <= max_bin && v % span == 0;
}

error get_aggregate(decoder& d, partial_aggregate& p) {
  const command& c = aggregate_wire::cmd(p);
  const search_limits& limits = aggregate_wire::limits(p);
  auto shape = shape_of(c);
  size_t at = d.offset();
  uint8_t kind = 0;
  if (auto err = d.byte(kind, "aggregate command")) return err;
  if (kind != uint8_t(c.type))
    return d.corrupt("the aggregate is of another command (" + std::to_string(kind) +
                         ", the search has " + c.name + ")",
                     at);
  at = d.offset();
  time_us span = 0;
  if (auto err = d.time(span, "aggregate span")) return err;
  if (span != aggregate_wire::span(p))
    return d.corrupt("the aggregate's span " + std::to_string(span) +
                         " differs from the search's " + std::to_string(aggregate_wire::span(p)),
                     at);
  at = d.offset();
  uint64_t width = 0, states = 0;
  if (auto err = d.varint(width, "aggregate key width")) return err;
  if (auto err = d.varint(states, "aggregate state count")) return err;
  if (width != shape.key_width || states != shape.states)
    return d.corrupt("the aggregate's groups do not fit the search", at);
  // A group takes a length byte per key value and at least 14 bytes per state.
  size_t group_bytes = shape.key_width + 14 * shape.states;
  size_t n = 0;
  if (auto err = d.count(n, group_bytes, "group count", limits.max_groups)) return err;
  auto& groups = aggregate_wire::groups(p);
  groups.clear();
  for (size_t g = 0; g < n; ++g) {
    at = d.offset();
    std::vector<std::string> key(shape.key_width);
    for (auto& k : key)
      if (auto err = d.string(k, "group key")) return err;
    if (!groups.empty() && !(groups.rbegin()->first < key))
      return d.corrupt("groups out of order", at);
    if (c.type == command::kind::timechart && !valid_bin(key[0], span))
      return d.corrupt("bad timechart bin \"" + key[0] + "\"", at);
    std::vector<agg_state> s(shape.states);
    for (auto& state : s)
      if (auto err = get_state(d, state, limits)) return err;
    groups.emplace_hint(groups.end(), std::move(key), std::move(s));
  }
  return {};
}

/// Checks the version and the tag of a message.
error get_header(decoder& d, wire_tag tag, const char* what) {
  uint8_t version = 0, got = 0;
  if (auto err = d.byte(version, "header")) return err;
  if (version != search_wire_version)
    return d.corrupt("unknown format version " + std::to_string(version), 0);
  if (auto err = d.byte(got, "header")) return err;
  if (got != uint8_t(tag))
    return d.corrupt(std::string{"expected a "} + what + ", found tag " + std::to_string(got), 1);
  return {};
}

/// Decodes a whole message: header, body, nothing after it.
template <class T, class Body>
result<T> decode_message(std::string_view bytes, wire_tag tag, const char* what, Body body) {
  decoder d{bytes};
  if (auto err = get_header(d, tag, what)) return err;
  T out{};
  if (auto err = body(d, out)) return err;
  if (d.remaining() != 0)
    return d.corrupt(std::string{"trailing bytes after the "} + what, d.offset());
  return out;
}

// -- combining parts ----------------------------------------------------------------

/// The first command that does not stream (executor.cpp splits there too).
size_t split_point(const query& q) {
  size_t boundary = 0;
  while (boundary < q.commands.size() && is_streaming(q.commands[boundary])) ++boundary;
  return boundary;
}

void add_counts(search_summary& into, const search_summary& from) {
  into.buckets_searched += from.buckets_searched;
  into.buckets_skipped += from.buckets_skipped;
  into.events_read += from.events_read;
  into.results += from.results;
  into.deleted += from.deleted;
}

/// What a combined part keeps: the parts' states and summaries, and its own summary.
struct combined_state {
  std::vector<std::shared_ptr<void>> states;
  std::vector<std::shared_ptr<search_summary>> summaries;
  std::shared_ptr<search_summary> total;

  /// Recomputes the counts of `total` from the parts' summaries (the warnings
  /// were copied when the parts were combined and are left alone).
  void refresh() const {
    search_summary sum;
    for (auto& s : summaries)
      if (s) add_counts(sum, *s);
    sum.warnings = std::move(total->warnings);
    *total = std::move(sum);
  }
};

/// The parts' sources merged, keeping the combined summary current: the parts
/// read events (and count them) only inside peek().
class summing_source final : public row_source {
 public:
  summing_source(std::shared_ptr<combined_state> state, std::unique_ptr<row_source> inner)
      : state_(std::move(state)), inner_(std::move(inner)) {}

  time_us upper_time() const override { return inner_->upper_time(); }
  result<std::optional<rank_key>> peek() override {
    auto key = inner_->peek();
    state_->refresh();
    return key;
  }
  row take() override { return inner_->take(); }

 private:
  // Declared first, so it outlives inner_, whose sources read the parts' states.
  std::shared_ptr<combined_state> state_;
  std::unique_ptr<row_source> inner_;
};

using delete_fn = std::function<error(const std::string& bucket_key, const Roaring& ordinals)>;

/// Sends `| delete` marks to the part that holds the bucket.
struct delete_router {
  std::map<std::string, size_t> owner;  // bucket key -> index into `parts`
  std::vector<delete_fn> parts;

  error operator()(const std::string& key, const Roaring& ordinals) const {
    auto it = owner.find(key);
    if (it == owner.end())
      return error{errc::not_found, "combined search part: no part holds bucket " + key};
    auto& fn = parts[it->second];
    if (!fn)
      return error{errc::bad_state,
                   "combined search part: the part holding bucket " + key + " cannot delete"};
    return fn(key, ordinals);
  }
};

}  // namespace

// -- public API ---------------------------------------------------------------------

std::string encode_value(const value& v) {
  auto out = header(wire_tag::value);
  put_value(out, v);
  return out;
}

result<value> decode_value(std::string_view bytes) {
  return decode_message<value>(bytes, wire_tag::value, "value", get_value);
}

std::string encode_row(const row& r) {
  auto out = header(wire_tag::row);
  put_row(out, r);
  return out;
}

result<row> decode_row(std::string_view bytes) {
  return decode_message<row>(bytes, wire_tag::row, "row", get_row);
}

std::string encode_rank_key(const rank_key& k) {
  auto out = header(wire_tag::rank_key);
  put_rank_key(out, k);
  return out;
}

result<rank_key> decode_rank_key(std::string_view bytes) {
  return decode_message<rank_key>(bytes, wire_tag::rank_key, "rank_key", get_rank_key);
}

std::string encode_ranked_row(const ranked_row& r) {
  auto out = header(wire_tag::ranked_row);
  put_ranked_row(out, r);
  return out;
}

result<ranked_row> decode_ranked_row(std::string_view bytes) {
  return decode_message<ranked_row>(bytes, wire_tag::ranked_row, "ranked_row", get_ranked_row);
}

std::string encode_row_batch(const row_batch& b) {
  auto out = header(wire_tag::row_batch);
  coding::put_varint(out, b.rows.size());
  for (auto& r : b.rows) put_ranked_row(out, r);
  out.push_back(char(b.done ? 1 : 0));
  coding::put_varint(out, b.events_read);
  return out;
}

result<row_batch> decode_row_batch(std::string_view bytes) {
  return decode_message<row_batch>(bytes, wire_tag::row_batch, "row_batch", get_row_batch);
}

std::string encode_search_summary(const search_summary& s) {
  auto out = header(wire_tag::summary);
  put_summary(out, s);
  return out;
}

result<search_summary> decode_search_summary(std::string_view bytes) {
  return decode_message<search_summary>(bytes, wire_tag::summary, "search_summary", get_summary);
}

std::string encode_cursor_opened(const cursor_opened& c) {
  auto out = header(wire_tag::cursor_opened);
  coding::put_varint(out, c.id);
  put_time(out, c.upper_time);
  put_summary(out, c.summary);
  coding::put_varint(out, c.bucket_indexes.size());
  for (auto& [key, index] : c.bucket_indexes) {
    coding::put_string(out, key);
    coding::put_string(out, index);
  }
  out.push_back(char(c.aggregate ? 1 : 0));
  if (c.aggregate) put_aggregate(out, *c.aggregate);
  return out;
}

result<cursor_opened> decode_cursor_opened(std::string_view bytes, const query& q,
                                           const search_options& options) {
  auto body = [&](decoder& d, cursor_opened& c) -> error {
    if (auto err = d.varint(c.id, "cursor id")) return err;
    if (auto err = d.time(c.upper_time, "upper time")) return err;
    if (auto err = get_summary(d, c.summary)) return err;
    size_t n = 0;
    if (auto err = d.count(n, 2, "bucket count")) return err;
    for (size_t i = 0; i < n; ++i) {
      size_t at = d.offset();
      std::string key, index;
      if (auto err = d.string(key, "bucket key")) return err;
      if (auto err = d.string(index, "bucket index")) return err;
      if (!c.bucket_indexes.empty() && !(c.bucket_indexes.rbegin()->first < key))
        return d.corrupt("bucket keys out of order", at);
      c.bucket_indexes.emplace_hint(c.bucket_indexes.end(), std::move(key), std::move(index));
    }
    size_t at = d.offset();
    bool has_aggregate = false;
    if (auto err = d.flag(has_aggregate, "aggregate flag")) return err;
    if (!has_aggregate) return {};
    // Build the partial exactly as execute_part does, then fill its groups.
    size_t boundary = split_point(q);
    if (boundary >= q.commands.size() || !is_aggregation(q.commands[boundary].type))
      return d.corrupt("an aggregate for a search without one", at);
    std::optional<time_us> earliest = q.earliest ? q.earliest : options.earliest;
    std::optional<time_us> latest = q.latest ? q.latest : options.latest;
    c.aggregate.emplace(q.commands[boundary], options.limits, earliest, latest);
    return get_aggregate(d, *c.aggregate);
  };
  return decode_message<cursor_opened>(bytes, wire_tag::cursor_opened, "cursor_opened", body);
}

search_summary sum_summaries(const std::vector<std::shared_ptr<search_summary>>& summaries) {
  search_summary sum;
  for (auto& s : summaries) {
    if (!s) continue;
    add_counts(sum, *s);
    sum.warnings.insert(sum.warnings.end(), s->warnings.begin(), s->warnings.end());
  }
  return sum;
}

result<search_part> combine_parts(const query& q, std::vector<search_part> parts,
                                  const search_options& options) {
  size_t boundary = split_point(q);
  bool aggregates = boundary < q.commands.size() && is_aggregation(q.commands[boundary].type);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (aggregates && !parts[i].aggregate)
      return error{errc::invalid_argument,
                   "combine_parts: part " + std::to_string(i) + " has no partial aggregate"};
    if (!aggregates && !parts[i].events)
      return error{errc::invalid_argument,
                   "combine_parts: part " + std::to_string(i) + " has no event source"};
  }

  auto state = std::make_shared<combined_state>();
  auto router = std::make_shared<delete_router>();
  search_part out;
  for (size_t i = 0; i < parts.size(); ++i) {
    auto& p = parts[i];
    for (auto& [key, index] : p.bucket_indexes) {
      if (out.bucket_indexes.emplace(key, index).second) router->owner.emplace(key, i);
    }
    router->parts.push_back(std::move(p.mark_deleted));
    state->states.push_back(std::move(p.state));
    state->summaries.push_back(std::move(p.summary));
  }
  state->total = std::make_shared<search_summary>(sum_summaries(state->summaries));
  out.summary = state->total;
  out.mark_deleted = [router](const std::string& key, const Roaring& ordinals) {
    return (*router)(key, ordinals);
  };

  if (aggregates) {
    std::optional<time_us> earliest = q.earliest ? q.earliest : options.earliest;
    std::optional<time_us> latest = q.latest ? q.latest : options.latest;
    out.aggregate.emplace(q.commands[boundary], options.limits, earliest, latest);
    for (auto& p : parts)
      if (auto err = out.aggregate->merge(*p.aggregate)) return err;
  } else {
    std::vector<std::unique_ptr<row_source>> sources;
    for (auto& p : parts) sources.push_back(std::move(p.events));
    out.events = std::make_unique<summing_source>(state, merge_sources(std::move(sources)));
  }
  out.state = std::move(state);
  return out;
}

}  // namespace kura::search
