// JSON fields at search time: one walk of a document with simdjson's On-Demand
// parser (each thread keeps one parser and one padded buffer, so an event
// costs no allocation beyond its fields' values), paths, spath and the JSON
// eval functions.
#include "core/search/json_fields.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
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

/// The fields found in one document, kept between documents so their
/// vectors keep their capacity. Values are views into the parser's strings and
/// the document's text: commit before the thread parses another document.
/// Names are found by a linear scan while there are few, then through a map.
class field_collector {
 public:
  void clear() {
    used_ = 0;
    last_ = 0;
    if (!index_.empty()) index_.clear();  // clearing an empty map still clears its buckets
    integers_.clear();
  }

  /// A buffer for the names of one walk (kept: names longer than 15 bytes would allocate).
  std::string& name_buffer() {
    name_.clear();
    return name_;
  }

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
  /// names the row lacks are added (automatic extraction).
  void commit(row& r, bool replace, const std::set<std::string>* wanted = nullptr) const {
    auto& f = r.fields();
    size_t before = f.size();  // names here are distinct: only the row's earlier fields can clash
    f.reserve(before + used_);
    auto present = [&](const std::string& name) {
      for (size_t k = 0; k < before; ++k)
        if (f[k].first == name) return true;
      return false;
    };
    for (size_t i = 0; i < used_; ++i) {
      const entry& e = fields_[i];
      if (e.name.empty() || (wanted && !wanted->count(e.name)) || (!replace && present(e.name)))
        continue;
      value v = e.count == 1 ? value{e.values[0]}
                             : value::multi(std::vector<std::string>(
                                   e.values.begin(), e.values.begin() + long(e.count)));
      if (replace)
        r.set(e.name, std::move(v));
      else
        r.add(e.name, std::move(v));
    }
  }

 private:
  struct entry {
    std::string name;
    std::vector<std::string_view> values;
    size_t count = 0;
  };
  static constexpr size_t scan_limit = 24;

  entry& slot(std::string_view name) {
    if (used_ <= scan_limit) {
      // Documents of one source tend to repeat their shape: try the entry
      // after the last one used, then scan.
      if (last_ + 1 < used_ && fields_[last_ + 1].name == name) return fields_[++last_];
      for (size_t i = 0; i < used_; ++i)
        if (fields_[i].name.size() == name.size() && fields_[i].name == name)
          return fields_[last_ = i];
    } else {
      if (index_.empty())
        for (size_t i = 0; i < used_; ++i) index_.emplace(fields_[i].name, i);
      if (auto it = index_.find(std::string{name}); it != index_.end()) return fields_[it->second];
    }
    if (used_ == fields_.size()) fields_.emplace_back();
    entry& e = fields_[used_];
    if (e.name != name) e.name.assign(name);  // often the same shape as the last document
    e.count = 0;
    if (!index_.empty()) index_.emplace(e.name, used_);
    last_ = used_++;
    return e;
  }

  std::vector<entry> fields_;
  size_t used_ = 0;
  size_t last_ = 0;                            // the entry used last
  std::deque<std::array<char, 24>> integers_;  // a deque: its elements never move
  std::string name_;
  std::unordered_map<std::string, size_t> index_;
};

field_collector& collector() {
  thread_local field_collector c;
  return c;
}

/// Adds every scalar under `e` with its name. `name` holds `e`'s name on
/// entry and is restored on return. The parser bounds the depth.
void walk(dom::element e, std::string& name, field_collector& out, number_scanner& numbers) {
  size_t base = name.size();
  switch (e.type()) {
    case dom::element_type::OBJECT:
      for (dom::key_value_pair member : dom::object(e.get_object().value_unsafe())) {
        name.resize(base);
        if (base) name += '.';
        name += member.key;
        walk(member.value, name, out, numbers);
      }
      name.resize(base);
      return;
    case dom::element_type::ARRAY:
      name += "{}";
      for (dom::element child : dom::array(e.get_array().value_unsafe()))
        walk(child, name, out, numbers);
      name.resize(base);
      return;
    case dom::element_type::STRING:
      out.add(name, e.get_string().value_unsafe());
      return;
    case dom::element_type::INT64:
    case dom::element_type::UINT64:  // from the DOM: scanning the text costs more
      numbers.skip();
      out.add(name, integer_text(e, out.integer_room()));
      return;
    case dom::element_type::DOUBLE:
      out.add(name, numbers.next());
      return;
    case dom::element_type::BOOL:
      out.add(name, e.get_bool().value_unsafe() ? "true" : "false");
      return;
    case dom::element_type::NULL_VALUE:
      return;
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
  walk(root, out.name_buffer(), out, numbers);
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
