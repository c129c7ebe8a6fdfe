package io.costgen.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Currency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteModelPricesTest {

  @TempDir Path dir;

  @Test
  void starter_everyPriceHasDateAndSource_andNamesItsDateWhenShown() {
    RemoteModelPrices s = RemoteModelPrices.starter();
    assertThat(s.size()).isGreaterThanOrEqualTo(3);
    for (RemoteModelPrice p : s.prices()) {
      assertThat(p.asOf()).isAfter(LocalDate.of(2020, 1, 1));
      assertThat(p.source()).isNotBlank();
      assertThat(p.toString()).contains("as of " + p.asOf()).contains(p.source());
      assertThat(p.describe()).contains("as of " + p.asOf());
    }
    RemoteModelPrice mini = s.require("gpt-4o-mini");
    assertThat(mini.inputPerMillion()).isEqualByComparingTo("0.15");
    assertThat(mini.cachedInputPerMillion()).isEqualByComparingTo("0.075");
    assertThat(mini.outputPerMillion()).isEqualByComparingTo("0.60");
  }

  @Test
  void cost_isExact_andChargesCachedInputAtItsRate() {
    RemoteModelPrice p = price("m", "0.15", "0.075", "0.60");
    // (1000-400)*0.15 + 400*0.075 + 300*0.60 = 90 + 30 + 180 = 300 per 1M -> 0.0003
    assertThat(p.cost(1000, 400, 300)).isEqualTo(Money.usd("0.0003"));
    assertThat(p.cost(1, 0, 0)).isEqualTo(Money.usd("0.00000015"));
    assertThatThrownBy(() -> p.cost(10, 11, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cached input");
  }

  @Test
  void find_stripsProviderDateSuffixAndPrefix_butNeverGuessesAnotherModel() {
    RemoteModelPrices c = RemoteModelPrices.of(price("gpt-4o", "2.5", "1.25", "10"), price("gpt-4o-mini", "0.15", "0.075", "0.6"),
        price("claude-3-5-haiku", "0.8", "0.08", "4"));
    assertThat(c.find("gpt-4o-mini-2024-07-18")).map(RemoteModelPrice::model).contains("gpt-4o-mini");
    assertThat(c.find("GPT-4o-2024-08-06")).map(RemoteModelPrice::model).contains("gpt-4o");
    assertThat(c.find("claude-3-5-haiku-20241022")).map(RemoteModelPrice::model).contains("claude-3-5-haiku");
    assertThat(c.find("claude-3-5-haiku-latest")).map(RemoteModelPrice::model).contains("claude-3-5-haiku");
    assertThat(c.find("openai/gpt-4o-mini")).map(RemoteModelPrice::model).contains("gpt-4o-mini");
    assertThat(c.find("gpt-4o-audio-preview")).isEmpty();
    assertThat(c.find("gpt-4")).isEmpty();
    assertThatThrownBy(() -> c.require("gpt-5")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'gpt-5'").hasMessageContaining("RemoteModelPrices.load");
  }

  @Test
  void load_overridesAndExtendsTheStarterSet() throws Exception {
    Path f = dir.resolve("prices.json");
    Files.writeString(f, """
        {"prices": [
          {"model": "gpt-4o-mini", "inputPerMillion": 0.2, "outputPerMillion": "0.8", "asOf": "2026-12-01", "source": "contract"},
          {"model": "in-house-70b", "provider": "vllm", "inputPerMillion": "0.05", "cachedInputPerMillion": "0.01",
           "outputPerMillion": "0.1", "currency": "EUR", "asOf": "2026-11-30", "source": "internal rate card"}
        ]}""");
    RemoteModelPrices c = RemoteModelPrices.starter().withAll(RemoteModelPrices.load(f));
    RemoteModelPrice mini = c.require("gpt-4o-mini");
    assertThat(mini.inputPerMillion()).isEqualByComparingTo("0.2");
    assertThat(mini.cachedInputPerMillion()).isEqualByComparingTo("0.2"); // defaults to the input price
    assertThat(mini.source()).isEqualTo("contract");
    RemoteModelPrice own = c.require("in-house-70b");
    assertThat(own.currency()).isEqualTo(Currency.getInstance("EUR"));
    assertThat(own.provider()).isEqualTo("vllm");
    assertThat(c.size()).isEqualTo(RemoteModelPrices.starter().size() + 1);
  }

  @Test
  void load_readsYaml() throws Exception {
    Path f = dir.resolve("prices.yaml");
    Files.writeString(f, """
        prices:
          - model: local-proxy
            inputPerMillion: "1.5"
            outputPerMillion: 3
            asOf: "2026-12-02"
            source: proxy price list
        """);
    RemoteModelPrice p = RemoteModelPrices.load(f).require("local-proxy");
    assertThat(p.inputPerMillion()).isEqualByComparingTo("1.5");
    assertThat(p.outputPerMillion()).isEqualByComparingTo("3");
  }

  @Test
  void load_refusesEntriesWithoutDateOrSource_orWithTyposAndNegatives_namingEntryAndField() throws Exception {
    assertInvalid("{\"prices\":[{\"model\":\"x\",\"inputPerMillion\":1,\"outputPerMillion\":1,\"source\":\"s\"}]}",
        "prices[0]: asOf is required");
    assertInvalid("{\"prices\":[{\"model\":\"x\",\"inputPerMillion\":1,\"outputPerMillion\":1,\"asOf\":\"2026-01-01\"}]}",
        "prices[0]: source is required");
    assertInvalid("{\"prices\":[{\"model\":\"x\",\"inputPerMilion\":1,\"outputPerMillion\":1,\"asOf\":\"2026-01-01\",\"source\":\"s\"}]}",
        "unknown key 'inputPerMilion'");
    assertInvalid("{\"prices\":[{\"model\":\"x\",\"inputPerMillion\":-1,\"outputPerMillion\":1,\"asOf\":\"2026-01-01\",\"source\":\"s\"}]}",
        "inputPerMillion -1 must be >= 0");
    assertInvalid("{\"prices\":[{\"model\":\"x\",\"inputPerMillion\":1,\"outputPerMillion\":1,\"asOf\":\"01/02/2026\",\"source\":\"s\"}]}",
        "asOf '01/02/2026' must be a date YYYY-MM-DD");
    assertInvalid("{\"prices\":[{\"model\":\"x\",\"inputPerMillion\":1,\"outputPerMillion\":1,\"asOf\":\"2026-01-01\",\"source\":\"s\",\"currency\":\"XX\"}]}",
        "currency 'XX'");
    assertInvalid("[]", "expected an object with a \"prices\" array");
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"prices\": [\n{,}]}");
    assertThatThrownBy(() -> RemoteModelPrices.load(bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.json").hasMessageContaining("line 2");
  }

  @Test
  void with_replacesTheSameModelIgnoringCase() {
    RemoteModelPrices c = RemoteModelPrices.of(price("M", "1", "1", "1")).with(price("m", "2", "2", "2"));
    assertThat(c.size()).isEqualTo(1);
    assertThat(c.require("M").inputPerMillion()).isEqualByComparingTo("2");
  }

  private static void assertInvalid(String json, String message) {
    assertThatThrownBy(() -> RemoteModelPrices.parse(json, "test.json"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("test.json").hasMessageContaining(message);
  }

  static RemoteModelPrice price(String model, String in, String cached, String out) {
    return new RemoteModelPrice(model, "", new BigDecimal(in), new BigDecimal(cached), new BigDecimal(out), Money.USD,
        LocalDate.of(2026, 1, 1), "test");
  }
}
