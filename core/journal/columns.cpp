// Row layout <-> column layout of a journal slice. See columns.hpp and FORMAT.md.
#include "core/journal/columns.hpp"

#include <array>
#include <cstring>
#include <vector>

#include "core/journal/journal_format.hpp"
#include "core/util/coding.hpp"

namespace kura::journal_columns {

namespace jf = journal_format;

namespace {

/// The n-th tokens of every record: their lengths (varints) and their bytes.
struct column {
  std::string lengths;
  std::string text;
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

}  // namespace

error from_rows(std::string_view rows, uint32_t events, std::string& out) {
  // Reused across slices: a writer seals a slice every megabyte.
  thread_local std::string meta, counts;
  thread_local std::array<column, max_tokens> columns;
  meta.clear();
  counts.clear();
  for (auto& c : columns) {
    c.lengths.clear();
    c.text.clear();
  }
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
      coding::put_varint(columns[tokens].lengths, end - from);
      columns[tokens].text.append(raw.substr(from, end - from));
      ++tokens;
      if (end == raw.size()) break;
      from = end + 1;  // past the one space that ended the token
    }
    counts.push_back(char(tokens));
  }
  if (!r.ok() || !r.at_end())
    return corrupt("the rows do not hold " + std::to_string(events) + " records");
  coding::put_varint(out, meta.size());
  for (auto& c : columns) {
    coding::put_varint(out, c.lengths.size());
    coding::put_varint(out, c.text.size());
  }
  out.append(meta);
  out.append(counts);
  for (auto& c : columns) {
    out.append(c.lengths);
    out.append(c.text);
  }
  return {};
}

error take_apart(std::string_view columns, uint32_t events, std::string_view& meta,
                 std::string& raws, std::vector<uint32_t>& raw_ends) {
  coding::reader table{columns};
  uint64_t meta_size;
  std::array<uint64_t, max_tokens> lengths_size, text_size;
  bool ok = table.varint(meta_size);
  for (size_t c = 0; c < max_tokens && ok; ++c)
    ok = table.varint(lengths_size[c]) && table.varint(text_size[c]);
  if (!ok) return corrupt("truncated table of streams");
  // Each stream must lie inside the payload, and together they must fill it.
  std::string_view rest = columns.substr(columns.size() - table.remaining());
  auto take = [&](uint64_t n, std::string_view& stream) {
    if (n > rest.size()) return false;
    stream = rest.substr(0, n);
    rest.remove_prefix(n);
    return true;
  };
  std::string_view counts;
  std::array<std::string_view, max_tokens> lengths_bytes, text;
  ok = take(meta_size, meta) && take(events, counts);
  for (size_t c = 0; c < max_tokens && ok; ++c)
    ok = take(lengths_size[c], lengths_bytes[c]) && take(text_size[c], text[c]);
  if (!ok) return corrupt("a stream runs past the payload");
  if (!rest.empty()) return corrupt(std::to_string(rest.size()) + " bytes after the streams");

  // Where each column's next length and next token are, and where they end.
  struct cursor {
    const uint8_t* length;
    const uint8_t* lengths_end;
    const char* text;
    const char* text_end;
  };
  std::array<cursor, max_tokens> column;
  for (size_t c = 0; c < max_tokens; ++c)
    column[c] = {
        reinterpret_cast<const uint8_t*>(lengths_bytes[c].data()),
        reinterpret_cast<const uint8_t*>(lengths_bytes[c].data() + lengths_bytes[c].size()),
        text[c].data(), text[c].data() + text[c].size()};
  // The raws are the text streams plus one space after each token (the record's last is
  // taken back): at most one per byte of the length streams (a length takes at least one).
  // `copy_slack` more let a short token be copied as a whole block.
  constexpr size_t copy_slack = 16;
  size_t capacity = copy_slack;
  for (size_t c = 0; c < max_tokens; ++c) capacity += text[c].size() + lengths_bytes[c].size();
  raws.resize(capacity);
  raw_ends.resize(events);
  char* raw = raws.data();
  const char* payload_end = columns.data() + columns.size();
  for (uint32_t i = 0; i < events; ++i) {
    size_t tokens = uint8_t(counts[i]);
    if (tokens == 0 || tokens > max_tokens)
      return corrupt("record " + std::to_string(i) + ": bad token count");
    for (size_t c = 0; c < tokens; ++c) {
      auto& k = column[c];
      uint64_t length;
      if (k.length < k.lengths_end && *k.length < 0x80) {
        length = *k.length++;  // the common case: a token shorter than 128 bytes
      } else {
        coding::reader r{
            {reinterpret_cast<const char*>(k.length), size_t(k.lengths_end - k.length)}};
        if (!r.varint(length)) length = UINT64_MAX;
        k.length = k.lengths_end - r.remaining();
      }
      if (length > size_t(k.text_end - k.text))
        return corrupt("record " + std::to_string(i) + ": token " + std::to_string(c) +
                       " runs past its column");
      // Tokens are short: copies of whole 16-byte blocks (inline moves) beat a call per
      // token. The last block may copy bytes past the token; later ones overwrite them.
      if (size_t(payload_end - k.text) >= length + copy_slack) {
        for (size_t b = 0; b < length; b += copy_slack)
          std::memcpy(raw + b, k.text + b, copy_slack);
      } else {
        std::memcpy(raw, k.text, length);
      }
      raw += length;
      *raw++ = ' ';
      k.text += length;
    }
    --raw;  // no space after the last token
    raw_ends[i] = uint32_t(raw - raws.data());
  }
  for (size_t c = 0; c < max_tokens; ++c)
    if (column[c].length != column[c].lengths_end || column[c].text != column[c].text_end)
      return corrupt("bytes after the last token of column " + std::to_string(c));
  raws.resize(size_t(raw - raws.data()));
  return {};
}

}  // namespace kura::journal_columns
