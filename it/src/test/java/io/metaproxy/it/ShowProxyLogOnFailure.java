package io.metaproxy.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the end of every running proxy's log when a test fails, so that a CI failure shows what the proxy said.
 * Register with {@code @ExtendWith(ShowProxyLogOnFailure.class)}.
 */
public final class ShowProxyLogOnFailure implements TestWatcher {
  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    for (ProxyProcess proxy : ProxyProcess.running()) {
      System.err.println("[" + context.getDisplayName() + " failed] proxy output:\n" + proxy.logTail(150));
    }
  }
}
