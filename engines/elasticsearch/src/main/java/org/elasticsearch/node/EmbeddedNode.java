package org.elasticsearch.node;

import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

import java.util.Collection;
import java.util.List;

/**
 * A node whose plugins are classes on the classpath rather than bundles under modules/ and
 * plugins/. It lives in Elasticsearch's own package because the hooks for that (NodeConstruction,
 * NodeServiceProvider) are package-private. The test framework's MockNode does the same, but it
 * reaches into ESTestCase, whose static set-up refuses to run as root and needs a randomized test
 * context; this node needs neither.
 */
public final class EmbeddedNode extends Node {

    public EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        super(NodeConstruction.prepareConstruction(environment, null, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment initialEnvironment, PluginsLoader pluginsLoader) {
                return new MockPluginsService(initialEnvironment.settings(), initialEnvironment, List.copyOf(plugins));
            }
        }, true));
    }

    /**
     * Left out, as MockNode does: the listener sets process-wide, set-once logging fields, which
     * the second node of a cluster in one JVM would set again.
     */
    @Override
    protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {}
}
