package io.metaproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.metaproxy.demo.GreetingClient;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hot reload as users do it: edit the config file, run {@code bin/metaproxy reload}. A good file takes effect for
 * the next call on a connection that stays open; a bad one is rejected with file:line and traffic keeps flowing on
 * the old configuration.
 */
@ExtendWith({SharedBackends.class, ShowProxyLogOnFailure.class})
class ReloadIT {
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

  private static int listenerPort;
  private static ProxyProcess proxy;
  private static GreetingClient client;

  /** Everything to greet-v1. */
  private static String allToV1() {
    return listener("""
                - name: default
                  match: {}
                  route: { cluster: greet-v1 }
        """);
  }

  /** sayHello moves to greet-v2; the rest stays on greet-v1. */
  private static String helloToV2() {
    return listener("""
                - name: hello-moved
                  match: { metadata: [ { name: method, exact: sayHello } ] }
                  route: { cluster: greet-v2 }
                - name: default
                  match: {}
                  route: { cluster: greet-v1 }
        """);
  }

  private static String listener(String routes) {
    return """
        listeners:
          - name: dubbo-in
            address: 127.0.0.1:%d
            protocol: dubbo
            route_config:
              routes:
        """.formatted(listenerPort) + routes + SharedBackends.clustersYaml();
  }

  @BeforeAll
  static void startProxyAndConsumer() {
    listenerPort = FreePorts.next();
    proxy = ProxyProcess.start("ReloadIT", allToV1());
    client = GreetingClient.connect("127.0.0.1", listenerPort, Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    try {
      if (client != null) {
        client.close();
      }
      if (proxy != null) {
        proxy.assertNoLeaksReported();
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
    }
  }

  /** Each test starts from the all-to-greet-v1 config, whatever the test before left. */
  @BeforeEach
  void resetConfig() {
    proxy.rewriteConfig(allToV1());
    Cli.Result reload = Cli.run(CLI_TIMEOUT, "reload", "--config", proxy.configFile().toString());
    assertThat(reload.exitCode()).as("%s", reload).isZero();
    assertThat(servedBy()).isEqualTo("greet-v1");
  }

  @Test
  void newRouteTakesEffectForTheNextCallOnAnOpenConnection() {
    assertThat(servedBy()).isEqualTo("greet-v1");

    proxy.rewriteConfig(helloToV2());
    Cli.Result reload = Cli.run(CLI_TIMEOUT, "reload", "--config", proxy.configFile().toString());
    assertThat(reload.exitCode()).as("%s", reload).isZero();

    // the same consumer, on the connection it has had since the class started: no retries, so a dropped
    // connection would fail this call
    assertThat(servedBy()).isEqualTo("greet-v2");
    assertThat(client.call(Map.of(), s -> s.sayGoodbye("x")).greeting().getServedBy()).isEqualTo("greet-v1");
  }

  @Test
  void invalidFileIsRejectedWithFileAndLineAndTrafficKeepsFlowing() throws Exception {
    String valid = Dist.header(proxy.adminPort()) + helloToV2();
    // a duration nobody can parse, on a line we know
    String invalid = valid.replace("route: { cluster: greet-v2 }", "route: { cluster: greet-v2, timeout: soon }");
    assertThat(invalid).isNotEqualTo(valid);
    int badLine = lineOf(invalid, "timeout: soon");
    proxy.writeConfig(invalid);

    // reload --config reads the file first (for the admin address) and refuses it there
    Cli.Result byFile = Cli.run(CLI_TIMEOUT, "reload", "--config", proxy.configFile().toString());
    assertThat(byFile.exitCode()).as("%s", byFile).isNotZero();
    assertThat(byFile.output()).contains(proxy.configFile() + ":" + badLine + ":");

    // reload --admin goes straight to the proxy, which reads the same file and refuses it too
    Cli.Result byAdmin = Cli.run(CLI_TIMEOUT, "reload", "--admin", "127.0.0.1:" + proxy.adminPort());
    assertThat(byAdmin.exitCode()).as("%s", byAdmin).isNotZero();
    assertThat(byAdmin.output()).containsPattern(Pattern.quote(proxy.configFile().getFileName().toString()) + ":"
        + badLine + ":");

    // the old configuration (everything to greet-v1) still serves, on the open connection and on a new one
    assertThat(servedBy()).isEqualTo("greet-v1");
    try (GreetingClient another = GreetingClient.connect("127.0.0.1", listenerPort, Duration.ofSeconds(10))) {
      assertThat(another.call(Map.of(), s -> s.sayHello("y")).greeting().getServedBy()).isEqualTo("greet-v1");
    }
    assertThat(proxy.admin("/ready").statusCode()).isEqualTo(200);
  }

  private static String servedBy() {
    return client.call(Map.of(), s -> s.sayHello("x")).greeting().getServedBy();
  }

  /** The 1-based line of the first occurrence of {@code text}. */
  static int lineOf(String document, String text) {
    Matcher matcher = Pattern.compile(Pattern.quote(text)).matcher(document);
    assertThat(matcher.find()).as("'%s' in the document", text).isTrue();
    return 1 + (int) document.substring(0, matcher.start()).chars().filter(c -> c == '\n').count();
  }
}
