namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>A program the local infrastructure needs is not installed; the message says how to install it.</summary>
public sealed class MissingPrerequisiteException(string program, string lookedIn, string installCommand)
    : Exception(
        $"{program} was not found (looked in {lookedIn}). Install it with: {installCommand} "
        + "(or run ./eng/install-prerequisites.sh), or set Infrastructure:Mode=Containers to use Docker.");
