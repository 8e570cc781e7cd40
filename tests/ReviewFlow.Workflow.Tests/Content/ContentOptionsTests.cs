using Microsoft.Extensions.Configuration;
using ReviewFlow.Workflow.Content;

namespace ReviewFlow.Workflow.Tests.Content;

/// <summary>The Content section as operators and infra/run-local.sh write it.</summary>
public sealed class ContentOptionsTests
{
    static ContentOptions Bind(IConfiguration configuration)
    {
        var options = new ContentOptions();
        configuration.GetSection(ContentOptions.Section).Bind(options);
        return options;
    }

    [Fact]
    public void Run_local_s_command_line_allows_its_own_address_for_a_source_system()
    {
        var options = Bind(new ConfigurationBuilder()
            .AddCommandLine(["--Content:Sources:ap-inbox:AllowedOrigins:0=http://127.0.0.1:5080"]).Build());

        Assert.True(options.Sources["ap-inbox"].Allows(new Uri("http://127.0.0.1:5080/demo-content/invoice.pdf")));
    }

    [Fact]
    public void Environment_style_keys_with_headers_limits_and_a_source_name_in_any_case()
    {
        var options = Bind(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Content:Sources:ERP:AllowedOrigins:0"] = "files.erp.example.com",
            ["Content:Sources:ERP:Headers:Authorization"] = "Bearer from-the-secret-store",
            ["Content:MaxBytes"] = "1048576",
            ["Content:Timeout"] = "00:00:03",
        }).Build());

        Assert.True(options.Sources.TryGetValue("erp", out var erp));
        Assert.Equal("Bearer from-the-secret-store", erp.Headers["authorization"]);
        Assert.Equal(1_048_576, options.MaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
    }

    [Fact]
    public void Without_configuration_nothing_is_allowed_and_the_limits_are_20_MiB_and_10_s()
    {
        var options = Bind(new ConfigurationBuilder().Build());

        Assert.Empty(options.Sources);
        Assert.Equal(20 * 1024 * 1024, options.MaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
    }
}
