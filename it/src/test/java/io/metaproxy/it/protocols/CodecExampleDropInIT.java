package io.metaproxy.it.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.it.Cli;
import io.metaproxy.it.Dist;
import io.metaproxy.it.FreePorts;
import io.metaproxy.it.ProxyProcess;
import io.metaproxy.it.ShowProxyLogOnFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's promise for a new codec ({@code plugins/codec-example/README.md}, "Deploy: drop the jar in,
 * reload"): a running proxy whose plugins folder lacks the example codec gets the jar copied in and a config that
 * names {@code protocol: example}; {@code bin/metaproxy reload} loads both, and example-protocol traffic is routed
 * and mutated, without a restart.
 */
@ExtendWith(ShowProxyLogOnFailure.class)
class CodecExampleDropInIT {
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
  private static final String EXAMPLE_JAR_PREFIX = "metaproxy-codec-example-";

  @Test
  void droppedInCodecServesTrafficAfterReload() throws Exception {
    Path pluginsDir = Files.createTempDirectory(
        Files.createDirectories(Path.of("target", "it-runs").toAbsolutePath()), "example-drop-in-plugins-");
    Path exampleJar = copyDistPluginsExceptExample(pluginsDir);
    int thriftPort = FreePorts.next();
    int examplePort = FreePorts.next();
    // a listener the proxy can start with: the example codec is not there yet
    String thriftOnly = """
        listeners:
          - name: thrift-in
            address: 127.0.0.1:%d
            protocol: thrift
            route_config:
              routes:
                - { name: all, match: {}, route: { cluster: thrift-nowhere } }
        """.formatted(thriftPort);
    String thriftCluster = "  - { name: thrift-nowhere, endpoints: [ 127.0.0.1:" + FreePorts.next() + " ] }\n";

    try (ExampleBackend v1 = new ExampleBackend("example-v1");
        ExampleBackend canary = new ExampleBackend("example-canary");
        ProxyProcess proxy = ProxyProcess.start("CodecExampleDropInIT", pluginsDir,
            thriftOnly + "clusters:\n" + thriftCluster)) {
      assertThat(proxy.admin("/plugins").body()).doesNotContain("codec-example");

      // the README's listener, routes and clusters (plus route names: the config requires them)
      proxy.rewriteConfig(thriftOnly + """
            - name: example-in
              address: 127.0.0.1:%d
              protocol: example
              route_config:
                name: example-routes
                routes:
                  - name: alice-to-canary
                    match: { metadata: [ { name: user, exact: alice } ] }
                    route: { cluster: example-canary }
                    request_mutation: [ { key: route, value: canary } ]
                  - name: default
                    match: {}
                    route: { cluster: example-v1 }
          clusters:
            - { name: example-v1, endpoints: [ 127.0.0.1:%d ] }
            - { name: example-canary, endpoints: [ 127.0.0.1:%d ] }
          """.formatted(examplePort, v1.port(), canary.port()) + thriftCluster);

      // without the jar, protocol example is unknown: the reload is refused
      Cli.Result refused = Cli.run(CLI_TIMEOUT, "reload", "--config", proxy.configFile().toString());
      assertThat(refused.exitCode()).as("%s", refused).isNotZero();
      assertThat(refused.output()).contains("protocol").contains("'example'");

      Files.copy(exampleJar, pluginsDir.resolve(exampleJar.getFileName()));
      Cli.Result reload = Cli.run(CLI_TIMEOUT, "reload", "--config", proxy.configFile().toString());
      assertThat(reload.exitCode()).as("%s", reload).isZero();
      assertThat(proxy.admin("/plugins").body()).contains("codec-example");

      try (ExampleClient client = new ExampleClient(examplePort)) {
        // routed on header user, with the route's request_mutation added on the way
        ExampleFrame alice = client.call(ExampleFrame.of(ExampleFrame.REQUEST, 7, Map.of("user", "alice"), "alice"));
        assertThat(alice.type()).as("%s", alice).isEqualTo(ExampleFrame.RESPONSE);
        assertThat(alice.id()).isEqualTo(7);
        assertThat(alice.headers()).containsEntry("served-by", "example-canary");
        assertThat(alice.bodyText()).isEqualTo("hello alice");
        ExampleFrame canarySaw = canary.received.poll(5, TimeUnit.SECONDS);
        assertThat(canarySaw).as("the request example-canary received").isNotNull();
        assertThat(canarySaw.headers()).containsEntry("user", "alice").containsEntry("route", "canary");

        // everyone else: the default route, unmutated
        ExampleFrame bob = client.call(ExampleFrame.of(ExampleFrame.REQUEST, 8, Map.of("user", "bob"), "bob"));
        assertThat(bob.type()).as("%s", bob).isEqualTo(ExampleFrame.RESPONSE);
        assertThat(bob.id()).isEqualTo(8);
        assertThat(bob.headers()).containsEntry("served-by", "example-v1");
        ExampleFrame v1Saw = v1.received.poll(5, TimeUnit.SECONDS);
        assertThat(v1Saw).as("the request example-v1 received").isNotNull();
        assertThat(v1Saw.headers()).containsEntry("user", "bob").doesNotContainKey("route");
      }
      assertThat(canary.received).as("nothing else reached example-canary").isEmpty();
      proxy.assertNoLeaksReported();
    }
  }

  /** Copies every plugin jar of the distribution but the example codec's, and returns the example codec's jar. */
  private static Path copyDistPluginsExceptExample(Path pluginsDir) throws IOException {
    List<Path> jars;
    try (Stream<Path> listing = Files.list(Dist.plugins())) {
      jars = listing.filter(path -> path.getFileName().toString().endsWith(".jar")).sorted().toList();
    }
    List<Path> example = jars.stream()
        .filter(path -> path.getFileName().toString().startsWith(EXAMPLE_JAR_PREFIX))
        .toList();
    assertThat(example).as("the example codec in %s", Dist.plugins()).hasSize(1);
    for (Path jar : jars) {
      if (!example.contains(jar)) {
        Files.copy(jar, pluginsDir.resolve(jar.getFileName()));
      }
    }
    return example.get(0);
  }
}
