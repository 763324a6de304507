using EcommerceEda.Deploy;

// Generates deploy/compose and deploy/kubernetes from the AppHost as Aspire's manifest publisher describes it.
// ./eng/publish.sh runs it: EcommerceEda.Deploy <aspire-manifest.json> <deploy dir> [--registry <registry>] [--check]
if (args is not [var manifestPath, var root, .. var options])
{
    Console.Error.WriteLine("Usage: EcommerceEda.Deploy <aspire-manifest.json> <deploy dir> [--registry <registry>] [--check]");
    return 2;
}

var check = options.Contains("--check");
var registry = options.SkipWhile(option => option != "--registry").Skip(1).FirstOrDefault() ?? DeploymentFiles.DefaultRegistry;
var files = DeploymentFiles.Generate(AspireManifest.Read(manifestPath), registry);
if (check)
{
    var drift = DeploymentFiles.Drift(root, files);
    foreach (var line in drift)
    {
        Console.Error.WriteLine(line);
    }

    Console.WriteLine(drift.Count == 0 ? "deploy/ is up to date." : $"deploy/ is out of date: run {DeploymentFiles.Command}");
    return drift.Count == 0 ? 0 : 1;
}

DeploymentFiles.Write(root, files);
Console.WriteLine($"Wrote {files.Count} files under {root}: compose/ and kubernetes/.");
return 0;
