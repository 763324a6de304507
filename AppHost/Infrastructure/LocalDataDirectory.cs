using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>Where a local server keeps its data: under the configured (git-ignored) data path.</summary>
public static class LocalDataDirectory
{
    /// <summary>
    /// <c>{dataPath}/{name}</c>. When this process is root and the server runs as <paramref name="serviceUser"/>,
    /// that user must be able to reach the folder; a clone under <c>/root</c> (mode 700) is out of its reach,
    /// so the data then goes under <c>/var/lib/ecommerce-eda/{hash of dataPath}</c> instead.
    /// </summary>
    public static string For(string dataPath, string name, string? serviceUser = null)
    {
        var root = Path.GetFullPath(dataPath);
        if (serviceUser is null || !HostCommand.IsRoot || OperatingSystem.IsWindows() || OthersCanReach(root))
        {
            return Path.Combine(root, name);
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..12].ToLowerInvariant();
        return Path.Combine("/var/lib/ecommerce-eda", hash, name);
    }

    /// <summary>Writes a file only its owner may read, from the moment it exists.</summary>
    public static async Task WriteSecretAsync(string path, string content, CancellationToken cancellationToken)
    {
        File.Delete(path); // the mode below applies only to a file being created
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var file = new StreamWriter(path, options);
        await file.WriteAsync(content.AsMemory(), cancellationToken);
    }

    [UnsupportedOSPlatform("windows")]
    private static bool OthersCanReach(string path)
    {
        for (var dir = Path.GetDirectoryName(path); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Directory.Exists(dir) && !File.GetUnixFileMode(dir).HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }

        return true;
    }
}
