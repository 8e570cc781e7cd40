namespace ReviewFlow.Workflow.SignIn;

/// <summary>Claim types: Entra ID app roles arrive as "roles"; reviewer groups as "groups" (group names).</summary>
public static class ClaimNames
{
    public const string Role = "roles";
    public const string Group = "groups";
    public const string Name = "name";
    public const string Subject = "sub";
}
