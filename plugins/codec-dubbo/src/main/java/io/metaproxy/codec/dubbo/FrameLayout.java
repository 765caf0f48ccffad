package io.metaproxy.codec.dubbo;

/**
 * Where the parts of a decoded request or response body lie, so that {@link DubboCodec#encode} can copy everything
 * before the attachments map verbatim and rewrite only the map, without parsing the frame again. Stored in {@code
 * Metadata.codecState()}; offsets are relative to the first byte of the frame. Immutable.
 *
 * @param attachmentsStart where the attachments map starts (for a response without attachments: where it would go,
 *     the end of the body)
 * @param attachmentsEnd where the map ends; bytes after it (Dubbo writes none) are copied as they are
 * @param classDefinitionsBefore how many Hessian class definitions precede the map, so the map can be scanned alone
 * @param mapUsesEarlierClasses whether an object in the map is an instance of a class defined before it, in which case
 *     only a scan from the start of the body can skip it
 * @param responseFlag the response's body flag (RESPONSE_VALUE, ...), or {@link #REQUEST} for a request
 * @param responseValueStart where the value after the response flag starts (responses only)
 * @param plainStringMap whether the frame has an attachments map whose every entry is a string key with a string
 *     value, each of them in the Metadata decode filled: then a key the Metadata lacks is not in the map, and a
 *     mutation that only adds such keys can append them without scanning the map again
 */
record FrameLayout(
    int attachmentsStart,
    int attachmentsEnd,
    int classDefinitionsBefore,
    boolean mapUsesEarlierClasses,
    int responseFlag,
    int responseValueStart,
    boolean plainStringMap) {

  /** The {@link #responseFlag} of a request. */
  static final int REQUEST = -1;

  boolean isRequest() {
    return responseFlag == REQUEST;
  }

  /** Whether the frame carries an attachments map (every request and the *_WITH_ATTACHMENTS responses). */
  boolean hasAttachments() {
    return isRequest() || DubboProtocol.hasAttachments(responseFlag);
  }
}
