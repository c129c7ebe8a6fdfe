package io.costgen.core.vt;

import java.lang.reflect.Method;

/** Starts virtual threads through reflection: the tests compile for Java 17 and run this on 21+. */
public final class VirtualThreadStarter {
  private VirtualThreadStarter() {}

  /** {@code Thread.ofVirtual().name(name).start(task)}. */
  public static Thread start(String name, Runnable task) {
    try {
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
      builder = ofVirtual.getMethod("name", String.class).invoke(builder, name);
      Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
      return (Thread) start.invoke(builder, task);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("virtual threads need Java 21+; this is Java " + Runtime.version(), e);
    }
  }
}
