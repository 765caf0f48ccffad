package io.metaproxy.bench.setup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code metaproxy-config}: writes the metaproxy configuration of one scenario: one listener speaking the protocol, an
 * optional filter chain, one catch-all route to one cluster (the echo backend).
 */
@Command(name = "metaproxy-config", mixinStandardHelpOptions = true,
    description = "Write the metaproxy YAML for a benchmark scenario (router only, or a filter chain before it).")
public final class MetaproxyConfigCommand implements Callable<Integer> {
  @Option(names = "--listen", required = true, description = "Listener address, host:port.")
  String listen;

  @Option(names = "--backend", required = true, description = "Echo backend, host:port.")
  String backend;

  @Option(names = "--admin", required = true, description = "Admin address, host:port.")
  String admin;

  @Option(names = "--protocol", defaultValue = "dubbo", description = "Codec name (default: ${DEFAULT-VALUE}).")
  String protocol;

  @Option(names = "--dist", required = true, description = "The distribution folder: plugins live in its plugins/.")
  Path dist;

  @Option(names = "--chain", description = "Filter-chain file; without it the listener has only the router.")
  Path chain;

  @Option(names = "--out", required = true, description = "Where to write the YAML.")
  Path out;

  @Option(names = "--attachments-out",
      description = "Write the chain's request_attachments here, one key=value a line, for `load --attachment`.")
  Path attachmentsOut;

  @Override
  public Integer call() throws IOException {
    FilterChain filters = chain == null ? null : FilterChain.load(chain, dist);
    String yaml = render(protocol, listen, backend, admin, dist.toAbsolutePath().resolve("plugins"),
        filters == null ? List.of() : filters.used());
    Files.writeString(out, yaml, StandardCharsets.UTF_8);
    if (filters != null) {
      filters.notes().forEach(note -> System.out.println("metaproxy-config: " + note));
    }
    if (attachmentsOut != null) {
      StringBuilder lines = new StringBuilder();
      if (filters != null) {
        filters.requestAttachments().forEach((key, value) -> lines.append(key).append('=').append(value).append('\n'));
      }
      Files.writeString(attachmentsOut, lines, StandardCharsets.UTF_8);
    }
    return 0;
  }

  static String render(String protocol, String listen, String backend, String admin, Path plugins,
      List<FilterChain.Filter> filters) {
    Dump flow = new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.FLOW).setWidth(1000).build());
    StringBuilder yaml = new StringBuilder();
    yaml.append("# written by bench/run (metaproxy-bench metaproxy-config); regenerated on every run\n");
    yaml.append("admin: { address: ").append(admin).append(" }\n");
    yaml.append("plugins: { dir: ").append(quote(plugins.toString())).append(" }\n");
    yaml.append("listeners:\n");
    yaml.append("  - name: bench\n");
    yaml.append("    address: ").append(listen).append('\n');
    yaml.append("    protocol: ").append(protocol).append('\n');
    if (!filters.isEmpty()) {
      yaml.append("    filters:\n");
      for (FilterChain.Filter filter : filters) {
        yaml.append("      - name: ").append(filter.name()).append('\n');
        if (!filter.config().isEmpty()) {
          yaml.append("        config: ").append(flow.dumpToString(filter.config()).trim()).append('\n');
        }
      }
      yaml.append("      - name: router\n");
    }
    yaml.append("    route_config:\n");
    yaml.append("      name: bench\n");
    yaml.append("      routes:\n");
    yaml.append("        - name: all\n");
    yaml.append("          match: {}\n");
    yaml.append("          route: { cluster: echo }\n");
    yaml.append("clusters:\n");
    yaml.append("  - name: echo\n");
    yaml.append("    endpoints: [ ").append(backend).append(" ]\n");
    return yaml.toString();
  }

  private static String quote(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
