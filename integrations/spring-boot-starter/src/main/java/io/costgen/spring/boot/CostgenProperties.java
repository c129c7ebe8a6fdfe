package io.costgen.spring.boot;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the costgen starter, under {@code costgen.*}. Everything is optional: without
 * {@code costgen.model} no local model is opened (budgets, ledger and the remote-call guard still
 * are).
 */
@ConfigurationProperties(prefix = "costgen")
public class CostgenProperties {

  /** Local model: a model directory, or hf:ORG/NAME[@REVISION] downloaded to the Hub cache. */
  private String model;
  /** ONNX Runtime execution provider: cpu or cuda. */
  private String provider = "cpu";
  /** Intra-op threads of the local model (default: ONNX Runtime's). */
  private Integer threads;
  /** A chat template file (Jinja) overriding the model's own. */
  private Path chatTemplate;
  /** Tenant of calls that name none. */
  private String defaultTenant;
  /** Budgets as spec strings, e.g. money:5/day or tokens:100000/rolling:1h,shrink. */
  private List<String> budgets = new ArrayList<>();
  private final Pricing pricing = new Pricing();
  private final Ledger ledger = new Ledger();
  private final Redis redis = new Redis();
  private final Remote remote = new Remote();

  public String getModel() { return model; }
  public void setModel(String model) { this.model = model; }
  public String getProvider() { return provider; }
  public void setProvider(String provider) { this.provider = provider; }
  public Integer getThreads() { return threads; }
  public void setThreads(Integer threads) { this.threads = threads; }
  public Path getChatTemplate() { return chatTemplate; }
  public void setChatTemplate(Path chatTemplate) { this.chatTemplate = chatTemplate; }
  public String getDefaultTenant() { return defaultTenant; }
  public void setDefaultTenant(String defaultTenant) { this.defaultTenant = defaultTenant; }
  public List<String> getBudgets() { return budgets; }
  public void setBudgets(List<String> budgets) { this.budgets = budgets; }
  public Pricing getPricing() { return pricing; }
  public Ledger getLedger() { return ledger; }
  public Redis getRedis() { return redis; }
  public Remote getRemote() { return remote; }

  /** How local calls are priced: per token, or per device-hour (not both). */
  public static class Pricing {
    /** Price of one million input tokens of the local model, in USD. */
    private BigDecimal inputPerMillion;
    /** Price of one million output tokens of the local model, in USD. */
    private BigDecimal outputPerMillion;
    /** Price of one device-hour (the machine running the model), in USD. */
    private BigDecimal perDeviceHour;

    public BigDecimal getInputPerMillion() { return inputPerMillion; }
    public void setInputPerMillion(BigDecimal v) { this.inputPerMillion = v; }
    public BigDecimal getOutputPerMillion() { return outputPerMillion; }
    public void setOutputPerMillion(BigDecimal v) { this.outputPerMillion = v; }
    public BigDecimal getPerDeviceHour() { return perDeviceHour; }
    public void setPerDeviceHour(BigDecimal v) { this.perDeviceHour = v; }
  }

  /** The JSON-lines ledger. */
  public static class Ledger {
    /** Directory of the ledger (one usage record per call); none when unset. */
    private Path dir;

    public Path getDir() { return dir; }
    public void setDir(Path dir) { this.dir = dir; }
  }

  /** Budget counters in Redis (needs costgen-redis on the class path). */
  public static class Redis {
    /** Redis URI, e.g. redis://localhost:6379; in-memory budgets when unset. */
    private String uri;

    public String getUri() { return uri; }
    public void setUri(String uri) { this.uri = uri; }
  }

  /** The remote-call guard. */
  public static class Remote {
    /** A price catalogue file (JSON, or YAML with jackson-dataformat-yaml) overriding and extending the starter prices. */
    private Path pricesFile;

    public Path getPricesFile() { return pricesFile; }
    public void setPricesFile(Path v) { this.pricesFile = v; }
  }
}
