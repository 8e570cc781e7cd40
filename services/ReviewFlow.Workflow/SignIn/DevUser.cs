
namespace ReviewFlow.Workflow.SignIn;

/// <summary>A seeded development user (configuration section DevUsers, Development only).</summary>
public sealed class DevUser
{
    public string Name { get; set; } = "";
    public List<string> Roles { get; set; } = [];
    public List<string> Groups { get; set; } = [];

    public static Dictionary<string, DevUser> FromConfiguration(IConfiguration configuration) =>
        configuration.GetSection("DevUsers").Get<Dictionary<string, DevUser>>() ?? [];
}
