package io.metaproxy.demo;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What every {@link GreetingService} method returns: the text, the backend that produced it, and the request
 * attachments that backend saw (only the {@code x-} ones: Dubbo adds its own, such as {@code path} and {@code
 * timeout}, which say nothing about the proxy).
 */
public class Greeting implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  private String message;
  private String servedBy;
  private Map<String, String> attachmentsSeen = new TreeMap<>();

  /** For Hessian2. */
  public Greeting() {}

  public Greeting(String message, String servedBy, Map<String, String> attachmentsSeen) {
    this.message = message;
    this.servedBy = servedBy;
    this.attachmentsSeen = new TreeMap<>(attachmentsSeen);
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  /** The name of the backend that answered, e.g. {@code greet-v1}. */
  public String getServedBy() {
    return servedBy;
  }

  public void setServedBy(String servedBy) {
    this.servedBy = servedBy;
  }

  /** The {@code x-} request attachments the backend received, sorted by key. */
  public Map<String, String> getAttachmentsSeen() {
    return attachmentsSeen;
  }

  public void setAttachmentsSeen(Map<String, String> attachmentsSeen) {
    this.attachmentsSeen = attachmentsSeen;
  }

  @Override
  public String toString() {
    return message + " [" + servedBy + ", saw " + attachmentsSeen + "]";
  }
}
