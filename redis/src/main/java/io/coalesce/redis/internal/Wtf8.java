package io.coalesce.redis.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a Java string in Redis key names and messages: UTF-8, except that a lone surrogate
 * (which UTF-8 cannot encode, and Java's encoder replaces with {@code '?'}) is written as the
 * three-byte sequence its code unit would have (the "WTF-8" of the web platform). Valid UTF-8 never
 * contains those sequences, so every Java string keeps a name of its own: {@code "\uD800"} and
 * {@code "?"} name two keys. A string without lone surrogates is plain UTF-8.
 */
final class Wtf8 {

  private Wtf8() {}

  static byte[] encode(String s) {
    if (!hasLoneSurrogate(s)) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        out.write(0xF0 | (cp >> 18));
        out.write(0x80 | ((cp >> 12) & 0x3F));
        out.write(0x80 | ((cp >> 6) & 0x3F));
        out.write(0x80 | (cp & 0x3F));
      } else if (c < 0x80) {
        out.write(c);
      } else if (c < 0x800) {
        out.write(0xC0 | (c >> 6));
        out.write(0x80 | (c & 0x3F));
      } else {
        out.write(0xE0 | (c >> 12)); // a lone surrogate included
        out.write(0x80 | ((c >> 6) & 0x3F));
        out.write(0x80 | (c & 0x3F));
      }
    }
    return out.toByteArray();
  }

  /** The string {@link #encode} wrote into {@code bytes[offset, offset + length)}. */
  static String decode(byte[] bytes, int offset, int length) {
    StringBuilder out = new StringBuilder(length);
    int i = offset;
    int end = offset + length;
    while (i < end) {
      int b = bytes[i] & 0xFF;
      if (b < 0x80) {
        out.append((char) b);
        i++;
      } else if (b >= 0xF0 && i + 3 < end) {
        int cp = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3F) << 12) | ((bytes[i + 2] & 0x3F) << 6) | (bytes[i + 3] & 0x3F);
        out.appendCodePoint(cp);
        i += 4;
      } else if (b >= 0xE0 && i + 2 < end) {
        out.append((char) (((b & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F)));
        i += 3;
      } else if (b >= 0xC0 && i + 1 < end) {
        out.append((char) (((b & 0x1F) << 6) | (bytes[i + 1] & 0x3F)));
        i += 2;
      } else {
        out.append('\uFFFD'); // not ours: malformed
        i++;
      }
    }
    return out.toString();
  }

  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
