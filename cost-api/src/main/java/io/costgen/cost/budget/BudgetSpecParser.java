package io.costgen.cost.budget;

import io.costgen.cost.Money;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;

/** Parses the budget spec grammar documented on {@link Budget#parse(String)}. */
final class BudgetSpecParser {

  static final String GRAMMAR = "<unit>:<limit>/<window>[@<zone>][,<option>...]";
  private static final String UNITS = "money, tokens, flops, energy";
  private static final String WINDOWS =
      "call, hour, day, week, month, or rolling:<N>s|m|h|d (e.g. rolling:10m; the 'rolling:' prefix is optional)";
  private static final String OPTIONS =
      "hard, soft, reject, shrink, currency=<ISO code>, alerts=<f>[:<f>...], scope=<scope>, id=<id>";
  private static final String SCOPES =
      "global, tenant, tenant:<id>, tenant+model, tenant:<id>+model:<name>, tag:<key>, tag:<key>=<value>";

  private BudgetSpecParser() {}

  static Budget parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("budget spec: empty; expected " + GRAMMAR + ", e.g. money:0.05/day");
    }
    String[] parts = spec.split(",", -1);
    String head = parts[0].trim();
    int colon = head.indexOf(':');
    if (colon < 0) {
      throw fail(spec, "missing ':' after the unit", "expected " + GRAMMAR + ", e.g. money:0.05/day");
    }
    BudgetUnit unit;
    try {
      unit = BudgetUnit.fromSpecName(head.substring(0, colon));
    } catch (IllegalArgumentException e) {
      throw fail(spec, "unit: unknown '" + head.substring(0, colon).trim() + "'", "allowed: " + UNITS);
    }
    String rest = head.substring(colon + 1);
    int slash = rest.indexOf('/');
    if (slash < 0) {
      throw fail(spec, "missing '/<window>' after the limit", "expected " + GRAMMAR + "; windows: " + WINDOWS);
    }
    String limitText = rest.substring(0, slash).trim();
    BigDecimal limit;
    try {
      limit = new BigDecimal(limitText);
    } catch (NumberFormatException e) {
      throw fail(spec, "limit: '" + limitText + "' is not a decimal number", "e.g. 0.05, 100000, 2.5e15");
    }
    if (limit.signum() <= 0) {
      throw fail(spec, "limit: '" + limitText + "' must be > 0", "e.g. 0.05, 100000, 2.5e15");
    }
    if (unit == BudgetUnit.TOKENS && limit.stripTrailingZeros().scale() > 0) {
      throw fail(spec, "limit: '" + limitText + "' tokens must be a whole number", "e.g. tokens:100000/day");
    }
    String windowText = rest.substring(slash + 1).trim();
    String zoneText = null;
    int at = windowText.indexOf('@');
    if (at >= 0) {
      zoneText = windowText.substring(at + 1).trim();
      windowText = windowText.substring(0, at).trim();
    }
    BudgetWindow window = parseWindow(spec, windowText, zoneText);

    BudgetScope scope = BudgetScope.eachTenant();
    Budget.Enforcement enforcement = Budget.Enforcement.HARD;
    Budget.Policy policy = Budget.Policy.REJECT;
    Currency currency = null;
    List<Double> alerts = List.of();
    String id = null;
    String enforcementOption = null;
    String policyOption = null;
    for (int i = 1; i < parts.length; i++) {
      String opt = parts[i].trim();
      int eq = opt.indexOf('=');
      String name = (eq < 0 ? opt : opt.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? null : opt.substring(eq + 1).trim();
      switch (name) {
        case "hard", "soft", "reject", "shrink" -> {
          if (value != null) {
            throw fail(spec, "option '" + opt + "' takes no value", "options: " + OPTIONS);
          }
          boolean isEnforcement = name.equals("hard") || name.equals("soft");
          String earlier = isEnforcement ? enforcementOption : policyOption;
          if (earlier != null && !earlier.equals(name)) {
            throw fail(spec, "options '" + earlier + "' and '" + name + "' contradict each other",
                isEnforcement ? "allowed: one of hard (default), soft" : "allowed: one of reject (default), shrink");
          }
          if (isEnforcement) {
            enforcementOption = name;
          } else {
            policyOption = name;
          }
          switch (name) {
            case "hard" -> enforcement = Budget.Enforcement.HARD;
            case "soft" -> enforcement = Budget.Enforcement.SOFT;
            case "reject" -> policy = Budget.Policy.REJECT;
            default -> policy = Budget.Policy.SHRINK;
          }
        }
        case "currency" -> {
          if (unit != BudgetUnit.MONEY) {
            throw fail(spec, "option 'currency' applies to money budgets only", "unit is " + unit.specName());
          }
          try {
            currency = Currency.getInstance(value == null ? "" : value.toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException e) {
            throw fail(spec, "currency: unknown code '" + value + "'", "an ISO-4217 code such as USD, EUR");
          }
        }
        case "alerts" -> alerts = parseAlerts(spec, value);
        case "scope" -> scope = parseScope(spec, value);
        case "id" -> {
          if (value == null || value.isEmpty()) {
            throw fail(spec, "id: empty", "id=<1.." + Budget.MAX_ID_LENGTH + " characters>");
          }
          id = value;
        }
        default -> throw fail(spec, "unknown option '" + opt + "'", "options: " + OPTIONS);
      }
    }
    if (enforcement == Budget.Enforcement.SOFT && policy == Budget.Policy.SHRINK) {
      throw fail(spec, "options 'soft' and 'shrink' conflict", "soft budgets never cut calls");
    }
    if (unit == BudgetUnit.MONEY && currency == null) {
      currency = Money.USD;
    }
    if (id == null) {
      id = Budget.defaultId(unit, window, scope);
    }
    try {
      return new Budget(id, scope, unit, java.util.Optional.ofNullable(currency), limit, window,
          enforcement, policy, alerts);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw fail(spec, e.getMessage(), "expected " + GRAMMAR);
    }
  }

  private static BudgetWindow parseWindow(String spec, String w, String zoneText) {
    String lw = w.toLowerCase(Locale.ROOT);
    BudgetWindow.Period calendar = switch (lw) {
      case "hour" -> BudgetWindow.Period.HOUR;
      case "day" -> BudgetWindow.Period.DAY;
      case "week" -> BudgetWindow.Period.WEEK;
      case "month" -> BudgetWindow.Period.MONTH;
      default -> null;
    };
    if (calendar != null) {
      ZoneId zone = ZoneOffset.UTC;
      if (zoneText != null) {
        try {
          zone = ZoneId.of(zoneText);
        } catch (RuntimeException e) {
          throw fail(spec, "zone: unknown '" + zoneText + "'", "a java.time zone id such as UTC, Europe/Berlin, +02:00");
        }
      }
      return BudgetWindow.calendar(calendar, zone);
    }
    if (zoneText != null) {
      throw fail(spec, "zone '@" + zoneText + "' given for window '" + w + "'",
          "a zone applies to calendar windows only (hour, day, week, month)");
    }
    if (lw.equals("call")) {
      return BudgetWindow.perCall();
    }
    String n = lw.startsWith("rolling:") ? lw.substring("rolling:".length()).trim() : lw;
    if (n.length() >= 2) {
      char suffix = n.charAt(n.length() - 1);
      long mult = switch (suffix) {
        case 's' -> 1;
        case 'm' -> 60;
        case 'h' -> 3600;
        case 'd' -> 86400;
        default -> 0;
      };
      String digits = n.substring(0, n.length() - 1);
      if (mult > 0 && digits.chars().allMatch(Character::isDigit) && digits.length() <= 9) {
        long seconds = Long.parseLong(digits) * mult;
        try {
          return BudgetWindow.rolling(Duration.ofSeconds(seconds));
        } catch (IllegalArgumentException e) {
          throw fail(spec, "window: rolling '" + w + "' out of range", "1s to " + BudgetWindow.MAX_ROLLING.toDays() + "d");
        }
      }
    }
    throw fail(spec, "window: unknown '" + w + "'", "allowed: " + WINDOWS);
  }

  private static List<Double> parseAlerts(String spec, String value) {
    if (value == null || value.isEmpty()) {
      throw fail(spec, "alerts: empty", "alerts=<f>[:<f>...] with fractions in (0, 10], e.g. alerts=0.5:0.8:1");
    }
    List<Double> out = new ArrayList<>();
    for (String f : value.split(":", -1)) {
      double d;
      try {
        d = Double.parseDouble(f.trim());
      } catch (NumberFormatException e) {
        throw fail(spec, "alerts: '" + f + "' is not a number", "fractions in (0, 10], e.g. alerts=0.5:0.8:1");
      }
      if (!(d > 0 && d <= 10)) {
        throw fail(spec, "alerts: " + f + " out of range", "fractions in (0, 10], e.g. alerts=0.5:0.8:1");
      }
      out.add(d);
    }
    return out;
  }

  private static BudgetScope parseScope(String spec, String value) {
    if (value == null || value.isEmpty()) {
      throw fail(spec, "scope: empty", "scopes: " + SCOPES);
    }
    try {
      if (value.equals("global")) {
        return BudgetScope.global();
      }
      if (value.startsWith("tag:")) {
        String kv = value.substring(4);
        int eq = kv.indexOf('=');
        return eq < 0 ? BudgetScope.tag(kv, null) : BudgetScope.tag(kv.substring(0, eq), kv.substring(eq + 1));
      }
      if (value.startsWith("tenant")) {
        String t = value;
        String model = null;
        boolean perModel = false;
        int plus = t.indexOf("+model");
        if (plus >= 0) {
          perModel = true;
          String m = t.substring(plus + "+model".length());
          t = t.substring(0, plus);
          if (m.startsWith(":")) {
            model = m.substring(1);
          } else if (!m.isEmpty()) {
            throw new IllegalArgumentException("bad model part '" + m + "'");
          }
        }
        String tenant = null;
        if (t.startsWith("tenant:")) {
          tenant = t.substring("tenant:".length());
        } else if (!t.equals("tenant")) {
          throw new IllegalArgumentException("bad tenant part '" + t + "'");
        }
        if (perModel) {
          return BudgetScope.tenantAndModel(tenant, model);
        }
        return tenant == null ? BudgetScope.eachTenant() : BudgetScope.tenant(tenant);
      }
    } catch (IllegalArgumentException e) {
      throw fail(spec, "scope: '" + value + "': " + e.getMessage(), "scopes: " + SCOPES);
    }
    throw fail(spec, "scope: unknown '" + value + "'", "scopes: " + SCOPES);
  }

  private static IllegalArgumentException fail(String spec, String what, String allowed) {
    return new IllegalArgumentException("budget spec \"" + spec + "\": " + what + "; " + allowed);
  }
}
