// HTTP routes on cpp-httplib.
#include "net/http/http_server.hpp"

#include <httplib.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/log.hpp"
#include "core/search/parser.hpp"
#include "net/hec/hec_protocol.hpp"
#include "net/hec/hec_session.hpp"
#include "net/search/export_format.hpp"
#include "net/status/cluster_pages.hpp"
#include "net/status/health.hpp"
#include "net/status/page_html.hpp"
#include "net/status/status_json.hpp"
#include "net/status/status_page.hpp"

namespace kura {
namespace {

constexpr const char* component = "HttpServer";
constexpr const char* json_type = "application/json";

time_us now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void hec_reply(httplib::Response& res, hec::status s,
               std::optional<size_t> invalid_event = std::nullopt,
               std::optional<uint64_t> ack_id = std::nullopt) {
  res.status = hec::info(s).http_status;
  res.set_content(hec::reply_body(s, invalid_event, ack_id), json_type);
}

/// Splunk's REST error body.
void rest_error(httplib::Response& res, int status, const std::string& text) {
  nlohmann::json j;
  j["messages"] = nlohmann::json::array({{{"type", "ERROR"}, {"text", text}}});
  res.status = status;
  res.set_content(j.dump(), json_type);
}

/// The HEC status for a failed store.
hec::status ingest_status(const error& err) {
  switch (err.code()) {
    case errc::not_found:
    case errc::index_disabled:
      return hec::status::incorrect_index;
    case errc::disk_full:
    case errc::unavailable:
      return hec::status::server_busy;
    default:
      return hec::status::internal_error;
  }
}

}  // namespace

struct http_server::impl {
  node_api& api;
  http_options opts;
  httplib::Server server;
  std::thread thread;
  std::mutex acks_mutex;
  hec::ack_registry acks;

  impl(node_api& a, http_options o) : api(a), opts(std::move(o)) {}

  /// The token check of the collector endpoints; false after replying.
  bool hec_authorized(const httplib::Request& req, httplib::Response& res) {
    std::string auth = req.has_header("Authorization") ? req.get_header_value("Authorization") : "";
    auto s = hec::check_token(
        req.has_header("Authorization") ? std::optional<std::string_view>{auth} : std::nullopt,
        req.has_param("token"), opts.hec_tokens);
    if (s == hec::status::success) return true;
    hec_reply(res, s);
    return false;
  }

  bool is_api_token(std::string_view t) const {
    return std::find(opts.api_tokens.begin(), opts.api_tokens.end(), t) != opts.api_tokens.end();
  }

  /// The status page: a browser sends HTTP Basic credentials (any user name,
  /// an API token as the password); a script may send the Bearer token.
  bool page_authorized(const httplib::Request& req, httplib::Response& res) {
    std::string auth = req.has_header("Authorization") ? req.get_header_value("Authorization") : "";
    if (auth.rfind("Bearer ", 0) == 0 && is_api_token(std::string_view{auth}.substr(7)))
      return true;
    if (auth.rfind("Basic ", 0) == 0) {
      std::string encoded = auth.substr(6);
      std::string decoded(encoded.size(), '\0');
      int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                              reinterpret_cast<const unsigned char*>(encoded.data()),
                              int(encoded.size()));
      if (n > 0) {
        decoded.resize(size_t(n));
        while (!decoded.empty() && decoded.back() == '\0') decoded.pop_back();  // base64 padding
        auto colon = decoded.find(':');
        if (colon != std::string::npos && is_api_token(std::string_view{decoded}.substr(colon + 1)))
          return true;
      }
    }
    res.status = 401;
    res.set_header("WWW-Authenticate", "Basic realm=\"kura (password: an API token)\"");
    res.set_content("<!doctype html><p>kura: sign in with an API token as the password.</p>",
                    "text/html");
    return false;
  }

  bool api_authorized(const httplib::Request& req, httplib::Response& res) {
    constexpr std::string_view scheme = "Bearer ";
    std::string auth = req.has_header("Authorization") ? req.get_header_value("Authorization") : "";
    if (auth.rfind(scheme, 0) == 0 && is_api_token(std::string_view{auth}.substr(scheme.size())))
      return true;
    rest_error(res, 401,
               auth.empty() ? "authorization required: Authorization: Bearer <api token>"
                            : "invalid api token");
    return false;
  }

  /// The request's channel; nullopt when there is none. Replies and returns
  /// false in `ok` for a malformed one.
  std::optional<std::string> channel(const httplib::Request& req, httplib::Response& res,
                                     bool& ok) {
    ok = true;
    std::string c = req.has_header("X-Splunk-Request-Channel")
                        ? req.get_header_value("X-Splunk-Request-Channel")
                    : req.has_param("channel") ? req.get_param_value("channel")
                                               : "";
    if (c.empty()) return std::nullopt;
    if (!hec::valid_channel(c)) {
      hec_reply(res, hec::status::invalid_data_channel);
      ok = false;
    }
    return c;
  }

  /// The start of every collector request: the token and the channel. False
  /// after replying.
  bool begin_collector(const httplib::Request& req, httplib::Response& res,
                       std::optional<std::string>& ch) {
    if (!hec_authorized(req, res)) return false;
    bool ok;
    ch = channel(req, res, ok);
    return ok;
  }

  /// The end of an ingest request: the store's verdict becomes the reply.
  void reply_stored(const httplib::Request& req, httplib::Response& res, const error& err,
                    const std::optional<std::string>& ch, const char* what) {
    if (err) {
      log::warn(component, std::string{"HEC "} + what + " request from " + req.remote_addr + ": " +
                               err.render());
      return hec_reply(res, ingest_status(err));
    }
    stored(res, ch);
  }

  /// Replies Success, with an ack id when the request named a channel.
  void stored(httplib::Response& res, const std::optional<std::string>& ch) {
    if (!ch) return hec_reply(res, hec::status::success);
    std::lock_guard lock{acks_mutex};
    auto id = acks.open(*ch);
    if (!id) return hec_reply(res, hec::status::server_busy);
    acks.acknowledge(*ch, *id);  // ingest returned after the commit: the data is durable
    hec_reply(res, hec::status::success, std::nullopt, *id);
  }

  void on_event(const httplib::Request& req, const std::string& body, httplib::Response& res) {
    std::optional<std::string> ch;
    if (!begin_collector(req, res, ch)) return;
    auto parsed = hec::parse_event_body(body);
    if (parsed.result != hec::status::success) {
      log::warn(component,
                "HEC event request from " + req.remote_addr + " rejected: " + parsed.detail);
      // Only errors about one event carry its number (as Splunk's replies do).
      bool per_event = parsed.result == hec::status::invalid_data_format ||
                       parsed.result == hec::status::event_field_required ||
                       parsed.result == hec::status::event_field_blank ||
                       parsed.result == hec::status::indexed_fields_error;
      return hec_reply(res, parsed.result,
                       per_event ? std::optional<size_t>{parsed.invalid_event} : std::nullopt);
    }
    time_us now = now_us();
    std::vector<ingest_event> events;
    events.reserve(parsed.events.size());
    for (auto& e : parsed.events)
      events.push_back({e.time.value_or(now), e.host.value_or(opts.default_host),
                        e.source.value_or("http:kura"), e.sourcetype.value_or("httpevent"),
                        e.index.value_or("main"), std::move(e.raw), std::move(e.fields)});
    reply_stored(req, res, api.ingest(std::move(events)), ch, "event");
  }

  void on_raw(const httplib::Request& req, const std::string& body, httplib::Response& res) {
    std::optional<std::string> ch;
    if (!begin_collector(req, res, ch)) return;
    if (body.find_first_not_of(" \t\r\n") == std::string::npos)
      return hec_reply(res, hec::status::no_data);
    auto param = [&](const char* name, const std::string& fallback) {
      return req.has_param(name) ? req.get_param_value(name) : fallback;
    };
    input_meta meta{param("host", opts.default_host), param("source", "http:kura"),
                    param("sourcetype", "httpevent"), param("index", "main")};
    raw_input input{meta, body};
    reply_stored(req, res, api.ingest_raw({&input, 1}, now_us()), ch, "raw");
  }

  void on_ack(const httplib::Request& req, const std::string& body, httplib::Response& res) {
    std::optional<std::string> ch;
    if (!begin_collector(req, res, ch)) return;
    if (!ch) return hec_reply(res, hec::status::data_channel_missing);
    auto ids = hec::parse_ack_query(body);
    if (!ids) return hec_reply(res, hec::status::invalid_data_format);
    std::lock_guard lock{acks_mutex};
    res.set_content(hec::ack_reply(acks.query(*ch, *ids)), json_type);
  }

  void on_export(const httplib::Request& req, httplib::Response& res) {
    if (!api_authorized(req, res)) return;
    if (!req.has_param("search")) return rest_error(res, 400, "missing parameter: search");
    std::string text = req.get_param_value("search");
    // Splunk's export takes "search …" or "| …"; both mean the same here.
    auto mode = exporting::parse_format(
        req.has_param("output_mode") ? req.get_param_value("output_mode") : "json");
    if (!mode) return rest_error(res, 400, mode.err().message());
    search::search_options options;
    options.now = now_us();
    for (auto [param, slot] : {std::pair{"earliest_time", &options.earliest},
                               std::pair{"latest_time", &options.latest}}) {
      if (!req.has_param(param) || req.get_param_value(param).empty()) continue;
      auto t = search::parse_time_modifier(req.get_param_value(param), options.now);
      if (!t) return rest_error(res, 400, std::string{param} + ": " + t.err().message());
      *slot = *t;
    }
    if (auto q = search::parse_query(text, options.now); !q)
      return rest_error(res, 400, "search: " + q.err().message());
    api.audit("api", "search", text);
    auto* api_ptr = &api;
    auto format = *mode;
    const char* type = format == exporting::format::json  ? "application/json"
                       : format == exporting::format::csv ? "text/csv"
                                                          : "text/plain";
    res.set_chunked_content_provider(
        type, [api_ptr, text, options, format](size_t, httplib::DataSink& sink) {
          exporting::result_writer writer{format};
          bool open = true;
          auto summary = api_ptr->search(text, options, [&](const search::row& r) {
            auto chunk = writer.write(r);
            if (!chunk.empty()) open = sink.write(chunk.data(), chunk.size());
            return open;
          });
          auto tail = writer.finish();
          if (open && !tail.empty()) open = sink.write(tail.data(), tail.size());
          if (open && !summary) {
            // Rows may already be out: the error goes in the stream, as Splunk's export does.
            nlohmann::json j;
            j["messages"] =
                nlohmann::json::array({{{"type", "ERROR"}, {"text", summary.err().message()}}});
            auto line = j.dump() + "\n";
            sink.write(line.data(), line.size());
          } else if (open && format == exporting::format::json && !summary->warnings.empty()) {
            // A peer that did not answer, a master that is down: the results come with a warning.
            nlohmann::json messages = nlohmann::json::array();
            for (auto& w : summary->warnings) messages.push_back({{"type", "WARN"}, {"text", w}});
            nlohmann::json j;
            j["messages"] = std::move(messages);
            auto line = j.dump() + "\n";
            sink.write(line.data(), line.size());
          }
          sink.done();
          return true;
        });
  }

  void routes() {
    auto bind = [this](auto fn) {
      return [this, fn](const httplib::Request& req, httplib::Response& res) {
        (this->*fn)(req, res);
      };
    };
    // Collector bodies are read through a content reader: cpp-httplib 0.11 would
    // otherwise refuse a form-encoded body over 8 KB (curl -d sends that type,
    // as Splunk's HEC examples do), whatever max_content_length says.
    auto with_body = [this](auto fn) {
      return [this, fn](const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& reader) {
        auto too_large = [&] {
          res.status = 413;
          res.set_content(hec::reply_body(hec::status::invalid_data_format), json_type);
        };
        if (req.has_header("Content-Length") &&
            std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) >
                opts.max_content_length)
          return too_large();
        std::string body;
        bool over = false;
        bool complete = reader([&](const char* data, size_t n) {
          if (body.size() + n > opts.max_content_length) {
            over = true;
            return false;
          }
          body.append(data, n);
          return true;
        });
        if (over) return too_large();
        if (!complete) {  // the client stopped sending (read timeout) or went away
          res.status = 400;
          res.set_content(hec::reply_body(hec::status::invalid_data_format), json_type);
          return;
        }
        (this->*fn)(req, body, res);
      };
    };
    for (auto* path :
         {"/services/collector/event", "/services/collector", "/services/collector/event/1.0"})
      server.Post(path, with_body(&impl::on_event));
    server.Post("/services/collector/raw", with_body(&impl::on_raw));
    server.Post("/services/collector/raw/1.0", with_body(&impl::on_raw));
    server.Post("/services/collector/ack", with_body(&impl::on_ack));
    server.Get("/services/collector/health", [this](const httplib::Request&,
                                                    httplib::Response& res) {
      hec_reply(res, api.accepting() ? hec::status::healthy : hec::status::unhealthy_queues_full);
    });
    server.Get("/services/server/health", [this](const httplib::Request&, httplib::Response& res) {
      auto h = status::check_health(api);
      res.status = h.healthy ? 200 : 503;
      res.set_content(status::health_json(h, api.server_info().role), json_type);
    });
    server.Post("/services/search/jobs/export", bind(&impl::on_export));
    server.Get("/services/search/jobs/export", bind(&impl::on_export));
    // The page of the node's role: a cluster dashboard (clustering.md §23) or the status page.
    server.Get("/", [this](const httplib::Request& req, httplib::Response& res) {
      if (!page_authorized(req, res)) return;
      auto info = api.server_info();
      auto page = [&]() -> result<std::string> {
        if (info.role == "master") {
          auto s = api.cluster_master_status();
          if (!s) return s.err();
          return status::master_page(info, *s, api.recent_activity());
        }
        if (info.role == "peer") {
          auto s = api.cluster_peer_status();
          if (!s) return s.err();
          return status::peer_page(info, *s, api.indexes(), api.recent_activity());
        }
        if (info.role == "search_head") {
          auto s = api.cluster_searchhead_status();
          if (!s) return s.err();
          return status::searchhead_page(info, *s, api.recent_activity());
        }
        return status::status_page(info, api.indexes(), api.recent_activity());
      }();
      if (!page) {
        res.status = 503;
        res.set_content("<!doctype html><p>kura: the " + status::html::escape(info.role) +
                            " does not answer: " + status::html::escape(page.err().message()) +
                            "</p>",
                        "text/html; charset=utf-8");
        return;
      }
      res.set_content(*page, "text/html; charset=utf-8");
    });
    server.Get("/services/server/info",
               [this](const httplib::Request& req, httplib::Response& res) {
                 if (api_authorized(req, res))
                   res.set_content(status::server_info(api.server_info()), json_type);
               });
    server.Get("/services/data/indexes",
               [this](const httplib::Request& req, httplib::Response& res) {
                 if (api_authorized(req, res))
                   res.set_content(status::index_list(api.indexes()), json_type);
               });
    server.Get("/services/data/buckets",
               [this](const httplib::Request& req, httplib::Response& res) {
                 if (!api_authorized(req, res)) return;
                 auto list = status::bucket_list(
                     api.indexes(), req.has_param("index") ? req.get_param_value("index") : "");
                 if (!list) return rest_error(res, 404, list.err().message());
                 res.set_content(*list, json_type);
               });
    // The cluster's documents (product.md §7); a node of another role answers 404.
    auto cluster_doc = [this](auto make) {
      return [this, make](const httplib::Request& req, httplib::Response& res) {
        if (!api_authorized(req, res)) return;
        result<std::string> doc = make();
        if (!doc)
          return rest_error(res, doc.err().code() == errc::bad_state ? 404 : 503,
                            doc.err().message());
        res.set_content(*doc, json_type);
      };
    };
    auto from_master = [this](std::string (*render)(const master_status&)) {
      return [this, render]() -> result<std::string> {
        auto s = api.cluster_master_status();
        if (!s) return s.err();
        return render(*s);
      };
    };
    server.Get("/services/cluster/master/info", cluster_doc(from_master(&status::master_info)));
    server.Get("/services/cluster/master/peers", cluster_doc(from_master(&status::master_peers)));
    server.Get("/services/cluster/master/buckets",
               cluster_doc(from_master(&status::master_buckets)));
    server.Get("/services/cluster/master/generation",
               cluster_doc(from_master(&status::master_generation)));
    server.Get("/services/cluster/peer/info", cluster_doc([this]() -> result<std::string> {
                 auto s = api.cluster_peer_status();
                 if (!s) return s.err();
                 return status::peer_info(*s);
               }));
    server.Get("/services/cluster/searchhead/generation",
               cluster_doc([this]() -> result<std::string> {
                 auto s = api.cluster_searchhead_status();
                 if (!s) return s.err();
                 return status::searchhead_generation(*s);
               }));
    auto not_found = [](const httplib::Request& req, httplib::Response& res) {
      rest_error(res, 404, "no such endpoint: " + req.method + " " + req.path);
    };
    server.Get(".*", not_found);
    server.Post(".*", not_found);
  }
};

http_server::http_server(node_api& api, http_options options)
    : impl_(std::make_unique<impl>(api, std::move(options))) {}

http_server::~http_server() { stop(); }

result<uint16_t> http_server::start() {
  auto& s = impl_->server;
  auto& o = impl_->opts;
  s.set_payload_max_length(o.max_content_length);
  // Replies go out at once: with Nagle's algorithm a client that keeps its
  // connection open waited ~40 ms per request for the delayed ACK.
  s.set_tcp_nodelay(true);
  s.set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(o.read_timeout).count(),
                     std::chrono::duration_cast<std::chrono::microseconds>(o.read_timeout %
                                                                           std::chrono::seconds{1})
                         .count());
  size_t threads = o.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->routes();
  int port =
      o.port == 0 ? s.bind_to_any_port(o.bind) : (s.bind_to_port(o.bind, o.port) ? o.port : -1);
  if (port <= 0)
    return error{errc::io_error, "cannot listen on " + o.bind + ":" + std::to_string(o.port) +
                                     " (in use or not allowed)"};
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  log::info(component, "listening on " + o.bind + ":" + std::to_string(port));
  return uint16_t(port);
}

void http_server::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace kura
