/**
 * The command line: {@code run}, {@code validate}, {@code reload} and {@code demo}, as {@code bin/metaproxy} exposes
 * them. Each command is a thin layer over {@link io.metaproxy.host.server.Proxy} or the admin API.
 */
package io.metaproxy.host.cli;
