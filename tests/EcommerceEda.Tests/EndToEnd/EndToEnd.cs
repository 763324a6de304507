namespace EcommerceEda.Tests.EndToEnd;

/// <summary>
/// The AppHost runs a second broker, database and four services: on a 2-core machine that is enough
/// load, so it runs alone, after the tests that run in parallel.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class EndToEnd;
