// The output formats of /services/search/jobs/export and `kura search`:
// json (one {"result": {…}} object per line, Splunk's export format), csv
// (RFC 4180, header from the fields of the first rows) and raw (_raw per line).
// Rows stream: the writer returns text for each row as it comes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/search/value.hpp"

namespace kura::exporting {

/// json: one {"result":{…}} per line; csv: header then rows; raw: `_raw` lines;
/// table (the shell's default): events as `_raw` lines, other rows as aligned columns.
enum class format : uint8_t { json, csv, raw, table };

/// Parses "json", "csv", "raw" or "table". Errors: invalid_argument naming the choices.
result<format> parse_format(std::string_view name);

/// `_time` as ISO 8601 in UTC with milliseconds and the offset:
/// 1795350000.123 -> "2026-11-22T12:20:00.123+00:00".
std::string iso_time(double epoch_seconds);

/// One row as a JSON object ({"field":"value",…}; _time as ISO 8601;
/// multivalue fields as arrays).
std::string row_object(const search::row& r);

/// Turns rows into text in one format. Not thread-safe; one per response.
class result_writer {
 public:
  /// CSV holds back this many rows to learn the columns before writing the header.
  static constexpr size_t csv_header_rows = 100;

  explicit result_writer(format f) : format_(f) {}
  /// Text for one row (may be empty while CSV learns its columns).
  std::string write(const search::row& r);
  /// Text still held back, at the end of the results.
  std::string finish();

 private:
  std::string csv_row(const search::row& r) const;
  std::vector<std::string> held_columns() const;
  std::string table() const;

  format format_;
  std::vector<search::row> held_;
  std::optional<std::vector<std::string>> columns_;
};

}  // namespace kura::exporting
