package io.metaproxy.script.testing;

import io.metaproxy.api.ErrorType;
import io.metaproxy.api.FilterContext;
import io.metaproxy.api.FilterStatus;
import io.metaproxy.api.MessageType;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory {@link FilterContext} that records what a filter did: the Mutation, replies, routeTo, resume, log lines
 * and counters. Reads see the writes, as the host's context does. {@link #response()} makes the response-side
 * context of the same request, sharing its per-request state.
 */
public final class RecordingFilterContext implements FilterContext {
  /** A {@link #reply} call. */
  public record Reply(ErrorType error, String message) {}

  /** A {@link #log} call. */
  public record LogLine(String level, String message) {}

  /** What {@link #now()} returns. */
  public static final long NOW = 1_700_000_000_123L;

  private final Metadata metadata = new Metadata();
  private final Mutation mutation = new Mutation();
  private final Map<String, String> state;
  private String operation = "org.example.Greeter/sayHello";
  private String peerAddress = "127.0.0.1:50123";
  private String listener = "test-in";
  private String route = "default";
  private String cluster = "greet-v1";
  private String routedTo;
  private int resumes;
  private final List<Reply> replies = new ArrayList<>();
  private final List<LogLine> logs = new ArrayList<>();
  private final Map<String, Long> counters = new LinkedHashMap<>();
  /** Log lines kept; a runaway script's further lines are counted only. */
  private static final int MAX_LOGS = 10_000;

  private int logsWhileInterrupted;
  /** The key instances passed to get, set and remove, in call order (for checks by reference). */
  private final List<String> keysPassed = new ArrayList<>();

  private RecordingFilterContext(MessageType type, long requestId, Map<String, String> state) {
    metadata.setMessageType(type);
    metadata.setRequestId(requestId);
    this.state = state;
  }

  /** A request context: id 42, operation {@code org.example.Greeter/sayHello}, route default, cluster greet-v1. */
  public static RecordingFilterContext request() {
    return new RecordingFilterContext(MessageType.REQUEST, 42, new HashMap<>());
  }

  /** The response to this request: same id, listener, route and cluster; its own (empty) metadata; shared state. */
  public RecordingFilterContext response() {
    RecordingFilterContext response = new RecordingFilterContext(MessageType.RESPONSE, requestId(), state);
    response.operation = null;
    response.peerAddress = peerAddress;
    response.listener = listener;
    response.route = route;
    response.cluster = cluster();
    return response;
  }

  // ---- set-up -------------------------------------------------------------------------------------------------

  /** Adds a key/value to the message as decoded. */
  public RecordingFilterContext with(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  public RecordingFilterContext messageType(MessageType type) {
    metadata.setMessageType(type);
    return this;
  }

  public RecordingFilterContext requestId(long id) {
    metadata.setRequestId(id);
    return this;
  }

  public RecordingFilterContext operation(String operation) {
    this.operation = operation;
    return this;
  }

  public RecordingFilterContext route(String route) {
    this.route = route;
    return this;
  }

  public RecordingFilterContext cluster(String cluster) {
    this.cluster = cluster;
    return this;
  }

  // ---- what the filter did ------------------------------------------------------------------------------------

  public Mutation mutation() {
    return mutation;
  }

  public List<Reply> replies() {
    return replies;
  }

  public String routedTo() {
    return routedTo;
  }

  public int resumes() {
    return resumes;
  }

  public List<LogLine> logs() {
    return logs;
  }

  public Map<String, Long> counters() {
    return counters;
  }

  /** How many log calls ended with their thread interrupted (a budget watchdog's interrupt reaching host code). */
  public int logsWhileInterrupted() {
    return logsWhileInterrupted;
  }

  /** The key arguments of every get, set and remove so far, as the very instances the filter passed. */
  public List<String> keysPassed() {
    return keysPassed;
  }

  public Map<String, String> stateMap() {
    return state;
  }

  // ---- FilterContext ------------------------------------------------------------------------------------------

  @Override
  public String get(String key) {
    keysPassed.add(key);
    return valueOf(key);
  }

  private String valueOf(String key) {
    return mutation.touches(key) ? mutation.get(key) : metadata.get(key);
  }

  @Override
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (String key : metadata.keys()) {
      if (valueOf(key) != null) {
        keys.add(key);
      }
    }
    mutation.forEach(
        (key, value) -> {
          if (value != null && !metadata.contains(key)) {
            keys.add(key);
          }
        });
    return keys;
  }

  @Override
  public MessageType messageType() {
    return metadata.messageType();
  }

  @Override
  public long requestId() {
    return metadata.requestId();
  }

  @Override
  public String operation() {
    return operation;
  }

  @Override
  public String peerAddress() {
    return peerAddress;
  }

  @Override
  public String listener() {
    return listener;
  }

  @Override
  public String route() {
    return route;
  }

  @Override
  public String cluster() {
    return routedTo != null ? routedTo : cluster;
  }

  @Override
  public void set(String key, String value) {
    keysPassed.add(key);
    mutation.set(key, value);
  }

  @Override
  public void remove(String key) {
    keysPassed.add(key);
    mutation.remove(key);
  }

  @Override
  public FilterStatus reply(ErrorType error, String message) {
    replies.add(new Reply(error, message));
    return FilterStatus.STOP;
  }

  @Override
  public void routeTo(String cluster) {
    routedTo = cluster;
  }

  @Override
  public void resume() {
    resumes++;
  }

  @Override
  public String state(String key) {
    return state.get(key);
  }

  @Override
  public void setState(String key, String value) {
    state.put(key, value);
  }

  @Override
  public void log(String level, String message) {
    if (logs.size() < MAX_LOGS) {
      logs.add(new LogLine(level, message));
    }
    // checked last, to see an interrupt that arrived before or during the call: a real logger's I/O could break on it
    // (an NIO channel closes itself)
    if (Thread.currentThread().isInterrupted()) {
      logsWhileInterrupted++;
    }
  }

  @Override
  public void count(String metric, long delta) {
    counters.merge(metric, delta, Long::sum);
  }

  @Override
  public long now() {
    return NOW;
  }

  @Override
  public String toString() {
    return "RecordingFilterContext{" + metadata + " " + mutation + " replies=" + replies + " logs=" + logs + "}";
  }
}
