using EcommerceEda.EventDocs;
using EcommerceEda.Tests.Infrastructure;

namespace EcommerceEda.Tests.Template;

/// <summary>
/// <c>dotnet new install</c> of this repository, then <c>dotnet new ecommerce-eda</c>: a solution under the new name
/// that keeps nothing of the old one, builds without a warning, and passes its tests: its unit tests, the check that
/// its generated docs match its code, and an integration test against its own RabbitMQ and PostgreSQL. (Building a
/// second copy of everything is heavy: it runs alone, with the end-to-end tests.)
/// </summary>
[Collection(typeof(EndToEnd.EndToEnd))]
public sealed class TemplateTests
{
    private const string Name = "Contoso.Shop";

    private static readonly string[] TestsToRun =
    [
        "*.EventPatternTests.*",
        "*.SchemaCompatibilityTests.*",
        "*.The_committed_docs_are_what_the_code_generates",
        "*.OrderPlacedFlowTests.*",
    ];

    [Fact]
    public async Task The_template_makes_a_renamed_solution_that_builds_and_passes_its_tests()
    {
        var repository = DocsGenerator.Repository();
        var work = Directory.CreateTempSubdirectory("eda-template-");
        try
        {
            var hive = Path.Combine(work.FullName, "hive"); // templates installed here only, not in the user's own list
            var output = Path.Combine(work.FullName, Name);
            await DotnetAsync(work.FullName, "new", "install", repository, "--debug:custom-hive", hive);
            await DotnetAsync(work.FullName, "new", "ecommerce-eda", "--name", Name, "--output", output, "--allow-scripts", "yes", "--debug:custom-hive", hive);

            Assert.True(File.Exists(Path.Combine(output, $"{Name}.sln")));
            Assert.True(File.Exists(Path.Combine(output, "tests", $"{Name}.Tests", $"{Name}.Tests.csproj")));
            var files = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).ToList();
            Assert.DoesNotContain(files, file => OldName(file) || OldName(File.ReadAllText(file)));
            Assert.DoesNotContain(files, file => file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
            if (!OperatingSystem.IsWindows())
            {
                Assert.True(File.GetUnixFileMode(Path.Combine(output, "eng", "run.sh")).HasFlag(UnixFileMode.UserExecute), "eng/run.sh is not executable");
            }

            await DotnetAsync(output, "build", $"{Name}.sln");
            await DotnetAsync(output, ["run", "--no-build", "--project", Path.Combine("tests", $"{Name}.Tests"), "--", .. TestsToRun.SelectMany(test => new[] { "-method", test })]);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static bool OldName(string text) =>
        text.Contains("EcommerceEda", StringComparison.Ordinal) || text.Contains("ecommerce-eda", StringComparison.Ordinal);

    private static Task DotnetAsync(string directory, params string[] arguments) => DotnetAsync(directory, (IEnumerable<string>)arguments);

    private static async Task DotnetAsync(string directory, IEnumerable<string> arguments)
    {
        var (exitCode, output) = await ChildProcess.RunAsync(
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
            arguments,
            directory,
            environment =>
            {
                // The test run's own MSBuild settings would steer the child's build.
                foreach (var variable in environment.Keys.Where(key => key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    environment.Remove(variable);
                }
            });
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {exitCode}:\n{output}");
    }
}
