namespace ReviewFlow.Web;

/// <summary>Names the web host's assembly, for the tests' <c>WebApplicationFactory&lt;WebHost&gt;</c> (Program.cs is top-level code).</summary>
public sealed class WebHost;
