// Values and rows.
#include "core/search/value.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace kura::search {

value value::multi(std::vector<std::string> items) {
  value v;
  v.kind_ = kind::multi;
  v.multi_ = std::move(items);
  return v;
}

std::optional<double> value::as_number() const {
  if (kind_ == kind::number) return num_;
  if (kind_ != kind::string) return std::nullopt;
  std::string_view s{str_};
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::string format_number(double n) {
  if (std::isnan(n)) return "NaN";
  if (std::floor(n) == n && std::fabs(n) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
  }
  // Six decimals, and at least six significant digits for small numbers, so
  // a small value (1/3000000) never shows as 0; below 1e-15 in e-notation.
  int decimals = 6;
  if (std::fabs(n) < 1) decimals = std::max(6, 5 - int(std::floor(std::log10(std::fabs(n)))));
  char buf[64];
  if (decimals > 20)
    std::snprintf(buf, sizeof buf, "%.5e", n);
  else
    std::snprintf(buf, sizeof buf, "%.*f", decimals, n);
  if (decimals > 20) return buf;
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string value::as_string() const {
  switch (kind_) {
    case kind::null: return {};
    case kind::number: return format_number(num_);
    case kind::string: return str_;
    case kind::multi: {
      std::string out;
      for (size_t i = 0; i < multi_.size(); ++i) {
        if (i) out += '\n';
        out += multi_[i];
      }
      return out;
    }
  }
  return {};
}

std::vector<std::string> value::items() const {
  if (kind_ == kind::multi) return multi_;
  if (kind_ == kind::null) return {};
  return {as_string()};
}

bool value::truthy() const {
  switch (kind_) {
    case kind::null: return false;
    case kind::number: return num_ != 0;
    case kind::string: return !str_.empty() && str_ != "false";
    case kind::multi: return !multi_.empty();
  }
  return false;
}

bool value::operator==(const value& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case kind::null: return true;
    case kind::number: return num_ == o.num_;
    case kind::string: return str_ == o.str_;
    case kind::multi: return multi_ == o.multi_;
  }
  return false;
}

int compare_values(const value& a, const value& b) {
  if (a.is_null() || b.is_null()) return int(a.is_null()) - int(b.is_null());
  auto na = a.as_number(), nb = b.as_number();
  if (na && nb) return *na < *nb ? -1 : (*na > *nb ? 1 : 0);
  if (na) return -1;
  if (nb) return 1;
  return a.as_string().compare(b.as_string());
}

namespace {
/// Heap bytes of a string: none while it fits its inline buffer.
size_t string_heap(const std::string& s) {
  return s.capacity() > std::string{}.capacity() ? s.capacity() + 1 : 0;
}
}  // namespace

size_t value::heap_bytes() const {
  size_t n = string_heap(str_);
  if (!multi_.empty()) {
    n += multi_.capacity() * sizeof(std::string);
    for (auto& item : multi_) n += string_heap(item);
  }
  return n;
}

size_t row::approx_bytes() const {
  size_t n = sizeof(row) + fields_.capacity() * sizeof(fields_[0]);
  for (auto& [name, v] : fields_) n += string_heap(name) + v.heap_bytes();
  return n;
}

const value* row::get(std::string_view name) const {
  for (auto& [k, v] : fields_)
    if (k == name) return &v;
  return nullptr;
}

void row::set(std::string_view name, value v) {
  for (auto& [k, old] : fields_)
    if (k == name) {
      old = std::move(v);
      return;
    }
  fields_.emplace_back(std::string{name}, std::move(v));
}

bool row::erase(std::string_view name) {
  for (auto it = fields_.begin(); it != fields_.end(); ++it)
    if (it->first == name) {
      fields_.erase(it);
      return true;
    }
  return false;
}

void row::rename(std::string_view from, std::string_view to) {
  if (from == to) return;
  for (auto& [k, v] : fields_)
    if (k == from) {
      value moved = std::move(v);
      erase(from);
      erase(to);
      fields_.emplace_back(std::string{to}, std::move(moved));
      return;
    }
}

time_us row::time() const {
  auto* t = get("_time");
  if (!t) return INT64_MIN;
  auto n = t->as_number();
  return n ? time_us(std::llround(*n * 1e6)) : INT64_MIN;
}

}  // namespace kura::search
