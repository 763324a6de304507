using System.Diagnostics;
using EcommerceEda.LoadTests.Target;

namespace EcommerceEda.Tests.LoadTests;

/// <summary>
/// The data folders of the systems the harness and the test suite start, which a later run removes when their process
/// is gone, after stopping what still runs from them.
/// </summary>
public sealed class DataFolderTests
{
    private const string Prefix = "ecommerce-eda-run-";

    [Fact]
    public async Task The_data_folders_of_ended_processes_are_removed_with_what_runs_from_them_and_the_others_kept()
    {
        var parent = Directory.CreateTempSubdirectory("eda-data-folders-");
        try
        {
            using var ended = Process.Start("true")!;
            await ended.WaitForExitAsync(TestContext.Current.CancellationToken);
            var abandoned = parent.CreateSubdirectory($"{Prefix}{ended.Id}-0123456789ab");
            await File.WriteAllTextAsync(Path.Combine(abandoned.FullName, "PG_VERSION"), "15", TestContext.Current.CancellationToken);
            using var server = Process.Start(new ProcessStartInfo("sleep", "300") { Environment = { ["PGDATA"] = abandoned.FullName } })!;
            var running = parent.CreateSubdirectory($"{Prefix}{Environment.ProcessId}-0123456789ab");
            var unrelated = parent.CreateSubdirectory($"ecommerce-eda-tests-{ended.Id}-0123456789ab");

            var removed = await DataFolders.RemoveAbandonedAsync(Prefix, parent.FullName);

            Assert.Equal([abandoned.FullName], removed);
            Assert.False(Directory.Exists(abandoned.FullName));
            Assert.True(server.HasExited, "the server left running from the abandoned folder was stopped");
            Assert.True(Directory.Exists(running.FullName));
            Assert.True(Directory.Exists(unrelated.FullName));
        }
        finally
        {
            parent.Delete(recursive: true);
        }
    }
}
