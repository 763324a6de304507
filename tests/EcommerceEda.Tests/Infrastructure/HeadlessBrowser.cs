using EcommerceEda.AppHost.Infrastructure;
using Microsoft.Playwright;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>
/// The machine's own Chromium (Debian's <c>chromium</c>, installed by <c>eng/install-prerequisites.sh --tests</c>),
/// driven headless by Playwright: no browser is downloaded.
/// </summary>
public sealed class HeadlessBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private HeadlessBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<HeadlessBrowser> LaunchAsync()
    {
        var chromium = HostCommand.FindOnPath("chromium") ?? HostCommand.FindOnPath("chromium-browser")
            ?? throw new InvalidOperationException("Chromium is missing: run eng/install-prerequisites.sh --tests (apt-get install chromium).");
        var playwright = await Playwright.CreateAsync();
        try
        {
            return new HeadlessBrowser(playwright, await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true }));
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The colours of <paramref name="png"/> at <paramref name="points"/>, as red, green, blue: the browser decodes the
    /// image in a blank page of its own (the page under test may forbid data: images).
    /// </summary>
    public async Task<IReadOnlyList<int[]>> PixelsAsync(byte[] png, IEnumerable<(int X, int Y)> points)
    {
        var page = await Browser.NewPageAsync();
        try
        {
            return await page.EvaluateAsync<int[][]>(
                """
                async ([png, points]) => {
                  const image = new Image();
                  image.src = `data:image/png;base64,${png}`;
                  await image.decode();
                  const canvas = new OffscreenCanvas(image.width, image.height);
                  const context = canvas.getContext("2d");
                  context.drawImage(image, 0, 0);
                  return points.map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3)));
                }
                """,
                new object[] { Convert.ToBase64String(png), points.Select(p => new[] { p.X, p.Y }).ToArray() });
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
