namespace ProviderGateway.Tests.Architecture;

/// <summary>
/// The folders of <c>src/ProviderGateway</c> as a graph (an arrow from a folder to each folder whose types it uses), and
/// the two things wrong with one: a cycle, and an arrow that does not point down the README's layers.
/// </summary>
public static class FolderGraph
{
    /// <summary>Every cycle's folders, each cycle once (a strongly connected component of more than one folder).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IReadOnlyDictionary<string, IReadOnlySet<string>> arrows)
    {
        // Tarjan's strongly connected components.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<IReadOnlyList<string>>();
        var nodes = arrows.Keys.Concat(arrows.Values.SelectMany(v => v)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in arrows.GetValueOrDefault(node) ?? new HashSet<string>())
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string popped;
                do
                {
                    popped = stack.Pop();
                    onStack.Remove(popped);
                    component.Add(popped);
                }
                while (popped != node);

                if (component.Count > 1)
                {
                    cycles.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return cycles;
    }

    /// <summary>
    /// Every arrow that does not point to a lower layer (<paramref name="layers"/> top first), and every folder that is
    /// in no layer, as <c>"Errors -> Security (same layer)"</c>.
    /// </summary>
    public static IReadOnlyList<string> ArrowsNotDown(IReadOnlyDictionary<string, IReadOnlySet<string>> arrows, IReadOnlyList<IReadOnlyList<string>> layers)
    {
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < layers.Count; i++)
        {
            foreach (var folder in layers[i])
            {
                rank[folder] = layers.Count - i;
            }
        }

        var problems = new List<string>();
        foreach (var (from, targets) in arrows.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            foreach (var to in targets.Order(StringComparer.Ordinal))
            {
                if (!rank.TryGetValue(from, out var a))
                {
                    problems.Add($"{from} is in no layer of the README's diagram");
                }
                else if (!rank.TryGetValue(to, out var b))
                {
                    problems.Add($"{to} is in no layer of the README's diagram");
                }
                else if (b >= a)
                {
                    problems.Add($"{from} -> {to} ({(a == b ? "same layer" : "points up")})");
                }
            }
        }

        return [.. problems.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The layers drawn in the README's architecture section: the lines of the fenced block after the line
    /// <c>&lt;!-- layers: top first --&gt;</c>, each a layer's folders separated by spaces (text after <c>#</c> ignored).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> LayersOf(string readme)
    {
        var lines = readme.Split('\n');
        var marker = Array.FindIndex(lines, l => l.Trim() == "<!-- layers: top first -->");
        if (marker < 0 || marker + 1 >= lines.Length || !lines[marker + 1].StartsWith("```", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The README has no layers block (a ``` block right after '<!-- layers: top first -->').");
        }

        var layers = new List<IReadOnlyList<string>>();
        for (var i = marker + 2; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
        {
            var text = lines[i].Split('#')[0];
            var folders = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(w => w.EndsWith('/'))
                .Select(w => w.TrimEnd('/'))
                .ToList();
            if (folders.Count > 0)
            {
                layers.Add(folders);
            }
        }

        return layers;
    }
}
