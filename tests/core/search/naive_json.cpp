// The naive evaluator's JSON (see naive_json.hpp).
#include "search/naive_json.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

namespace kura::testing {
namespace {

using json = nlohmann::ordered_json;
using search::value;

/// Collects leaves with their Splunk names while nlohmann's parser reads.
class flattener : public nlohmann::json_sax<json> {
 public:
  explicit flattener(bool any_root) : any_root_(any_root) {}
  std::vector<std::pair<std::string, std::vector<std::string>>> fields;

  bool null() override { return root_seen_; }
  bool boolean(bool b) override { return leaf(b ? "true" : "false"); }
  bool number_integer(number_integer_t n) override { return leaf(std::to_string(n)); }
  bool number_unsigned(number_unsigned_t n) override { return leaf(std::to_string(n)); }
  bool number_float(number_float_t, const string_t& written) override { return leaf(written); }
  bool string(string_t& s) override { return leaf(s); }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return open(false); }
  bool key(string_t& k) override {
    auto& f = stack_.back();
    f.member = f.name.empty() ? k : f.name + "." + k;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct frame {
    std::string name;
    bool array;
    std::string member;
  };
  std::string here() const {
    if (stack_.empty()) return {};
    auto& f = stack_.back();
    return f.array ? f.name + "{}" : f.member;
  }
  bool open(bool array) {
    if (!root_seen_) {
      if (array && !any_root_) return false;
      root_seen_ = true;
    }
    stack_.push_back({here(), array, {}});
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }
  bool leaf(const std::string& text) {
    if (stack_.empty()) return false;  // a scalar document
    std::string name = here();
    auto it = std::find_if(fields.begin(), fields.end(), [&](auto& f) { return f.first == name; });
    if (it == fields.end()) {
      fields.emplace_back(name, std::vector<std::string>{});
      it = fields.end() - 1;
    }
    it->second.push_back(text);
    return true;
  }
  bool any_root_;
  bool root_seen_ = false;
  std::vector<frame> stack_;
};

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<json> parse(std::string_view text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

struct step {
  enum { key, every, index } type;
  std::string name;
  size_t n = 0;
};

/// "a.b{1}.c" as steps; nullopt when malformed. `first`: the first element's number.
std::optional<std::vector<step>> parse_path(const std::string& text, size_t first) {
  if (text.empty()) return std::nullopt;
  std::vector<step> out;
  size_t from = 0;
  for (;;) {
    size_t dot = text.find('.', from);
    std::string piece =
        text.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
    size_t brace = piece.find('{');
    std::string name = piece.substr(0, brace);
    if (name.find('}') != std::string::npos) return std::nullopt;
    if (!name.empty()) out.push_back({step::key, name});
    if (name.empty() && brace == std::string::npos) return std::nullopt;
    while (brace != std::string::npos && brace < piece.size()) {
      size_t close = piece.find('}', brace);
      if (close == std::string::npos) return std::nullopt;
      std::string inside = piece.substr(brace + 1, close - brace - 1);
      if (inside.empty()) {
        out.push_back({step::every, {}});
      } else {
        if (!std::all_of(inside.begin(), inside.end(), [](char c) { return c >= '0' && c <= '9'; }))
          return std::nullopt;
        size_t n = std::stoul(inside);
        if (n < first) return std::nullopt;
        out.push_back({step::index, {}, n - first});
      }
      brace = close + 1;
      if (brace < piece.size() && piece[brace] != '{') return std::nullopt;
    }
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  return out;
}

/// The nodes a path reaches, in document order.
std::vector<const json*> walk(const json& root, const std::vector<step>& path) {
  std::vector<const json*> nodes{&root};
  for (auto& s : path) {
    std::vector<const json*> next;
    for (auto* n : nodes) {
      if (s.type == step::key && n->is_object()) {
        for (auto& [k, v] : n->items())
          if (k == s.name) next.push_back(&v);
      } else if (s.type != step::key && n->is_array()) {
        for (size_t i = 0; i < n->size(); ++i)
          if (s.type == step::every || i == s.n) next.push_back(&(*n)[i]);
      }
    }
    nodes = std::move(next);
  }
  nodes.erase(std::remove_if(nodes.begin(), nodes.end(), [](auto* n) { return n->is_null(); }),
              nodes.end());
  return nodes;
}

/// A node's text as spath shows it: strings unquoted, the rest as JSON.
std::string text_of(const json& n) { return n.is_string() ? n.get<std::string>() : dump(n); }

/// A node as json_extract returns it: numbers as numbers, strings as text, the rest as JSON text.
value native(const json& n) {
  if (n.is_number()) return value{n.get<double>()};
  return value{text_of(n)};
}

value items_value(std::vector<std::string> items) {
  if (items.empty()) return {};
  if (items.size() == 1) return value{items[0]};
  return value::multi(std::move(items));
}

std::string first_item(const value& v) {
  auto items = v.items();
  return items.empty() ? std::string{} : items[0];
}

value naive_spath_value(const value& in, const value& path_text) {
  if (in.is_null() || path_text.is_null()) return {};
  auto path = parse_path(path_text.as_string(), 1);
  auto doc = parse(first_item(in));
  if (!path || !doc) return {};
  std::vector<std::string> items;
  for (auto* n : walk(*doc, *path)) items.push_back(text_of(*n));
  return items_value(std::move(items));
}

value naive_json_extract(const std::vector<value>& args) {
  if (args.empty() || args[0].is_null()) return {};
  auto doc = parse(first_item(args[0]));
  if (!doc) return {};
  if (args.size() == 1) return doc->is_null() ? value{} : native(*doc);
  std::vector<json> per_path;
  bool any = false;
  for (size_t i = 1; i < args.size(); ++i) {
    std::optional<std::vector<step>> path;
    if (!args[i].is_null()) path = parse_path(args[i].as_string(), 0);
    auto nodes = path ? walk(*doc, *path) : std::vector<const json*>{};
    bool every = path && std::any_of(path->begin(), path->end(),
                                     [](auto& s) { return s.type == step::every; });
    if (nodes.empty()) {
      per_path.push_back(nullptr);
      continue;
    }
    any = true;
    if (!every && nodes.size() == 1) {
      if (args.size() == 2) return native(*nodes[0]);
      per_path.push_back(*nodes[0]);
    } else {
      json arr = json::array();
      for (auto* n : nodes) arr.push_back(*n);
      if (args.size() == 2) return value{dump(arr)};
      per_path.push_back(arr);
    }
  }
  if (!any) return {};
  json arr = json::array();
  for (auto& j : per_path) arr.push_back(j);
  return value{dump(arr)};
}

value naive_json_object(const std::vector<value>& args) {
  if (args.size() % 2) return {};
  json obj = json::object();
  for (size_t i = 0; i < args.size(); i += 2) {
    if (args[i].is_null()) return {};
    const value& v = args[i + 1];
    json item;
    switch (v.type()) {
      case value::kind::null:
        item = nullptr;
        break;
      case value::kind::number: {
        double d = *v.as_number();
        if (!std::isfinite(d))
          item = nullptr;
        else if (d == std::floor(d) && std::fabs(d) < 1e15)
          item = int64_t(d);
        else
          item = d;
        break;
      }
      case value::kind::multi:
        item = v.items();
        break;
      case value::kind::string: {
        auto t = trimmed(*v.text());
        std::optional<json> nested;
        if (!t.empty() && (t.front() == '{' || t.front() == '[')) nested = parse(t);
        item = nested ? *nested : json(std::string{*v.text()});
        break;
      }
    }
    obj[args[i].as_string()] = item;
  }
  return value{dump(obj)};
}

bool is_default_field(const std::string& name) {
  static const std::set<std::string> names{"linecount", "punct",     "date_second",  "date_minute",
                                           "date_hour", "date_mday", "date_month",   "date_year",
                                           "date_wday", "date_zone", "timestartpos", "timeendpos"};
  return names.count(name) > 0;
}

}  // namespace

bool naive_json_flatten(std::string_view text, bool any_root,
                        std::vector<std::pair<std::string, value>>& out) {
  flattener f{any_root};
  if (!json::sax_parse(text, &f)) return false;
  out.clear();
  for (auto& [name, items] : f.fields) {
    if (name.empty()) continue;
    out.emplace_back(name, items.size() == 1 ? value{items[0]} : value::multi(items));
  }
  return true;
}

search::row naive_with_json_fields(search::row r, std::string_view raw) {
  auto t = trimmed(raw);
  std::vector<std::pair<std::string, value>> fields;
  if (t.empty() || t.front() != '{' || !naive_json_flatten(t, false, fields)) return r;
  auto& f = r.fields();
  size_t boundary = 0;
  for (size_t i = 0; i < f.size(); ++i)
    if (is_default_field(f[i].first)) boundary = i + 1;
  // Drop what the executor extracted (after the default fields, before _raw).
  std::vector<std::pair<std::string, value>> kept(f.begin(), f.begin() + long(boundary)), tail;
  for (size_t i = boundary; i < f.size(); ++i)
    if (f[i].first == "_raw") tail.push_back(f[i]);
  for (auto& [name, v] : fields)
    if (std::none_of(kept.begin(), kept.end(), [&](auto& k) { return k.first == name; }) &&
        std::none_of(tail.begin(), tail.end(), [&](auto& k) { return k.first == name; }))
      kept.emplace_back(name, v);
  kept.insert(kept.end(), tail.begin(), tail.end());
  f = std::move(kept);
  return r;
}

bool naive_json_handles(const search::command& c) { return c.type == search::command::kind::spath; }

std::vector<search::row> naive_spath(const search::command& c, std::vector<search::row> rows) {
  for (auto& r : rows) {
    auto* in = r.get(c.rex_field);
    if (!in || in->is_null()) continue;
    if (c.spath_path.empty()) {
      std::vector<std::pair<std::string, value>> fields;
      if (naive_json_flatten(first_item(*in), true, fields))
        for (auto& [name, v] : fields) r.set(name, v);
      continue;
    }
    value v = naive_spath_value(*in, value{c.spath_path});
    if (!v.is_null()) r.set(c.spath_output.empty() ? c.spath_path : c.spath_output, v);
  }
  return rows;
}

value naive_json_call(const std::string& function, const std::vector<value>& args) {
  if (function == "spath") return args.size() == 2 ? naive_spath_value(args[0], args[1]) : value{};
  if (function == "json_extract") return naive_json_extract(args);
  if (function == "json_object") return naive_json_object(args);
  return {};
}

}  // namespace kura::testing
