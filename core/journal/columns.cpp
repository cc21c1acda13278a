// Row layout <-> column layouts of a journal slice. See columns.hpp and FORMAT.md.
#include "core/journal/columns.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "core/journal/journal_format.hpp"
#include "core/util/coding.hpp"
#include "core/util/hash.hpp"

namespace kura::journal_columns {

namespace jf = journal_format;

namespace {

/// Every this many tokens a column stops counting the forms that can no longer win
/// (column::add): client addresses and ids cost no hashing past their first thousand.
constexpr size_t dictionary_checkpoint = 1024;

/// Bound on the buffer a payload may make a reader allocate for its rebuilt raws: a
/// writer's slice holds at most `max_slice_bytes` of records, and one space per token
/// more is counted (a dictionary lets a small payload name a large text).
constexpr size_t max_rebuilt = 2 * size_t{jf::max_slice_bytes};

/// Parses a canonical dotted-quad IPv4 address (four decimal numbers 0-255, no leading
/// zeros, nothing else) into `quad`; false for anything else, so that the 4 bytes always
/// give the token back exactly.
bool parse_ipv4(std::string_view t, uint8_t quad[4]) {
  if (t.size() < 7 || t.size() > 15) return false;
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0 && (i >= t.size() || t[i++] != '.')) return false;
    size_t start = i;
    unsigned value = 0;
    while (i < t.size() && i - start < 3 && t[i] >= '0' && t[i] <= '9')
      value = value * 10 + unsigned(t[i++] - '0');
    size_t digits = i - start;
    if (digits == 0 || value > 255 || (digits > 1 && t[start] == '0')) return false;
    quad[part] = uint8_t(value);
  }
  return i == t.size();
}

/// The decimal text of each byte value, padded to 4 bytes, and its length.
struct octet_text {
  char text[4];
  uint8_t size;
};
const std::array<octet_text, 256>& octet_texts() {
  static const auto table = [] {
    std::array<octet_text, 256> t{};
    for (unsigned v = 0; v < 256; ++v) {
      auto s = std::to_string(v);
      std::memcpy(t[v].text, s.data(), s.size());
      t[v].size = uint8_t(s.size());
    }
    return t;
  }();
  return table;
}

/// Strings in the order first seen, each once, with a hash table to find them, and the
/// index of every string added: a dictionary's streams as they grow.
class distinct_set {
 public:
  std::string lengths;  // each distinct string's length (varint)
  std::string text;     // the distinct strings back to back
  std::string index;    // each added string's index (varint)

  void clear() {
    lengths.clear();
    text.clear();
    index.clear();
    at_.clear();
    slots_.assign(64, 0);
  }
  size_t size() const { return at_.size(); }

  void add(std::string_view s) {
    // Runs of one value (a second's timestamps, "-") skip the hash.
    if (!at_.empty() && string(last_) == s) {
      coding::put_varint(index, last_);
      return;
    }
    uint64_t h = hash::checksum64(s);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      uint64_t slot = slots_[i];
      if (slot == 0) break;
      if ((slot >> 32) == (h >> 32) && string(uint32_t(slot) - 1) == s) {
        last_ = uint32_t(slot) - 1;
        coding::put_varint(index, last_);
        return;
      }
    }
    auto id = last_ = uint32_t(at_.size());
    at_.emplace_back(uint32_t(text.size()), uint32_t(s.size()));
    coding::put_varint(lengths, s.size());
    text.append(s);
    coding::put_varint(index, id);
    if (at_.size() * 2 > slots_.size()) {
      slots_.assign(slots_.size() * 2, 0);
      for (uint32_t v = 0; v < at_.size(); ++v) place(hash::checksum64(string(v)), v);
    } else {
      place(h, id);
    }
  }

 private:
  std::string_view string(uint32_t id) const {
    return {text.data() + at_[id].first, at_[id].second};
  }
  void place(uint64_t h, uint32_t id) {
    size_t mask = slots_.size() - 1;
    size_t i = h & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = (h >> 32) << 32 | (uint64_t(id) + 1);
  }

  std::vector<std::pair<uint32_t, uint32_t>> at_;  // offset and length in `text`
  std::vector<uint64_t> slots_;                    // hash's high half << 32 | id + 1; 0 when free
  uint32_t last_ = 0;                              // the id of the string added last
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/// The n-th tokens of every record of a slice, gathered in every form the column might
/// be written in; `kind()` picks one once all are in, `streams()` gives its streams.
struct column {
  std::string lengths;  // plain: every token's length (varint)
  std::string text;     // plain: every token's bytes
  size_t tokens = 0;
  bool all_ipv4 = true;
  std::string quads;  // while all_ipv4: every token's 4 bytes
  // While counted: the distinct tokens; the distinct templates (a token with each run of
  // hex digits that holds a decimal digit written as one '0'), and the runs' lengths and
  // bytes.
  bool counting_tokens = true;
  distinct_set distinct_tokens;
  bool counting_templates = true;
  distinct_set templates;
  std::string run_lengths, digits;
  size_t literal_bytes = 0;  // of the tokens counted, outside their runs
  std::string template_scratch;

  /// Empties the column for a slice in which it tries every kind (`survey`) or `planned`.
  void clear(bool survey, column_kind planned) {
    lengths.clear();
    text.clear();
    tokens = 0;
    all_ipv4 = survey || planned == column_kind::ipv4;
    quads.clear();
    counting_tokens = survey || planned == column_kind::dictionary;
    counting_templates = survey || planned == column_kind::digit_runs;
    distinct_tokens.clear();
    templates.clear();
    run_lengths.clear();
    digits.clear();
    literal_bytes = 0;
  }

  void add(std::string_view token) {
    coding::put_varint(lengths, token.size());
    text.append(token);
    ++tokens;
    if (all_ipv4) {
      uint8_t quad[4];
      all_ipv4 = parse_ipv4(token, quad);
      if (all_ipv4) quads.append(reinterpret_cast<const char*>(quad), 4);
    }
    if (counting_tokens) distinct_tokens.add(token);
    if (counting_templates) add_template(token);
    if (tokens % dictionary_checkpoint == 0) {
      if (distinct_tokens.size() * 4 > tokens * 3) counting_tokens = false;
      // Templates are kept for columns that have digits and that neither a dictionary of
      // tokens nor IPv4 suits better so far.
      if (templates.size() * 2 > tokens || digits.empty() || all_ipv4 ||
          (counting_tokens && distinct_tokens.size() * 8 <= tokens))
        counting_templates = false;
    }
  }

  /// The smallest form by rule, measured on Apache and Loghub lines: a dictionary when
  /// the distinct tokens are few (at most 1/8 of the tokens: status codes, agents,
  /// timestamps to the second); else 4 bytes when all are addresses; else templates
  /// when they are at most 1/4 and hold text besides the runs, 2 bytes a token or more
  /// (requests: their digits apart compress better than as part of the tokens; a column of
  /// numbers or ids alone gains nothing); else a dictionary up to 1/2; else the tokens as
  /// they are.
  column_kind kind() const {
    if (tokens == 0) return column_kind::plain;
    if (counting_tokens && distinct_tokens.size() * 8 <= tokens) return column_kind::dictionary;
    if (all_ipv4) return column_kind::ipv4;
    if (counting_templates && !digits.empty() && templates.size() * 4 <= tokens &&
        literal_bytes >= 2 * tokens)
      return column_kind::digit_runs;
    if (counting_tokens && distinct_tokens.size() * 2 <= tokens) return column_kind::dictionary;
    return column_kind::plain;
  }

  /// The column's streams in the form of `kind`, in their order (FORMAT.md).
  std::array<std::string_view, stream_count> streams(column_kind kind) const {
    using sv = std::string_view;
    switch (kind) {
      case column_kind::dictionary:
        return {sv{distinct_tokens.lengths}, sv{distinct_tokens.text}, sv{distinct_tokens.index},
                sv{}, sv{}};
      case column_kind::ipv4:
        return {sv{}, sv{quads}, sv{}, sv{}, sv{}};
      case column_kind::digit_runs:
        return {sv{templates.lengths}, sv{templates.text}, sv{templates.index}, sv{run_lengths},
                sv{digits}};
      case column_kind::plain:
        break;
    }
    return {sv{lengths}, sv{text}, sv{}, sv{}, sv{}};
  }

 private:
  void add_template(std::string_view token) {
    template_scratch.clear();
    size_t runs = 0;
    const char* p = token.data();
    const char* end = p + token.size();
    while (p < end) {
      // The next run: the hex digits around the next decimal digit.
      const char* digit = std::find_if(p, end, is_digit);
      if (digit == end) {
        template_scratch.append(p, end);
        break;
      }
      const char* run = digit;
      while (run > p && is_hex(run[-1])) --run;
      template_scratch.append(p, run);
      p = std::find_if_not(digit, end, is_hex);
      template_scratch.push_back('0');
      coding::put_varint(run_lengths, size_t(p - run));
      digits.append(run, p);
      ++runs;
    }
    literal_bytes += template_scratch.size() - runs;
    templates.add(template_scratch);
  }
};

/// Where the token that starts at `i` ends (a space or the end of `raw`). A token runs to
/// the next space, except that one opening with '"' or '[' first runs to its closing '"'
/// or ']', so that a quoted user agent or a bracketed timestamp stays one column.
size_t token_end(std::string_view raw, size_t i) {
  size_t from = i;
  if (i < raw.size() && (raw[i] == '"' || raw[i] == '[')) {
    size_t close = raw.find(raw[i] == '"' ? '"' : ']', i + 1);
    if (close == std::string_view::npos) return raw.size();
    from = close + 1;
  }
  size_t space = raw.find(' ', from);
  return space == std::string_view::npos ? raw.size() : space;
}

/// Reads a record's flags, time and the host, source and sourcetype its flags announce.
bool skip_head(coding::reader& r, uint8_t& flags) {
  uint64_t time;
  std::string_view value;
  if (!r.byte(flags) || !r.varint(time)) return false;
  for (uint8_t flag : {jf::flag_host, jf::flag_source, jf::flag_sourcetype})
    if ((flags & flag) && !r.string(value)) return false;
  return true;
}

/// Reads a record's indexed fields, when its flags announce them.
bool skip_fields(coding::reader& r, uint8_t flags) {
  if (!(flags & jf::flag_fields)) return true;
  uint64_t count;
  if (!r.varint(count) || count > r.remaining()) return false;
  std::string_view part;
  for (uint64_t i = 0; i < count; ++i)
    if (!r.string(part) || !r.string(part)) return false;
  return true;
}

error corrupt(std::string what) { return {errc::corruption, "journal columns: " + what}; }

/// next_varint's rare case: a varint of more than one byte, or none left.
[[gnu::noinline]] bool next_long_varint(const uint8_t*& p, const uint8_t* end, uint64_t& value) {
  coding::reader r{{reinterpret_cast<const char*>(p), size_t(end - p)}};
  bool ok = r.varint(value);
  p = end - r.remaining();
  return ok;
}

/// Reads one varint from [*p, end), advancing *p; false when it is cut short or too long.
/// Inlined in the decoder's loop: most lengths and indexes are below 128.
[[gnu::always_inline]] inline bool next_varint(const uint8_t*& p, const uint8_t* end,
                                               uint64_t& value) {
  if (p < end && *p < 0x80) [[likely]] {
    value = *p++;
    return true;
  }
  return next_long_varint(p, end, value);
}

/// The stream table of a payload: per column its kind and the sizes of its streams
/// (`T` has no kinds and two streams per column: lengths and text).
struct stream_table {
  uint64_t meta_size = 0;
  std::array<column_kind, max_tokens> kind{};
  std::array<std::array<uint64_t, stream_count>, max_tokens> size{};
  size_t bytes = 0;  // of the table itself
};

error read_table(std::string_view columns, bool with_kinds, stream_table& t) {
  coding::reader r{columns};
  bool ok = r.varint(t.meta_size);
  for (size_t c = 0; c < max_tokens && ok; ++c) {
    if (with_kinds) {
      uint64_t kind;
      ok = r.varint(kind);
      if (ok && kind > uint64_t(column_kind::digit_runs))
        return corrupt("column " + std::to_string(c) + " has unknown kind " + std::to_string(kind));
      t.kind[c] = column_kind(kind);
    }
    for (size_t s = 0; s < (with_kinds ? stream_count : 2) && ok; ++s) ok = r.varint(t.size[c][s]);
  }
  if (!ok) return corrupt("truncated table of streams");
  t.bytes = columns.size() - r.remaining();
  return {};
}

}  // namespace

error from_rows(std::string_view rows, uint32_t events, column_plan& plan, std::string& out,
                std::vector<size_t>& stream_starts) {
  // Reused across slices: a writer seals a slice every megabyte.
  thread_local std::string meta, counts;
  thread_local std::array<column, max_tokens> columns;
  meta.clear();
  counts.clear();
  bool survey = plan.slices_to_survey == 0;
  for (size_t c = 0; c < max_tokens; ++c) columns[c].clear(survey, plan.kinds[c]);
  coding::reader r{rows};
  auto at = [&] { return rows.size() - r.remaining(); };
  for (uint32_t i = 0; i < events; ++i) {
    size_t start = at();
    uint8_t flags;
    std::string_view raw;
    if (!skip_head(r, flags)) break;
    size_t head_end = at();
    if (!r.string(raw)) break;
    size_t fields_start = at();
    if (!skip_fields(r, flags)) break;
    meta.append(rows.substr(start, head_end - start));
    meta.append(rows.substr(fields_start, at() - fields_start));
    size_t tokens = 0;
    for (size_t from = 0;;) {
      size_t end = tokens + 1 == max_tokens ? raw.size() : token_end(raw, from);
      columns[tokens].add(raw.substr(from, end - from));
      ++tokens;
      if (end == raw.size()) break;
      from = end + 1;  // past the one space that ended the token
    }
    counts.push_back(char(tokens));
  }
  if (!r.ok() || !r.at_end())
    return corrupt("the rows do not hold " + std::to_string(events) + " records");

  // Each column's streams in the form its kind takes.
  std::array<column_kind, max_tokens> kinds;
  std::array<std::array<std::string_view, stream_count>, max_tokens> streams;
  for (size_t c = 0; c < max_tokens; ++c) {
    kinds[c] = columns[c].kind();
    streams[c] = columns[c].streams(kinds[c]);
  }
  if (survey)
    plan = {kinds, column_plan::survey_interval - 1};
  else
    plan.slices_to_survey = kinds == plan.kinds ? plan.slices_to_survey - 1 : 0;
  coding::put_varint(out, meta.size());
  for (size_t c = 0; c < max_tokens; ++c) {
    coding::put_varint(out, uint64_t(kinds[c]));
    for (auto stream : streams[c]) coding::put_varint(out, stream.size());
  }
  stream_starts.clear();
  for (std::string_view s : {std::string_view{meta}, std::string_view{counts}}) {
    stream_starts.push_back(out.size());
    out.append(s);
  }
  for (auto& column_streams : streams)
    for (auto s : column_streams) {
      if (s.empty()) continue;
      stream_starts.push_back(out.size());
      out.append(s);
    }
  return {};
}

result<std::vector<column_kind>> kinds_of(std::string_view columns) {
  stream_table t;
  if (auto err = read_table(columns, true, t)) return err;
  return std::vector<column_kind>(t.kind.begin(), t.kind.end());
}

error take_apart(std::string_view columns, uint32_t events, bool with_kinds, std::string_view& meta,
                 std::string& raws, std::vector<uint32_t>& raw_ends) {
  stream_table table;
  if (auto err = read_table(columns, with_kinds, table)) return err;
  // Each stream must lie inside the payload, and together they must fill it.
  std::string_view rest = columns.substr(table.bytes);
  auto take = [&](uint64_t n, std::string_view& stream) {
    if (n > rest.size()) return false;
    stream = rest.substr(0, n);
    rest.remove_prefix(n);
    return true;
  };
  std::string_view counts;
  std::array<std::array<std::string_view, stream_count>, max_tokens> stream;
  bool ok = take(table.meta_size, meta) && take(events, counts);
  for (size_t c = 0; c < max_tokens && ok; ++c)
    for (size_t s = 0; s < stream_count && ok; ++s) ok = take(table.size[c][s], stream[c][s]);
  if (!ok) return corrupt("a stream runs past the payload");
  if (!rest.empty()) return corrupt(std::to_string(rest.size()) + " bytes after the streams");

  // Per column, where its next length, token bytes and index are, and where they end.
  // Plain: token lengths and tokens; IPv4: 4 bytes per token; dictionary: indexes of its
  // distinct tokens; digit runs: indexes of its templates, then the runs' lengths and
  // digits. The distinct tokens or templates lie back to back from `values_text`, value v
  // ending at value_end[v]; template t's markers (each a digit) are at the offsets
  // markers[first[t]] to markers[first[t + 1] - 1]. Offsets of 4 bytes keep what a payload
  // makes a reader hold at 4 bytes per byte of its streams, at most.
  struct cursor {
    column_kind kind;
    const uint8_t* length;
    const uint8_t* lengths_end;
    const char* text;
    const char* text_end;
    const uint8_t* index;
    const uint8_t* index_end;
    const char* values_text;
    std::vector<uint32_t> value_end;
    std::vector<uint32_t> markers;
    std::vector<uint32_t> first;
  };
  thread_local std::array<cursor, max_tokens> column;
  for (auto& k : column)  // what a large payload left behind is not kept
    for (auto* v : {&k.value_end, &k.markers, &k.first})
      if (v->capacity() > (size_t{1} << 20)) std::vector<uint32_t>().swap(*v);
  auto bytes = [](std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); };
  // The distinct strings of a dictionary or of templates: lengths, then bytes, one per
  // record at most.
  auto read_values = [&](std::string_view lengths, std::string_view text,
                         std::vector<uint32_t>& value_end) {
    value_end.clear();
    const uint8_t* p = bytes(lengths);
    const uint8_t* end = p + lengths.size();
    uint64_t at = 0;
    while (p < end) {
      uint64_t size;
      if (!next_varint(p, end, size) || size > text.size() - at || value_end.size() == events)
        return false;
      at += size;
      value_end.push_back(uint32_t(at));
    }
    return at == text.size();
  };
  // The rebuilt raws: each token plus the space after it (the record's last is taken
  // back). Plain: at most one token per byte of its length stream; IPv4: at most 15 bytes
  // per 4; dictionary and templates: the sum over the indexes, found while checking
  // them, plus the digits. `copy_slack` more let a short token be copied as a whole block.
  constexpr size_t copy_slack = 16;
  size_t capacity = copy_slack;
  for (size_t c = 0; c < max_tokens; ++c) {
    auto& k = column[c];
    auto& streams = stream[c];
    k.kind = table.kind[c];
    std::string name = "column " + std::to_string(c);
    auto unused_empty = [&](std::initializer_list<size_t> unused) {
      for (size_t s : unused)
        if (!streams[s].empty()) return false;
      return true;
    };
    // Token lengths (or run lengths), token bytes (or digits), indexes.
    std::string_view lengths = streams[0], text = streams[1], index;
    switch (k.kind) {
      case column_kind::plain:
        if (!unused_empty({2, 3, 4})) return corrupt(name + ": streams a plain column has not");
        capacity += text.size() + lengths.size();
        break;
      case column_kind::ipv4:
        if (!unused_empty({0, 2, 3, 4}) || text.size() % 4 != 0)
          return corrupt(name + ": IPv4 streams of the wrong sizes");
        capacity += text.size() / 4 * 16;
        break;
      case column_kind::dictionary:
      case column_kind::digit_runs: {
        bool templates = k.kind == column_kind::digit_runs;
        if (!templates && !unused_empty({3, 4}))
          return corrupt(name + ": streams a dictionary column has not");
        if (!read_values(streams[0], streams[1], k.value_end))
          return corrupt(name + ": its distinct " + (templates ? "templates" : "tokens") +
                         " do not fill their streams, or outnumber the records");
        index = streams[2];
        k.values_text = streams[1].data();
        k.markers.clear();
        k.first.clear();
        if (templates) {
          // Each run is one digit or more: a template with more runs than the digits is
          // refused before its markers are held.
          size_t from = 0;
          for (uint32_t end : k.value_end) {
            k.first.push_back(uint32_t(k.markers.size()));
            for (size_t i = from; i < end; ++i) {
              if (!is_digit(k.values_text[i])) continue;
              if (k.markers.size() == streams[4].size())
                return corrupt(name + ": its templates have more runs than digits");
              k.markers.push_back(uint32_t(i));
            }
            from = end;
          }
          k.first.push_back(uint32_t(k.markers.size()));
        }
        // Bytes value v puts in the text besides its runs.
        auto literal = [&](uint64_t v) {
          size_t size = k.value_end[v] - (v ? k.value_end[v - 1] : 0);
          return templates ? size - (k.first[v + 1] - k.first[v]) : size;
        };
        const uint8_t* end = bytes(index) + index.size();
        for (const uint8_t* p = bytes(index); p < end && capacity <= max_rebuilt;) {
          uint64_t v;
          if (!next_varint(p, end, v) || v >= k.value_end.size())
            return corrupt(name + ": an index past its " + std::to_string(k.value_end.size()) +
                           (templates ? " templates" : " distinct tokens"));
          capacity += literal(v) + 1;
        }
        lengths = templates ? streams[3] : std::string_view{};
        text = templates ? streams[4] : std::string_view{};
        capacity += text.size();
        break;
      }
    }
    k.length = bytes(lengths);
    k.lengths_end = k.length + lengths.size();
    k.text = text.data();
    k.text_end = text.data() + text.size();
    k.index = bytes(index);
    k.index_end = k.index + index.size();
  }
  if (capacity > max_rebuilt)
    return corrupt("the rebuilt text would pass " + std::to_string(max_rebuilt) + " bytes");
  raws.resize(capacity);
  raw_ends.resize(events);
  char* raw = raws.data();
  const char* payload_end = columns.data() + columns.size();
  // Tokens are short: copies of whole 16-byte blocks (inline moves) beat a call per
  // token. The last block may copy bytes past the token; later ones overwrite them.
  auto copy = [&](const char* from, size_t length) {
    if (size_t(payload_end - from) >= length + copy_slack) {
      for (size_t b = 0; b < length; b += copy_slack) std::memcpy(raw + b, from + b, copy_slack);
    } else {
      std::memcpy(raw, from, length);
    }
    raw += length;
  };
  auto& octets = octet_texts();
  for (uint32_t i = 0; i < events; ++i) {
    size_t tokens = uint8_t(counts[i]);
    if (tokens == 0 || tokens > max_tokens)
      return corrupt("record " + std::to_string(i) + ": bad token count");
    for (size_t c = 0; c < tokens; ++c) {
      auto& k = column[c];
      auto runs_past = [&] {
        return corrupt("record " + std::to_string(i) + ": token " + std::to_string(c) +
                       " runs past its column");
      };
      // The next length (of a token or a run of digits), which must fit the bytes left.
      auto next_length = [&](uint64_t& length) {
        return next_varint(k.length, k.lengths_end, length) &&
               length <= size_t(k.text_end - k.text);
      };
      uint64_t length, v;  // indexes are below values.size(): checked above
      switch (k.kind) {
        case column_kind::plain:
          if (!next_length(length)) return runs_past();
          copy(k.text, length);
          k.text += length;
          break;
        case column_kind::dictionary: {
          if (!next_varint(k.index, k.index_end, v)) return runs_past();
          uint32_t begin = v ? k.value_end[v - 1] : 0;
          copy(k.values_text + begin, k.value_end[v] - begin);
          break;
        }
        case column_kind::digit_runs: {
          if (!next_varint(k.index, k.index_end, v)) return runs_past();
          uint32_t from = v ? k.value_end[v - 1] : 0;
          for (uint32_t m = k.first[v]; m < k.first[v + 1]; ++m) {
            uint32_t marker = k.markers[m];
            copy(k.values_text + from, marker - from);
            if (!next_length(length)) return runs_past();
            copy(k.text, length);
            k.text += length;
            from = marker + 1;
          }
          copy(k.values_text + from, k.value_end[v] - from);
          break;
        }
        case column_kind::ipv4:
          if (k.text_end - k.text < 4) return runs_past();
          for (int part = 0; part < 4; ++part) {
            auto& o = octets[uint8_t(k.text[part])];
            std::memcpy(raw, o.text, 4);
            raw += o.size;
            *raw++ = '.';
          }
          --raw;  // no dot after the last part
          k.text += 4;
          break;
      }
      *raw++ = ' ';
    }
    --raw;  // no space after the last token
    raw_ends[i] = uint32_t(raw - raws.data());
  }
  for (size_t c = 0; c < max_tokens; ++c) {
    auto& k = column[c];
    if (k.length != k.lengths_end || k.text != k.text_end || k.index != k.index_end)
      return corrupt("bytes after the last token of column " + std::to_string(c));
  }
  raws.resize(size_t(raw - raws.data()));
  return {};
}

}  // namespace kura::journal_columns
