// The row-level commands: bin, fillnull, makemv, mvexpand, convert, addtotals,
// fieldformat, regex, makeresults, rex mode=sed/max_match, sort and dedup
// options, wildcards in rename, table and fields.
#include "core/search/row_commands.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>

#include "core/pipeline/timestamp.hpp"
#include "core/search/eval.hpp"
#include "core/search/fields.hpp"

namespace kura::search {

struct row_stage::compiled {
  std::unique_ptr<re2::RE2> re;  // regex, makemv tokenizer, rex, sed s///
  std::string replacement;       // sed s///: RE2 rewrite (\1 …)
  int occurrence = 1;            // sed s///N: only the Nth match (0: every match, flag g)
  std::string from, to;          // sed y///
  bool transliterate = false;
};

namespace {

using K = command::kind;

bool has_wildcard(std::string_view s) { return s.find('*') != std::string_view::npos; }

bool any_wildcard(const std::vector<std::string>& v) {
  return std::any_of(v.begin(), v.end(), [](auto& s) { return has_wildcard(s); });
}

bool renames_wildcard(const command& c) {
  return std::any_of(c.renames.begin(), c.renames.end(),
                     [](auto& p) { return has_wildcard(p.first) || has_wildcard(p.second); });
}

error bad(const command& c, const std::string& what) {
  return {errc::invalid_argument, c.name + ": " + what + " at " + c.pos.render()};
}

/// Compiles a regex; `(?<name>` is accepted for `(?P<name>` as rex does.
result<std::unique_ptr<re2::RE2>> compile(const command& c, std::string_view pattern) {
  auto re = std::make_unique<re2::RE2>(re2_named_groups(pattern), re2::RE2::Quiet);
  if (!re->ok()) return bad(c, "invalid regular expression: " + re->error());
  return re;
}

/// Splits a sed expression "s/re/rep/flags" or "y/abc/xyz/" at unescaped '/'.
result<std::vector<std::string>> sed_parts(const command& c, std::string_view e) {
  if (e.size() < 2 || (e[0] != 's' && e[0] != 'y') || e[1] != '/')
    return bad(c, "mode=sed expects \"s/regex/replacement/flags\" or \"y/from/to/\"");
  std::vector<std::string> parts(1);
  for (size_t i = 2; i < e.size(); ++i) {
    if (e[i] == '\\' && i + 1 < e.size() && e[i + 1] == '/') {
      parts.back() += '/';
      ++i;
    } else if (e[i] == '/') {
      parts.emplace_back();
    } else {
      parts.back() += e[i];
    }
  }
  if (parts.size() != 3)
    return bad(c, "mode=sed expects \"s/regex/replacement/flags\" or \"y/from/to/\"");
  return parts;
}

std::string utc_format(double seconds, const std::string& format) {
  std::time_t t = std::time_t(std::floor(seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[256];
  size_t n = std::strftime(buf, sizeof buf, format.c_str(), &tm);
  return std::string(buf, n);
}

std::optional<double> leading_number(std::string_view s, size_t* used = nullptr) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  size_t start = i;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = i;
  while (i < s.size() && (std::isdigit((unsigned char)s[i]) || s[i] == '.')) ++i;
  if (i == digits) return std::nullopt;
  auto n = value{std::string{s.substr(start, i - start)}}.as_number();
  if (n && used) *used = i;
  return n;
}

/// One conversion of `v`; nullopt when it cannot be converted.
std::optional<value> convert_value(const conversion& cv, const value& v, const row_args& a) {
  const std::string& f = cv.function;
  std::string s = v.as_string();
  if (f == "num" || f == "auto") {
    if (auto n = v.as_number()) return value{*n};
    return std::nullopt;
  }
  if (f == "ctime") {
    auto n = v.as_number();
    if (!n) return std::nullopt;
    return value{utc_format(*n, a.timeformat)};
  }
  if (f == "mktime") {
    auto t = parse_time(s, 0, a.timeformat);
    if (!t || t->end != s.size()) return std::nullopt;
    return value{double(resolve_time(*t, time_zone{}, a.now)) / 1e6};
  }
  if (f == "dur2sec") {
    // [D+]HH:MM:SS
    int64_t days = 0;
    std::string_view rest{s};
    if (auto plus = rest.find('+'); plus != std::string_view::npos) {
      auto d = value{std::string{rest.substr(0, plus)}}.as_number();
      if (!d || *d < 0 || *d != std::floor(*d)) return std::nullopt;
      days = int64_t(*d);
      rest.remove_prefix(plus + 1);
    }
    double total = 0;
    int parts = 0;
    while (true) {
      auto colon = rest.find(':');
      auto n = value{std::string{rest.substr(0, colon)}}.as_number();
      if (!n || *n < 0) return std::nullopt;
      total = total * 60 + *n;
      ++parts;
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
    if (parts != 3) return std::nullopt;
    return value{total + double(days) * 86400};
  }
  if (f == "rmunit") {
    if (auto n = leading_number(s)) return value{*n};
    return std::nullopt;
  }
  if (f == "rmcomma") {
    std::string t;
    for (char ch : s)
      if (ch != ',') t += ch;
    if (auto n = value{t}.as_number()) return value{*n};
    return value{t};
  }
  if (f == "memk") {
    size_t used = 0;
    auto n = leading_number(s, &used);
    if (!n || *n < 0) return std::nullopt;
    std::string unit{std::string_view{s}.substr(used)};
    for (auto& ch : unit) ch = char(std::tolower((unsigned char)ch));
    if (unit.empty() || unit == "k") return value{*n};
    if (unit == "m") return value{*n * 1024};
    if (unit == "g") return value{*n * 1024 * 1024};
    return std::nullopt;
  }
  return std::nullopt;  // none
}

void apply_conversions(const command& c, row& r) {
  const row_args& a = *c.row;
  std::vector<std::string> excluded;
  for (auto& cv : a.conversions)
    if (cv.function == "none") excluded.push_back(cv.field);
  auto is_excluded = [&](const std::string& name) {
    return std::any_of(excluded.begin(), excluded.end(),
                       [&](auto& p) { return wildcard_match(p, name); });
  };
  for (auto& cv : a.conversions) {
    if (cv.function == "none") continue;
    std::vector<std::string> names;
    if (has_wildcard(cv.field)) {
      for (auto& [name, _] : r.fields())
        if (wildcard_match(cv.field, name) && !is_excluded(name)) names.push_back(name);
    } else {
      names.push_back(cv.field);
    }
    for (auto& name : names) {
      auto* v = r.get(name);
      if (!v || v->is_null()) continue;
      auto out = convert_value(cv, *v, a);
      const std::string& target = cv.as.empty() ? name : cv.as;
      if (out)
        r.set(target, std::move(*out));
      else if (cv.function == "num" && cv.as.empty())
        r.erase(name);  // num() removes what it cannot convert
    }
  }
}

/// The bin of a number: its start.
double bin_start(double x, double span) { return std::floor(x / span) * span; }

value bin_value(double x, double span, bool time) {
  double lo = bin_start(x, span);
  if (time) return value{lo};
  return value{format_number(lo) + "-" + format_number(lo + span)};
}

void apply_bin(const row_args& a, double span, row& r) {
  auto* v = r.get(a.field);
  if (!v) return;
  auto n = v->as_number();
  if (!n) return;  // not a number: left as it is
  r.set(a.as.empty() ? a.field : a.as, bin_value(*n, span, a.time_bins));
}

/// The span bins= gives over [lo, hi]: for times the smallest of the usual
/// time spans, for numbers the smallest power of ten, with at most `bins` bins.
double span_for_bins(double lo, double hi, size_t bins, bool time) {
  auto fits = [&](double span) {
    return std::floor(hi / span) - std::floor(lo / span) + 1 <= double(bins);
  };
  if (time) {
    for (double s :
         {1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0, 1800.0, 3600.0, 86400.0, 604800.0, 2592000.0})
      if (fits(s)) return s;
    double s = 2592000.0;
    while (!fits(s)) s *= 10;
    return s;
  }
  // Exponents counted as integers: 10^k exactly as pow gives it, no drift from repeated *10.
  // At least 10^-6: numbers print with six decimals at most.
  int k = std::max(-6, int(std::floor(std::log10(std::max(hi - lo, 1e-200) / double(bins)))) - 1);
  while (!fits(std::pow(10.0, k))) ++k;
  return std::pow(10.0, k);
}

void add_value(row& r, const std::string& name, std::vector<std::string> items) {
  if (items.size() == 1)
    r.set(name, value{std::move(items[0])});
  else
    r.set(name, value::multi(std::move(items)));
}

void apply_makemv(const row_args& a, const re2::RE2* tokenizer, row& r) {
  auto* v = r.get(a.field);
  if (!v || v->is_null() || v->type() == value::kind::multi) return;
  std::string s = v->as_string();
  std::vector<std::string> items;
  if (tokenizer) {
    re2::StringPiece input{s};
    re2::StringPiece match[2];
    int groups = std::min(1, tokenizer->NumberOfCapturingGroups());
    size_t at = 0;
    while (at <= s.size() &&
           tokenizer->Match(input, at, s.size(), re2::RE2::UNANCHORED, match, groups + 1)) {
      auto& m = match[groups];
      if (m.data() && (a.allow_empty || !m.empty())) items.emplace_back(m.data(), m.size());
      size_t end = size_t(match[0].data() - s.data()) + match[0].size();
      at = match[0].empty() ? end + 1 : end;
    }
  } else {
    size_t at = 0;
    for (;;) {
      size_t next = s.find(a.delim, at);
      std::string item = s.substr(at, next == std::string::npos ? std::string::npos : next - at);
      if (a.allow_empty || !item.empty()) items.push_back(std::move(item));
      if (next == std::string::npos) break;
      at = next + a.delim.size();
    }
  }
  if (items.empty()) return;
  add_value(r, a.field, std::move(items));
}

/// rex mode=sed on one string.
std::string sed_apply(const re2::RE2& re, const std::string& replacement, int occurrence,
                      std::string s) {
  if (occurrence == 0) {
    re2::RE2::GlobalReplace(&s, re, replacement);
    return s;
  }
  // The Nth match only.
  re2::StringPiece input{s};
  re2::StringPiece m;
  size_t at = 0;
  for (int k = 1; at <= s.size(); ++k) {
    if (!re.Match(input, at, s.size(), re2::RE2::UNANCHORED, &m, 1)) return s;
    size_t start = size_t(m.data() - s.data());
    if (k == occurrence) {
      int n = re.NumberOfCapturingGroups();
      std::vector<re2::StringPiece> groups(size_t(n) + 1);
      re.Match(input, start, s.size(), re2::RE2::ANCHOR_START, groups.data(), n + 1);
      std::string piece;
      re.Rewrite(&piece, replacement, groups.data(), n + 1);
      return s.substr(0, start) + piece + s.substr(start + groups[0].size());
    }
    at = m.empty() ? start + 1 : start + m.size();
  }
  return s;
}

void apply_rex_multi(const row_args& a, const re2::RE2& re, const std::string& field, row& r) {
  auto* v = r.get(field);
  if (!v || v->is_null()) return;
  std::string s = v->as_string();
  int n = re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(size_t(n) + 1);
  std::map<std::string, std::vector<std::string>> found;
  re2::StringPiece input{s};
  size_t at = 0;
  for (size_t matches = 0; at <= s.size() && (a.max_match == 0 || matches < a.max_match);
       ++matches) {
    if (!re.Match(input, at, s.size(), re2::RE2::UNANCHORED, groups.data(), n + 1)) break;
    for (auto& [name, index] : re.NamedCapturingGroups())
      if (groups[size_t(index)].data())
        found[name].emplace_back(groups[size_t(index)].data(), groups[size_t(index)].size());
    size_t end = size_t(groups[0].data() - s.data()) + groups[0].size();
    at = groups[0].empty() ? end + 1 : end;
  }
  for (auto& [name, items] : found) add_value(r, name, std::move(items));
}

bool regex_matches(const re2::RE2& re, const value* v) {
  if (!v || v->is_null()) return false;
  for (auto& item : v->items())
    if (re2::RE2::PartialMatch(item, re)) return true;
  return false;
}

/// The fields addtotals sums in a row: the listed ones (wildcards allowed), or
/// every field not starting with '_', never the total itself.
bool totals_field(const command& c, const std::string& name) {
  if (name == c.row->fieldname || name == c.row->labelfield) return false;
  if (c.fields.empty()) return name.empty() || name[0] != '_';
  return std::any_of(c.fields.begin(), c.fields.end(),
                     [&](auto& p) { return wildcard_match(p, name); });
}

void add_row_total(const command& c, row& r) {
  double sum = 0;
  bool any = false;
  for (auto& [name, v] : r.fields())
    if (totals_field(c, name))
      if (auto n = v.as_number()) sum += *n, any = true;
  if (any) r.set(c.row->fieldname, value{sum});
}

/// Keeps the fields `patterns` name (table: in pattern order; fields: in row order).
void select_fields(const command& c, row& r) {
  auto listed = [&](const std::string& f) {
    return std::any_of(c.fields.begin(), c.fields.end(),
                       [&](auto& p) { return wildcard_match(p, f); });
  };
  auto& f = r.fields();
  if (c.type == K::table) {
    row out;
    for (auto& p : c.fields)
      for (auto& [name, v] : f)
        if (wildcard_match(p, name) && !out.get(name)) out.add(name, v);
    r = std::move(out);
  } else if (c.remove) {
    f.erase(std::remove_if(f.begin(), f.end(), [&](auto& kv) { return listed(kv.first); }),
            f.end());
  } else {
    // Like Splunk, `fields a, b*` keeps the internal fields (_time, _raw) too.
    f.erase(std::remove_if(f.begin(), f.end(),
                           [&](auto& kv) { return !listed(kv.first) && kv.first[0] != '_'; }),
            f.end());
  }
}

void rename_fields(const command& c, row& r) {
  for (auto& [from, to] : c.renames) {
    if (!has_wildcard(from)) {
      r.rename(from, to);
      continue;
    }
    std::vector<std::pair<std::string, std::string>> moves;
    for (auto& [name, _] : r.fields()) {
      std::vector<std::string> stars;
      if (!wildcard_match(from, name, &stars)) continue;
      std::string target;
      size_t k = 0;
      for (char ch : to) {
        if (ch == '*' && k < stars.size())
          target += stars[k++];
        else
          target += ch;
      }
      moves.emplace_back(name, target);
    }
    for (auto& [a, b] : moves) r.rename(a, b);
  }
}

/// IPv4 address as a number, for sort ip().
std::optional<double> ipv4(const std::string& s) {
  uint32_t out = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    uint32_t n = 0;
    while (i < s.size() && std::isdigit((unsigned char)s[i]) && i - start < 3)
      n = n * 10 + uint32_t(s[i++] - '0');
    if (i == start || n > 255) return std::nullopt;
    out = out * 256 + n;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return double(out);
}

/// Compares two present values by a sort key's order: <0, 0, >0.
int compare_by(sort_key::order how, const value& a, const value& b) {
  auto keyed = [](std::optional<double> na, std::optional<double> nb, const value& x,
                  const value& y) {
    if (na && nb) return *na < *nb ? -1 : (*na > *nb ? 1 : 0);
    if (na) return -1;  // numbers (addresses) before other text
    if (nb) return 1;
    return x.as_string().compare(y.as_string());
  };
  switch (how) {
    case sort_key::order::text:
      return a.as_string().compare(b.as_string());
    case sort_key::order::ip:
      return keyed(ipv4(a.as_string()), ipv4(b.as_string()), a, b);
    case sort_key::order::number:
    case sort_key::order::automatic:
      return keyed(a.as_number(), b.as_number(), a, b);
  }
  return 0;
}

/// Sorts rows by keys; a missing field sorts last in either direction.
void sort_rows(std::vector<row>& rows, const std::vector<sort_key>& keys) {
  std::stable_sort(rows.begin(), rows.end(), [&](const row& a, const row& b) {
    for (auto& k : keys) {
      auto* va = a.get(k.field);
      auto* vb = b.get(k.field);
      bool ha = va && !va->is_null(), hb = vb && !vb->is_null();
      if (!ha || !hb) {
        if (ha != hb) return ha;
        continue;
      }
      int cmp = compare_by(k.how, *va, *vb);
      if (cmp != 0) return k.descending ? cmp > 0 : cmp < 0;
    }
    return false;
  });
}

std::string limit_error(const command& c, size_t limit) {
  return c.name + ": more than " + std::to_string(limit) + " rows; narrow the search or add | head";
}

}  // namespace

bool wildcard_match(std::string_view p, std::string_view t, std::vector<std::string>* stars) {
  // Backtracking over the last '*' only: linear enough for field names.
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  std::vector<std::pair<size_t, size_t>> spans;  // per star: start, length in t
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
      spans.emplace_back(ti, 0);
    } else if (pi < p.size() && p[pi] == t[ti]) {
      ++pi, ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
      spans.back().second = mark - spans.back().first;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') {
    spans.emplace_back(ti, 0);
    ++pi;
  }
  if (pi != p.size()) return false;
  if (stars) {
    stars->clear();
    for (auto& [s, n] : spans) stars->emplace_back(t.substr(s, n));
  }
  return true;
}

std::optional<bool> is_row_streaming(const command& c) {
  switch (c.type) {
    case K::bin:
      return c.row && c.row->span.has_value();
    case K::fillnull:
      return !c.fields.empty();
    case K::makemv:
    case K::convert:
    case K::fieldformat:
    case K::regex:
      return true;
    case K::addtotals:
      return c.row && !c.row->col_totals;
    case K::mvexpand:
    case K::makeresults:
      return false;
    default:
      return std::nullopt;
  }
}

bool starts_with_generator(const query& q) {
  return !q.commands.empty() && q.commands[0].type == K::makeresults;
}

row_stage::~row_stage() = default;

result<std::shared_ptr<const row_stage>> row_stage::make(const command& c) {
  std::shared_ptr<row_stage> s{new row_stage};
  s->cmd_ = &c;
  s->re_ = std::make_unique<compiled>();
  auto& x = *s->re_;
  if (!c.row && c.type != K::table && c.type != K::fields && c.type != K::rename &&
      c.type != K::fieldformat)
    return bad(c, "missing options");
  if (c.type == K::regex || (c.type == K::makemv && !c.row->tokenizer.empty())) {
    auto re = compile(c, c.type == K::regex ? c.row->pattern : c.row->tokenizer);
    if (!re) return re.err();
    x.re = std::move(*re);
  }
  if (c.type == K::rex) {
    if (!c.row->sed.empty()) {
      auto parts = sed_parts(c, c.row->sed);
      if (!parts) return parts.err();
      auto& p = *parts;
      if (c.row->sed[0] == 'y') {
        if (p[0].size() != p[1].size() || !p[2].empty())
          return bad(c, "y/from/to/ needs from and to of the same length");
        x.transliterate = true;
        x.from = p[0];
        x.to = p[1];
      } else {
        auto re = compile(c, p[0]);
        if (!re) return re.err();
        x.re = std::move(*re);
        // sed's \N references; a literal backslash stays one (RE2 writes it \\).
        for (size_t i = 0; i < p[1].size(); ++i) {
          if (p[1][i] == '\\' && i + 1 < p[1].size() && std::isdigit((unsigned char)p[1][i + 1])) {
            if (p[1][i + 1] - '0' > x.re->NumberOfCapturingGroups())
              return bad(c, "the replacement refers to group \\" + std::string(1, p[1][i + 1]) +
                                " that the regex lacks");
            x.replacement += p[1].substr(i, 2);
            ++i;
          } else if (p[1][i] == '\\') {
            x.replacement += "\\\\";
          } else {
            x.replacement += p[1][i];
          }
        }
        if (p[2] == "g") {
          x.occurrence = 0;
        } else if (p[2].empty()) {
          x.occurrence = 1;
        } else {
          auto n = value{p[2]}.as_number();
          if (!n || *n < 1 || *n > 1e6 || *n != std::floor(*n))
            return bad(c, "sed flags must be g or a number, got \"" + p[2] + "\"");
          x.occurrence = int(*n);
        }
      }
    } else {
      auto re = compile(c, c.regex);
      if (!re) return re.err();
      if ((*re)->NamedCapturingGroups().empty())
        return bad(c, "the regular expression has no (?<name>…) group");
      x.re = std::move(*re);
    }
  }
  return std::shared_ptr<const row_stage>{std::move(s)};
}

bool row_stage::apply(row& r) const {
  const command& c = *cmd_;
  const compiled& x = *re_;
  switch (c.type) {
    case K::bin:
      apply_bin(*c.row, *c.row->span, r);
      return true;
    case K::fillnull:
      for (auto& f : c.fields)
        if (auto* v = r.get(f); !v || v->is_null()) r.set(f, value{c.row->fill_value});
      return true;
    case K::makemv:
      apply_makemv(*c.row, x.re.get(), r);
      return true;
    case K::convert:
      apply_conversions(c, r);
      return true;
    case K::addtotals:
      add_row_total(c, r);
      return true;
    case K::fieldformat:
      for (auto& [name, e] : c.assignments) r.set(name, evaluate(e, r));
      return true;
    case K::regex:
      return regex_matches(*x.re, r.get(c.row->regex_field)) != c.row->negate;
    case K::rex: {
      if (c.row->sed.empty()) {
        apply_rex_multi(*c.row, *x.re, c.rex_field, r);
        return true;
      }
      auto* v = r.get(c.rex_field);
      if (!v || v->is_null()) return true;
      auto edit = [&](std::string s) {
        if (!x.transliterate) return sed_apply(*x.re, x.replacement, x.occurrence, std::move(s));
        for (auto& ch : s)
          if (auto at = x.from.find(ch); at != std::string::npos) ch = x.to[at];
        return s;
      };
      if (v->type() == value::kind::multi) {
        std::vector<std::string> items;
        for (auto& i : v->items()) items.push_back(edit(i));
        r.set(c.rex_field, value::multi(std::move(items)));
      } else {
        r.set(c.rex_field, value{edit(v->as_string())});
      }
      return true;
    }
    case K::table:
    case K::fields:
      select_fields(c, r);
      return true;
    case K::rename:
      rename_fields(c, r);
      return true;
    default:
      return true;
  }
}

result<std::vector<row>> apply_row_command(const command& c, std::vector<row> rows,
                                           const search_limits& limits) {
  if (is_row_streaming(c).value_or(true) && c.type != K::sort && c.type != K::dedup) {
    auto stage = row_stage::make(c);
    if (!stage) return stage.err();
    std::vector<row> out;
    for (auto& r : rows)
      if ((*stage)->apply(r)) out.push_back(std::move(r));
    return out;
  }
  const row_args& a = *c.row;
  switch (c.type) {
    case K::makeresults: {
      if (a.count > limits.max_rows)
        return error{errc::invalid_argument, limit_error(c, limits.max_rows)};
      std::vector<row> out(a.count);
      for (auto& r : out) r.set("_time", value{double(a.now / us_per_sec)});
      return out;
    }
    case K::bin: {
      std::optional<double> lo = a.start, hi = a.end;
      for (auto& r : rows)
        if (auto* v = r.get(a.field))
          if (auto n = v->as_number()) {
            lo = lo ? std::min(*lo, *n) : *n;
            hi = hi ? std::max(*hi, *n) : *n;
          }
      if (!lo) return rows;
      double span = span_for_bins(*lo, *hi, a.bins ? a.bins : 100, a.time_bins);
      for (auto& r : rows) apply_bin(a, span, r);
      return rows;
    }
    case K::fillnull: {
      std::vector<std::string> names;  // every field of any row, in order of first appearance
      std::set<std::string> seen;
      for (auto& r : rows)
        for (auto& [name, _] : r.fields())
          if (seen.insert(name).second) names.push_back(name);
      for (auto& r : rows)
        for (auto& f : names)
          if (auto* v = r.get(f); !v || v->is_null()) r.set(f, value{a.fill_value});
      return rows;
    }
    case K::mvexpand: {
      std::vector<row> out;
      for (auto& r : rows) {
        auto* v = r.get(a.field);
        if (!v || v->is_null()) continue;  // as Splunk: a row without the field is dropped
        auto items = v->items();
        size_t n = a.limit ? std::min(a.limit, items.size()) : items.size();
        for (size_t i = 0; i < n; ++i) {
          if (out.size() >= limits.max_rows)
            return error{errc::invalid_argument, limit_error(c, limits.max_rows)};
          row copy = r;
          copy.set(a.field, value{items[i]});
          out.push_back(std::move(copy));
        }
      }
      return out;
    }
    case K::addtotals: {
      if (a.row_totals)
        for (auto& r : rows) add_row_total(c, r);
      std::vector<std::string> names;
      std::map<std::string, double> sums;
      for (auto& r : rows)
        for (auto& [name, v] : r.fields()) {
          bool wanted = name == a.fieldname ? a.row_totals : totals_field(c, name);
          if (!wanted) continue;
          if (auto n = v.as_number()) {
            if (!sums.count(name)) names.push_back(name);
            sums[name] += *n;
          }
        }
      row total;
      if (!a.labelfield.empty()) total.set(a.labelfield, value{a.label});
      for (auto& n : names) total.set(n, value{sums[n]});
      if (rows.size() >= limits.max_rows)
        return error{errc::invalid_argument, limit_error(c, limits.max_rows)};
      rows.push_back(std::move(total));
      return rows;
    }
    case K::sort: {
      size_t limit = c.limit == 0 ? limits.default_sort_limit : c.limit;
      sort_rows(rows, a.sort_by);
      if (rows.size() > limit) rows.resize(limit);
      return rows;
    }
    case K::dedup: {
      std::map<std::vector<std::string>, size_t> seen;
      std::vector<std::string> previous;
      size_t run = 0;
      std::vector<row> out;
      for (auto& r : rows) {
        auto key = field_values(r, c.fields);
        if (!key) {
          if (a.keep_empty) out.push_back(std::move(r));
          continue;
        }
        if (a.consecutive) {
          run = *key == previous ? run + 1 : 1;
          previous = *key;
          if (run > c.limit) continue;
        } else {
          if (++seen[*key] > c.limit) continue;
          if (seen.size() > limits.max_rows)
            return error{errc::invalid_argument, c.name + ": distinct values exceed the limit of " +
                                                     std::to_string(limits.max_rows) +
                                                     "; dedup fewer values"};
        }
        out.push_back(std::move(r));
      }
      if (!a.sort_by.empty()) sort_rows(out, a.sort_by);
      return out;
    }
    default:
      return bad(c, "cannot run here");
  }
}

error validate_row_commands(const query& q) {
  for (size_t i = 0; i < q.commands.size(); ++i) {
    auto& c = q.commands[i];
    if (c.type == K::makeresults && (i != 0 || q.base.type != search_node::kind::all))
      return bad(c, "makeresults must be the first command of the search: | makeresults count=3");
    if (c.type == K::fieldformat)
      for (size_t j = i + 1; j < q.commands.size(); ++j) {
        auto t = q.commands[j].type;
        if (t != K::fieldformat && t != K::table && t != K::fields && t != K::head && t != K::tail)
          return error{errc::invalid_argument, "fieldformat at " + c.pos.render() +
                                                   " changes the final value in kura, so only "
                                                   "fieldformat, table, fields, head and tail "
                                                   "may follow it; move it to the end (" +
                                                   q.commands[j].name + " at " +
                                                   q.commands[j].pos.render() + ")"};
      }
  }
  return {};
}

bool row_command_fields(const command& c, std::set<std::string>& used) {
  switch (c.type) {
    case K::bin:
    case K::makemv:
    case K::mvexpand:
      used.insert(c.row->field);
      if (!c.row->as.empty()) used.insert(c.row->as);
      return true;
    case K::fillnull:
      used.insert(c.fields.begin(), c.fields.end());
      return !c.fields.empty();
    case K::convert:
      for (auto& cv : c.row->conversions) {
        if (has_wildcard(cv.field)) return false;
        used.insert(cv.field);
        if (!cv.as.empty()) used.insert(cv.as);
      }
      return true;
    case K::addtotals:
      if (c.fields.empty() || any_wildcard(c.fields)) return false;
      used.insert(c.fields.begin(), c.fields.end());
      used.insert(c.row->fieldname);
      if (!c.row->labelfield.empty()) used.insert(c.row->labelfield);
      return true;
    case K::regex:
      used.insert(c.row->regex_field);
      return true;
    case K::rex:
      if (c.row && !c.row->sed.empty())
        return false;  // edits its field: keep every field as the events have them
      return true;
    case K::table:
    case K::fields:
      return !any_wildcard(c.fields);
    case K::rename:
      return !renames_wildcard(c);
    case K::sort:
    case K::dedup:
      if (c.row)
        for (auto& k : c.row->sort_by) used.insert(k.field);
      return true;
    default:
      return true;
  }
}

}  // namespace kura::search
