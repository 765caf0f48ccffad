package io.metaproxy.api;

import java.util.List;

/**
 * One message as a filter sees it: read access to its {@link Metadata}, write access to its {@link Mutation}. Java,
 * Lua, JavaScript and WASM filters all see exactly these operations (scripts call them by the same names, with error
 * types and log levels as lower-case strings).
 *
 * <p>On the request path the context describes the request; on the response path, the response (its Metadata and
 * Mutation), while {@link #state} still holds what request filters stored. Reads see the filters' own writes: {@link
 * #get} returns a value an earlier filter {@link #set}, and null for a key it removed, so route matching, which runs
 * after the filters, matches on what will be sent.
 *
 * <p>Methods are called on the message's event loop, except {@link #resume()} and {@link #reply}, which a paused
 * filter may call from any thread.
 */
public interface FilterContext {

  // ---- read -------------------------------------------------------------------------------------------------------

  /** The value of {@code key} after this message's mutations so far, or null. */
  String get(String key);

  /** The keys present after this message's mutations so far, in order. */
  List<String> keys();

  /** The kind of message this context describes now. */
  MessageType messageType();

  /** The request id as the client sent it. */
  long requestId();

  /** The call's name for people, e.g. {@code org.example.GreetingService/sayHello}; null when the codec has none. */
  String operation();

  /** The client's address as {@code host:port}. */
  String peerAddress();

  /** The listener's name. */
  String listener();

  /**
   * The name of the route the request matches. On the request path it is computed on first use from the
   * current metadata; null when no route matches.
   */
  String route();

  /** The cluster the request goes (or went) to: the route's choice or a {@link #routeTo} override; null if none. */
  String cluster();

  // ---- write ------------------------------------------------------------------------------------------------------

  /** Sets {@code key} to {@code value} in the message written out. */
  void set(String key, String value);

  /** Removes {@code key} from the message written out. */
  void remove(String key);

  /**
   * Ends the chain and answers the client with the protocol's error reply for {@code error} and {@code message}; on
   * the response path the error replaces the upstream's response. Response filters before this one still run.
   *
   * @return {@link FilterStatus#STOP}, for {@code return context.reply(...)}
   */
  FilterStatus reply(ErrorType error, String message);

  /** Sends the request to {@code cluster} instead of the route's choice (request path only). */
  void routeTo(String cluster);

  /** Continues the chain after this filter returned {@link FilterStatus#PAUSE}. Call once; any thread. */
  void resume();

  // ---- per request ------------------------------------------------------------------------------------------------

  /** A value stored for this request with {@link #setState}, or null. */
  String state(String key);

  /** Stores a value for this request, visible to every filter on the request and response paths. */
  void setState(String key, String value);

  // ---- utilities --------------------------------------------------------------------------------------------------

  /**
   * Logs {@code message} with the filter's name and the request id.
   *
   * @param level {@code debug}, {@code info}, {@code warn} or {@code error}; anything else logs at info
   */
  void log(String level, String message);

  /** Adds {@code delta} to the counter {@code metric}, exported on {@code /stats/prometheus} per listener. */
  void count(String metric, long delta);

  /** Wall-clock time in milliseconds since the epoch. */
  long now();
}
