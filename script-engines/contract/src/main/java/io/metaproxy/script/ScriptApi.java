package io.metaproxy.script;

import io.metaproxy.api.FilterContext;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

/**
 * The names of the operations scripts call on {@code ctx}: exactly the methods of {@link FilterContext}, read by
 * reflection so this is the one list there is. The contract test checks every engine against it, so a method added
 * to FilterContext fails the build until every engine binds it under the same name.
 */
public final class ScriptApi {
  /** The operation names, sorted. */
  public static final List<String> OPERATIONS =
      Arrays.stream(FilterContext.class.getMethods())
          .filter(method -> !Modifier.isStatic(method.getModifiers()))
          .map(Method::getName)
          .distinct()
          .sorted()
          .toList();

  private ScriptApi() {}
}
