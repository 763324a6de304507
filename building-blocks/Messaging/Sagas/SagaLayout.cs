namespace EcommerceEda.Messaging.Sagas;

/// <summary>Where the saga view draws a state: a row from the top and a column from the left.</summary>
public sealed record SagaNode(string State, int Row, int Column);

/// <summary>
/// Lays a saga's states out as Step Functions' console does: the longest path from <c>Initial</c> (the happy path,
/// as a saga is usually written) straight down the first column, one state per row; every other state (a
/// compensation, a failure) beside it, level with the middle of the states that lead to it, or below the state beside
/// the path that leads to it.
/// </summary>
public static class SagaLayout
{
    /// <summary>Arranges the states of <paramref name="transitions"/>; a transition back to an earlier state is not followed.</summary>
    public static IReadOnlyList<SagaNode> Arrange(IReadOnlyList<SagaTransition> transitions)
    {
        var states = transitions.SelectMany(t => new[] { t.From, t.To }).Prepend(SagaJournal.InitialState).Distinct().ToList();
        var forward = ForwardEdges(states, transitions);
        var spine = LongestPath(states, forward);
        var nodes = spine.Select((state, row) => new SagaNode(state, row, 0)).ToDictionary(node => node.State);
        foreach (var state in states.Where(state => !nodes.ContainsKey(state)))
        {
            var before = forward.Where(edge => edge.To == state && nodes.ContainsKey(edge.From)).Select(edge => nodes[edge.From]).ToList();
            var beside = before.Where(node => node.Column > 0).ToList();
            var (row, column) = beside.Count > 0
                ? (beside.Max(node => node.Row) + 1, beside.Min(node => node.Column)) // below the state beside the path it follows
                : (before.Count == 0 ? 0 : (int)Math.Round(before.Average(node => node.Row), MidpointRounding.AwayFromZero), 1);
            while (nodes.Values.Any(node => node.Row == row && node.Column == column))
            {
                column++;
            }

            nodes[state] = new SagaNode(state, row, column);
        }

        return [.. states.Select(state => nodes[state])];
    }

    // The transitions minus those that close a cycle, found by a depth-first walk from Initial in declaration order.
    private static List<(string From, string To)> ForwardEdges(List<string> states, IReadOnlyList<SagaTransition> transitions)
    {
        var edges = transitions.Select(t => (t.From, t.To)).Where(e => e.From != e.To).Distinct().ToList();
        var onPath = new HashSet<string>();
        var done = new HashSet<string>();
        var backward = new HashSet<(string, string)>();
        void Walk(string state)
        {
            onPath.Add(state);
            foreach (var edge in edges.Where(e => e.From == state))
            {
                if (onPath.Contains(edge.To))
                {
                    backward.Add(edge);
                }
                else if (!done.Contains(edge.To))
                {
                    Walk(edge.To);
                }
            }

            onPath.Remove(state);
            done.Add(state);
        }

        foreach (var state in states.Where(s => !done.Contains(s)))
        {
            Walk(state);
        }

        return [.. edges.Where(edge => !backward.Contains(edge))];
    }

    // The longest chain of forward edges from Initial; of equally long ones, the one declared first.
    private static List<string> LongestPath(List<string> states, List<(string From, string To)> forward)
    {
        var depth = states.ToDictionary(state => state, _ => 0);
        for (var changed = true; changed;) // terminates: the forward edges have no cycle
        {
            changed = false;
            foreach (var (from, to) in forward.Where(edge => depth[edge.To] < depth[edge.From] + 1))
            {
                depth[to] = depth[from] + 1;
                changed = true;
            }
        }

        var path = new List<string> { states.First(state => depth[state] == depth.Values.Max()) };
        while (path[0] != SagaJournal.InitialState
            && forward.FirstOrDefault(edge => edge.To == path[0] && depth[edge.From] == depth[path[0]] - 1) is { From: { } previous })
        {
            path.Insert(0, previous);
        }

        return path;
    }
}
