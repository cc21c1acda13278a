// Row layout <-> column layouts of a journal slice. See columns.hpp and FORMAT.md.
#include "core/journal/columns.hpp"

#include <array>
#include <cstring>
#include <vector>

#include "core/journal/journal_format.hpp"
#include "core/util/coding.hpp"
#include "core/util/hash.hpp"

namespace kura::journal_columns {

namespace jf = journal_format;

namespace {

/// A column becomes a dictionary when its distinct tokens are at most this share of its
/// tokens (1/2); with at most 1/8 a dictionary beats the 4-byte form of addresses too.
/// A column whose distinct tokens pass 3/4 of the tokens so far at a checkpoint (every
/// `dictionary_checkpoint` tokens) stops being counted: client addresses, sizes and ids
/// cost no hashing past their first thousand tokens.
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

/// The n-th tokens of every record of a slice, gathered in every form the column might
/// be written in; `kind()` picks one once all are in.
struct column {
  std::string lengths;  // plain: every token's length (varint)
  std::string text;     // plain: every token's bytes
  size_t tokens = 0;
  bool all_ipv4 = true;
  std::string quads;  // while all_ipv4: every token's 4 bytes
  // While `counting`: the distinct tokens as (offset, length) in `text`, first seen first,
  // a hash table of them (slot: hash's high half << 32 | value + 1, 0 when free) and every
  // token's index (varint).
  bool counting = true;
  std::vector<std::pair<uint32_t, uint32_t>> values;
  std::vector<uint64_t> slots;
  std::string index;

  void clear() {
    lengths.clear();
    text.clear();
    tokens = 0;
    all_ipv4 = true;
    quads.clear();
    counting = true;
    values.clear();
    slots.assign(64, 0);
    index.clear();
  }

  void add(std::string_view token) {
    auto offset = uint32_t(text.size());
    coding::put_varint(lengths, token.size());
    text.append(token);
    ++tokens;
    if (all_ipv4) {
      uint8_t quad[4];
      all_ipv4 = parse_ipv4(token, quad);
      if (all_ipv4) quads.append(reinterpret_cast<const char*>(quad), 4);
    }
    if (!counting) return;
    coding::put_varint(index, intern(token, offset));
    if (tokens % dictionary_checkpoint == 0 && values.size() * 4 > tokens * 3) counting = false;
  }

  column_kind kind() const {
    if (tokens == 0) return column_kind::plain;
    if (counting && values.size() * 8 <= tokens) return column_kind::dictionary;
    if (all_ipv4 && tokens > 0) return column_kind::ipv4;
    if (counting && values.size() * 2 <= tokens) return column_kind::dictionary;
    return column_kind::plain;
  }

 private:
  /// The index of `token` (at `offset` in `text`) among the distinct tokens, added if new.
  uint32_t intern(std::string_view token, uint32_t offset) {
    uint64_t h = hash::checksum64(token);
    size_t mask = slots.size() - 1;
    for (size_t at = h & mask;; at = (at + 1) & mask) {
      uint64_t slot = slots[at];
      if (slot == 0) break;
      auto [value_offset, value_size] = values[uint32_t(slot) - 1];
      if ((slot >> 32) == (h >> 32) && value_size == token.size() &&
          std::memcmp(text.data() + value_offset, token.data(), token.size()) == 0)
        return uint32_t(slot) - 1;
    }
    values.emplace_back(offset, uint32_t(token.size()));
    if (values.size() * 2 > slots.size()) {
      slots.assign(slots.size() * 2, 0);
      for (uint32_t v = 0; v < values.size(); ++v)
        place(hash::checksum64({text.data() + values[v].first, values[v].second}), v);
    } else {
      place(h, uint32_t(values.size() - 1));
    }
    return uint32_t(values.size() - 1);
  }

  void place(uint64_t h, uint32_t value) {
    size_t mask = slots.size() - 1;
    size_t at = h & mask;
    while (slots[at] != 0) at = (at + 1) & mask;
    slots[at] = (h >> 32) << 32 | (uint64_t(value) + 1);
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

/// Reads one varint from [*p, end), advancing *p; false when it is cut short or too long.
bool next_varint(const uint8_t*& p, const uint8_t* end, uint64_t& value) {
  if (p < end && *p < 0x80) {
    value = *p++;  // the common case: below 128
    return true;
  }
  coding::reader r{{reinterpret_cast<const char*>(p), size_t(end - p)}};
  bool ok = r.varint(value);
  p = end - r.remaining();
  return ok;
}

/// The stream table of a payload: per column its kind and the sizes of its three streams
/// (lengths, text, index; `T` has no kinds and no index streams).
struct stream_table {
  uint64_t meta_size = 0;
  std::array<column_kind, max_tokens> kind{};
  std::array<std::array<uint64_t, 3>, max_tokens> size{};
  size_t bytes = 0;  // of the table itself
};

error read_table(std::string_view columns, bool with_kinds, stream_table& t) {
  coding::reader r{columns};
  bool ok = r.varint(t.meta_size);
  for (size_t c = 0; c < max_tokens && ok; ++c) {
    if (with_kinds) {
      uint64_t kind;
      ok = r.varint(kind);
      if (ok && kind > uint64_t(column_kind::ipv4))
        return corrupt("column " + std::to_string(c) + " has unknown kind " + std::to_string(kind));
      t.kind[c] = column_kind(kind);
    }
    ok = ok && r.varint(t.size[c][0]) && r.varint(t.size[c][1]) &&
         (!with_kinds || r.varint(t.size[c][2]));
  }
  if (!ok) return corrupt("truncated table of streams");
  t.bytes = columns.size() - r.remaining();
  return {};
}

}  // namespace

error from_rows(std::string_view rows, uint32_t events, std::string& out,
                std::vector<size_t>& stream_starts) {
  // Reused across slices: a writer seals a slice every megabyte.
  thread_local std::string meta, counts;
  thread_local std::array<column, max_tokens> columns;
  thread_local std::array<std::string, max_tokens> value_lengths, value_text;
  meta.clear();
  counts.clear();
  for (auto& c : columns) c.clear();
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

  // Each column's three streams in the form its kind takes.
  std::array<column_kind, max_tokens> kinds;
  std::array<std::array<std::string_view, 3>, max_tokens> streams;
  for (size_t c = 0; c < max_tokens; ++c) {
    auto& col = columns[c];
    kinds[c] = col.kind();
    switch (kinds[c]) {
      case column_kind::plain:
        streams[c] = {std::string_view{col.lengths}, std::string_view{col.text}, std::string_view{}};
        break;
      case column_kind::ipv4:
        streams[c] = {std::string_view{}, std::string_view{col.quads}, std::string_view{}};
        break;
      case column_kind::dictionary:
        value_lengths[c].clear();
        value_text[c].clear();
        for (auto [offset, size] : col.values) {
          coding::put_varint(value_lengths[c], size);
          value_text[c].append(col.text, offset, size);
        }
        streams[c] = {std::string_view{value_lengths[c]}, std::string_view{value_text[c]},
                      std::string_view{col.index}};
        break;
    }
  }
  coding::put_varint(out, meta.size());
  for (size_t c = 0; c < max_tokens; ++c) {
    coding::put_varint(out, uint64_t(kinds[c]));
    for (auto s : streams[c]) coding::put_varint(out, s.size());
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

error take_apart(std::string_view columns, uint32_t events, bool with_kinds,
                 std::string_view& meta, std::string& raws, std::vector<uint32_t>& raw_ends) {
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
  std::array<std::array<std::string_view, 3>, max_tokens> stream;
  bool ok = take(table.meta_size, meta) && take(events, counts);
  for (size_t c = 0; c < max_tokens && ok; ++c)
    for (size_t s = 0; s < 3 && ok; ++s) ok = take(table.size[c][s], stream[c][s]);
  if (!ok) return corrupt("a stream runs past the payload");
  if (!rest.empty()) return corrupt(std::to_string(rest.size()) + " bytes after the streams");

  // Where each column's next length, token and index are, and where they end; the
  // distinct tokens of a dictionary column.
  struct cursor {
    column_kind kind;
    const uint8_t* length;
    const uint8_t* lengths_end;
    const char* text;
    const char* text_end;
    const uint8_t* index;
    const uint8_t* index_end;
    std::vector<std::string_view> values;
  };
  thread_local std::array<cursor, max_tokens> column;
  auto bytes = [](std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); };
  // The rebuilt raws: each token plus the space after it (the record's last is taken
  // back). Plain: at most one token per byte of its length stream; IPv4: at most 15 bytes
  // per 4; dictionary: the sum over its indexes, found here while checking them.
  // `copy_slack` more let a short token be copied as a whole block.
  constexpr size_t copy_slack = 16;
  size_t capacity = copy_slack;
  for (size_t c = 0; c < max_tokens; ++c) {
    auto& k = column[c];
    auto& [lengths, text, index] = stream[c];
    k.kind = table.kind[c];
    k.length = bytes(lengths);
    k.lengths_end = k.length + lengths.size();
    k.text = text.data();
    k.text_end = text.data() + text.size();
    k.index = bytes(index);
    k.index_end = k.index + index.size();
    std::string name = "column " + std::to_string(c);
    switch (k.kind) {
      case column_kind::plain:
        if (!index.empty()) return corrupt(name + ": an index stream in a plain column");
        capacity += text.size() + lengths.size();
        break;
      case column_kind::ipv4:
        if (!lengths.empty() || !index.empty() || text.size() % 4 != 0)
          return corrupt(name + ": IPv4 streams of the wrong sizes");
        capacity += text.size() / 4 * 16;
        break;
      case column_kind::dictionary: {
        k.values.clear();
        const char* value = k.text;
        while (k.length < k.lengths_end) {
          uint64_t size;
          if (!next_varint(k.length, k.lengths_end, size) || size > size_t(k.text_end - value))
            return corrupt(name + ": a distinct token runs past its column");
          k.values.emplace_back(value, size);
          value += size;
        }
        if (value != k.text_end) return corrupt(name + ": bytes after the distinct tokens");
        for (const uint8_t* p = k.index; p < k.index_end;) {
          uint64_t v;
          if (!next_varint(p, k.index_end, v) || v >= k.values.size())
            return corrupt(name + ": an index past its " + std::to_string(k.values.size()) +
                           " distinct tokens");
          capacity += k.values[v].size() + 1;
          if (capacity > max_rebuilt) break;  // refused below
        }
        break;
      }
    }
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
      switch (k.kind) {
        case column_kind::plain: {
          uint64_t length;
          if (!next_varint(k.length, k.lengths_end, length) ||
              length > size_t(k.text_end - k.text))
            return runs_past();
          copy(k.text, length);
          k.text += length;
          break;
        }
        case column_kind::dictionary: {
          uint64_t v;  // below values.size(): checked above
          if (!next_varint(k.index, k.index_end, v)) return runs_past();
          copy(k.values[v].data(), k.values[v].size());
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
    bool used_up = k.kind == column_kind::dictionary
                       ? k.index == k.index_end
                       : k.length == k.lengths_end && k.text == k.text_end;
    if (!used_up) return corrupt("bytes after the last token of column " + std::to_string(c));
  }
  raws.resize(size_t(raw - raws.data()));
  return {};
}

}  // namespace kura::journal_columns
