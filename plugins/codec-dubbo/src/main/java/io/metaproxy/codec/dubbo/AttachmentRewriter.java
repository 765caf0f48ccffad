package io.metaproxy.codec.dubbo;

import io.metaproxy.api.CodecException;
import io.metaproxy.api.Metadata;
import io.metaproxy.api.Mutation;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * Writes a frame's attachments map with a {@link Mutation} applied. Entries the mutation does not touch are copied as
 * their original bytes (whatever their Hessian type); a set key gets its new string value in place; a removed key is
 * left out; keys the map did not have are appended as strings.
 *
 * <p>Hessian numbers maps, lists, objects, class definitions and type names by position, and a later value may point
 * back at them. Leaving out an entry whose value introduced such a position shifts every later one, so that is done
 * only when nothing after it points back by position. Otherwise (a compound attachment value shared by reference with
 * a later attachment, which real Dubbo traffic does not produce) the entry is kept: a set key then gets its new value
 * appended after it (Dubbo reads the map into a HashMap, where the later entry wins), and a removal is not applied.
 *
 * <p>One instance per codec; reuses its entry tables. Not thread-safe.
 */
final class AttachmentRewriter implements BiConsumer<String, String> {
  private final Hessian2Scanner scanner;

  private int entryCount;
  private String[] keys = new String[16];
  private int[] entryStarts = new int[16];
  private int[] valueStarts = new int[16];
  private int[] entryEnds = new int[16];
  private boolean[] introduces = new boolean[16];
  private boolean[] refersBack = new boolean[16];
  private boolean[] droppable = new boolean[16];
  private boolean[] replacedInPlace = new boolean[16];

  /** The output of the append phase (this object is the BiConsumer given to {@link Mutation#forEach}). */
  private ByteBuf appendTo;

  /** The Metadata {@link #onlyAddsKeysNotIn} checks against (while it runs; null otherwise). */
  private Metadata checkedAgainst;

  /** Whether every key the checked mutation touches is absent from {@link #checkedAgainst}. */
  private boolean allKeysAbsent;

  AttachmentRewriter(Hessian2Scanner scanner) {
    this.scanner = scanner;
  }

  /**
   * Whether {@code mutation} only touches keys {@code metadata} does not have. For a frame whose layout is a {@link
   * FrameLayout#plainStringMap()}, those keys are not in the map either, so {@link #appendEntries} alone applies the
   * mutation (a removal of an absent key changes nothing).
   */
  boolean onlyAddsKeysNotIn(Metadata metadata, Mutation mutation) {
    checkedAgainst = metadata;
    allKeysAbsent = true;
    try {
      mutation.forEach(this);
    } finally {
      checkedAgainst = null;
    }
    return allKeysAbsent;
  }

  /** Writes the entries {@code mutation} sets as Hessian strings, key then value, in the mutation's order. */
  void appendEntries(Mutation mutation, ByteBuf out) {
    entryCount = 0;
    appendTo = out;
    try {
      mutation.forEach(this);
    } finally {
      appendTo = null;
    }
  }

  /**
   * Writes the merged map to {@code out}.
   *
   * @param frame the original frame; {@code base} is the absolute index of its first byte
   */
  void writeMergedMap(ByteBuf frame, int base, FrameLayout layout, Mutation mutation, ByteBuf out) {
    try {
      int mapHeaderEnd = layout.hasAttachments() ? scanEntries(frame, base, layout) : -1;
      if (mapHeaderEnd < 0) {
        entryCount = 0;
        out.writeByte('H');
      } else {
        out.writeBytes(frame, base + layout.attachmentsStart(), mapHeaderEnd - (base + layout.attachmentsStart()));
      }
      boolean laterRefersBack = false;
      // walk backwards once to know, for each entry, whether anything after it points back by position
      for (int i = entryCount - 1; i >= 0; i--) {
        droppable[i] = !introduces[i] || !laterRefersBack;
        laterRefersBack |= refersBack[i];
      }
      for (int i = 0; i < entryCount; i++) {
        String key = keys[i];
        replacedInPlace[i] = false;
        if (key == null || !mutation.touches(key) || !droppable[i]) {
          out.writeBytes(frame, entryStarts[i], entryEnds[i] - entryStarts[i]);
          continue;
        }
        String value = mutation.get(key);
        if (value != null) {
          out.writeBytes(frame, entryStarts[i], valueStarts[i] - entryStarts[i]);
          Hessian2Writer.writeString(out, value);
        }
        replacedInPlace[i] = true;
      }
      appendTo = out;
      mutation.forEach(this);
      out.writeByte('Z');
    } catch (CodecException e) {
      // the frame decoded before, so this is a bug rather than bad input
      throw new IllegalStateException("dubbo: cannot rescan attachments of a decoded frame: " + e.getMessage(), e);
    } finally {
      appendTo = null;
      Arrays.fill(keys, 0, entryCount, null);
      scanner.clear();
    }
  }

  /**
   * One change of the mutation: while {@link #onlyAddsKeysNotIn} runs, checks its key; otherwise appends a set key the
   * map did not have (or could not change in place).
   */
  @Override
  public void accept(String key, String value) {
    if (checkedAgainst != null) {
      allKeysAbsent &= !checkedAgainst.contains(key);
      return;
    }
    if (value == null) {
      return;
    }
    for (int i = 0; i < entryCount; i++) {
      if (replacedInPlace[i] && key.equals(keys[i])) {
        return;
      }
    }
    Hessian2Writer.writeString(appendTo, key);
    Hessian2Writer.writeString(appendTo, value);
  }

  /**
   * Records the map's entries; returns the absolute index where its entries start (after 'H' or 'M' and type), or
   * -1 when the frame holds a null instead of a map.
   */
  private int scanEntries(ByteBuf frame, int base, FrameLayout layout) throws CodecException {
    int mapStart = base + layout.attachmentsStart();
    int mapEnd = base + layout.attachmentsEnd();
    if (layout.mapUsesEarlierClasses()) {
      // instances of classes defined among the arguments: only a scan from the body's start knows their fields
      scanner.reset(frame, base + DubboProtocol.HEADER_LENGTH, mapEnd);
      while (scanner.position() < mapStart) {
        scanner.skipValue();
      }
      if (scanner.position() != mapStart) {
        throw scanner.malformed("attachments do not start where decode found them");
      }
    } else {
      scanner.reset(frame, mapStart, mapEnd, layout.classDefinitionsBefore());
    }
    entryCount = 0;
    if (scanner.peekTag() == 'N') {
      return -1;
    }
    scanner.readMapStart();
    int headerEnd = scanner.position();
    while (!scanner.atEndMarker()) {
      ensureCapacity();
      int i = entryCount;
      entryStarts[i] = scanner.position();
      int introducedBefore = scanner.introduced();
      int referencesBefore = scanner.positionalReferences();
      keys[i] = Hessian2Scanner.isStringTag(scanner.peekTag()) ? scanner.readString() : skipNonStringKey();
      valueStarts[i] = scanner.position();
      scanner.skipValue();
      entryEnds[i] = scanner.position();
      introduces[i] = scanner.introduced() != introducedBefore;
      refersBack[i] = scanner.positionalReferences() != referencesBefore;
      entryCount++;
    }
    return headerEnd;
  }

  private String skipNonStringKey() throws CodecException {
    scanner.skipValue();
    return null;
  }

  private void ensureCapacity() {
    if (entryCount < keys.length) {
      return;
    }
    int size = keys.length * 2;
    keys = Arrays.copyOf(keys, size);
    entryStarts = Arrays.copyOf(entryStarts, size);
    valueStarts = Arrays.copyOf(valueStarts, size);
    entryEnds = Arrays.copyOf(entryEnds, size);
    introduces = Arrays.copyOf(introduces, size);
    refersBack = Arrays.copyOf(refersBack, size);
    droppable = Arrays.copyOf(droppable, size);
    replacedInPlace = Arrays.copyOf(replacedInPlace, size);
  }
}
