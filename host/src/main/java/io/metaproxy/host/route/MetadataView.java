package io.metaproxy.host.route;

/** What matchers read: a message's key/values as they will be sent (metadata with the filters' mutations applied). */
@FunctionalInterface
public interface MetadataView {
  /** The value of {@code key}, or null when absent. */
  String get(String key);
}
