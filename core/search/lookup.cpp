// CSV lookup files.
#include "core/search/lookup.hpp"

#include <algorithm>
#include <set>

namespace kura::search {

result<csv_table> parse_csv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  size_t line = 1, i = 0;
  auto bad = [&](const std::string& what) {
    return error{errc::invalid_argument, "CSV line " + std::to_string(line) + ": " + what};
  };
  auto end_record = [&] {
    record.push_back(std::move(field));
    field.clear();
    records.push_back(std::move(record));
    record.clear();
  };
  if (text.empty()) return bad("no header");
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' && field.empty()) {
      size_t start_line = line;
      ++i;
      for (;;) {
        if (i >= text.size()) {
          line = start_line;
          return bad("unterminated quoted field");
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
        return bad("text after a closing quote");
      continue;
    }
    if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      ++i;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      end_record();
      i += 2;
      ++line;
    } else if (c == '\n') {
      end_record();
      ++i;
      ++line;
    } else {
      field += c;
      ++i;
    }
  }
  if (!field.empty() || !record.empty()) end_record();
  csv_table t;
  if (records.empty()) return error{errc::invalid_argument, "CSV line 1: no header"};
  t.header = std::move(records[0]);
  std::set<std::string> seen;
  for (auto& h : t.header) {
    line = 1;
    if (h.empty()) return bad("an empty column name");
    if (!seen.insert(h).second) return bad("the column \"" + h + "\" appears twice");
  }
  for (size_t r = 1; r < records.size(); ++r) {
    auto& rec = records[r];
    if (rec.size() == 1 && rec[0].empty()) continue;  // a blank line
    if (rec.size() > t.header.size()) {
      line = r + 1;  // approximate when earlier fields held line breaks
      return bad("more fields than the header has");
    }
    rec.resize(t.header.size());
    t.records.push_back(std::move(rec));
  }
  return t;
}

namespace {

std::string quote(const std::string& f) {
  bool needs = f.find_first_of(",\"\r\n") != std::string::npos ||
               (!f.empty() && (f.front() == ' ' || f.back() == ' '));
  if (!needs) return f;
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void render_record(std::string& out, const std::vector<std::string>& rec) {
  for (size_t i = 0; i < rec.size(); ++i) {
    if (i) out += ',';
    out += quote(rec[i]);
  }
  out += "\r\n";
}

}  // namespace

std::string render_csv(const csv_table& t) {
  std::string out;
  render_record(out, t.header);
  for (auto& r : t.records) render_record(out, r);
  return out;
}

result<io::fs::path> lookup_file(const std::string& dir, std::string_view name) {
  if (dir.empty())
    return error{errc::invalid_argument,
                 "lookups are not available: this search has no lookup directory"};
  bool ok = !name.empty() && name.size() <= 200 && name[0] != '.' &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '_' || c == '-' || c == '.';
            });
  if (!ok)
    return error{errc::invalid_argument,
                 "invalid lookup name \"" + std::string{name} +
                     "\" (letters, digits, _ - and ., not starting with a dot)"};
  std::string file{name};
  if (file.size() < 4 || file.substr(file.size() - 4) != ".csv") file += ".csv";
  return io::fs::path{dir} / file;
}

result<io::fs::path> find_lookup(const lookup_dirs& dirs, std::string_view name) {
  std::vector<std::string> all;
  if (!dirs.own.empty()) all.push_back(dirs.own);
  for (auto& d : dirs.shared)
    if (!d.empty()) all.push_back(d);
  if (all.empty()) return lookup_file("", name);  // the error: no lookup directory
  std::string looked;
  for (auto& dir : all) {
    auto path = lookup_file(dir, name);
    if (!path) return path.err();
    std::error_code ec;
    if (io::fs::exists(*path, ec)) return path;
    looked += (looked.empty() ? "" : ", ") + path->string();
  }
  return error{errc::invalid_argument,
               "lookup \"" + std::string{name} + "\" does not exist (" + looked + ")"};
}

result<csv_table> read_lookup(const lookup_dirs& dirs, std::string_view name, size_t max_records) {
  auto path = find_lookup(dirs, name);
  if (!path) return path.err();
  auto text = io::read_file(*path);
  if (!text) return text.err();
  auto t = parse_csv(*text);
  if (!t)
    return error{t.err().code(), "lookup \"" + std::string{name} + "\": " + t.err().message()};
  if (t->records.size() > max_records)
    return error{errc::invalid_argument, "lookup \"" + std::string{name} + "\" has more than " +
                                             std::to_string(max_records) + " rows"};
  return t;
}

error write_lookup(const std::string& dir, std::string_view name, const csv_table& t) {
  auto path = lookup_file(dir, name);
  if (!path) return path.err();
  if (auto err = io::make_dirs(path->parent_path())) return err;
  return io::write_file_atomic(*path, render_csv(t));
}

}  // namespace kura::search
