using System.Diagnostics;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>Whether a container runtime really answers: a <c>docker</c> client alone is not enough.</summary>
public static class ContainerRuntime
{
    /// <summary>Runs <c>{runtime} info</c>; true only if the engine replies within a few seconds.</summary>
    public static bool Answers()
    {
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") ?? "docker";
        if (HostCommand.FindOnPath(runtime) is null)
        {
            return false;
        }

        using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
        if (process is null)
        {
            return false;
        }

        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill(entireProcessTree: true);
            return false;
        }

        return process.ExitCode == 0;
    }
}
