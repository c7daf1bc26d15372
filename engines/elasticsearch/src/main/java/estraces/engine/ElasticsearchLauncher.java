package estraces.engine;

import org.elasticsearch.Build;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.EmbeddedNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs an Elasticsearch cluster of one or more nodes in this JVM, for Elasticsearch versions that
 * have no codelibs runner. It takes the runners' command line, so estraces starts it the same way:
 *
 * <pre>
 *   -basePath DIR -numOfNode N -baseHttpPort P -clusterName NAME [-printOnFailure]
 * </pre>
 *
 * Node N keeps its files in DIR/node_N and serves HTTP on port P+N. Transport ports are taken from
 * the operating system's free ports, so they never collide with the HTTP range or other engines.
 * A node discovers only the nodes of its own launch (single-node discovery for one node; node 1 of
 * several seeds nobody and bootstraps alone, the others seed node 1's address), and estraces gives
 * every start a cluster name of its own. SIGTERM closes the nodes cleanly; their data stays in DIR.
 *
 * The launcher runs as root as well: the root refusal belongs to Elasticsearch's own bootstrap
 * (and the test framework's), neither of which runs here. Nor does it need a randomized test
 * context: randomizedtesting stays off the classpath (see pom.xml), so the server's Randomness
 * seeds itself as in a distribution.
 *
 * The node has what the server jar and transport-netty4 bring. The distribution's modules are not
 * on Maven Central, so it lacks painless scripts, the mapper-extras types (scaled_float,
 * match_only_text, search_as_you_type, ...), analysis-common's analyzers, ingest processors,
 * reindex, parent-join, the data stream APIs (writing to a data stream works) and all of x-pack;
 * GET / comes from {@link RootEndpointPlugin}.
 */
public final class ElasticsearchLauncher {

    private static final String PREFIX = "estraces: ";
    private static final long CLOSE_TIMEOUT_SECONDS = 15;
    private static final String NATIVE_LIBS = "es.nativelibs.path";

    /** Where distributions of zstd put the library (Debian/Ubuntu, Fedora/RHEL, Alpine/Arch, Homebrew). */
    private static final List<String> SYSTEM_ZSTD = List.of(
        "/usr/lib/x86_64-linux-gnu/libzstd.so.1",
        "/usr/lib/aarch64-linux-gnu/libzstd.so.1",
        "/lib/x86_64-linux-gnu/libzstd.so.1",
        "/lib/aarch64-linux-gnu/libzstd.so.1",
        "/usr/lib64/libzstd.so.1",
        "/usr/lib/libzstd.so.1",
        "/opt/homebrew/lib/libzstd.1.dylib",
        "/usr/local/lib/libzstd.1.dylib"
    );

    private ElasticsearchLauncher() {}

    record Options(Path basePath, int nodes, int baseHttpPort, String clusterName) {}

    public static void main(String[] args) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(PREFIX + e.getMessage());
            System.err.println("usage: ElasticsearchLauncher -basePath DIR -numOfNode N -baseHttpPort P -clusterName NAME [-printOnFailure]");
            System.exit(2);
            return;
        }
        prepareProcess(options.basePath());
        List<Node> nodes = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll(nodes);
            closed.countDown();
        }, "estraces-shutdown"));
        try {
            startAll(options, nodes);
        } catch (Throwable e) {
            System.out.println(PREFIX + "Elasticsearch " + Build.current().qualifiedVersion() + " did not start: " + e);
            e.printStackTrace(System.out);
            // exit runs the shutdown hook, which closes the nodes that did start.
            System.exit(1);
            return;
        }
        System.out.println(
            PREFIX + "Elasticsearch " + Build.current().qualifiedVersion() + " started: cluster " + options.clusterName() + ", "
                + (options.nodes() == 1 ? "1 node" : options.nodes() + " nodes") + ", HTTP on 127.0.0.1:"
                + (options.baseHttpPort() + 1) + (options.nodes() == 1 ? "" : "-" + (options.baseHttpPort() + options.nodes()))
        );
        // The node's own threads are daemons: this one keeps the JVM up until a signal ends it.
        awaitQuietly(closed);
    }

    static Options parse(String[] args) {
        Path basePath = null;
        int nodes = 1;
        Integer baseHttpPort = null;
        String clusterName = "elasticsearch";
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "-basePath" -> basePath = Path.of(value(args, ++i, flag)).toAbsolutePath();
                case "-numOfNode" -> nodes = number(value(args, ++i, flag), flag);
                case "-baseHttpPort" -> baseHttpPort = number(value(args, ++i, flag), flag);
                case "-clusterName" -> clusterName = value(args, ++i, flag);
                // The runners print their log when a start fails; this launcher logs to stdout always.
                case "-printOnFailure" -> {}
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (basePath == null) {
            throw new IllegalArgumentException("-basePath is required");
        }
        if (baseHttpPort == null) {
            throw new IllegalArgumentException("-baseHttpPort is required");
        }
        if (nodes < 1) {
            throw new IllegalArgumentException("-numOfNode must be at least 1, not " + nodes);
        }
        if (baseHttpPort < 0 || baseHttpPort + nodes > 65535) {
            throw new IllegalArgumentException("-baseHttpPort " + baseHttpPort + " leaves no valid HTTP port for " + nodes + " node(s)");
        }
        return new Options(basePath, nodes, baseHttpPort, clusterName);
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[index];
    }

    private static int number(String text, String flag) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a whole number, not " + text);
        }
    }

    /**
     * What Elasticsearch's start scripts and jvm.options would set: the distribution type (read by
     * Build, reported by GET /, "tar" as for the common install), no log4j shutdown hook (the
     * nodes log while they close), no log4j JMX and the native libraries' directory. Then logging
     * to stdout, which estraces sends to engine.log.
     */
    private static void prepareProcess(Path basePath) {
        setDefault("es.distribution.type", "tar");
        setDefault("log4j.shutdownHookEnabled", "false");
        setDefault("log4j2.disable.jmx", "true");
        LogConfigurator.loadLog4jPlugins();
        LogConfigurator.configureWithoutConfig(Settings.builder().put("logger.level", "INFO").build());
        // Elasticsearch's SIMD library ships only with the distribution; without this, its absence
        // on Java 21+ would disable native access altogether.
        setDefault("org.elasticsearch.nativeaccess.enableVectorLibrary", "false");
        if (System.getProperty(NATIVE_LIBS) == null) {
            System.setProperty(NATIVE_LIBS, nativeLibraries(basePath.resolve("native")).toString());
        }
    }

    /**
     * The directory Elasticsearch loads its native libraries from, which a distribution ships in
     * lib/platform and Maven Central does not. On Java 21 and later Elasticsearch loads them only
     * from there, and without zstd it disables all native access (and indices with
     * index.codec: best_compression fail), so the directory offers the system's zstd. Without
     * one, the directory still keeps Elasticsearch 9 from failing on an unset path.
     */
    private static Path nativeLibraries(Path dir) {
        try {
            Files.createDirectories(dir);
            Path link = dir.resolve(System.mapLibraryName("zstd"));
            Optional<Path> zstd = SYSTEM_ZSTD.stream().map(Path::of).filter(Files::isRegularFile).findFirst();
            Files.deleteIfExists(link);
            if (zstd.isPresent()) {
                Files.createSymbolicLink(link, zstd.get());
            } else {
                System.out.println(
                    PREFIX + "no libzstd found in " + String.join(", ", SYSTEM_ZSTD) + ": Elasticsearch runs without native "
                        + "access, and indices with index.codec: best_compression fail (install zstd's library to have them)"
                );
            }
        } catch (IOException e) {
            System.out.println(PREFIX + "could not prepare " + dir + " for native libraries: " + e);
        }
        return dir;
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /**
     * Node 1 first, bootstrapping the cluster alone; the others then join it through node 1's
     * transport address, so no port needs to be known in advance.
     */
    private static void startAll(Options options, List<Node> nodes) throws Exception {
        String seed = null;
        for (int n = 1; n <= options.nodes(); n++) {
            Node node = new EmbeddedNode(environment(options, n, seed), plugins());
            nodes.add(node);
            node.start();
            if (n == 1) {
                seed = node.injector().getInstance(TransportService.class).boundAddress().publishAddress().toString();
            }
        }
    }

    private static List<Class<? extends Plugin>> plugins() {
        return List.of(Netty4Plugin.class, RootEndpointPlugin.class);
    }

    static Settings settings(Options options, int n, String seed) {
        Path home = options.basePath().resolve("node_" + n);
        Settings.Builder settings = Settings.builder()
            .put("cluster.name", options.clusterName())
            .put("node.name", "node-" + n)
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            .put("http.port", Integer.toString(options.baseHttpPort() + n))
            // HTTP binds the loopback addresses as Elasticsearch does by default; the nodes talk on 127.0.0.1.
            .put("transport.host", "127.0.0.1")
            .put("transport.port", "0");
        // Discovery reaches only the nodes of this launch: by default a node probes the loopback
        // transport ports 9300-9305, where the engines of other users and other starts listen.
        if (options.nodes() == 1) {
            settings.put("discovery.type", "single-node");
        } else if (seed == null) {
            settings.putList("discovery.seed_hosts", List.of());
            settings.putList("cluster.initial_master_nodes", "node-1");
        } else {
            settings.putList("discovery.seed_hosts", seed);
        }
        return settings.build();
    }

    private static Environment environment(Options options, int n, String seed) {
        return InternalSettingsPreparer.prepareEnvironment(settings(options, n, seed), Map.of(), null, () -> "node-" + n);
    }

    /** The last node first, so node 1, which formed the cluster, goes last. */
    private static void closeAll(List<Node> nodes) {
        List<Node> reversed;
        synchronized (nodes) {
            reversed = new ArrayList<>(nodes);
        }
        Collections.reverse(reversed);
        for (Node node : reversed) {
            try {
                node.prepareForClose();
                node.close();
                if (node.awaitClose(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS) == false) {
                    System.out.println(PREFIX + "a node did not close within " + CLOSE_TIMEOUT_SECONDS + " s");
                }
            } catch (Exception e) {
                System.out.println(PREFIX + "closing a node failed: " + e);
            }
        }
        if (reversed.isEmpty() == false) {
            System.out.println(PREFIX + "Elasticsearch stopped");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
