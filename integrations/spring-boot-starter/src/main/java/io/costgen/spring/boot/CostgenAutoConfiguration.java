package io.costgen.spring.boot;

import io.costgen.core.TextGenerator;
import io.costgen.core.chat.ChatTemplate;
import io.costgen.core.remote.RemoteCallGuard;
import io.costgen.core.tokenizer.HuggingFaceTokenizer;
import io.costgen.cost.CostModel;
import io.costgen.cost.Money;
import io.costgen.cost.RemoteModelPrices;
import io.costgen.cost.budget.Budget;
import io.costgen.cost.budget.BudgetStore;
import io.costgen.cost.budget.Budgets;
import io.costgen.cost.meter.JsonLinesLedger;
import io.costgen.cost.meter.Meter;
import io.costgen.micrometer.MicrometerMeter;
import io.costgen.onnx.ExecutionProvider;
import io.costgen.onnx.OnnxBackend;
import io.costgen.onnx.hub.HubDownloader;
import io.costgen.onnx.hub.HubException;
import io.costgen.onnx.hub.HubModelRef;
import io.costgen.redis.RedisBudgetStore;
import io.costgen.springai.CostgenChatModel;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of costgen from {@link CostgenProperties}: {@link Budgets} (in Redis when
 * {@code costgen.redis.uri} is set and costgen-redis is present), one {@link Meter} (the ledger,
 * plus a {@code MicrometerMeter} on the application's {@code MeterRegistry} when both are
 * present), a {@link RemoteCallGuard} for wrapping remote models, and — when
 * {@code costgen.model} is set — the local model as a {@link TextGenerator} and a Spring AI
 * {@code ChatModel} ({@link CostgenChatModel}, observed through the application's
 * {@code ObservationRegistry} when there is one). Every bean backs off when the application
 * defines its own.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@EnableConfigurationProperties(CostgenProperties.class)
public class CostgenAutoConfiguration {

  /** A part of the composite meter (the ledger, Micrometer, …). */
  public record MeterPart(Meter meter) {}

  @Bean
  @ConditionalOnMissingBean
  public Budgets costgenBudgets(CostgenProperties p, ObjectProvider<BudgetStore> store) {
    Budgets.Builder b = Budgets.builder();
    store.ifAvailable(b::store);
    Budgets budgets = b.build();
    for (int i = 0; i < p.getBudgets().size(); i++) {
      try {
        budgets.register(Budget.parse(p.getBudgets().get(i)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("costgen.budgets[" + i + "]: " + e.getMessage(), e);
      }
    }
    return budgets;
  }

  @Bean
  @ConditionalOnProperty("costgen.ledger.dir")
  public MeterPart costgenLedger(CostgenProperties p) {
    return new MeterPart(JsonLinesLedger.open(p.getLedger().getDir()));
  }

  @Bean
  @ConditionalOnMissingBean
  public Meter costgenMeter(List<MeterPart> parts) {
    return Meter.composite(parts.stream().map(MeterPart::meter).toArray(Meter[]::new));
  }

  @Bean
  @ConditionalOnMissingBean
  public RemoteCallGuard costgenRemoteCallGuard(CostgenProperties p, Budgets budgets, Meter meter) {
    RemoteModelPrices prices = RemoteModelPrices.starter();
    if (p.getRemote().getPricesFile() != null) {
      prices = prices.withAll(RemoteModelPrices.load(p.getRemote().getPricesFile()));
    }
    return RemoteCallGuard.builder().prices(prices).budgets(budgets).meter(meter).build();
  }

  /** Redis budget counters when costgen-redis is present and {@code costgen.redis.uri} is set. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(RedisBudgetStore.class)
  @ConditionalOnProperty("costgen.redis.uri")
  static class RedisStore {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(BudgetStore.class)
    RedisBudgetStore costgenRedisBudgetStore(CostgenProperties p) {
      return RedisBudgetStore.builder(p.getRedis().getUri()).build();
    }
  }

  /** Publishes every call to the application's MeterRegistry when costgen-micrometer is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MicrometerMeter.class, MeterRegistry.class})
  static class Micrometer {
    @Bean
    @ConditionalOnBean(MeterRegistry.class)
    MeterPart costgenMicrometerMeter(MeterRegistry registry, Budgets budgets) {
      return new MeterPart(MicrometerMeter.builder(registry).budgets(budgets).build());
    }
  }

  /** The local model, when {@code costgen.model} is set. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty("costgen.model")
  static class LocalModel {

    @Bean
    @ConditionalOnMissingBean
    CostgenModelFiles costgenModelFiles(CostgenProperties p) {
      return new CostgenModelFiles(resolve(p.getModel()));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    OnnxBackend costgenBackend(CostgenProperties p, CostgenModelFiles files) {
      OnnxBackend.Builder b = OnnxBackend.builder().modelDir(files.dir()).executionProvider(provider(p.getProvider()));
      if (p.getThreads() != null) {
        if (p.getThreads() < 1) {
          throw new IllegalArgumentException("costgen.threads: " + p.getThreads() + " must be >= 1");
        }
        b.intraOpThreads(p.getThreads());
      }
      return b.build();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    HuggingFaceTokenizer costgenTokenizer(CostgenModelFiles files) {
      return HuggingFaceTokenizer.open(files.dir());
    }

    @Bean
    @ConditionalOnMissingBean
    TextGenerator costgenTextGenerator(CostgenProperties p, OnnxBackend backend, HuggingFaceTokenizer tokenizer,
        Budgets budgets, Meter meter) {
      TextGenerator.Builder b = TextGenerator.builder(backend).tokenizer(tokenizer).budgets(budgets).meter(meter)
          .costModel(costModel(p.getPricing()));
      if (p.getChatTemplate() != null) {
        b.chatTemplate(ChatTemplate.fromFile(p.getChatTemplate()));
      }
      return b.build();
    }

    @Bean
    @ConditionalOnMissingBean(org.springframework.ai.chat.model.ChatModel.class)
    CostgenChatModel costgenChatModel(CostgenProperties p, TextGenerator generator,
        ObjectProvider<io.micrometer.observation.ObservationRegistry> observations) {
      CostgenChatModel.Builder b = CostgenChatModel.builder(generator).defaultTenantId(p.getDefaultTenant());
      observations.ifAvailable(b::observationRegistry);
      return b.build();
    }
  }

  /** The actuator endpoint, when actuator is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Endpoint.class)
  static class Actuator {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    CostgenBudgetsEndpoint costgenBudgetsEndpoint(Budgets budgets) {
      return new CostgenBudgetsEndpoint(budgets);
    }
  }

  /** Where the local model's files are (resolved from {@code costgen.model}). */
  public record CostgenModelFiles(Path dir) {}

  static CostModel costModel(CostgenProperties.Pricing p) {
    boolean perToken = p.getInputPerMillion() != null || p.getOutputPerMillion() != null;
    if (perToken && p.getPerDeviceHour() != null) {
      throw new IllegalStateException("costgen.pricing: set either input-per-million/output-per-million or "
          + "per-device-hour, not both");
    }
    if (perToken) {
      return CostModel.builder().perMillionTokens(Money.usd(orZero(p.getInputPerMillion())),
          Money.usd(orZero(p.getOutputPerMillion()))).build();
    }
    if (p.getPerDeviceHour() != null) {
      return CostModel.builder().perDeviceHour(Money.usd(p.getPerDeviceHour())).build();
    }
    return CostModel.free();
  }

  private static java.math.BigDecimal orZero(java.math.BigDecimal v) {
    if (v != null && v.signum() < 0) {
      throw new IllegalArgumentException("costgen.pricing: " + v.toPlainString() + " must be >= 0");
    }
    return v == null ? java.math.BigDecimal.ZERO : v;
  }

  static ExecutionProvider provider(String name) {
    try {
      return ExecutionProvider.valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("costgen.provider: '" + name + "' is not one of cpu, cuda", e);
    }
  }

  static Path resolve(String model) {
    if (HubModelRef.isHubSpec(model)) {
      try {
        return HubDownloader.builder().build().download(HubModelRef.parse(model));
      } catch (HubException e) {
        throw new HubException("costgen.model: downloading " + model + " failed: " + e.getMessage(),
            e.statusCode(), e);
      }
    }
    Path dir = Paths.get(model);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("costgen.model: " + dir.toAbsolutePath() + " is not a directory "
          + "(give a model directory or hf:ORG/NAME)");
    }
    return dir;
  }
}
