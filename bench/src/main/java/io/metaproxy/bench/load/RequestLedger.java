package io.metaproxy.bench.load;

/**
 * The sending discipline and bookkeeping of one connection, apart from any I/O so that it can be driven by a virtual
 * clock in tests: which requests are due, their ids and intended times, and what their responses mean.
 *
 * <p>Closed loop keeps {@code depth} requests in flight. Open loop sends every request of its {@link OpenLoopSchedule}
 * once its intended time has come, as long as fewer than {@code maxInFlight} are outstanding; requests held back by
 * that cap are sent later with their original intended time, so their wait is measured.
 */
final class RequestLedger {
  /** Writes one request with the given id; flushing is the caller's business. */
  interface Wire {
    void send(long requestId);
  }

  enum Mode { IDLE, CLOSED, OPEN }

  private final InFlightTable table;
  private final int maxInFlight;
  private final LoopStats stats;
  private Mode mode = Mode.IDLE;
  private int depth;
  private OpenLoopSchedule schedule;
  private long nextId = 1;

  RequestLedger(int maxInFlight, LoopStats stats) {
    this.table = new InFlightTable(maxInFlight);
    this.maxInFlight = maxInFlight;
    this.stats = stats;
  }

  Mode mode() {
    return mode;
  }

  void startClosed(int depth) {
    this.mode = Mode.CLOSED;
    this.depth = Math.min(depth, maxInFlight);
    this.schedule = null;
  }

  void startOpen(OpenLoopSchedule schedule) {
    this.mode = Mode.OPEN;
    this.schedule = schedule;
  }

  /**
   * Closed loop stops sending; requests in flight may still be answered. Open loop needs no stop: its schedule ends by
   * itself, and its backlog is still sent while the step drains.
   */
  void stopClosed() {
    if (mode == Mode.CLOSED) {
      mode = Mode.IDLE;
    }
  }

  /** Sends what is due at {@code now}; returns how many requests went out. */
  int sendDue(long now, Wire wire) {
    int sent = 0;
    if (mode == Mode.OPEN) {
      while (table.size() < maxInFlight && schedule.due(now)) {
        dispatch(schedule.take(), now, wire);
        sent++;
      }
    } else if (mode == Mode.CLOSED) {
      while (table.size() < depth) {
        dispatch(now, now, wire);
        sent++;
      }
    }
    return sent;
  }

  /** Whether a timer should call {@link #sendDue} at {@link #nextDue()}: open loop, schedule left, not capped. */
  boolean wantsTimer() {
    return mode == Mode.OPEN && !schedule.finished() && table.size() < maxInFlight;
  }

  /** The next intended send time; valid when {@link #wantsTimer()}. */
  long nextDue() {
    return schedule.peek();
  }

  private void dispatch(long intended, long now, Wire wire) {
    long id = nextId++;
    if (table.put(id, intended, now)) {
      stats.timeouts++;
    }
    stats.sent++;
    wire.send(id);
  }

  /** Accounts a response with {@code requestId} that arrived at {@code now}. */
  void onResponse(long requestId, boolean ok, long now) {
    int slot = table.find(requestId);
    if (slot < 0) {
      stats.unexpected++;
      return;
    }
    long intended = table.intendedAt(slot);
    long sent = table.sentAt(slot);
    table.free(slot);
    if (ok) {
      stats.recordOk(now - intended, now - sent);
    } else {
      stats.errors++;
    }
  }

  /** Gives up on requests sent more than {@code timeoutNanos} before {@code now}. */
  void expire(long now, long timeoutNanos) {
    stats.timeouts += table.expireSentBefore(now - timeoutNanos);
  }

  /** Requests in flight plus, in open loop, those still to send. */
  long outstanding() {
    return table.size() + (mode == Mode.OPEN ? schedule.remaining() : 0);
  }

  int inFlight() {
    return table.size();
  }

  /** Ends the step: whatever is outstanding counts as timed out. */
  void abandon() {
    stats.timeouts += outstanding();
    reset();
  }

  /** The connection died: what was outstanding is lost with it. */
  void connectionLost() {
    stats.connectionErrors += 1 + outstanding();
    reset();
  }

  private void reset() {
    table.clear();
    schedule = null;
    mode = Mode.IDLE;
  }
}
