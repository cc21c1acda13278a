// HTTP routes on cpp-httplib.
#include "net/http/http_server.hpp"

#include <httplib.h>
#include <openssl/evp.h>

#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/log.hpp"
#include "core/search/parser.hpp"
#include "net/hec/body_stream.hpp"
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

/// Bodies of the other endpoints (ack queries, search forms) are read whole: at most this.
constexpr uint64_t small_body_limit = uint64_t(1) << 20;

/// Whether a request goes to a collector endpoint whose body is streamed into the store.
bool ingest_path(const httplib::Request& req) {
  return req.method == "POST" &&
         (req.path == "/services/collector/event" || req.path == "/services/collector" ||
          req.path == "/services/collector/event/1.0" || req.path == "/services/collector/raw" ||
          req.path == "/services/collector/raw/1.0");
}

/// The declared body size (Content-Length), 0 when there is none.
uint64_t declared_length(const httplib::Request& req) {
  return req.has_header("Content-Length")
             ? std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10)
             : 0;
}

/// HEC's reply to a body over its limit.
void too_large(httplib::Response& res) {
  res.status = 413;
  res.set_content(hec::reply_body(hec::status::invalid_data_format), json_type);
}

}  // namespace

struct http_server::impl {
  node_api& api;
  http_options opts;
  httplib::Server server;
  std::thread thread;
  std::mutex acks_mutex;
  hec::ack_registry acks;

  /// Stores handed off without waiting for them (see ingest()): at most
  /// max_async_stores at once, so that memory stays bounded; stop() waits for
  /// them. `known_indexes`: indexes a store has succeeded in, the only ones
  /// stored into without waiting (a request naming another waits, so that an
  /// unknown index still gets HEC's "Incorrect index" reply).
  static constexpr size_t max_async_stores = 2;
  std::mutex async_mutex;
  std::condition_variable async_done;
  size_t async_stores = 0;
  std::set<std::string, std::less<>> known_indexes;

  /// The stores of one request's body: waited for (the default), or handed
  /// off when the request has an ack id, its outcome then deciding the ack.
  struct body_stores {
    bool handed_off = false;  ///< set by ingest() once the request has an ack id
    std::mutex mutex;
    size_t outstanding = 0;
    error failed;          ///< the first store that failed
    bool replied = false;  ///< the reply went out; the last store settles the ack
    std::string channel;
    uint64_t ack = 0;
  };

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

  /// Refuses, before its body is read, a request whose body could not be
  /// read within bounds: an ingest request declaring more than
  /// max_content_length; any other declaring more than small_body_limit or
  /// without a length (chunked), since cpp-httplib reads those whole. When the
  /// client holds its body back (Expect: 100-continue), an ingest request's
  /// token and channel are checked too (else the handler checks them). False
  /// after replying.
  bool acceptable_before_body(const httplib::Request& req, httplib::Response& res,
                              bool body_held_back) {
    if (ingest_path(req)) {
      std::optional<std::string> ch;
      if (body_held_back && !begin_collector(req, res, ch)) return false;
      if (declared_length(req) > opts.max_content_length) {
        too_large(res);
        return false;
      }
      return true;
    }
    bool collector = req.path.rfind("/services/collector", 0) == 0;
    if (declared_length(req) > small_body_limit) {
      if (collector) return too_large(res), false;
      rest_error(res, 413,
                 "the body is larger than " + std::to_string(small_body_limit) + " bytes");
      return false;
    }
    if (!collector && req.get_header_value("Transfer-Encoding") == "chunked") {
      rest_error(res, 411, "a request body needs a Content-Length");
      return false;
    }
    return true;
  }

  /// Reads and drops a refused request's body, at most small_body_limit of it, so that
  /// the client, which may still be sending, gets the reply in `res` rather than a reset
  /// connection (a longer body is left unread: cpp-httplib then closes the connection).
  /// A client that stops sending gets 400 instead, as for any body.
  static void drain(const httplib::ContentReader& reader, httplib::Response& res) {
    uint64_t total = 0;
    int refusal = res.status;  // cpp-httplib sets 400 when reading stops
    bool complete = reader([&](const char*, size_t n) {
      total += n;
      return total <= small_body_limit;
    });
    if (complete || total > small_body_limit) {
      res.status = refusal;
      return;
    }
    res.status = 400;
    res.set_content(hec::reply_body(hec::status::invalid_data_format), json_type);
  }

  /// The store the streamed bodies hand their groups to: each group waited
  /// for, or handed off (see body_stores) when every index it names is known.
  hec::store_fn store(std::shared_ptr<body_stores> stores) {
    return [this, stores](std::vector<ingest_event> events) -> error {
      std::set<std::string> names;
      for (auto& e : events) names.insert(e.index);
      if (!stores->handed_off || !all_known(names)) {
        auto err = api.ingest(std::move(events));
        if (!err) {
          std::lock_guard lock{async_mutex};
          known_indexes.insert(names.begin(), names.end());
        }
        return err;
      }
      {
        std::unique_lock lock{async_mutex};
        async_done.wait(lock, [&] { return async_stores < max_async_stores; });
        ++async_stores;
      }
      {
        std::lock_guard lock{stores->mutex};
        ++stores->outstanding;
      }
      auto refused = api.ingest_async(std::move(events), [this, stores, names](error err) {
        // An index gone or disabled meanwhile: the next request for it waits
        // for its store again, and so gets "Incorrect index".
        bool index_refused = err.code() == errc::not_found || err.code() == errc::index_disabled;
        settle(*stores, std::move(err));
        std::lock_guard lock{async_mutex};
        if (index_refused)
          for (auto& n : names) known_indexes.erase(n);
        --async_stores;
        async_done.notify_all();
      });
      if (refused) {  // refused at once (the cluster cannot index): the reply says so
        {
          std::lock_guard lock{stores->mutex};
          --stores->outstanding;
        }
        std::lock_guard lock{async_mutex};
        --async_stores;
        async_done.notify_all();
      }
      return refused;
    };
  }

  bool all_known(const std::set<std::string>& names) {
    std::lock_guard lock{async_mutex};
    for (auto& n : names)
      if (!known_indexes.contains(n)) return false;
    return true;
  }

  /// One handed-off store of `stores` ended with `err` (ok or not). The last
  /// one after the reply settles the ack (see conclude).
  void settle(body_stores& stores, error err) {
    std::unique_lock lock{stores.mutex};
    if (err && !stores.failed) stores.failed = std::move(err);
    --stores.outstanding;
    if (stores.outstanding > 0 || !stores.replied) return;
    auto failed = stores.failed;
    lock.unlock();
    conclude(stores, failed);
  }

  /// The ack of a request whose reply went out and whose stores all ended:
  /// true when every one succeeded, else cancelled with a warning.
  void conclude(const body_stores& stores, const error& failed) {
    std::lock_guard acks_lock{acks_mutex};
    if (!failed) {
      acks.acknowledge(stores.channel, stores.ack);
      return;
    }
    acks.cancel(stores.channel, stores.ack);
    log::warn(component,
              "HEC request on channel " + stores.channel + " (ack id " +
                  std::to_string(stores.ack) +
                  ") was answered but not stored; its ack stays false: " + failed.render());
  }

  /// An ingest request (/event or /raw): token and channel, an ack id when the request
  /// names a channel, then the body read as it arrives: every piece goes to
  /// `feed`, and `finish` says how the body ended. Without an ack id the reply
  /// comes once the whole body is stored or has failed. With one (Splunk's
  /// useACK) the groups of indexes already stored into are handed off
  /// (`stores`): the reply comes once the body is parsed and handed off, and
  /// the ack turns true once every group is durable (never, when one fails),
  /// so that the client's next request is parsed while this one is stored.
  void ingest(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& reader, const char* what, body_stores& stores,
              const std::function<void(std::string_view)>& feed,
              const std::function<hec::body_result()>& finish) {
    std::optional<std::string> ch;  // the declared size was checked before routing
    if (!begin_collector(req, res, ch)) return drain(reader, res);
    // The ack id is taken first: a full registry refuses the request before anything is stored.
    std::optional<uint64_t> ack;
    if (ch) {
      std::lock_guard lock{acks_mutex};
      ack = acks.open(*ch);
    }
    if (ch && !ack) {
      hec_reply(res, hec::status::server_busy);
      return drain(reader, res);
    }
    if (ack) {  // the client learns of durability from the ack: no need to wait here
      stores.handed_off = true;
      stores.channel = *ch;
      stores.ack = *ack;
    }
    auto cancel = [&] {
      if (!ack) return;
      std::lock_guard lock{acks_mutex};
      acks.cancel(*ch, *ack);
    };
    uint64_t total = 0;
    bool over = false;
    // After a bad event the rest of the body is still read (and only counted), so that the
    // client, which may be sending still, gets the reply rather than a reset connection.
    bool complete = reader([&](const char* data, size_t n) {
      total += n;
      if (total > opts.max_content_length) {
        over = true;
        return false;
      }
      feed({data, n});
      return true;
    });
    // Over the limit (chunked or compressed), or the client stopped sending.
    if (over || !complete) {
      cancel();
      log::warn(component, std::string{"HEC "} + what + " request from " + req.remote_addr +
                               (over ? " is over max_content_length (" +
                                           std::to_string(opts.max_content_length) + " bytes)"
                                     : " ended before its body did") +
                               " after " + std::to_string(total) + " bytes");
      if (over) return too_large(res);
      res.status = 400;
      res.set_content(hec::reply_body(hec::status::invalid_data_format), json_type);
      return;
    }
    auto out = finish();
    if (out.result != hec::status::success) {
      cancel();
      log::warn(component, std::string{"HEC "} + what + " request from " + req.remote_addr +
                               " refused: " + out.detail +
                               (out.stored ? " (" + std::to_string(out.stored) +
                                                 " events before it were stored)"
                                           : ""));
      return hec_reply(res, out.result, out.invalid_event);
    }
    if (ack) {
      std::unique_lock lock{stores.mutex};
      stores.replied = true;
      if (stores.outstanding == 0) {  // every store has ended (the waited-for ones committed)
        auto failed = stores.failed;
        lock.unlock();
        conclude(stores, failed);
      }
    }
    hec_reply(res, hec::status::success, std::nullopt, ack);
  }

  void on_event(const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader& reader) {
    auto stores = std::make_shared<body_stores>();
    hec::event_body_stream body{store(stores),
                                {opts.default_host, "http:kura", "httpevent", "main"}};
    ingest(
        req, res, reader, "event", *stores, [&](std::string_view d) { body.feed(d, now_us()); },
        [&] { return body.finish(); });
  }

  void on_raw(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& reader) {
    auto param = [&](const char* name, const std::string& fallback) {
      return req.has_param(name) ? req.get_param_value(name) : fallback;
    };
    input_meta meta{param("host", opts.default_host), param("source", "http:kura"),
                    param("sourcetype", "httpevent"), param("index", "main")};
    auto pipeline = api.open_raw_stream(meta);
    if (!pipeline) {  // the sourcetype's rules do not compile: the request is refused whole
      std::optional<std::string> ch;
      if (begin_collector(req, res, ch)) {
        log::warn(component,
                  "HEC raw request from " + req.remote_addr + ": " + pipeline.err().render());
        hec_reply(res, hec::store_status(pipeline.err()));
      }
      return drain(reader, res);
    }
    auto stores = std::make_shared<body_stores>();
    hec::raw_body_stream body{store(stores), std::move(*pipeline)};
    ingest(
        req, res, reader, "raw", *stores, [&](std::string_view d) { body.feed(d, now_us()); },
        [&] { return body.finish(now_us()); });
  }

  void on_ack(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader& reader) {
    std::string body;
    bool over = false;
    bool complete = reader([&](const char* data, size_t n) {
      if (body.size() + n > small_body_limit) {
        over = true;
        return false;
      }
      body.append(data, n);
      return true;
    });
    if (over) return too_large(res);
    if (!complete) return hec_reply(res, hec::status::invalid_data_format);
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
    // Collector bodies are read through a content reader, piece by piece as they arrive:
    // cpp-httplib would otherwise read a body whole into memory (and 0.11 refuses a
    // form-encoded one over 8 KB: curl -d sends that type, as Splunk's HEC examples do).
    auto reading = [this](void (impl::*fn)(const httplib::Request&, httplib::Response&,
                                           const httplib::ContentReader&)) {
      return [this, fn](const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& reader) { (this->*fn)(req, res, reader); };
    };
    // Before any body is read: a client that sent "Expect: 100-continue" (curl does for
    // bodies over 1 KB) gets a refusal instead of "100 Continue" and never sends the body.
    server.set_expect_100_continue_handler(
        [this](const httplib::Request& req, httplib::Response& res) {
          if (acceptable_before_body(req, res, true)) return 100;
          // cpp-httplib 0.11 sends this reply without a length: the client would wait for the
          // connection to close, sending its body meanwhile.
          res.set_header("Content-Length", std::to_string(res.body.size()));
          res.set_header("Connection", "close");
          return res.status;
        });
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return acceptable_before_body(req, res, false) ? httplib::Server::HandlerResponse::Unhandled
                                                     : httplib::Server::HandlerResponse::Handled;
    });
    for (auto* path :
         {"/services/collector/event", "/services/collector", "/services/collector/event/1.0"})
      server.Post(path, reading(&impl::on_event));
    server.Post("/services/collector/raw", reading(&impl::on_raw));
    server.Post("/services/collector/raw/1.0", reading(&impl::on_raw));
    server.Post("/services/collector/ack", reading(&impl::on_ack));
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
  // Stores handed off report to this server: they end before it does.
  std::unique_lock lock{impl_->async_mutex};
  impl_->async_done.wait(lock, [&] { return impl_->async_stores == 0; });
}

}  // namespace kura
