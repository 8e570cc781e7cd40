using Microsoft.Extensions.FileProviders;

namespace ReviewFlow.Web.Demo;

/// <summary>
/// The demo's sample documents (Demo/Content: a three-page PDF, a PNG, a text file, written by make-samples.py) at
/// /demo-content/, in Development only: the demo publisher links its documents there, and infra/run-local.sh allows
/// this host for the demo's source systems, so the viewer shows real content through the real proxy.
/// </summary>
public static class DemoContent
{
    public static WebApplication UseDemoContent(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) return app;
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Path.Combine(app.Environment.ContentRootPath, "Demo", "Content")),
            RequestPath = "/demo-content",
        });
        return app;
    }
}
