package io.metaproxy.api;

/** What a filter tells the chain after handling a message. */
public enum FilterStatus {
  /** Go on with the next filter. */
  CONTINUE,
  /**
   * Hold the message: the filter will later call {@link FilterContext#resume()} (to go on) or {@link
   * FilterContext#reply} (to answer), from any thread. Used for asynchronous checks such as a global rate limit.
   */
  PAUSE,
  /** The chain ends here; the filter has answered with {@link FilterContext#reply}, which returns this value. */
  STOP
}
