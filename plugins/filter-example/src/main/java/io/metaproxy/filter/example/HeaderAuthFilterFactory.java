package io.metaproxy.filter.example;

import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterConfig;
import io.metaproxy.api.FilterFactory;
import org.pf4j.Extension;

/**
 * Publishes the {@code header_auth} filter. PF4J finds it through {@code @Extension}: its annotation processor lists
 * this class in the jar's {@code META-INF/extensions.idx}. Listeners use it as {@code - name: header_auth}.
 *
 * <p>Stateless: the host calls {@link #create} once per event loop of every configuration snapshot, at start, at
 * {@code validate} and at reload, so a bad setting is reported (with the file and line it came from) before anything
 * serves with it.
 */
@Extension
public final class HeaderAuthFilterFactory implements FilterFactory {
  /** The name configuration uses. */
  public static final String NAME = "header_auth";

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Validates the settings and makes a filter. A {@code tokens_file} is read here, so editing it takes effect at the
   * next reload.
   *
   * @throws IllegalArgumentException naming the setting that is wrong; the message never contains a token
   */
  @Override
  public Filter create(FilterConfig config) {
    return new HeaderAuthFilter(HeaderAuthSettings.parse(config));
  }
}
