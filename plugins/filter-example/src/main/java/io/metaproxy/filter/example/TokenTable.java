package io.metaproxy.filter.example;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The accepted tokens and the label of each, compared in constant time. Immutable after construction; the arrays
 * never leave this class.
 */
final class TokenTable {
  /** The label of a token configured without one. */
  static final String UNLABELLED = "ok";

  private final byte[][] secrets;
  private final String[] labels;

  /** @param secrets UTF-8 bytes of each token, none empty, no two equal; {@code labels} index-aligned */
  TokenTable(byte[][] secrets, String[] labels) {
    if (secrets.length == 0 || secrets.length != labels.length) {
      throw new IllegalArgumentException("tokens and labels must be non-empty and aligned");
    }
    this.secrets = secrets.clone();
    this.labels = labels.clone();
  }

  /**
   * The label of the token {@code presented}, or null when it is none of them.
   *
   * <p>Every token is compared, with {@link MessageDigest#isEqual}, whose time depends only on the length of its
   * first argument: the presented token, which the caller already knows. So the time taken tells an attacker neither
   * how much of a token was right nor which token matched.
   */
  String labelOf(String presented) {
    byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
    String label = null;
    for (int i = 0; i < secrets.length; i++) {
      if (MessageDigest.isEqual(candidate, secrets[i])) {
        label = labels[i]; // tokens are distinct: at most one matches; keep looping anyway
      }
    }
    return label;
  }

  int size() {
    return secrets.length;
  }

  /** Never the tokens: this may be logged. */
  @Override
  public String toString() {
    return "TokenTable{" + secrets.length + " tokens}";
  }
}
