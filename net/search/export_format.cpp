// JSON (nlohmann), CSV and raw result text.
#include "net/search/export_format.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace kura::exporting {

result<format> parse_format(std::string_view name) {
  if (name == "json") return format::json;
  if (name == "csv") return format::csv;
  if (name == "raw") return format::raw;
  if (name == "table") return format::table;
  return error{errc::invalid_argument, "output mode \"" + std::string{name} + "\": expected json, csv, raw or table"};
}

std::string iso_time(double epoch_seconds) {
  double whole = std::floor(epoch_seconds);
  auto secs = std::time_t(whole);
  int millis = int(std::lround((epoch_seconds - whole) * 1000));
  if (millis == 1000) {
    ++secs;
    millis = 0;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

namespace {

/// The text of a value as results show it (_time as ISO 8601).
std::string shown(const std::string& field, const search::value& v) {
  if (field == "_time")
    if (auto n = v.as_number()) return iso_time(*n);
  return v.as_string();
}

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out(1, '"');
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::string row_object(const search::row& r) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (auto& [k, v] : r.fields()) {
    if (v.type() == search::value::kind::multi) fields[k] = v.items();
    else fields[k] = shown(k, v);
  }
  return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string result_writer::csv_row(const search::row& r) const {
  std::string line;
  for (size_t i = 0; i < columns_->size(); ++i) {
    if (i) line += ',';
    if (auto* v = r.get((*columns_)[i])) line += csv_quote(shown((*columns_)[i], *v));
  }
  return line + "\r\n";
}

std::string result_writer::write(const search::row& r) {
  switch (format_) {
    case format::json: return "{\"result\":" + row_object(r) + "}\n";
    case format::raw: {
      auto* raw = r.get("_raw");
      return raw ? raw->as_string() + "\n" : std::string{};
    }
    case format::table: {
      if (auto* raw = r.get("_raw")) return raw->as_string() + "\n";
      held_.push_back(r);
      return {};
    }
    case format::csv: {
      if (columns_) return csv_row(r);
      held_.push_back(r);
      if (held_.size() < csv_header_rows) return {};
      return finish();
    }
  }
  return {};
}

std::vector<std::string> result_writer::held_columns() const {
  std::vector<std::string> cols;
  for (auto& r : held_)
    for (auto& [k, _] : r.fields())
      if (std::find(cols.begin(), cols.end(), k) == cols.end()) cols.push_back(k);
  return cols;
}

std::string result_writer::table() const {
  auto cols = held_columns();
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> widths;
  for (auto& c : cols) widths.push_back(c.size());
  for (auto& r : held_) {
    auto& line = cells.emplace_back();
    for (size_t i = 0; i < cols.size(); ++i) {
      auto* v = r.get(cols[i]);
      std::string text = v ? shown(cols[i], *v) : "";
      widths[i] = std::max(widths[i], text.size());
      line.push_back(std::move(text));
    }
  }
  auto format_line = [&](const std::vector<std::string>& values) {
    std::string out;
    for (size_t i = 0; i < values.size(); ++i) {
      out += values[i];
      if (i + 1 < values.size()) out.append(widths[i] - values[i].size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = format_line(cols);
  std::vector<std::string> rules;
  for (auto w : widths) rules.emplace_back(w, '-');
  out += format_line(rules);
  for (auto& line : cells) out += format_line(line);
  return out;
}

std::string result_writer::finish() {
  if (format_ == format::table) return held_.empty() ? std::string{} : table();
  if (format_ != format::csv || columns_) return {};
  auto cols = held_columns();
  columns_ = cols;
  std::string out;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) out += ',';
    out += csv_quote(cols[i]);
  }
  out += "\r\n";
  for (auto& r : held_) out += csv_row(r);
  held_.clear();
  return out;
}

}  // namespace kura::exporting
