using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>
/// The container image (Dockerfile) and the Kubernetes manifests (deploy/kubernetes): every manifest valid against the
/// Kubernetes schema (deploy/kubernetes/validate.mjs with kubernetes-models, installed from npm by tools/setup.sh), the
/// validator failing on broken ones, and the facts that span files, which no schema sees: the probes ask the
/// management endpoint the configuration binds, the grace period covers the shutdown, the gRPC port is declared h2c,
/// the container is non-root on a read-only root with its journal on its own volume, every secret referenced exists,
/// every setting is one the gateway binds, and the image is published as tools/publish.sh publishes.
/// </summary>
public sealed partial class KubernetesManifestsTests
{
    private static string Manifests => Path.Combine(Repository.Root, "deploy", "kubernetes");

    private static string Validator => Path.Combine(Manifests, "validate.mjs");

    // The documents as validate.mjs read them (YAML 1.1, as kubectl reads it), once.
    private static readonly Lazy<Task<JsonElement>> Validated = new(async () =>
    {
        var result = await ScriptRunner.RunProgramAsync("node", Validator, "--json");
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        return result.Json;
    });

    [Fact]
    public async Task The_manifests_are_valid_against_the_Kubernetes_schema()
    {
        var result = await ScriptRunner.RunProgramAsync("node", Validator);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.StartsWith("OK: 8 documents in 8 files valid against the Kubernetes schema", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("statefulset.yaml", "replicas: 2", "replicas: two", "statefulset.yaml: StatefulSet providergateway: spec.replicas must be integer")]
    [InlineData("service.yaml", "- name: grpc\n      port: 5080", "- name: grpc\n      prot: 5080", "service.yaml: Service providergateway: spec.ports[0] must have required property port")]
    [InlineData("statefulset.yaml", "readinessProbe:", "readinesProbe:", "statefulset.yaml: StatefulSet providergateway: unknown field spec.template.spec.containers[0].readinesProbe")]
    [InlineData("configmap.yaml", "\"00:00:05\"", "00:00:05", "configmap.yaml: ConfigMap providergateway-config: data.Gateway__Shutdown__NotReadyDelay must be string")]
    [InlineData("networkpolicy.yaml", "protocol: UDP", "protocol: UPD", "networkpolicy.yaml: NetworkPolicy providergateway: spec.egress[0].ports[0].protocol must be equal to one of the allowed values (SCTP, TCP, UDP)")]
    [InlineData("horizontalpodautoscaler.yaml", "kind: HorizontalPodAutoscaler", "kind: HorizontalPodAutoscalr", "horizontalpodautoscaler.yaml: HorizontalPodAutoscalr providergateway: unknown apiVersion/kind autoscaling/v2/HorizontalPodAutoscalr")]
    [InlineData("secret.example.yaml", "  name: providergateway-secrets\n", "  name: providergateway-secrets\n  namespace: default\n", "secret.example.yaml: Secret providergateway-secrets: sets metadata.namespace")]
    [InlineData("poddisruptionbudget.yaml", "  maxUnavailable: 1\n", "  maxUnavailable: 1\n  maxUnavailabel: 1\n", "poddisruptionbudget.yaml: PodDisruptionBudget providergateway: unknown field spec.maxUnavailabel")]
    [InlineData("kustomization.yaml", "  - networkpolicy.yaml\n", "", "networkpolicy.yaml: not listed in kustomization.yaml")]
    public async Task The_validator_fails_on_a_broken_manifest_naming_the_file_the_object_and_the_problem(string file, string find, string replace, string problem)
    {
        var copy = Directory.CreateTempSubdirectory("manifests-");
        try
        {
            foreach (var manifest in Directory.EnumerateFiles(Manifests, "*.yaml"))
            {
                File.Copy(manifest, Path.Combine(copy.FullName, Path.GetFileName(manifest)));
            }

            var path = Path.Combine(copy.FullName, file);
            var text = await File.ReadAllTextAsync(path);
            Assert.True(text.Split(find).Length == 2, $"{file} holds '{find}' not exactly once");
            await File.WriteAllTextAsync(path, text.Replace(find, replace, StringComparison.Ordinal));

            var result = await ScriptRunner.RunProgramAsync("node", Validator, copy.FullName);

            Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Output}{result.Error}");
            Assert.Contains("1 problem in", result.Error, StringComparison.Ordinal);
            Assert.Contains(problem, result.Error, StringComparison.Ordinal);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_probes_ask_the_management_endpoint_that_the_configuration_and_the_image_bind()
    {
        var (config, container) = (await ConfigMapAsync(), await ContainerAsync());
        var image = Dockerfile.Load();
        foreach (var endpoint in new[] { "Grpc", "Http", "Management" })
        {
            foreach (var setting in new[] { "Url", "Protocols" })
            {
                var key = $"Kestrel__Endpoints__{endpoint}__{setting}";
                Assert.True(config[key] == image.Env[key], $"{key}: the ConfigMap has {config[key]}, the image {image.Env[key]}");
            }
        }

        var management = new Uri(config["Kestrel__Endpoints__Management__Url"]).Port;
        Assert.Equal("Http1", config["Kestrel__Endpoints__Management__Protocols"]);
        Assert.DoesNotContain(management, new[] { "Grpc", "Http" }.Select(e => new Uri(config[$"Kestrel__Endpoints__{e}__Url"]).Port));
        foreach (var (probe, path) in new[] { ("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz") })
        {
            var get = container.GetProperty(probe).GetProperty("httpGet");
            Assert.Equal(path, get.GetProperty("path").GetString());
            Assert.True(PortOf(container, get.GetProperty("port")) == management, $"{probe} asks port {get.GetProperty("port")}, not the management endpoint's {management}");
        }

        var annotations = (await StatefulSetAsync()).GetProperty("spec").GetProperty("template").GetProperty("metadata").GetProperty("annotations");
        Assert.Equal(management.ToString(CultureInfo.InvariantCulture), annotations.GetProperty("prometheus.io/port").GetString());
        Assert.Contains(management, image.Exposed);
    }

    [Fact]
    public async Task The_grace_period_covers_the_preStop_sleep_the_not_ready_delay_the_drain_and_a_margin()
    {
        var (config, container) = (await ConfigMapAsync(), await ContainerAsync());
        var preStop = container.GetProperty("lifecycle").GetProperty("preStop");
        var sleep = preStop.TryGetProperty("sleep", out var action)
            ? TimeSpan.FromSeconds(action.GetProperty("seconds").GetInt32())
            : TimeSpan.FromSeconds(int.Parse(preStop.GetProperty("exec").GetProperty("command").EnumerateArray().Last().GetString()!, CultureInfo.InvariantCulture));
        var notReady = TimeSpan.Parse(config["Gateway__Shutdown__NotReadyDelay"], CultureInfo.InvariantCulture);
        var drain = TimeSpan.Parse(config["Gateway__Shutdown__DrainTimeout"], CultureInfo.InvariantCulture);
        var grace = TimeSpan.FromSeconds((await PodSpecAsync()).GetProperty("terminationGracePeriodSeconds").GetInt32());

        Assert.True(sleep > TimeSpan.Zero, "preStop sleeps for no time: the pod would stop before the endpoints forget it");
        // The margin: the journal's last checkpoint and the process's exit, after the drain.
        var needed = sleep + notReady + drain + TimeSpan.FromSeconds(5);
        Assert.True(grace >= needed, $"terminationGracePeriodSeconds {grace.TotalSeconds} < preStop {sleep.TotalSeconds} + NotReadyDelay {notReady.TotalSeconds} + DrainTimeout {drain.TotalSeconds} + 5 s: the kubelet would SIGKILL a gateway still draining");
    }

    [Fact]
    public async Task The_gRPC_port_is_declared_h2c_and_each_service_port_reaches_the_endpoint_it_names()
    {
        var (config, container) = (await ConfigMapAsync(), await ContainerAsync());
        var service = await DocumentAsync("Service", "providergateway");
        var ports = service.GetProperty("spec").GetProperty("ports").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);

        Assert.Equal("kubernetes.io/h2c", ports["grpc"].GetProperty("appProtocol").GetString());
        Assert.Equal("Http2", config["Kestrel__Endpoints__Grpc__Protocols"]);
        Assert.Equal("http", ports["http"].GetProperty("appProtocol").GetString());
        foreach (var (name, endpoint) in new[] { ("grpc", "Grpc"), ("http", "Http"), ("management", "Management") })
        {
            var bound = new Uri(config[$"Kestrel__Endpoints__{endpoint}__Url"]).Port;
            Assert.True(PortOf(container, ports[name].GetProperty("targetPort")) == bound, $"the Service's {name} port does not reach the {endpoint} endpoint ({bound})");
        }
    }

    [Fact]
    public async Task The_container_runs_as_non_root_on_a_read_only_root_with_its_journal_on_its_own_volume()
    {
        var (config, container, pod) = (await ConfigMapAsync(), await ContainerAsync(), await PodSpecAsync());
        var podSecurity = pod.GetProperty("securityContext");
        var security = container.GetProperty("securityContext");
        JsonElement Either(string name) => security.TryGetProperty(name, out var value) ? value : podSecurity.GetProperty(name);

        Assert.True(Either("runAsNonRoot").GetBoolean());
        Assert.Equal(1654, Either("runAsUser").GetInt32()); // the aspnet image's app user, the image's USER
        Assert.True(security.GetProperty("readOnlyRootFilesystem").GetBoolean());
        Assert.False(security.GetProperty("allowPrivilegeEscalation").GetBoolean());
        Assert.Equal(new[] { "ALL" }, security.GetProperty("capabilities").GetProperty("drop").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("RuntimeDefault", Either("seccompProfile").GetProperty("type").GetString());

        // The journal (and everything beside it) on the instance's own claim; /tmp, the only other writable place, an emptyDir.
        var mounts = container.GetProperty("volumeMounts").EnumerateArray()
            .ToDictionary(m => m.GetProperty("mountPath").GetString()!, m => m.GetProperty("name").GetString()!);
        var claims = (await StatefulSetAsync()).GetProperty("spec").GetProperty("volumeClaimTemplates").EnumerateArray()
            .Select(c => c.GetProperty("metadata").GetProperty("name").GetString()).ToList();
        var journal = config["Gateway__Security__Journal__Path"];
        var (dataMount, dataVolume) = mounts.Single(m => journal.StartsWith(m.Key.TrimEnd('/') + "/", StringComparison.Ordinal));
        Assert.Contains(dataVolume, claims);
        var volumes = pod.GetProperty("volumes").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        Assert.True(volumes[mounts["/tmp"]].TryGetProperty("emptyDir", out _), "/tmp is not an emptyDir");

        // The same volume in the image, where the image's own default puts the journal.
        var image = Dockerfile.Load();
        Assert.Equal(dataMount, image.Volume);
        Assert.StartsWith(image.Volume + "/", image.Env["Gateway__Security__Journal__Path"], StringComparison.Ordinal);

        // The signing key: a file of the Secret's volume, mounted read-only.
        var signingKey = config["Gateway__Security__Journal__SigningKey"];
        var keyMount = container.GetProperty("volumeMounts").EnumerateArray()
            .Single(m => signingKey.StartsWith(m.GetProperty("mountPath").GetString()!.TrimEnd('/') + "/", StringComparison.Ordinal));
        Assert.True(keyMount.GetProperty("readOnly").GetBoolean());
        var items = volumes[keyMount.GetProperty("name").GetString()!].GetProperty("secret").GetProperty("items").EnumerateArray();
        Assert.Contains(Path.GetRelativePath(keyMount.GetProperty("mountPath").GetString()!, signingKey), items.Select(i => i.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task Every_secret_reference_names_a_key_of_the_example_Secret_and_no_secret_is_written_inline()
    {
        var (config, container, pod) = (await ConfigMapAsync(), await ContainerAsync(), await PodSpecAsync());
        var example = await DocumentAsync("Secret", "providergateway-secrets");
        Assert.Equal("secret.example.yaml", (await DocumentsAsync()).Single(d => d.Kind == "Secret").File);
        var keys = example.GetProperty("stringData").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        var referenced = new List<string>();
        var fromSecret = new List<string>();
        foreach (var variable in container.GetProperty("env").EnumerateArray())
        {
            var name = variable.GetProperty("name").GetString()!;
            Assert.False(variable.TryGetProperty("value", out _), $"{name} is written in the StatefulSet: settings go in the ConfigMap, secrets in the Secret");
            if (variable.GetProperty("valueFrom").TryGetProperty("secretKeyRef", out var reference))
            {
                Assert.Equal("providergateway-secrets", reference.GetProperty("name").GetString());
                var key = reference.GetProperty("key").GetString()!;
                Assert.True(keys.Contains(key), $"{name} takes the Secret's key {key}, which secret.example.yaml does not have");
                referenced.Add(key);
                fromSecret.Add(name);
            }
        }

        foreach (var volume in pod.GetProperty("volumes").EnumerateArray().Where(v => v.TryGetProperty("secret", out _)))
        {
            var secret = volume.GetProperty("secret");
            Assert.Equal("providergateway-secrets", secret.GetProperty("secretName").GetString());
            foreach (var item in secret.GetProperty("items").EnumerateArray())
            {
                var key = item.GetProperty("key").GetString()!;
                Assert.True(keys.Contains(key), $"the volume {volume.GetProperty("name")} takes the Secret's key {key}, which secret.example.yaml does not have");
                referenced.Add(key);
            }
        }

        Assert.True(fromSecret.Count >= 8, $"{fromSecret.Count} settings from the Secret");
        Assert.Empty(keys.Except(referenced));
        Assert.Empty(fromSecret.Intersect(config.Keys));
    }

    [Fact]
    public async Task Every_gateway_setting_of_the_manifests_and_the_image_is_an_option_the_gateway_binds()
    {
        var config = await ConfigMapAsync();
        var environment = (await ContainerAsync()).GetProperty("env").EnumerateArray().Select(v => v.GetProperty("name").GetString()!);
        var settings = config.Keys.Concat(environment).Concat(Dockerfile.Load().Env.Keys)
            .Where(k => k.StartsWith("Gateway__", StringComparison.Ordinal)).Distinct().ToList();

        Assert.True(settings.Count >= 25, $"{settings.Count} settings");
        foreach (var setting in settings)
        {
            var problem = BoundOptions.Problem(setting.Replace("__", ":", StringComparison.Ordinal));
            Assert.True(problem is null, $"{setting}: {problem}");
        }
    }

    [Theory]
    [InlineData("Gateway:Caching:Redis", null)]
    [InlineData("Gateway:Providers:0:KatoCodes:1", null)]
    [InlineData("Gateway:Security:Clients:0:ApiKeySha256:0", null)]
    [InlineData("gateway:security:journal:path", null)]
    [InlineData("Gateway:Submissions:PreviousSealKeys:7", null)]
    [InlineData("Gateway:Shutdown:DrainTimeout", null)]
    [InlineData("Gateway:Shutdown:DrainTimout", "ShutdownOptions has no property DrainTimout")]
    [InlineData("Gateway:Caching:Rediss", "CachingOptions has no property Rediss")]
    [InlineData("Gateway:Security:Jornal:Path", "SecurityOptions has no property Jornal")]
    [InlineData("Gateway:Providers:first:Id", "first is not an index of a list")]
    [InlineData("Gateway:Providers:0", "names a section (ProviderOptions), not a value")]
    [InlineData("Gateway:Security:Journal:Path:File", "File goes below a value (String)")]
    [InlineData("Gateways:Caching:Redis", "no options class binds a section of it")]
    public void The_options_check_binds_real_settings_and_refuses_misspelled_ones(string key, string? problem)
    {
        if (problem is null)
        {
            Assert.Null(BoundOptions.Problem(key));
        }
        else
        {
            Assert.Contains(problem, BoundOptions.Problem(key), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_object_selects_the_StatefulSets_pods_and_carries_its_labels()
    {
        var statefulSet = await StatefulSetAsync();
        var spec = statefulSet.GetProperty("spec");
        var podLabels = Labels(spec.GetProperty("template").GetProperty("metadata").GetProperty("labels"));
        var selectors = new List<(string What, JsonElement Selector)>
        {
            ("the StatefulSet", spec.GetProperty("selector").GetProperty("matchLabels")),
            ("the PodDisruptionBudget", (await DocumentAsync("PodDisruptionBudget", "providergateway")).GetProperty("spec").GetProperty("selector").GetProperty("matchLabels")),
            ("the NetworkPolicy", (await DocumentAsync("NetworkPolicy", "providergateway")).GetProperty("spec").GetProperty("podSelector").GetProperty("matchLabels")),
            ("the Service", (await DocumentAsync("Service", "providergateway")).GetProperty("spec").GetProperty("selector")),
            ("the headless Service", (await DocumentAsync("Service", "providergateway-headless")).GetProperty("spec").GetProperty("selector")),
        };
        foreach (var (what, selector) in selectors)
        {
            var labels = Labels(selector);
            Assert.NotEmpty(labels);
            Assert.True(labels.All(l => podLabels.Contains(l)), $"{what} selects {string.Join(", ", labels)}, which the pods do not all carry");
        }

        foreach (var document in await DocumentsAsync())
        {
            Assert.True(
                document.Object.GetProperty("metadata").GetProperty("labels").TryGetProperty("app.kubernetes.io/name", out var name) && name.GetString() == "providergateway",
                $"{document.File}: {document.Kind} {document.Name} has no label app.kubernetes.io/name: providergateway");
        }

        var target = (await DocumentAsync("HorizontalPodAutoscaler", "providergateway")).GetProperty("spec").GetProperty("scaleTargetRef");
        Assert.Equal(("StatefulSet", "providergateway"), (target.GetProperty("kind").GetString(), target.GetProperty("name").GetString()));
        var headless = await DocumentAsync("Service", spec.GetProperty("serviceName").GetString()!);
        Assert.Equal("None", headless.GetProperty("spec").GetProperty("clusterIP").GetString());
        var configMap = (await ContainerAsync()).GetProperty("envFrom").EnumerateArray().Single().GetProperty("configMapRef").GetProperty("name").GetString()!;
        await DocumentAsync("ConfigMap", configMap);

        // kustomization.yaml's image override names the StatefulSet's image.
        var image = (await ContainerAsync()).GetProperty("image").GetString()!;
        var kustomized = (await Validated.Value).GetProperty("kustomization").GetProperty("images").EnumerateArray().Single().GetProperty("name").GetString();
        Assert.Equal(image[..image.LastIndexOf(':')], kustomized);
    }

    [Fact]
    public void The_Dockerfile_publishes_with_the_flags_of_tools_publish_sh()
    {
        var script = PublishArguments(Continued(File.ReadAllLines(Path.Combine(Repository.Root, "tools", "publish.sh"))).Single(l => l.StartsWith("dotnet publish ", StringComparison.Ordinal)));
        var image = PublishArguments(Dockerfile.Load().Instructions.Single(i => i.Name == "RUN" && i.Arguments.StartsWith("dotnet publish ", StringComparison.Ordinal)).Arguments);

        Assert.Equal(script.OrderBy(a => a.Key, StringComparer.Ordinal), image.OrderBy(a => a.Key, StringComparer.Ordinal));
        Assert.Equal("linux-x64", script["-r"]);
        Assert.Equal("true", script["-p:PublishReadyToRun"]);
        Assert.Equal("false", script["--self-contained"]);
    }

    [Fact]
    public void The_image_runs_as_its_non_root_user_from_pinned_images_and_stops_on_SIGTERM()
    {
        var image = Dockerfile.Load();
        var stages = image.Instructions.Where(i => i.Name == "FROM").Select(i => i.Arguments.Split(' ')[0]).ToList();

        Assert.Equal(new[] { "mcr.microsoft.com/dotnet/sdk:10.0", "mcr.microsoft.com/dotnet/aspnet:10.0" }, stages);
        foreach (var reference in stages)
        {
            var tag = reference.Contains(':', StringComparison.Ordinal) ? reference[(reference.LastIndexOf(':') + 1)..] : "latest";
            Assert.True(tag != "latest", $"{reference} is not pinned to a version");
        }

        var runtime = image.Instructions.SkipWhile(i => i != image.Instructions.Last(s => s.Name == "FROM")).ToList();
        var user = runtime.Last(i => i.Name == "USER").Arguments;
        Assert.True(user is "$APP_UID" or "1654", $"the runtime stage runs as {user}");
        Assert.Equal("SIGTERM", runtime.Single(i => i.Name == "STOPSIGNAL").Arguments);
        Assert.Equal("""["dotnet", "ProviderGateway.dll"]""", runtime.Single(i => i.Name == "ENTRYPOINT").Arguments);
        Assert.Equal(new[] { 5080, 5081, 5082 }, image.Exposed);
    }

    private sealed record Document(string File, string Kind, string Name, JsonElement Object);

    private static async Task<IReadOnlyList<Document>> DocumentsAsync() =>
        [.. (await Validated.Value).GetProperty("documents").EnumerateArray().Select(d => new Document(
            d.GetProperty("file").GetString()!, d.GetProperty("kind").GetString()!, d.GetProperty("name").GetString()!, d.GetProperty("object")))];

    private static async Task<JsonElement> DocumentAsync(string kind, string name) =>
        (await DocumentsAsync()).Single(d => d.Kind == kind && d.Name == name).Object;

    private static Task<JsonElement> StatefulSetAsync() => DocumentAsync("StatefulSet", "providergateway");

    private static async Task<JsonElement> PodSpecAsync() =>
        (await StatefulSetAsync()).GetProperty("spec").GetProperty("template").GetProperty("spec");

    private static async Task<JsonElement> ContainerAsync() =>
        (await PodSpecAsync()).GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "gateway");

    private static async Task<IReadOnlyDictionary<string, string>> ConfigMapAsync() =>
        (await DocumentAsync("ConfigMap", "providergateway-config")).GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    // A port as a probe or Service gives it: a number, or the name of one of the container's ports.
    private static int PortOf(JsonElement container, JsonElement port) =>
        port.ValueKind == JsonValueKind.Number
            ? port.GetInt32()
            : container.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("name").GetString() == port.GetString()).GetProperty("containerPort").GetInt32();

    private static HashSet<string> Labels(JsonElement labels) =>
        labels.EnumerateObject().Select(l => $"{l.Name}={l.Value.GetString()}").ToHashSet(StringComparer.Ordinal);

    // Shell or Dockerfile lines with their backslash continuations joined, comments and blank lines left out.
    private static IEnumerable<string> Continued(IEnumerable<string> lines)
    {
        var current = "";
        foreach (var line in lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            current += line.EndsWith('\\') ? line[..^1] : line;
            if (!line.EndsWith('\\'))
            {
                yield return Regex.Replace(current, @"\s+", " ");
                current = "";
            }
        }
    }

    // dotnet publish's arguments as option -> value (the project under ""), less where it writes and how much it says.
    private static Dictionary<string, string> PublishArguments(string command)
    {
        var tokens = command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..];
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i].StartsWith("-p:", StringComparison.Ordinal))
            {
                var property = tokens[i].Split('=', 2);
                arguments[property[0]] = property[1];
            }
            else if (tokens[i].StartsWith('-'))
            {
                arguments[tokens[i]] = i + 1 < tokens.Length && !tokens[i + 1].StartsWith('-') ? tokens[++i] : "";
            }
            else
            {
                arguments[""] = tokens[i];
            }
        }

        foreach (var output in new[] { "-o", "--output", "-v", "--verbosity", "-nologo", "--nologo" })
        {
            arguments.Remove(output);
        }

        return arguments;
    }

    private sealed record Instruction(string Name, string Arguments);

    /// <summary>The repository's Dockerfile: its instructions, the runtime stage's environment, volume and exposed ports.</summary>
    private sealed partial record Dockerfile(IReadOnlyList<Instruction> Instructions)
    {
        public static Dockerfile Load() =>
            new([.. Continued(File.ReadAllLines(Path.Combine(Repository.Root, "Dockerfile")))
                .Select(l => l.Split(' ', 2))
                .Select(p => new Instruction(p[0].ToUpperInvariant(), p.Length > 1 ? p[1].Trim() : ""))]);

        public IReadOnlyDictionary<string, string> Env =>
            Instructions.Where(i => i.Name == "ENV")
                .SelectMany(i => EnvPair().Matches(i.Arguments))
                .ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value.Trim('"'), StringComparer.Ordinal);

        public string Volume => JsonSerializer.Deserialize<string[]>(Instructions.Single(i => i.Name == "VOLUME").Arguments)!.Single();

        public IReadOnlyList<int> Exposed =>
            [.. Instructions.Where(i => i.Name == "EXPOSE").SelectMany(i => i.Arguments.Split(' ')).Select(p => int.Parse(p, CultureInfo.InvariantCulture))];

        [GeneratedRegex("""(?<key>[A-Za-z_][\w.]*)=(?<value>"[^"]*"|\S*)""")]
        private static partial Regex EnvPair();
    }
}
