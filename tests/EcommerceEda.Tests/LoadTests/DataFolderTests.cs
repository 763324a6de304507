using System.Diagnostics;
using EcommerceEda.LoadTests.Target;

namespace EcommerceEda.Tests.LoadTests;

/// <summary>The data folders of the systems the harness starts, which a later run removes when their process is gone.</summary>
public sealed class DataFolderTests
{
    [Fact]
    public async Task The_data_folders_of_ended_processes_are_removed_and_the_others_kept()
    {
        var parent = Directory.CreateTempSubdirectory("eda-data-folders-");
        try
        {
            using var ended = Process.Start("true")!;
            await ended.WaitForExitAsync(TestContext.Current.CancellationToken);
            var abandoned = parent.CreateSubdirectory($"ecommerce-eda-run-{ended.Id}-0123456789ab");
            await File.WriteAllTextAsync(Path.Combine(abandoned.FullName, "PG_VERSION"), "15", TestContext.Current.CancellationToken);
            var running = parent.CreateSubdirectory($"ecommerce-eda-run-{Environment.ProcessId}-0123456789ab");
            var unrelated = parent.CreateSubdirectory($"ecommerce-eda-tests-{ended.Id}");

            var removed = LocalAppHost.RemoveAbandonedDataFolders(parent.FullName);

            Assert.Equal([abandoned.FullName], removed);
            Assert.False(Directory.Exists(abandoned.FullName));
            Assert.True(Directory.Exists(running.FullName));
            Assert.True(Directory.Exists(unrelated.FullName));
        }
        finally
        {
            parent.Delete(recursive: true);
        }
    }
}
