// The generated Apache combined access-log workload.
#include "apache_events.hpp"

#include <cstdio>
#include <iterator>
#include <random>

namespace kura::bench {

apache_events::apache_events(size_t count) {
  static const char* methods[] = {"GET", "GET", "GET", "GET", "GET", "POST", "GET", "HEAD"};
  static const char* paths[] = {"/",
                                "/index.html",
                                "/static/css/site.css",
                                "/static/js/app.min.js",
                                "/static/js/vendor.js",
                                "/images/logo.png",
                                "/images/banner.jpg",
                                "/favicon.ico",
                                "/robots.txt",
                                "/login",
                                "/logout",
                                "/api/v2/orders",
                                "/api/v2/users/profile",
                                "/api/v2/inventory/items",
                                "/api/v2/cart",
                                "/products/list",
                                "/products/detail",
                                "/cart/checkout",
                                "/cart/add",
                                "/search",
                                "/docs/getting-started",
                                "/docs/api",
                                "/blog/2026/11/release-notes",
                                "/blog/archive",
                                "/account/settings",
                                "/account/orders",
                                "/help/faq",
                                "/contact",
                                "/about",
                                "/careers",
                                "/wp-login.php",
                                "/.env",
                                "/admin",
                                "/feed.xml",
                                "/sitemap.xml",
                                "/news",
                                "/deals",
                                "/category/shoes",
                                "/category/books",
                                "/category/garden"};
  static const char* agents[] = {
      "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) Safari/605.1.15",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148",
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/130.0 Mobile",
      "curl/8.5.0",
      "python-requests/2.31.0",
      "Googlebot/2.1"};
  static const char* referers[] = {"-",
                                   "-",
                                   "-",
                                   "-",
                                   "-",
                                   "https://www.example.com/",
                                   "https://www.google.com/",
                                   "https://www.example.com/products/list"};
  static const int statuses[] = {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
                                 200, 200, 304, 304, 301, 302, 404, 404, 403, 500, 503};
  std::mt19937_64 rng{145};
  auto below = [&](size_t n) { return size_t(rng() % n); };
  lines_.reserve(count);
  events.reserve(count);
  const time_us start = 1'796'083'200'000'000;  // 2026-12-01T00:00:00Z
  char buf[640];
  for (size_t i = 0; i < count; ++i) {
    time_us t = start + time_us(i) * 1000;
    int64_t secs = (t - start) / 1'000'000;  // 1M lines span 17 minutes: no month change
    int day = 1 + int(secs / 86400), hh = int(secs / 3600 % 24), mm = int(secs / 60 % 60),
        ss = int(secs % 60);
    uint32_t client = uint32_t(below(20000));
    std::string query;
    if (below(4) == 0) query = "?id=" + std::to_string(below(100000));
    int status = statuses[below(std::size(statuses))];
    size_t bytes = status == 304 ? 0 : 200 + below(60000);
    int n = std::snprintf(
        buf, sizeof buf,
        "%u.%u.%u.%u - - [%02d/Dec/2026:%02d:%02d:%02d +0000] \"%s %s%s HTTP/1.1\" %d %zu "
        "\"%s\" \"%s\"",
        10 + client % 3, client / 256 % 256, client % 256, 1 + client / 7 % 250, day, hh, mm, ss,
        methods[below(std::size(methods))], paths[below(std::size(paths))], query.c_str(), status,
        bytes, referers[below(std::size(referers))], agents[below(std::size(agents))]);
    lines_.emplace_back(buf, size_t(n));
    raw_bytes += size_t(n) + 1;
  }
  for (size_t i = 0; i < count; ++i)
    events.push_back({start + time_us(i) * 1000,
                      "web-01",
                      "/var/log/apache2/access.log",
                      "access_combined",
                      lines_[i],
                      {}});
}

}  // namespace kura::bench
