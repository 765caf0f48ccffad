/**
 * The Java filter author's worked example: {@code header_auth}, a header-based authorization filter shipped as a
 * PF4J plugin. {@link io.metaproxy.filter.example.HeaderAuthFilterFactory} is what the plugin publishes; it validates
 * the settings ({@code HeaderAuthSettings}) and makes one immutable {@code HeaderAuthFilter} per event loop. The
 * module's README.md walks through writing, testing, packaging and deploying a filter like it.
 */
package io.metaproxy.filter.example;
