using System.Diagnostics;
using System.Globalization;
using EcommerceEda.LoadTests.Target;

namespace EcommerceEda.Tests.LoadTests;

/// <summary>
/// The data folders of the systems the harness and the test suite start, which a later run removes when their process
/// is gone, after stopping the servers still running from them.
/// </summary>
public sealed class DataFolderTests
{
    private const string Prefix = LocalAppHost.DataFolderPrefix;

    [Fact]
    public async Task The_data_folders_of_ended_processes_are_removed_with_their_servers_and_the_others_kept()
    {
        var parent = Directory.CreateTempSubdirectory("eda-data-folders-");
        using var ended = Process.Start("true")!;
        await ended.WaitForExitAsync(TestContext.Current.CancellationToken);
        var abandoned = parent.CreateSubdirectory($"{Prefix}{ended.Id}-0123456789ab");
        // A server left running: it names the folder on its command line and recorded its id there, as PostgreSQL does.
        using var server = Process.Start("sh", ["-c", "while sleep 0.2; do :; done", abandoned.FullName])!;
        var data = abandoned.CreateSubdirectory("postgres/data");
        await File.WriteAllTextAsync(
            Path.Combine(data.FullName, "postmaster.pid"), $"{server.Id.ToString(CultureInfo.InvariantCulture)}\n{data.FullName}\n", TestContext.Current.CancellationToken);
        // A process that only mentions the folder (a shell started there, say) is not one of its servers.
        using var bystander = Process.Start(new ProcessStartInfo("sleep", "300") { Environment = { ["PWD"] = abandoned.FullName } })!;
        var running = parent.CreateSubdirectory($"{Prefix}{Environment.ProcessId}-0123456789ab");
        var unrelated = parent.CreateSubdirectory($"ecommerce-eda-tests-{ended.Id}-0123456789ab");
        try
        {
            var removed = await DataFolders.RemoveAbandonedAsync(Prefix, parent.FullName);

            Assert.Equal([abandoned.FullName], removed);
            Assert.False(Directory.Exists(abandoned.FullName));
            Assert.True(server.HasExited, "the server running from the abandoned folder was stopped");
            Assert.False(bystander.HasExited, "a process that only mentions the folder was left alone");
            Assert.True(Directory.Exists(running.FullName));
            Assert.True(Directory.Exists(unrelated.FullName));
        }
        finally
        {
            server.Kill();
            bystander.Kill();
            parent.Delete(recursive: true);
        }
    }
}
