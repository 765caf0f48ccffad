package io.metaproxy.demo;

import java.util.Map;
import java.util.TreeMap;
import org.apache.dubbo.rpc.RpcContext;

/**
 * A backend's {@link GreetingService}: answers with its own name and the {@code x-} request attachments it saw, and
 * sets response attachments so the caller can check the way back too:
 *
 * <ul>
 *   <li>{@value #BACKEND} = the backend's name, always;
 *   <li>{@value #REQUEST_ID} = the request's own {@value #REQUEST_ID}, when it has one. A caller that tags every call
 *       notices at once if a proxy ever hands it someone else's response.
 * </ul>
 */
public final class GreetingServiceImpl implements GreetingService {
  /** Response attachment naming the backend that served the call. */
  public static final String BACKEND = "x-backend";
  /** Request attachment the backend echoes back as a response attachment of the same name. */
  public static final String REQUEST_ID = "x-request-id";

  private final String backend;

  public GreetingServiceImpl(String backend) {
    this.backend = backend;
  }

  @Override
  public Greeting sayHello(String name) {
    return answer("Hello, " + name + "!");
  }

  @Override
  public Greeting sayGoodbye(String name) {
    return answer("Goodbye, " + name + ".");
  }

  @Override
  public Greeting greet(Person person) {
    String salutation =
        switch (person.getLanguage() == null ? "" : person.getLanguage()) {
          case "fr" -> "Bonjour";
          case "de" -> "Hallo";
          case "es" -> "Hola";
          default -> "Hello";
        };
    return answer(salutation + ", " + person.getName() + "!");
  }

  private Greeting answer(String message) {
    Map<String, String> seen = new TreeMap<>();
    RpcContext.getServerAttachment()
        .getObjectAttachments()
        .forEach(
            (key, value) -> {
              if (key.startsWith("x-") && value != null) {
                seen.put(key, String.valueOf(value));
              }
            });
    var response = RpcContext.getServerContext();
    response.setAttachment(BACKEND, backend);
    String requestId = seen.get(REQUEST_ID);
    if (requestId != null) {
      response.setAttachment(REQUEST_ID, requestId);
    }
    return new Greeting(message, backend, seen);
  }
}
