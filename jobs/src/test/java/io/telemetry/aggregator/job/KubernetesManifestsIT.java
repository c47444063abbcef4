package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifests under {@code k8s-operator/}, checked without a Kubernetes cluster: each parses; the
 * base and both overlays, rendered, give a {@code FlinkDeployment} that the operator's CRD schema
 * admits (no unknown field either), with the cluster settings of {@code flink-conf/config.yaml},
 * job settings the job accepts, credentials only from mounted Secrets, and a UDP Service,
 * NetworkPolicy, RBAC and metrics scraping that fit it; the Dockerfile copies the jar the build
 * makes to where the {@code FlinkDeployment} runs it from.
 *
 * <p>The overlays are rendered here as kustomize renders these files (resources, strategic merge
 * patches of maps, the ConfigMap generator, the namespace); {@code kubectl kustomize
 * k8s-operator/overlays/prod} shows the same objects.
 */
class KubernetesManifestsIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path K8S = ROOT.resolve("k8s-operator");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Settings of config.yaml that describe the machine of bin/cluster, not the job's behaviour.
     */
    private static final Set<String> LOCAL_CLUSTER_ONLY =
            Set.of(
                    "jobmanager.rpc.address",
                    "jobmanager.rpc.port",
                    "jobmanager.bind-host",
                    "jobmanager.memory.process.size",
                    "taskmanager.bind-host",
                    "taskmanager.host",
                    "taskmanager.numberOfTaskSlots",
                    "taskmanager.memory.process.size",
                    "rest.address",
                    "rest.bind-address",
                    "rest.port",
                    "parallelism.default",
                    "execution.checkpointing.dir",
                    "execution.checkpointing.savepoint-dir",
                    "metrics.reporter.prom.port");

    @Test
    void everyManifestParses() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(K8S)) {
            files =
                    walk.filter(p -> p.toString().endsWith(".yaml"))
                            .sorted()
                            .collect(Collectors.toList());
        }
        assertThat(files).hasSizeGreaterThan(10);
        for (Path file : files) {
            for (JsonNode doc : readAll(file)) {
                assertThat(doc.isObject()).as(file + " holds YAML mappings").isTrue();
                if (file.getFileName().toString().equals("settings.yaml")) {
                    continue;
                }
                assertThat(doc.path("apiVersion").asText()).as(file + " apiVersion").isNotEmpty();
                assertThat(doc.path("kind").asText()).as(file + " kind").isNotEmpty();
                if (!doc.path("kind").asText().equals("Kustomization")) {
                    assertThat(doc.path("metadata").path("name").asText())
                            .as(file + " metadata.name")
                            .isNotEmpty();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void theRenderedDeploymentIsWhatTheOperatorAndTheJobAccept(String dir, @TempDir Path tmp)
            throws Exception {
        List<ObjectNode> objects = render(K8S.resolve(dir));
        ObjectNode deployment = only(objects, "FlinkDeployment");
        JsonNode spec = deployment.path("spec");
        String name = deployment.path("metadata").path("name").asText();

        // The operator's CRD schema admits it, and it has no field the schema does not know.
        List<String> errors = new ArrayList<>();
        crdSchema()
                .validate(
                        tools.jackson.databind.json.JsonMapper.shared()
                                .readTree(JSON.writeValueAsString(deployment)))
                .forEach(e -> errors.add(e.toString()));
        unknownFields(crdSchemaNode(), deployment, "", errors);
        assertThat(errors).as(dir + ": FlinkDeployment against the CRD").isEmpty();

        // Flink and the application mode job.
        String[] version = EnvironmentInformation.getVersion().split("\\.");
        assertThat(spec.path("flinkVersion").asText())
                .isEqualTo("v" + version[0] + "_" + version[1]);
        assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(spec.path("job").path("entryClass").asText())
                .isEqualTo(TelemetryAggregatorJob.class.getName());
        Map<String, String> flink = strings(spec.path("flinkConfiguration"));
        assertThat(flink)
                .containsEntry("high-availability.type", "kubernetes")
                .containsKey("high-availability.storageDir");
        Map<String, String> cluster =
                flatten(YAML.readTree(ROOT.resolve("flink-conf/config.yaml").toFile()));
        for (Map.Entry<String, String> e : cluster.entrySet()) {
            if (!LOCAL_CLUSTER_ONLY.contains(e.getKey())) {
                assertThat(flink.get(e.getKey()))
                        .as(
                                dir
                                        + ": flinkConfiguration "
                                        + e.getKey()
                                        + " as in flink-conf/config.yaml")
                        .isEqualTo(e.getValue());
            }
        }
        // A local run (bin/run-local, the benchmark) uses the TaskManagers' JVM options too.
        List<String> localJvm =
                Files.readAllLines(ROOT.resolve("flink-conf/local-jvm.options")).stream()
                        .map(String::trim)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                        .toList();
        assertThat(localJvm)
                .as("flink-conf/local-jvm.options has env.java.opts.taskmanager of config.yaml")
                .containsAll(
                        List.of(cluster.get("env.java.opts.taskmanager").trim().split("\\s+")));
        assertThat(flink.get("execution.checkpointing.dir")).isNotBlank();
        assertThat(flink.get("execution.checkpointing.savepoint-dir")).isNotBlank();
        int slots = Integer.parseInt(flink.get("taskmanager.numberOfTaskSlots"));
        int parallelism = spec.path("job").path("parallelism").asInt();
        assertThat(parallelism % slots).as("every TaskManager slot runs a UDP reader").isZero();

        // The job's settings from the ConfigMap load, with the credentials the pod would read.
        ObjectNode configMap =
                named(
                        objects,
                        "ConfigMap",
                        volumeSource(spec, "settings", "configMap").path("name").asText());
        Path settings = tmp.resolve("settings.yaml");
        Files.writeString(settings, configMap.path("data").path("settings.yaml").asText());
        Map<String, String> env = new HashMap<>();
        for (JsonNode var : mainContainer(spec.path("podTemplate")).path("env")) {
            assertThat(var.has("value")).as(var + " has a value or a file").isTrue();
            String value = var.path("value").asText();
            String upper = var.path("name").asText();
            if (upper.matches(".*(PASSWORD|TOKEN|JAAS|SECRET).*")) {
                assertThat(upper).as("a credential comes from a file").endsWith("_FILE");
                assertThat(mountedSecretPaths(spec))
                        .as(upper + " lies in a mounted Secret")
                        .anyMatch(value::startsWith);
                Path file = tmp.resolve(upper);
                Files.writeString(file, "secret\n");
                value = file.toString();
            }
            env.put(upper, value);
        }
        org.apache.flink.configuration.Configuration job =
                JobConfiguration.load(new String[] {"--config", settings.toString()}, env).config;
        int udpPort = job.get(io.telemetry.aggregator.udp.UdpSourceOptions.PORT);
        assertThat(objects).noneMatch(o -> o.path("kind").asText().equals("Secret"));

        // The UDP Service reaches the TaskManagers' readers.
        ObjectNode service = only(objects, "Service");
        assertThat(strings(service.path("spec").path("selector")))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("app", name, "component", "taskmanager"));
        JsonNode port = service.path("spec").path("ports").get(0);
        assertThat(port.path("protocol").asText()).isEqualTo("UDP");
        assertThat(port.path("targetPort").asInt()).isEqualTo(udpPort);
        assertThat(
                        mainContainer(spec.path("taskManager").path("podTemplate"))
                                .path("ports")
                                .toString())
                .contains("\"containerPort\":" + udpPort + ",\"protocol\":\"UDP\"");

        // The NetworkPolicy covers the job's pods and lets the telemetry port in.
        ObjectNode policy = only(objects, "NetworkPolicy");
        assertThat(policy.path("spec").path("podSelector").path("matchLabels").path("app").asText())
                .isEqualTo(name);
        assertThat(policy.path("spec").path("ingress").toString())
                .contains("{\"protocol\":\"UDP\",\"port\":" + udpPort + "}");
        assertThat(policy.path("spec").path("policyTypes").toString())
                .isEqualTo("[\"Ingress\",\"Egress\"]");

        // The JobManager's service account may create TaskManager pods and HA ConfigMaps.
        String account = spec.path("serviceAccount").asText();
        named(objects, "ServiceAccount", account);
        ObjectNode binding = only(objects, "RoleBinding");
        assertThat(binding.path("subjects").get(0).path("name").asText()).isEqualTo(account);
        ObjectNode role = named(objects, "Role", binding.path("roleRef").path("name").asText());
        assertThat(role.path("rules").get(0).path("resources").toString())
                .contains("pods")
                .contains("configmaps");
        assertThat(role.path("rules").get(0).path("verbs").toString())
                .contains("create")
                .contains("delete");

        // Prometheus scrapes the reporter's port.
        ObjectNode monitor = only(objects, "PodMonitor");
        String metricsPort =
                monitor.path("spec").path("podMetricsEndpoints").get(0).path("port").asText();
        JsonNode containerPort = null;
        for (JsonNode p : mainContainer(spec.path("podTemplate")).path("ports")) {
            if (p.path("name").asText().equals(metricsPort)) {
                containerPort = p;
            }
        }
        assertThat(containerPort).as("container port " + metricsPort).isNotNull();
        assertThat(containerPort.path("containerPort").asText())
                .isEqualTo(flink.get("metrics.reporter.prom.port"));

        // Storage: the claim exists.
        named(
                objects,
                "PersistentVolumeClaim",
                volumeSource(spec, "flink-data", "persistentVolumeClaim")
                        .path("claimName")
                        .asText());
        if (!dir.equals("base")) {
            assertThat(objects)
                    .allMatch(o -> !o.path("metadata").path("namespace").asText().isEmpty());
        }
    }

    @Test
    void theDockerfileCopiesTheBuiltJarWhereTheDeploymentRunsIt() throws Exception {
        List<String> lines = Files.readAllLines(K8S.resolve("Dockerfile"));
        String from = lines.stream().filter(l -> l.startsWith("FROM ")).findFirst().orElseThrow();
        assertThat(from).isEqualTo("FROM flink:" + EnvironmentInformation.getVersion() + "-java17");
        String[] copy =
                lines.stream()
                        .filter(l -> l.startsWith("COPY "))
                        .findFirst()
                        .orElseThrow()
                        .split("\\s+");
        Path jar = ROOT.resolve(copy[copy.length - 2]);
        assertThat(jar).as("the jar `mvn package` builds").exists();
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(TelemetryAggregatorJob.class.getName());
        }
        JsonNode spec = only(render(K8S.resolve("base")), "FlinkDeployment").path("spec");
        assertThat(spec.path("job").path("jarURI").asText())
                .isEqualTo("local://" + copy[copy.length - 1]);
    }

    // ---- rendering, as kustomize does for these files -------------------------------------------

    private static List<ObjectNode> render(Path dir) throws IOException {
        JsonNode k = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
        Map<String, ObjectNode> objects = new LinkedHashMap<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            for (ObjectNode o : Files.isDirectory(p) ? render(p) : objectsOf(p)) {
                objects.put(id(o), o);
            }
        }
        for (JsonNode g : k.path("configMapGenerator")) {
            ObjectNode cm = JSON.createObjectNode();
            cm.put("apiVersion", "v1").put("kind", "ConfigMap");
            cm.putObject("metadata").put("name", g.path("name").asText());
            ObjectNode data = cm.putObject("data");
            for (JsonNode f : g.path("files")) {
                data.put(
                        Path.of(f.asText()).getFileName().toString(),
                        Files.readString(dir.resolve(f.asText())));
            }
            String key = id(cm);
            boolean replace = g.path("behavior").asText("create").equals("replace");
            assertThat(objects.containsKey(key))
                    .as(dir + ": ConfigMap " + key + " replaced only where it exists")
                    .isEqualTo(replace);
            objects.put(key, cm);
        }
        for (JsonNode patch : k.path("patches")) {
            for (ObjectNode p : objectsOf(dir.resolve(patch.path("path").asText()))) {
                ObjectNode target = objects.get(id(p));
                assertThat(target).as(dir + ": the patch's target " + id(p)).isNotNull();
                merge(target, p);
            }
        }
        if (k.has("namespace")) {
            for (ObjectNode o : objects.values()) {
                ((ObjectNode) o.path("metadata")).put("namespace", k.path("namespace").asText());
            }
        }
        return new ArrayList<>(objects.values());
    }

    /** A strategic merge patch of maps: nested maps merge, other values (lists too) replace. */
    private static void merge(ObjectNode target, JsonNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode current = target.get(e.getKey());
            if (current instanceof ObjectNode && e.getValue().isObject()) {
                merge((ObjectNode) current, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    private static List<ObjectNode> objectsOf(Path file) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode doc : readAll(file)) {
            out.add((ObjectNode) doc);
        }
        return out;
    }

    private static List<JsonNode> readAll(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isMissingNode() && !doc.isNull()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    private static String id(JsonNode o) {
        return o.path("kind").asText() + "/" + o.path("metadata").path("name").asText();
    }

    private static ObjectNode only(List<ObjectNode> objects, String kind) {
        List<ObjectNode> found =
                objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
        assertThat(found).as("one " + kind).hasSize(1);
        return found.get(0);
    }

    private static ObjectNode named(List<ObjectNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> id(o).equals(kind + "/" + name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    private static JsonNode mainContainer(JsonNode podTemplate) {
        for (JsonNode c : podTemplate.path("spec").path("containers")) {
            if (c.path("name").asText().equals("flink-main-container")) {
                return c;
            }
        }
        throw new AssertionError("no flink-main-container in " + podTemplate);
    }

    private static JsonNode volumeSource(JsonNode spec, String volume, String type) {
        for (JsonNode v : spec.path("podTemplate").path("spec").path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                assertThat(v.has(type)).as("volume " + volume + " is a " + type).isTrue();
                return v.path(type);
            }
        }
        throw new AssertionError("no volume " + volume);
    }

    private static List<String> mountedSecretPaths(JsonNode spec) {
        Set<String> secretVolumes = new java.util.HashSet<>();
        for (JsonNode v : spec.path("podTemplate").path("spec").path("volumes")) {
            if (v.has("secret")) {
                secretVolumes.add(v.path("name").asText());
            }
        }
        List<String> paths = new ArrayList<>();
        for (JsonNode m : mainContainer(spec.path("podTemplate")).path("volumeMounts")) {
            if (secretVolumes.contains(m.path("name").asText())) {
                paths.add(m.path("mountPath").asText() + "/");
            }
        }
        return paths;
    }

    private static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new TreeMap<>();
        map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(
                            e ->
                                    flatten(
                                            prefix.isEmpty()
                                                    ? e.getKey()
                                                    : prefix + "." + e.getKey(),
                                            e.getValue(),
                                            out));
        } else {
            out.put(prefix, node.asText());
        }
    }

    // ---- the CRD -------------------------------------------------------------------------------

    private static JsonNode crdSchemaNode() throws IOException {
        JsonNode crd =
                YAML.readTree(
                        K8S.resolve("crds/flinkdeployments.flink.apache.org-v1.yml").toFile());
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asText().equals("v1beta1")) {
                return v.path("schema").path("openAPIV3Schema");
            }
        }
        throw new AssertionError("the CRD has no v1beta1");
    }

    private static Schema crdSchema() throws IOException {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                .getSchema(JSON.writeValueAsString(crdSchemaNode()));
    }

    /**
     * Fields the schema does not declare, which the API server would silently prune: a typo such as
     * {@code upgradeMod} would otherwise pass.
     */
    private static void unknownFields(
            JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            return;
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (properties.has(e.getKey())) {
                    unknownFields(
                            properties.get(e.getKey()),
                            e.getValue(),
                            path + "." + e.getKey(),
                            errors);
                } else if (additional.isObject()) {
                    unknownFields(additional, e.getValue(), path + "." + e.getKey(), errors);
                } else if (!(path.isEmpty()
                        && (e.getKey().equals("apiVersion")
                                || e.getKey().equals("kind")
                                || e.getKey().equals("metadata")))) {
                    errors.add("unknown field " + path + "." + e.getKey());
                }
            }
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                unknownFields(schema.path("items"), value.get(i), path + "[" + i + "]", errors);
            }
        }
    }
}
