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

/**
 * Keeps the packaging promises checkable: every artifact the reactor publishes is managed by
 * {@code costgen-bom} and carries a stable {@code Automatic-Module-Name}, and the BOM pins nothing
 * but costgen's own artifacts.
 */
class PublishedArtifactsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern ARTIFACT_ID = Pattern.compile("<artifactId>([^<]+)</artifactId>");

    @Test
    void bomManagesEveryPublishedArtifactAndNothingElse() throws IOException {
        String bom = Files.readString(ROOT.resolve("bom/pom.xml"));
        assertThat(bom).doesNotContain("<parent>");
        List<String> managed = new ArrayList<>();
        Matcher m = Pattern.compile("<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>")
                .matcher(bom.substring(bom.indexOf("<dependencyManagement>")));
        while (m.find()) {
            assertThat(m.group(1)).as("groupId managed by the BOM").isEqualTo("io.costgen");
            managed.add(m.group(2));
        }
        List<String> published = publishedArtifacts();
        assertThat(published).contains("costgen-core", "costgen-redis", "costgen-micrometer");
        assertThat(managed).containsExactlyInAnyOrderElementsOf(published);
    }

    @Test
    void everyJarModuleNamesItsAutomaticModule() throws IOException {
        for (String module : jarModules()) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            Matcher m = Pattern.compile("<costgen.module.name>([^<]*)</costgen.module.name>").matcher(pom);
            assertThat(m.find()).as(module + " sets costgen.module.name").isTrue();
            assertThat(m.group(1)).as(module + " module name").matches("io\\.costgen(\\.[a-z][a-z0-9]*)+");
        }
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        assertThat(parent).contains("<Automatic-Module-Name>${costgen.module.name}</Automatic-Module-Name>");
    }

    private static List<String> jarModules() throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = MODULE.matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (m.find()) {
            String pom = Files.readString(ROOT.resolve(m.group(1)).resolve("pom.xml"));
            if (!pom.contains("<packaging>pom</packaging>")) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private static List<String> publishedArtifacts() throws IOException {
        List<String> out = new ArrayList<>();
        for (String module : jarModules()) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            if (pom.contains("<maven.deploy.skip>true</maven.deploy.skip>")) {
                continue;
            }
            String afterParent = pom.substring(pom.indexOf("</parent>"));
            Matcher a = ARTIFACT_ID.matcher(afterParent);
            assertThat(a.find()).as(module + " artifactId").isTrue();
            out.add(a.group(1));
        }
        return out;
    }
}
