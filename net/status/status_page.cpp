// The HTML of the standalone node's status page.
#include "net/status/status_page.hpp"

#include "net/status/page_html.hpp"

namespace kura::status {

std::string status_page(const server_status& server, const std::vector<index_status>& indexes, const activity& recent) {
  std::string page = html::page_start(server, "kura node", 10);
  page += html::data_state(server);
  page += "<h2>Indexes</h2>\n" + html::index_table(indexes);
  page += html::ingestion_section(recent);
  page += html::problems_section(recent);
  return page + html::page_end();
}

}  // namespace kura::status
