package io.costgen.core.chat.internal;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.Locale;

/** Python's {@code datetime.strftime} directives (C locale), for {@code strftime_now}. */
final class Strftime {
  private Strftime() {}

  static String format(String fmt, ZonedDateTime t) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < fmt.length(); i++) {
      char c = fmt.charAt(i);
      if (c != '%' || i + 1 >= fmt.length()) {
        sb.append(c);
        continue;
      }
      char d = fmt.charAt(++i);
      switch (d) {
        case 'a': sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH)); break;
        case 'A': sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH)); break;
        case 'w': sb.append(t.getDayOfWeek().getValue() % 7); break;
        case 'd': pad(sb, t.getDayOfMonth(), 2); break;
        case 'b': case 'h': sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH)); break;
        case 'B': sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH)); break;
        case 'm': pad(sb, t.getMonthValue(), 2); break;
        case 'y': pad(sb, t.getYear() % 100, 2); break;
        case 'Y': sb.append(t.getYear()); break;
        case 'H': pad(sb, t.getHour(), 2); break;
        case 'I': pad(sb, t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2); break;
        case 'p': sb.append(t.getHour() < 12 ? "AM" : "PM"); break;
        case 'M': pad(sb, t.getMinute(), 2); break;
        case 'S': pad(sb, t.getSecond(), 2); break;
        case 'f': pad(sb, t.getNano() / 1000, 6); break;
        case 'j': pad(sb, t.getDayOfYear(), 3); break;
        case 'z': {
          int s = t.getOffset().getTotalSeconds();
          sb.append(s < 0 ? '-' : '+');
          pad(sb, Math.abs(s) / 3600, 2);
          pad(sb, Math.abs(s) / 60 % 60, 2);
          break;
        }
        case 'Z': sb.append(t.getZone().getId().equals("Z") ? "UTC" : t.getZone().getId()); break;
        case 'U': pad(sb, (t.getDayOfYear() + 6 - t.getDayOfWeek().getValue() % 7) / 7, 2); break;
        case 'W': pad(sb, (t.getDayOfYear() + 6 - (t.getDayOfWeek().getValue() + 6) % 7) / 7, 2); break;
        case 'G': sb.append(t.get(IsoFields.WEEK_BASED_YEAR)); break;
        case 'V': pad(sb, t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2); break;
        case 'u': sb.append(t.get(ChronoField.DAY_OF_WEEK)); break;
        case 'c': sb.append(format("%a %b %e %H:%M:%S %Y", t)); break;
        case 'e': {
          int day = t.getDayOfMonth();
          sb.append(day < 10 ? " " : "").append(day);
          break;
        }
        case 'x': sb.append(format("%m/%d/%y", t)); break;
        case 'X': sb.append(format("%H:%M:%S", t)); break;
        case '%': sb.append('%'); break;
        default: sb.append('%').append(d);
      }
    }
    return sb.toString();
  }

  private static void pad(StringBuilder sb, int v, int width) {
    String s = Integer.toString(v);
    for (int i = s.length(); i < width; i++) {
      sb.append('0');
    }
    sb.append(s);
  }
}
