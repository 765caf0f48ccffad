package io.metaproxy.filter.example;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.Filter;
import io.metaproxy.api.FilterContext;
import io.metaproxy.api.FilterStatus;
import java.util.Set;

/**
 * Lets a request through only when its {@code header} metadata key holds an accepted token; answers every other
 * request with {@link ErrorType#UNAUTHORIZED}.
 *
 * <p>On success the token's label (or {@code ok} for an unlabelled token) is stored as the per-request state {@value
 * #USER_STATE}, for later filters and the response path, and sent upstream as {@value #USER_KEY}, replacing
 * whatever the client put there. The token itself is removed from the request unless {@code strip: false}, so the
 * secret does not reach the backend.
 *
 * <p>Immutable, so one instance could serve every event loop; the host makes one per loop anyway. The request path
 * allocates one byte array (the presented token's bytes, which {@link java.security.MessageDigest#isEqual} needs);
 * the reply messages are built once, here.
 */
final class HeaderAuthFilter implements Filter {
  /** The per-request state key holding the authenticated user's label. */
  static final String USER_STATE = "auth.user";

  /** The request key the label is sent upstream as. */
  static final String USER_KEY = "x-auth-user";

  /** The metadata key {@code methods} is matched against; every bundled codec fills it. */
  static final String METHOD_KEY = "method";

  static final String ALLOWED_METRIC = "auth_allowed";
  static final String DENIED_METRIC = "auth_denied";

  private final String header;
  private final TokenTable tokens;
  private final Set<String> methods;
  private final boolean strip;
  private final String missingMessage;
  private final String rejectedMessage;

  HeaderAuthFilter(HeaderAuthSettings settings) {
    this.header = settings.header();
    this.tokens = settings.tokens();
    this.methods = settings.methods();
    this.strip = settings.strip();
    // Name the header so a client developer knows what to send, never the token: replies end up in client logs.
    String custom = settings.onFailMessage();
    this.missingMessage = custom != null ? custom : "unauthorized: the request has no '" + header + "'";
    this.rejectedMessage = custom != null ? custom : "unauthorized: '" + header + "' holds no accepted token";
  }

  @Override
  public FilterStatus onRequest(FilterContext context) {
    if (!isChecked(context)) {
      // Not ours to check, but neither the secret nor a forged identity may travel upstream.
      scrub(context);
      return FilterStatus.CONTINUE;
    }
    String presented = context.get(header);
    if (presented == null) {
      context.count(DENIED_METRIC, 1);
      return context.reply(ErrorType.UNAUTHORIZED, missingMessage);
    }
    String user = tokens.labelOf(presented);
    if (user == null) {
      context.count(DENIED_METRIC, 1);
      return context.reply(ErrorType.UNAUTHORIZED, rejectedMessage);
    }
    if (strip) {
      context.remove(header);
    }
    context.set(USER_KEY, user);
    context.setState(USER_STATE, user);
    context.count(ALLOWED_METRIC, 1);
    return FilterStatus.CONTINUE;
  }

  private boolean isChecked(FilterContext context) {
    if (methods == null) {
      return true;
    }
    String method = context.get(METHOD_KEY);
    // Set.copyOf's contains(null) throws; a request without a method is not in the list.
    return method != null && methods.contains(method);
  }

  /** Removes the token and a client-supplied user name, touching the Mutation only when they are present. */
  private void scrub(FilterContext context) {
    if (strip && context.get(header) != null) {
      context.remove(header);
    }
    if (context.get(USER_KEY) != null) {
      context.remove(USER_KEY);
    }
  }

  @Override
  public String toString() {
    return "header_auth{header=" + header + ", tokens=" + tokens.size() + ", methods=" + methods + ", strip=" + strip
        + "}";
  }
}
