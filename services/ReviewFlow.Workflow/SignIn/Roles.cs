namespace ReviewFlow.Workflow.SignIn;

/// <summary>App roles, as Entra ID puts them in the token ("roles").</summary>
public static class Roles
{
    public const string Reviewer = "Reviewer";
    public const string Supervisor = "Supervisor";
    public const string Auditor = "Auditor";
    public const string Admin = "Admin";
    /// <summary>Upstream systems posting classification results over HTTP (client-credentials app role).</summary>
    public const string Ingest = "Ingest";
    /// <summary>Runs the system: works the intake error queue (replay, discard), sees Invalid documents. Admin may do the same.</summary>
    public const string Operator = "Operator";
}
