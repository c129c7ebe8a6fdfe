package io.costgen.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The store's Lua scripts (resources next to this class), each {@code common.lua} followed by the
 * operation, with the SHA-1 digest {@code EVALSHA} needs. Immutable.
 */
final class LuaScripts {

  /** One script: its name, full text and SHA-1 (lower-case hex). */
  record Script(String name, String text, String sha) {}

  final Script reserve;
  final Script settle;
  final Script release;
  final Script totals;
  final Script alert;
  final Script sweep;

  private LuaScripts(String common) {
    reserve = script(common, "reserve");
    settle = script(common, "settle");
    release = script(common, "release");
    totals = script(common, "totals");
    alert = script(common, "alert");
    sweep = script(common, "sweep");
  }

  static LuaScripts load() {
    return new LuaScripts(resource("common"));
  }

  private static Script script(String common, String name) {
    String text = common + "\n" + resource(name);
    try {
      byte[] d = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return new Script(name, text, HexFormat.of().formatHex(d));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 unavailable", e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = LuaScripts.class.getResourceAsStream(name + ".lua")) {
      if (in == null) {
        throw new IllegalStateException("missing resource io/costgen/redis/" + name + ".lua");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
