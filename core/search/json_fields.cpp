// JSON fields at search time: simdjson's DOM parse of a document, then one
// pass over its tape collecting the fields (each thread keeps one parser, one
// padded buffer and one collector, so an event costs no allocation beyond its
// fields' names and values in the row), paths, spath and the JSON eval
// functions.
#include "core/search/json_fields.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <set>
#include <unordered_map>

#include "core/search/eval.hpp"

namespace kura::search {
namespace {

namespace dom = simdjson::dom;

// -- the per-thread parser ----------------------------------------------------

/// A DOM parser (simdjson picks the fastest kernel of this CPU at run time;
/// its On-Demand API would be compiled for the baseline CPU only) and a buffer
/// with simdjson's padding after the document: _raw comes from a decompressed
/// block that has no room after it.
struct json_reader {
  dom::parser parser;
  std::vector<char> buffer;
  size_t size = 0;

  json_reader() {
    if (parser.allocate(1 << 16, max_json_depth))
      buffer.clear();  // a failed allocation is retried by parse
  }

  simdjson::simdjson_result<dom::element> open(std::string_view json) {
    if (buffer.size() < json.size() + simdjson::SIMDJSON_PADDING)
      buffer.resize(json.size() + simdjson::SIMDJSON_PADDING);
    std::copy(json.begin(), json.end(), buffer.begin());
    std::fill_n(buffer.begin() + long(json.size()), simdjson::SIMDJSON_PADDING, '\0');
    size = json.size();
    return parser.parse(buffer.data(), json.size(), false);
  }
  std::string_view text() const { return {buffer.data(), size}; }
};

json_reader& reader() {
  thread_local json_reader r;
  return r;
}

bool json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && json_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && json_space(s.back())) s.remove_suffix(1);
  return s;
}

/// The number tokens of a valid JSON text, in document order (the DOM keeps
/// numbers as binary; this gives them as written, "1.50" and "1e3" included).
/// Outside strings, only numbers contain '-' or digits.
class number_scanner {
 public:
  explicit number_scanner(std::string_view text) : s_(text) {}
  /// Skips the next number token (one a walk passes without reading it).
  void skip() { ++pending_; }
  /// The next number token.
  std::string_view next() {
    for (; pending_ > 0; --pending_) (void)scan();
    return scan();
  }

 private:
  std::string_view scan() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {  // skip the string: find its closing quote, not preceded by an odd run of
                       // backslashes
        for (;;) {
          auto* q =
              static_cast<const char*>(std::memchr(s_.data() + i_ + 1, '"', s_.size() - i_ - 1));
          if (!q) return {};
          i_ = size_t(q - s_.data());
          size_t slashes = 0;
          while (s_[i_ - 1 - slashes] == '\\') ++slashes;
          if (slashes % 2 == 0) break;
        }
        ++i_;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        size_t from = i_;
        while (i_ < s_.size() &&
               (s_[i_] == '-' || s_[i_] == '+' || s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E' ||
                (s_[i_] >= '0' && s_[i_] <= '9')))
          ++i_;
        return s_.substr(from, i_ - from);
      } else {
        ++i_;
      }
    }
    return {};
  }

  std::string_view s_;
  size_t i_ = 0;
  size_t pending_ = 0;
};

/// An integer's text (as written: JSON has one way to write an integer).
std::string_view integer_text(dom::element e, std::array<char, 24>& buf) {
  auto [p, ec] =
      e.type() == dom::element_type::UINT64
          ? std::to_chars(buf.data(), buf.data() + buf.size(), e.get_uint64().value_unsafe())
          : std::to_chars(buf.data(), buf.data() + buf.size(), e.get_int64().value_unsafe());
  return {buf.data(), size_t(p - buf.data())};
}

bool is_number(dom::element_type t) {
  return t == dom::element_type::INT64 || t == dom::element_type::UINT64 ||
         t == dom::element_type::DOUBLE;
}

// -- collecting the fields of one document ------------------------------------

/// Whether two short strings (field names) are equal, without a library call
/// for names of up to 16 bytes.
[[gnu::always_inline]] inline bool same_name(std::string_view a, std::string_view b) {
  size_t n = a.size();
  if (n != b.size()) return false;
  const char *p = a.data(), *q = b.data();
  auto load8 = [](const char* s) {
    uint64_t w;
    std::memcpy(&w, s, 8);
    return w;
  };
  auto load4 = [](const char* s) {
    uint32_t w;
    std::memcpy(&w, s, 4);
    return w;
  };
  if (n >= 8) {
    if (n > 16) return std::memcmp(p, q, n) == 0;
    return load8(p) == load8(q) && load8(p + n - 8) == load8(q + n - 8);
  }
  if (n >= 4) return load4(p) == load4(q) && load4(p + n - 4) == load4(q + n - 4);
  for (size_t i = 0; i < n; ++i)
    if (p[i] != q[i]) return false;
  return true;
}

/// A container open during a walk: its name's length, and the length of its
/// elements' name prefix (`a{}` for the array `a`).
struct open_container {
  uint32_t outer, inner;
  bool object;
};

/// The fields found in one document, kept between documents so their
/// vectors and names keep their capacity. Values are views into the parser's
/// strings and the document's text: commit before the thread parses another
/// document.
/// Finding a name's entry: the entry used last (elements of an array of
/// scalars), the one after it (the next round of an array of objects), and,
/// while this document repeats the previous one's shape (documents of one
/// source tend to), the entry the previous document had at this position,
/// which then needs no search; otherwise a linear scan while there are few
/// names, then through a map.
class field_collector {
 public:
  void clear() {
    shape_ = used_;  // the previous document's names, all distinct
    used_ = 0;
    last_ = 0;
    same_shape_ = true;
    if (!index_.empty()) index_.clear();  // clearing an empty map still clears its buckets
    integers_.clear();
  }

  /// A buffer for the names of one walk (kept: names longer than 15 bytes would allocate).
  std::string& name_buffer() {
    name_.clear();
    return name_;
  }

  /// The walk's stack of open containers (kept: its capacity).
  std::vector<open_container>& levels() { return levels_; }

  /// Room for one integer's text, valid until clear().
  std::array<char, 24>& integer_room() { return integers_.emplace_back(); }

  void add(std::string_view name, std::string_view text) {
    entry& e = slot(name);
    if (e.count < e.values.size())
      e.values[e.count] = text;
    else
      e.values.push_back(text);
    ++e.count;
  }

  /// Puts the fields in `r`: `replace` sets them (spath), otherwise only
  /// names the row lacks are added (automatic extraction); with `wanted`,
  /// only those names. Each field is built in place in the row: one copy of
  /// its name and of its value.
  void commit(row& r, bool replace, const std::set<std::string>* wanted = nullptr) {
    keep_.assign(used_, 1);
    size_t adding = used_;
    if (wanted) {
      // A search reads few fields: compare with a flat list of them, by length first.
      wanted_.assign(wanted->begin(), wanted->end());
      auto is_wanted = [&](const std::string& name) {
        if (wanted_.size() > 8) return wanted->count(name) > 0;
        for (auto w : wanted_)
          if (same_name(w, name)) return true;
        return false;
      };
      adding = 0;
      for (size_t i = 0; i < used_; ++i) {
        keep_[i] = is_wanted(fields_[i].name);
        adding += keep_[i];
      }
    }
    auto& f = r.fields();
    size_t before = f.size();  // names here are distinct: only the row's earlier fields can clash
    f.reserve(before + adding);
    auto present = [&](std::string_view name) {
      for (size_t k = 0; k < before; ++k)
        if (same_name(f[k].first, name)) return true;
      return false;
    };
    for (size_t i = 0; i < used_; ++i) {
      const entry& e = fields_[i];
      if (!keep_[i] || e.name.empty() || (!replace && present(e.name))) continue;  // {"":…}
      if (replace) {
        r.set(e.name, e.to_value());
      } else if (e.count == 1) {
        f.emplace_back(std::piecewise_construct, std::forward_as_tuple(e.name),
                       std::forward_as_tuple(e.values[0]));
      } else {
        f.emplace_back(std::piecewise_construct, std::forward_as_tuple(e.name),
                       std::forward_as_tuple(e.to_value()));
      }
    }
  }

 private:
  struct entry {
    std::string name;
    std::vector<std::string_view> values;
    size_t count = 0;

    value to_value() const {
      if (count == 1) return value{values[0]};
      std::vector<std::string> items;
      items.reserve(count);
      for (size_t k = 0; k < count; ++k) items.emplace_back(values[k]);
      return value::multi(std::move(items));
    }
  };
  static constexpr size_t scan_limit = 24;

  entry& slot(std::string_view name) {
    if (used_ > 0) {
      if (same_name(fields_[last_].name, name)) return fields_[last_];
      if (last_ + 1 < used_ && same_name(fields_[last_ + 1].name, name)) return fields_[++last_];
    }
    if (same_shape_ && used_ < shape_ && same_name(fields_[used_].name, name))
      return fresh();  // entries 0..used_-1 are the previous document's, which lacked `name`
    if (used_ <= scan_limit) {
      for (size_t i = 0; i < used_; ++i)
        if (same_name(fields_[i].name, name)) return fields_[last_ = i];
    } else {
      if (index_.empty())
        for (size_t i = 0; i < used_; ++i) index_.emplace(fields_[i].name, i);
      if (auto it = index_.find(std::string{name}); it != index_.end())
        return fields_[last_ = it->second];
    }
    if (used_ == fields_.size()) fields_.emplace_back();
    if (used_ >= shape_ || !same_name(fields_[used_].name, name)) {
      same_shape_ = false;
      fields_[used_].name.assign(name);
    }
    return fresh();
  }

  /// Starts the entry at used_, whose name is set.
  entry& fresh() {
    entry& e = fields_[used_];
    e.count = 0;
    if (!index_.empty()) index_.emplace(e.name, used_);
    last_ = used_++;
    return e;
  }

  std::vector<entry> fields_;
  size_t used_ = 0;
  size_t last_ = 0;                            // the entry used last
  size_t shape_ = 0;                           // entries of the previous document
  bool same_shape_ = true;                     // entries 0..used_-1 have the previous names
  std::deque<std::array<char, 24>> integers_;  // a deque: its elements never move
  std::string name_;
  std::vector<open_container> levels_;
  std::vector<uint8_t> keep_;             // commit: the entries it puts in the row
  std::vector<std::string_view> wanted_;  // commit: the names a search reads
  std::unordered_map<std::string, size_t> index_;
};

field_collector& collector() {
  thread_local field_collector c;
  return c;
}

/// Adds every scalar of the document `parser` holds, with its name, in one
/// pass over simdjson's tape (the DOM's documented layout: a word a value, a
/// container's words between its brackets, numbers in the word after theirs,
/// strings in the string buffer as a 32-bit length and the bytes), rather
/// than through dom::element, whose per-element calls cost more than the
/// parse. The root must be an object or an array; the parser bounds the depth.
void walk(const dom::parser& parser, std::string& name, field_collector& out,
          number_scanner& numbers) {
  namespace in = simdjson::internal;
  const uint64_t* tape = parser.doc.tape.get();
  const uint8_t* strings = parser.doc.string_buf.get();
  auto text = [&](uint64_t word) {
    size_t at = size_t(word & in::JSON_VALUE_MASK);
    uint32_t size;
    std::memcpy(&size, strings + at, sizeof size);
    return std::string_view{reinterpret_cast<const char*>(strings + at + sizeof size), size};
  };
  auto type = [](uint64_t word) { return in::tape_type(word >> 56); };
  auto& open = out.levels();
  open.clear();
  for (size_t i = 1;;) {  // tape[0] is the root word, tape[1] the root value
    uint64_t word = tape[i];
    auto t = type(word);
    if (t == in::tape_type::END_OBJECT || t == in::tape_type::END_ARRAY) {
      name.resize(open.back().outer);
      open.pop_back();
      if (open.empty()) return;
      ++i;
      continue;
    }
    if (!open.empty() && open.back().object) {  // a key, then its value
      name.resize(open.back().inner);
      if (!name.empty()) name += '.';
      name += text(word);
      word = tape[++i];
      t = type(word);
    }
    switch (t) {
      case in::tape_type::START_OBJECT:
        open.push_back({uint32_t(name.size()), uint32_t(name.size()), true});
        ++i;
        break;
      case in::tape_type::START_ARRAY: {
        auto outer = uint32_t(name.size());
        name += "{}";
        open.push_back({outer, uint32_t(name.size()), false});
        ++i;
        break;
      }
      case in::tape_type::STRING:
        out.add(name, text(word));
        ++i;
        break;
      case in::tape_type::INT64:
      case in::tape_type::UINT64: {  // from the tape: scanning the text costs more
        numbers.skip();
        auto& room = out.integer_room();
        auto [end, ec] = t == in::tape_type::INT64
                             ? std::to_chars(room.data(), room.data() + room.size(),
                                             std::bit_cast<int64_t>(tape[i + 1]))
                             : std::to_chars(room.data(), room.data() + room.size(), tape[i + 1]);
        out.add(name, {room.data(), size_t(end - room.data())});
        i += 2;
        break;
      }
      case in::tape_type::DOUBLE:
        out.add(name, numbers.next());
        i += 2;
        break;
      case in::tape_type::TRUE_VALUE:
        out.add(name, "true");
        ++i;
        break;
      case in::tape_type::FALSE_VALUE:
        out.add(name, "false");
        ++i;
        break;
      default:  // null
        ++i;
        break;
    }
  }
}

enum class root_kind { object, any };

/// Collects every field of `json` into `out`. False (nothing collected) when
/// `json` is not valid JSON, is nested too deep, or its root is neither an
/// object nor (with root_kind::any) an array.
bool collect_document(std::string_view json, root_kind want, field_collector& out) {
  out.clear();
  auto& rd = reader();
  dom::element root;
  if (rd.open(json).get(root)) return false;
  auto t = root.type();
  if (t != dom::element_type::OBJECT &&
      (want == root_kind::object || t != dom::element_type::ARRAY))
    return false;
  number_scanner numbers{rd.text()};
  walk(rd.parser, out.name_buffer(), out, numbers);
  return true;
}

// -- paths --------------------------------------------------------------------

void emit(dom::element e, number_scanner& numbers, std::vector<json_match>& out) {
  switch (e.type()) {
    case dom::element_type::OBJECT:
      out.push_back({json_match::kind::object, simdjson::minify(e)});
      return;
    case dom::element_type::ARRAY:
      out.push_back({json_match::kind::array, simdjson::minify(e)});
      return;
    case dom::element_type::STRING:
      out.push_back({json_match::kind::string, std::string{e.get_string().value_unsafe()}});
      return;
    case dom::element_type::INT64:
    case dom::element_type::UINT64: {
      std::array<char, 24> buf;
      numbers.skip();
      out.push_back({json_match::kind::number, std::string{integer_text(e, buf)}});
      return;
    }
    case dom::element_type::DOUBLE:
      out.push_back({json_match::kind::number, std::string{numbers.next()}});
      return;
    case dom::element_type::BOOL:
      out.push_back({json_match::kind::boolean, e.get_bool().value_unsafe() ? "true" : "false"});
      return;
    case dom::element_type::NULL_VALUE:
      return;
  }
}

/// Counts the numbers under `e` as passed (keeps the scanner in step with a
/// walk that does not visit `e`).
void pass_numbers(dom::element e, number_scanner& numbers) {
  auto t = e.type();
  if (is_number(t)) {
    numbers.skip();
  } else if (t == dom::element_type::OBJECT) {
    for (dom::key_value_pair member : dom::object(e.get_object().value_unsafe()))
      pass_numbers(member.value, numbers);
  } else if (t == dom::element_type::ARRAY) {
    for (dom::element child : dom::array(e.get_array().value_unsafe()))
      pass_numbers(child, numbers);
  }
}

/// Visits `e`, which matched the first `i` steps, in document order.
void find(dom::element e, const std::vector<json_path::step>& steps, size_t i,
          number_scanner& numbers, std::vector<json_match>& out) {
  if (i == steps.size()) {
    emit(e, numbers, out);  // objects and arrays as minified text: their numbers are passed below
    if (e.type() == dom::element_type::OBJECT || e.type() == dom::element_type::ARRAY)
      pass_numbers(e, numbers);
    return;
  }
  const auto& s = steps[i];
  auto t = e.type();
  if (s.type == json_path::step::kind::key && t == dom::element_type::OBJECT) {
    for (dom::key_value_pair member : dom::object(e.get_object().value_unsafe())) {
      if (member.key == s.key)
        find(member.value, steps, i + 1, numbers, out);
      else
        pass_numbers(member.value, numbers);
    }
    return;
  }
  if (s.type != json_path::step::kind::key && t == dom::element_type::ARRAY) {
    size_t n = 0;
    for (dom::element child : dom::array(e.get_array().value_unsafe())) {
      if (s.type == json_path::step::kind::every || n == s.index)
        find(child, steps, i + 1, numbers, out);
      else
        pass_numbers(child, numbers);
      ++n;
    }
    return;
  }
  pass_numbers(e, numbers);
}

/// The whole document as one match (json_extract without a path).
std::optional<json_match> whole_document(std::string_view json) {
  auto& rd = reader();
  dom::element root;
  if (rd.open(json).get(root)) return std::nullopt;
  std::vector<json_match> out;
  number_scanner numbers{rd.text()};
  emit(root, numbers, out);
  if (out.empty()) return std::nullopt;  // null
  return out[0];                         // objects and arrays as compact JSON
}

// -- JSON text ----------------------------------------------------------------

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          static const char hex[] = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void append_match(std::string& out, const json_match& m) {
  if (m.type == json_match::kind::string)
    append_json_string(out, m.text);
  else
    out += m.text;
}

/// A match as an eval value: strings and booleans as text, numbers as numbers,
/// objects and arrays as their JSON text.
value native(const json_match& m) {
  if (m.type == json_match::kind::number) {
    double d = 0;
    auto [p, ec] = std::from_chars(m.text.data(), m.text.data() + m.text.size(), d);
    if (ec == std::errc{} && p == m.text.data() + m.text.size() && std::isfinite(d))
      return value{d};
  }
  return value{m.text};
}

std::string input_text(const value& v) {
  if (v.type() == value::kind::multi) {
    auto items = v.items();
    return items.empty() ? std::string{} : items[0];
  }
  return v.as_string();
}

bool has_every(const json_path& p) {
  return std::any_of(p.steps().begin(), p.steps().end(),
                     [](auto& s) { return s.type == json_path::step::kind::every; });
}

}  // namespace

// -- public -------------------------------------------------------------------

bool try_extract_json_fields(std::string_view raw, row& r, const std::set<std::string>* wanted) {
  std::string_view t = trim(raw);
  if (t.empty() || t.front() != '{') return false;
  auto& c = collector();
  if (!collect_document(t, root_kind::object, c)) return false;
  c.commit(r, false, wanted);
  return true;
}

void extract_json_fields(std::string_view raw, row& r) { (void)try_extract_json_fields(raw, r); }

result<json_path> json_path::parse(std::string_view text, size_t first_index) {
  json_path p;
  auto bad = [&](const std::string& what, size_t at) {
    return error{errc::invalid_argument, "invalid path \"" + std::string{text} + "\": " + what +
                                             " at character " + std::to_string(at + 1)};
  };
  if (text.empty()) return bad("the path is empty", 0);
  size_t i = 0;
  for (;;) {
    size_t start = i;
    while (i < text.size() && text[i] != '.' && text[i] != '{' && text[i] != '}') ++i;
    if (i > start) {
      p.steps_.push_back({step::kind::key, std::string{text.substr(start, i - start)}, 0});
    } else if (i >= text.size() || text[i] != '{') {
      return bad("expected a key", i);
    }
    while (i < text.size() && text[i] == '{') {
      size_t close = text.find('}', i);
      if (close == std::string_view::npos) return bad("\"{\" is not closed", i);
      std::string_view inside = text.substr(i + 1, close - i - 1);
      if (inside.empty()) {
        p.steps_.push_back({step::kind::every, {}, 0});
      } else {
        size_t n = 0;
        auto [q, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), n);
        if (ec != std::errc{} || q != inside.data() + inside.size())
          return bad("expected {} or {N} with a number N", i);
        if (n < first_index)
          return bad("array elements are counted from " + std::to_string(first_index), i);
        p.steps_.push_back({step::kind::index, {}, n - first_index});
      }
      i = close + 1;
    }
    if (i >= text.size()) break;
    if (text[i] != '.') return bad("expected \".\" or \"{\"", i);
    ++i;
    if (i >= text.size()) return bad("expected a key after \".\"", i);
  }
  return p;
}

std::vector<json_match> json_find(std::string_view json, const json_path& path) {
  std::vector<json_match> out;
  auto& rd = reader();
  dom::element root;
  if (rd.open(json).get(root)) return out;
  number_scanner numbers{rd.text()};
  find(root, path.steps(), 0, numbers, out);
  return out;
}

result<spath_stage> spath_stage::make(std::string input, std::string output, std::string path) {
  spath_stage s;
  s.input_ = std::move(input);
  if (!path.empty()) {
    auto p = json_path::parse(path, 1);
    if (!p) return error{p.err().code(), "spath: " + p.err().message()};
    s.path_ = std::move(*p);
    s.output_ = output.empty() ? path : std::move(output);
  } else if (!output.empty()) {
    return error{errc::invalid_argument, "spath: output= needs a path (path=…)"};
  }
  return s;
}

void spath_stage::apply(row& r) const {
  auto* in = r.get(input_);
  if (!in || in->is_null()) return;
  std::string text = input_text(*in);
  if (!path_) {
    auto& c = collector();
    if (collect_document(text, root_kind::any, c)) c.commit(r, true);
    return;
  }
  auto found = json_find(text, *path_);
  if (found.empty()) return;
  if (found.size() == 1) {
    r.set(output_, value{std::move(found[0].text)});
    return;
  }
  std::vector<std::string> items;
  items.reserve(found.size());
  for (auto& m : found) items.push_back(std::move(m.text));
  r.set(output_, value::multi(std::move(items)));
}

std::string check_json_path_call(const expr& call) {
  size_t first_index = call.text == "spath" ? 1 : 0;
  for (size_t i = 1; i < call.args.size(); ++i)
    if (call.args[i].type == expr::kind::string)
      if (auto p = json_path::parse(call.args[i].text, first_index); !p)
        return call.text + "(): " + p.err().message();
  return {};
}

std::string check_json_object_call(const expr& call) {
  if (call.args.size() % 2 != 0)
    return "json_object() takes key, value pairs (an even number of arguments)";
  return {};
}

value eval_spath(const expr& call, const row& r) {
  if (call.args.size() != 2) return {};
  value in = evaluate(call.args[0], r);
  value path_text = evaluate(call.args[1], r);
  if (in.is_null() || path_text.is_null()) return {};
  auto path = json_path::parse(path_text.as_string(), 1);
  if (!path) return {};
  auto found = json_find(input_text(in), *path);
  if (found.empty()) return {};
  if (found.size() == 1) return value{std::move(found[0].text)};
  std::vector<std::string> items;
  for (auto& m : found) items.push_back(std::move(m.text));
  return value::multi(std::move(items));
}

value eval_json_extract(const expr& call, const row& r) {
  if (call.args.empty()) return {};
  value in = evaluate(call.args[0], r);
  if (in.is_null()) return {};
  std::string json = input_text(in);
  if (call.args.size() == 1) {
    auto whole = whole_document(json);
    if (!whole) return {};
    return native(*whole);
  }
  // One path: its value in its own type, or an array when it selects with {}.
  auto values_at = [&](const expr& e, bool& every) -> std::optional<std::vector<json_match>> {
    value p = evaluate(e, r);
    if (p.is_null()) return std::nullopt;
    auto path = json_path::parse(p.as_string(), 0);
    if (!path) return std::nullopt;
    every = has_every(*path);
    return json_find(json, *path);
  };
  auto as_array = [](const std::vector<json_match>& ms) {
    std::string out = "[";
    for (size_t i = 0; i < ms.size(); ++i) {
      if (i) out += ',';
      append_match(out, ms[i]);
    }
    return out + "]";
  };
  if (call.args.size() == 2) {
    bool every = false;
    auto found = values_at(call.args[1], every);
    if (!found || found->empty()) return {};
    if (!every && found->size() == 1) return native((*found)[0]);
    return value{as_array(*found)};
  }
  std::string out = "[";
  bool any = false;
  for (size_t i = 1; i < call.args.size(); ++i) {
    if (i > 1) out += ',';
    bool every = false;
    auto found = values_at(call.args[i], every);
    if (!found || found->empty()) {
      out += "null";
    } else if (!every && found->size() == 1) {
      append_match(out, (*found)[0]);
      any = true;
    } else {
      out += as_array(*found);
      any = true;
    }
  }
  if (!any) return {};
  return value{out + "]"};
}

value eval_json_object(const expr& call, const row& r) {
  if (call.args.size() % 2 != 0) return {};
  std::string out = "{";
  for (size_t i = 0; i + 1 < call.args.size(); i += 2) {
    value k = evaluate(call.args[i], r);
    if (k.is_null()) return {};
    if (i) out += ',';
    append_json_string(out, k.as_string());
    out += ':';
    value v = evaluate(call.args[i + 1], r);
    switch (v.type()) {
      case value::kind::null:
        out += "null";
        break;
      case value::kind::number: {
        double d = *v.as_number();
        if (!std::isfinite(d)) {
          out += "null";
        } else {
          char buf[32];
          auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
          out.append(buf, ec == std::errc{} ? size_t(p - buf) : 0);
        }
        break;
      }
      case value::kind::multi: {
        out += '[';
        auto items = v.items();
        for (size_t j = 0; j < items.size(); ++j) {
          if (j) out += ',';
          append_json_string(out, items[j]);
        }
        out += ']';
        break;
      }
      case value::kind::string: {
        std::string_view s = trim(*v.text());
        std::optional<json_match> nested;
        if (!s.empty() && (s.front() == '{' || s.front() == '[')) nested = whole_document(s);
        if (nested)
          out += nested->text;  // compact
        else
          append_json_string(out, *v.text());
        break;
      }
    }
  }
  return value{out + "}"};
}

}  // namespace kura::search
