namespace ReviewFlow.Workflow.SignIn;

/// <summary>Authorization policies (defined by the web host's sign-in setup) the endpoints require.</summary>
public static class Policies
{
    public const string Review = "review";
    public const string Ingest = "ingest";
    public const string Supervise = "supervise";
}
