// The 16 Loghub samples through the pipeline with no configuration: every line
// is one event, and _time agrees with the _structured.csv ground truth for at
// least 99.5% of the events of every sample. The ground truth is parsed with
// std::get_time, independently of kura's timestamp parser.
#include <doctest/doctest.h>

#include <ctime>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#include "core/pipeline/event_stream.hpp"
#include "core/testing.hpp"

using namespace kura;

namespace {

/// Splits one CSV record (RFC 4180 quoting; no newlines inside fields in these files).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

/// How to read a sample's ground truth: columns joined by spaces, then parsed
/// with `format` (std::get_time) after cutting a trailing fraction introduced by
/// one of `fraction_seps`; or, for `epoch`, one column of epoch seconds.
struct truth_spec {
  std::vector<std::string> columns;
  std::string format;
  std::string fraction_seps;
  bool epoch = false;
  /// Rewrites the joined columns before std::get_time (which cannot read
  /// digit runs without separators such as HDFS's "081109 203615").
  std::string (*reshape)(const std::string&) = nullptr;
};

std::string hdfs_reshape(const std::string& t) {
  // "081109 203615" -> "08-11-09 20:36:15"
  if (t.size() != 13) return t;
  return t.substr(0, 2) + "-" + t.substr(2, 2) + "-" + t.substr(4, 2) + " " + t.substr(7, 2) + ":" +
         t.substr(9, 2) + ":" + t.substr(11, 2);
}

const std::map<std::string, truth_spec>& specs() {
  static const std::map<std::string, truth_spec> s{
      {"Android", {{"Date", "Time"}, "%m-%d %H:%M:%S", ".", false}},
      {"Apache", {{"Time"}, "%a %b %d %H:%M:%S %Y", "", false}},
      {"BGL", {{"Timestamp"}, "", "", true}},
      {"HDFS", {{"Date", "Time"}, "%y-%m-%d %H:%M:%S", "", false, hdfs_reshape}},
      {"HPC", {{"Time"}, "", "", true}},
      {"Hadoop", {{"Date", "Time"}, "%Y-%m-%d %H:%M:%S", ",", false}},
      {"HealthApp", {{"Time"}, "%Y%m%d-%H:%M:%S", ":", false}},
      {"Linux", {{"Month", "Date", "Time"}, "%b %d %H:%M:%S", "", false}},
      {"Mac", {{"Month", "Date", "Time"}, "%b %d %H:%M:%S", "", false}},
      {"OpenSSH", {{"Date", "Day", "Time"}, "%b %d %H:%M:%S", "", false}},
      {"OpenStack", {{"Date", "Time"}, "%Y-%m-%d %H:%M:%S", ".", false}},
      {"Proxifier", {{"Time"}, "%m.%d %H:%M:%S", "", false}},
      {"Spark", {{"Date", "Time"}, "%y/%m/%d %H:%M:%S", "", false}},
      {"Thunderbird", {{"Timestamp"}, "", "", true}},
      {"Windows", {{"Date", "Time"}, "%Y-%m-%d %H:%M:%S", "", false}},
      {"Zookeeper", {{"Date", "Time"}, "%Y-%m-%d %H:%M:%S", ",", false}},
  };
  return s;
}

struct expected_time {
  bool epoch = false;
  int64_t epoch_seconds = 0;
  std::tm tm{};
  bool has_year = false;
  int millis = -1;  // -1: the ground truth has no fraction
};

std::optional<expected_time> expected_of(const truth_spec& spec, const std::map<std::string, size_t>& col,
                                         const std::vector<std::string>& row) {
  expected_time e;
  std::string text;
  for (auto& c : spec.columns) {
    auto it = col.find(c);
    if (it == col.end() || it->second >= row.size()) return std::nullopt;
    if (!text.empty()) text += ' ';
    text += row[it->second];
  }
  if (spec.epoch) {
    e.epoch = true;
    e.epoch_seconds = std::stoll(text);
    return e;
  }
  if (spec.reshape) text = spec.reshape(text);
  if (!spec.fraction_seps.empty()) {
    auto at = text.find_last_of(spec.fraction_seps);
    if (at != std::string::npos && at + 1 < text.size() &&
        text.find_first_not_of("0123456789", at + 1) == std::string::npos && text.size() - at - 1 <= 3 &&
        (text.size() - at - 1 == 3 || spec.fraction_seps == ":")) {
      e.millis = std::stoi(text.substr(at + 1));
      text.resize(at);
    }
  }
  std::istringstream in(text);
  in.imbue(std::locale::classic());
  e.tm.tm_year = -1;
  in >> std::get_time(&e.tm, spec.format.c_str());
  if (in.fail()) return std::nullopt;
  e.has_year = spec.format.find("%Y") != std::string::npos || spec.format.find("%y") != std::string::npos;
  return e;
}

bool matches(const expected_time& e, time_us t) {
  if (e.epoch) return to_epoch_seconds(t) == e.epoch_seconds;
  std::time_t secs = to_epoch_seconds(t);
  std::tm got{};
  gmtime_r(&secs, &got);
  if (e.has_year && got.tm_year != e.tm.tm_year) return false;
  if (e.millis >= 0 && (t % us_per_sec) / 1000 != e.millis) return false;
  return got.tm_mon == e.tm.tm_mon && got.tm_mday == e.tm.tm_mday && got.tm_hour == e.tm.tm_hour &&
         got.tm_min == e.tm.tm_min && got.tm_sec == e.tm.tm_sec;
}

}  // namespace

TEST_CASE("pipeline: the 16 Loghub samples get one event per line and _time right for >= 99.5%") {
  io::fs::path root = io::fs::path{KURA_SHARED_DIR} / "datasets/loghub";
  REQUIRE_MESSAGE(io::fs::exists(root), "missing " << root);
  const time_us now = 1'795'305'600'000'000;  // 2026-11-22T00:00:00Z: fixes year inference
  size_t samples = 0;
  for (auto& [name, spec] : specs()) {
    CAPTURE(name);
    auto log = testing::slurp(root / name / (name + "_2k.log"));
    std::ifstream csv(root / name / (name + "_2k.log_structured.csv"));
    REQUIRE(!log.empty());
    std::string header;
    std::getline(csv, header);
    std::map<std::string, size_t> col;
    auto names = csv_fields(header);
    for (size_t i = 0; i < names.size(); ++i) col[names[i]] = i;
    std::vector<std::string> rows;
    for (std::string line; std::getline(csv, line);) rows.push_back(line);
    size_t lines = 0;
    for (size_t i = 0; i < log.size(); ++i) lines += log[i] == '\n';
    if (!log.empty() && log.back() != '\n') ++lines;

    auto stream = event_stream::open(sourcetype_rules{}, {"host", name + ".log", name, "main"});
    REQUIRE(stream.has_value());
    std::vector<parsed_event> events;
    stream->feed(log, now, events);
    stream->finish(now, events);
    CHECK(events.size() == lines);
    CHECK(rows.size() == lines);
    size_t right = 0, n = std::min(events.size(), rows.size());
    for (size_t i = 0; i < n; ++i) {
      auto e = expected_of(spec, col, csv_fields(rows[i]));
      if (e && matches(*e, events[i].time)) ++right;
    }
    double score = n ? 100.0 * double(right) / double(n) : 0;
    MESSAGE(name << ": " << events.size() << " events from " << lines << " lines, _time right for " << right
                 << " (" << score << "%)");
    CHECK(score >= 99.5);
    ++samples;
  }
  CHECK(samples == 16);
}
