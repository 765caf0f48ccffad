package io.metaproxy.host.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of mistake is reported as {@code file:line: field: problem}, at the line and field where it was made.
 * Every case is a whole file, so the expected line can be counted by eye.
 */
class ConfigErrorsTest {
  private static final Path FILE = Path.of("conf/metaproxy.yaml");

  static Stream<Arguments> mistakes() {
    return Stream.of(
        mistake("unknown key in a listener, with the allowed ones", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                idel_timeout: 3s
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:5: listeners[0].idel_timeout: unknown key 'idel_timeout'; allowed keys: name, "
                + "address, protocol, idle_timeout, max_frame_size, filters, route_config, rds"),
        mistake("unknown top-level key", """
            listener: []
            """,
            "conf/metaproxy.yaml:1: listener: unknown key 'listener'; allowed keys: admin, plugins, listeners, "
                + "clusters"),
        mistake("wrong type deep in a route", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: first
                      match: {}
                      route: { cluster: c }
                    - name: second
                      match:
                        metadata:
                          - name: interface
                            exact: [ a, b ]
                      route: { cluster: c }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:14: listeners[0].route_config.routes[1].match.metadata[0].exact: must be a string"),
        mistake("a list where a mapping belongs", """
            admin: [ 127.0.0.1:9901 ]
            listeners: []
            """,
            "conf/metaproxy.yaml:1: admin: must be a mapping"),
        mistake("an integer that is text", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                max_frame_size: 8MB
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:5: listeners[0].max_frame_size: must be an integer"),
        mistake("an integer out of range", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                max_frame_size: 0
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:5: listeners[0].max_frame_size: must be between 1 and 2147483647, not 0"),
        mistake("a duration without a unit", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                idle_timeout: 30
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:5: listeners[0].idle_timeout: '30' has no unit; must be a duration like 300ms, "
                + "3s, 1m, 1h or 0"),
        mistake("a garbage duration", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match: {}
                      route: { cluster: c, timeout: 3 seconds }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:9: listeners[0].route_config.routes[0].route.timeout: '3 seconds' is not a "
                + "duration like 300ms, 3s, 1m, 1h or 0"),
        mistake("a zero connect timeout", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters:
              - name: c
                endpoints: [ 127.0.0.1:1 ]
                connect_timeout: 0
            """,
            "conf/metaproxy.yaml:9: clusters[0].connect_timeout: must be longer than 0"),
        mistake("a bad regex", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match:
                        metadata: [ { name: method, regex: "say(Hello" } ]
                      route: { cluster: c }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:9: listeners[0].route_config.routes[0].match.metadata[0].regex: invalid regex: "
                + "Unclosed group near index 9"),
        mistake("two matcher kinds", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match:
                        metadata:
                          - name: method
                            exact: sayHello
                            prefix: say
                      route: { cluster: c }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:12: listeners[0].route_config.routes[0].match.metadata[0].prefix: a matcher takes "
                + "exactly one of exact, prefix, suffix, regex, present; found both exact and prefix"),
        mistake("no matcher kind", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match:
                        metadata:
                          - { name: method, invert: true }
                      route: { cluster: c }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:10: listeners[0].route_config.routes[0].match.metadata[0]: needs one of exact, "
                + "prefix, suffix, regex, present"),
        mistake("present that is not a boolean", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match: { metadata: [ { name: x-canary, present: yes } ] }
                      route: { cluster: c }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:8: listeners[0].route_config.routes[0].match.metadata[0].present: must be a "
                + "boolean (true or false)"),
        mistake("an unknown cluster", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match: {}
                      route:
                        cluster: greet
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:10: listeners[0].route_config.routes[0].route.cluster: unknown cluster 'greet' "
                + "(defined: c)"),
        mistake("an unknown weighted cluster", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match: {}
                      route:
                        weighted_clusters:
                          - { name: c, weight: 1 }
                          - { name: d, weight: 1 }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:12: listeners[0].route_config.routes[0].route.weighted_clusters[1].name: unknown "
                + "cluster 'd' (defined: c)"),
        mistake("an unknown mirror cluster", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match: {}
                      route:
                        cluster: c
                        mirror: { cluster: shadow }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] }, { name: d, endpoints: [ 127.0.0.1:2 ] } ]
            """,
            "conf/metaproxy.yaml:11: listeners[0].route_config.routes[0].route.mirror.cluster: unknown cluster "
                + "'shadow' (defined: c, d)"),
        mistake("a route when no cluster is defined", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            """,
            "conf/metaproxy.yaml:5: listeners[0].route_config.routes[0].route.cluster: unknown cluster 'c' "
                + "(no clusters are defined)"),
        mistake("a weight of zero", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match: {}
                      route: { weighted_clusters: [ { name: c, weight: 0 } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:9: listeners[0].route_config.routes[0].route.weighted_clusters[0].weight: must be "
                + "between 1 and 2147483647, not 0"),
        mistake("both cluster and weighted_clusters", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match: {}
                      route:
                        cluster: c
                        weighted_clusters: [ { name: c, weight: 1 } ]
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:11: listeners[0].route_config.routes[0].route.weighted_clusters: set either "
                + "cluster or weighted_clusters, not both"),
        mistake("a route going nowhere", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match: {}
                      route: { timeout: 1s }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:9: listeners[0].route_config.routes[0].route: needs cluster or weighted_clusters"),
        mistake("a forgotten match", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      route: { cluster: c }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:7: listeners[0].route_config.routes[0].match: is required; write match: {} to "
                + "match every request"),
        mistake("a missing required field", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:2: listeners[0].protocol: is required"),
        mistake("a required field left empty", """
            listeners:
              - name:
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:2: listeners[0].name: must not be empty"),
        mistake("no listeners", """
            admin: { address: 127.0.0.1:9901 }
            """,
            "conf/metaproxy.yaml:1: listeners: is required"),
        mistake("no route_config", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
            """,
            "conf/metaproxy.yaml:2: listeners[0].route_config: is required"),
        mistake("rds", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                rds: { config_source: xds-server, route_config_name: dubbo-routes }
            """,
            "conf/metaproxy.yaml:5: listeners[0].rds: rds is not supported yet; write the routes inline under "
                + "route_config"),
        mistake("a duplicate listener name", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
              - name: in
                address: 127.0.0.1:20881
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:6: listeners[1].name: duplicate listener name 'in' (also at line 2)"),
        mistake("a duplicate cluster name", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters:
              - { name: c, endpoints: [ 127.0.0.1:1 ] }
              - { name: c, endpoints: [ 127.0.0.1:2 ] }
            """,
            "conf/metaproxy.yaml:8: clusters[1].name: duplicate cluster name 'c' (also at line 7)"),
        mistake("a duplicate route name", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - { name: r, match: {}, route: { cluster: c } }
                    - { name: r, match: {}, route: { cluster: c } }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:8: listeners[0].route_config.routes[1].name: duplicate route name 'r' (also at "
                + "line 7)"),
        mistake("a duplicate key", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                protocol: thrift
            """,
            "conf/metaproxy.yaml:5: listeners[0].protocol: duplicate key 'protocol'"),
        mistake("two listeners on one address", """
            listeners:
              - name: a
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
              - name: b
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:7: listeners[1].address: address 127.0.0.1:20880 is already used by listener 'a' "
                + "(line 3)"),
        mistake("a listener on a port a wildcard listener holds", """
            listeners:
              - name: a
                address: 0.0.0.0:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
              - name: b
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:7: listeners[1].address: address 127.0.0.1:20880 is already used by listener 'a' "
                + "(line 3)"),
        mistake("a listener on the admin port", """
            listeners:
              - name: a
                address: 127.0.0.1:9901
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:3: listeners[0].address: address 127.0.0.1:9901 is already used by admin (the "
                + "default)"),
        mistake("a port out of range", """
            admin: { address: 127.0.0.1:70000 }
            """,
            "conf/metaproxy.yaml:1: admin.address: port must be between 0 and 65535, not 70000"),
        mistake("an endpoint on port 0", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters:
              - name: c
                endpoints:
                  - 127.0.0.1:20881
                  - 127.0.0.1:0
            """,
            "conf/metaproxy.yaml:10: clusters[0].endpoints[1]: port must be between 1 and 65535, not 0"),
        mistake("an IPv6 address without brackets", """
            admin: { address: "::1:9901" }
            """,
            "conf/metaproxy.yaml:1: admin.address: an IPv6 host goes in brackets, as in \"[::1]:9901\", not "
                + "'::1:9901'"),
        mistake("an address without a port", """
            admin: { address: localhost }
            """,
            "conf/metaproxy.yaml:1: admin.address: must be host:port (for IPv6, \"[::1]:9901\"), not 'localhost'"),
        mistake("an lb_policy in upper case", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters:
              - name: c
                endpoints: [ 127.0.0.1:1 ]
                lb_policy: ROUND_ROBIN
            """,
            "conf/metaproxy.yaml:9: clusters[0].lb_policy: must be one of round_robin, random, least_request, "
                + "ring_hash, maglev, not 'ROUND_ROBIN'"),
        mistake("an unknown pool mode", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters:
              - name: c
                endpoints: [ 127.0.0.1:1 ]
                connection_pool: { mode: pipeline }
            """,
            "conf/metaproxy.yaml:9: clusters[0].connection_pool.mode: must be one of multiplex, ping_pong, not "
                + "'pipeline'"),
        mistake("an unknown retry condition", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match: {}
                      route:
                        cluster: c
                        retry: { attempts: 2, on: [ timeout, 5xx ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:11: listeners[0].route_config.routes[0].route.retry.on[1]: must be one of "
                + "connect_failure, reset, timeout, not '5xx'"),
        mistake("a mirror fraction above 1", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config:
                  routes:
                    - name: r
                      match: {}
                      route:
                        cluster: c
                        mirror:
                          cluster: c
                          fraction: 10%
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:13: listeners[0].route_config.routes[0].route.mirror.fraction: must be a number"),
        mistake("the router before another filter", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                filters:
                  - name: router
                  - name: lua
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:6: listeners[0].filters[0].name: the router filter must be the last one"),
        mistake("a null inside a filter config", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                filters:
                  - name: lua
                    config:
                      file: canary.lua
                      on_error:
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:9: listeners[0].filters[0].config.on_error: has no value; give it one or remove "
                + "the key"),
        mistake("a filter config that is not a mapping", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                filters:
                  - name: lua
                    config: canary.lua
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:7: listeners[0].filters[0].config: must be a mapping"),
        mistake("a self-referencing alias in a filter config", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo
                filters:
                  - name: lua
                    config: &loop { again: *loop }
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:7: listeners[0].filters[0].config.again: an alias refers to a node that contains "
                + "it"),
        mistake("one cluster behind listeners of two protocols", """
            listeners:
              - name: a
                address: 127.0.0.1:20880
                protocol: dubbo
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
              - name: b
                address: 127.0.0.1:9090
                protocol: thrift
                route_config: { routes: [ { name: r, match: {}, route: { cluster: c } } ] }
            clusters: [ { name: c, endpoints: [ 127.0.0.1:1 ] } ]
            """,
            "conf/metaproxy.yaml:9: listeners[1].route_config.routes[0].route.cluster: cluster 'c' already serves "
                + "listener 'a' (line 2), which speaks dubbo, not thrift; a cluster speaks one protocol"),
        mistake("a YAML syntax error", """
            listeners:
              - name: in
                address: 127.0.0.1:20880
                protocol: dubbo: thrift
            """,
            "conf/metaproxy.yaml:4: YAML syntax error: mapping values are not allowed here"),
        mistake("an unclosed flow list", """
            listeners:
              - name: in
                address: [ 127.0.0.1:20880
            clusters: []
            """,
            "conf/metaproxy.yaml:4: YAML syntax error: expected ',' or ']', but got : (while parsing a flow "
                + "sequence at line 3)"),
        mistake("a tab in the indentation", "listeners:\n\t- name: in\n",
            "conf/metaproxy.yaml:2: YAML syntax error: found character '\\t(TAB)' that cannot start any token. "
                + "(Do not use \\t(TAB) for indentation) (while scanning for the next token)"),
        mistake("two documents", """
            listeners: []
            ---
            clusters: []
            """,
            "conf/metaproxy.yaml:2: YAML syntax error: a config file holds one YAML document; found a second one "
                + "(---)"),
        mistake("an empty file", "# nothing yet\n",
            "conf/metaproxy.yaml:1: the configuration is empty"),
        mistake("a top level that is a list", """
            - listeners
            """,
            "conf/metaproxy.yaml:1: the top level must be a mapping (admin, plugins, listeners, clusters)"));
  }

  private static Arguments mistake(String what, String yaml, String message) {
    return Arguments.of(what, yaml, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  void reportsFileLineAndField(String what, String yaml, String expectedMessage) {
    ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, FILE));

    assertThat(error).as(what).isNotNull();
    assertThat(error.getMessage()).isEqualTo(expectedMessage);
    assertThat(error.location().file()).isEqualTo(FILE);
  }

  @Test
  void locationCarriesLineAndFieldApart() {
    String yaml = """
        listeners:
          - name: in
            address: 127.0.0.1:20880
            protocol: dubbo
            idle_timeout: soon
        """;

    ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, FILE));

    assertThat(error.location()).isEqualTo(new Location(FILE, 5, "listeners[0].idle_timeout"));
  }
}
