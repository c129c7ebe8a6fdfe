package io.costgen.samples.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every test of every module runs under a default timeout, so a hung latch or join fails its test
 * instead of hanging CI: the parent POM's Surefire configuration sets
 * {@code junit.jupiter.execution.timeout.default}, and no module takes it away.
 */
class TestTimeoutsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String KEY = "junit.jupiter.execution.timeout.default";
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

    private static volatile String seen;

    @RegisterExtension
    static final BeforeEachCallback CAPTURE = c -> seen = c.getConfigurationParameter(KEY).orElse(null);

    @Test
    void thisForkedRun_seesTheDefaultTimeout() {
        assertThat(seen).as(KEY + " as JUnit sees it in this module's Surefire fork")
                .isNotNull().matches("\\d+\\s*(ns|μs|ms|s|m|h|d)");
    }

    @Test
    void parentPom_setsTheDefaultTimeout_andNoModuleOverridesOrDisablesIt() throws IOException {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        assertThat(surefireConfigurations(parent)).as("parent Surefire configuration")
                .anySatisfy(c -> assertThat(c).contains(KEY));
        List<String> modules = new ArrayList<>();
        Matcher m = MODULE.matcher(parent);
        while (m.find()) {
            modules.add(m.group(1));
        }
        assertThat(modules).contains("core", "integrations/redis", "benchmarks");
        for (String module : modules) {
            for (String c : surefireConfigurations(Files.readString(ROOT.resolve(module).resolve("pom.xml")))) {
                if (c.contains("<configurationParameters>")) {
                    assertThat(c).as(module + " replaces the configuration parameters: keep the timeout").contains(KEY);
                }
                assertThat(c).as(module).doesNotContain("timeout.mode");
            }
            Path props = ROOT.resolve(module).resolve("src/test/resources/junit-platform.properties");
            if (Files.exists(props)) {
                assertThat(Files.readString(props)).as(props.toString()).doesNotContain("timeout.mode");
            }
        }
    }

    /** The text of each {@code maven-surefire-plugin} block's {@code <configuration>}. */
    private static List<String> surefireConfigurations(String pom) {
        List<String> out = new ArrayList<>();
        int at = 0;
        while ((at = pom.indexOf("<artifactId>maven-surefire-plugin</artifactId>", at)) >= 0) {
            int end = pom.indexOf("</plugin>", at);
            String block = pom.substring(at, end);
            int c = block.indexOf("<configuration>");
            if (c >= 0) {
                out.add(block.substring(c, block.indexOf("</configuration>", c)));
            }
            at = end;
        }
        return out;
    }
}
