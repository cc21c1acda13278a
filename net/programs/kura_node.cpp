// kura-node: one node process, configured by a TOML file (product.md §1).
//   kura-node --config FILE.toml --check    validate the configuration and exit
// Exit codes: 0 valid, 2 invalid (the message is on stderr).
// Serving (actors, HEC, search API, admin port) is being built (issue 4).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "config/node_config.hpp"

int main(int argc, char** argv) {
  CLI::App app{"kura-node: a node of the kura log store"};
  std::string config_file;
  bool check = false;
  app.add_option("--config", config_file, "the node's TOML configuration file")->required();
  app.add_flag("--check", check, "validate the configuration and exit (0 valid, 2 invalid)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  auto cfg = kura::config::load_node_config(config_file);
  if (!cfg) {
    std::fprintf(stderr, "error: %s\n", cfg.err().message().c_str());
    return 2;
  }
  if (check) {
    std::printf("config OK: %s (node %s, role %s, home %s, %zu indexes configured, %zu sourcetypes)\n",
                config_file.c_str(), cfg->node.name.c_str(), kura::config::to_string(cfg->node.role),
                cfg->node.home.c_str(), cfg->indexes.size(), cfg->sourcetypes.size());
    return 0;
  }
  std::fprintf(stderr, "error: serving is not built yet (issue 4); only --check works in this version\n");
  return 2;
}
