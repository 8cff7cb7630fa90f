package dev.rlaif.registry;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;

import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.inject.Produces;
import java.util.List;

/**
 * The one bean of {@code apicurio-common-app-components-config-index}, whose Quarkus {@code -deployment} artifact
 * Maven Central does not serve. Upstream that extension lists the {@code @Dynamic} configuration properties at build
 * time; with none listed, the server runs with its static configuration (environment variables, system properties),
 * which is all a local registry needs.
 */
@ApplicationScoped
public class ConfigIndexBean {

    @Produces
    @ApplicationScoped
    DynamicConfigPropertyList dynamicConfigPropertyList() {
        return new DynamicConfigPropertyList(List.of());
    }
}
