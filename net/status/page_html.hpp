// The pieces the pages at `/` share (the standalone status page and the
// cluster dashboards): escaping, number formats, the page frame with its CSS,
// the node's header line, the index table, the ingestion chart and the recent
// problems. Every function returns HTML text the caller owns; every piece of
// text that came from a user, a peer or a config is escaped here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/node_api.hpp"

namespace kura::status::html {

/// `s` with <, >, & and " replaced by entities: safe in element text and in
/// double-quoted attribute values.
std::string escape(std::string_view s);

/// `s` reduced to [A-Za-z0-9_-] (anything else becomes '_'), for id and href="#…".
std::string anchor(std::string_view s);

/// Bytes for people: "512 B", "12.3 KB", "4.0 MB", "1.2 GB".
std::string size_text(uint64_t bytes);

/// A transfer rate for people: size_text of the bytes per second, then "/s".
std::string rate_text(double bytes_per_sec);

/// An uptime: "2d 03h 14m".
std::string uptime_text(int64_t secs);

/// A time ago: "0.4 s ago", "12 s ago", "3 min 5 s ago", "2 h 4 min ago".
std::string ago_text(double secs);

/// "Yes" or "No", in green or red (`good` says which value is the healthy one).
std::string yes_no(bool value, bool good = true);

/// A peer status (§12: Up, Pending, Down, Detention, …) as a coloured label:
/// green for Up, red for Down, amber for anything else.
std::string status_label(std::string_view status);

/// The start of a page: doctype, head with `title` (escaped), the shared CSS,
/// a reload every `refresh_secs`, and the body's first heading and the
/// node's line (role, version, uptime, age of the page). `heading` is text
/// (escaped), shown before the node's name.
std::string page_start(const server_status& server, std::string_view heading, int refresh_secs);

/// The node's data state: a red Detention line, or "Accepting data."; plus
/// events discarded for unknown indexes.
std::string data_state(const server_status& server);

/// The index table (id "indexes"): events, size, buckets by state, time range.
std::string index_table(const std::vector<index_status>& indexes);

/// A heading and the ingestion chart (inline SVG, id "ingest-chart") with its caption.
std::string ingestion_section(const activity& recent);

/// A heading and the latest WARN and ERROR lines, newest first (id "problems").
std::string problems_section(const activity& recent);

/// The end of a page: the script that shows the page's age, and the closing tags.
std::string page_end();

}  // namespace kura::status::html
