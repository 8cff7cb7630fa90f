package dev.rlaif.cli.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every RLAIF_* variable the code reads is documented: in README.md's Configuration or a service's doc under docs/. */
class ConfigurationDocsTest {

    @Test
    void everyVariableTheCodeReadsIsDocumented() throws IOException {
        StringBuilder docs = new StringBuilder(DeployFiles.read("README.md"));
        try (Stream<Path> files = Files.list(DeployFiles.path("docs"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".md")).toList()) {
                docs.append(Files.readString(f));
            }
        }
        Set<String> undocumented = new TreeSet<>();
        for (String v : DeployFiles.variablesTheCodeReads()) {
            if (!Pattern.compile("\\b" + v + "\\b").matcher(docs).find()) {
                undocumented.add(v);
            }
        }
        assertThat(undocumented).as("variables the code reads that neither README.md nor docs/*.md mentions").isEmpty();
    }
}
